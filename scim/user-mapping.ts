/**
 * A SCIM User is a membership of the token's org: userName, externalId and everything else the
 * client wrote live on the membership (scim_user_name, external_id, scim_attributes), so they
 * read back as written and never change the shared account, which other orgs may use too.
 */
import type { Membership, Role, ScimUserAttributes } from "../entities";
import { ROLES } from "../entities";
import { SCIMMY, CORE_USER, ENTERPRISE_USER } from "./scimmy";
import { badValue } from "./errors";
import { isObject, prepareBody, type Json } from "./normalize";
import { ROLE_RANK } from "../src/auth/permissions";

export interface UserInput {
  userName: string;
  externalId: string | null;
  active: boolean;
  attributes: ScimUserAttributes;
  /** Highest of the `roles` values that name a Roster role, if any. */
  scimRole: Role | null;
  /** The address that identifies the person's account: primary, else work email, else userName if it is one. */
  email: string | null;
  displayName: string | null;
}

const TOP_LEVEL = new Set(["userName", "externalId", "active", "schemas", "meta", "id", "password", "groups"]);
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const isEmail = (s: unknown): s is string => typeof s === "string" && s.length <= 320 && EMAIL_RE.test(s.trim());

/**
 * scimmy's strict coercion of an (IdP-normalised) body; its complaints become 400 invalidValue.
 * The schema definition's coerce is what a `new SCIMMY.Schemas.User(body, "in")` runs, without
 * the instance's per-attribute accessors (which coerce every attribute a second time): a fifth
 * of the server's CPU per SCIM write. The instance also drops an extension left with no values
 * (`{ manager: {} }`); withoutEmptyExtension does that here, so the result is
 * the same (compared over every body of the SCIM suites and test/unit/scim-coerce.test.ts).
 */
export function coerceUser(body: unknown): Json {
  if (!isObject(body)) throw new SCIMMY.Types.Error(400, "invalidSyntax", "Expected the body to be a single JSON object.");
  try {
    return withoutEmptyExtension(JSON.parse(JSON.stringify(SCIMMY.Schemas.User.definition.coerce(prepareBody(body, [CORE_USER, ENTERPRISE_USER]), "in"))));
  } catch (err) {
    if (err instanceof SCIMMY.Types.Error) throw err;
    throw badValue((err as Error).message);
  }
}

/** scimmy's test for "has a value" (an object counts if anything in it does). */
const hasValues = (v: unknown): boolean => (typeof v === "object" && v !== null ? Object.values(v).some(hasValues) : v !== undefined);

function withoutEmptyExtension(u: Json): Json {
  const ext = u[ENTERPRISE_USER];
  if (isObject(ext) && !hasValues(ext)) {
    delete u[ENTERPRISE_USER];
    if (Array.isArray(u.schemas)) u.schemas = u.schemas.filter((s) => s !== ENTERPRISE_USER);
  }
  return u;
}

export function fromScim(u: Json): UserInput {
  const userName = typeof u.userName === "string" ? u.userName.trim() : "";
  if (!userName) throw badValue("userName is required.");
  if (userName.length > 320) throw badValue("userName is too long (at most 320 characters).");
  const externalId = typeof u.externalId === "string" && u.externalId ? u.externalId : null;
  if (externalId && externalId.length > 255) throw badValue("externalId is too long (at most 255 characters).");
  const attributes: Json = {};
  for (const [k, v] of Object.entries(u)) {
    if (TOP_LEVEL.has(k)) continue;
    if (k === ENTERPRISE_USER) attributes.enterprise = v;
    else if (!k.startsWith("urn:")) attributes[k] = v;
  }
  const emails = (Array.isArray(u.emails) ? u.emails : []) as Json[];
  const pick = emails.find((e) => e.primary === true && isEmail(e.value))
    ?? emails.find((e) => String(e.type ?? "").toLowerCase() === "work" && isEmail(e.value));
  const email = pick ? String(pick.value).trim() : isEmail(userName) ? userName : null;
  const name = isObject(u.name) ? u.name : {};
  const displayName = (typeof u.displayName === "string" && u.displayName) || (typeof name.formatted === "string" && name.formatted)
    || [name.givenName, name.familyName].filter((x) => typeof x === "string" && x).join(" ") || null;
  return {
    userName, externalId, active: u.active !== false, attributes: attributes as ScimUserAttributes,
    scimRole: roleFrom(u.roles), email, displayName: displayName ? displayName.slice(0, 200) : null,
  };
}

function roleFrom(roles: unknown): Role | null {
  if (!Array.isArray(roles)) return null;
  let best: Role | null = null;
  for (const r of roles) {
    const v = String(isObject(r) ? r.value ?? "" : r).trim().toLowerCase() as Role;
    if ((ROLES as readonly string[]).includes(v) && (!best || ROLE_RANK[v] > ROLE_RANK[best])) best = v;
  }
  return best;
}

type UserRow = Pick<Membership, "id" | "scimUserName" | "externalId" | "status" | "scimAttributes" | "createdAt" | "updatedAt">;

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export function toScimUser(m: UserRow, baseUrl: string): Json {
  const { enterprise, ...attrs } = (m.scimAttributes ?? {}) as Json;
  return {
    schemas: enterprise ? [CORE_USER, ENTERPRISE_USER] : [CORE_USER],
    id: m.id,
    ...(m.externalId ? { externalId: m.externalId } : {}),
    userName: m.scimUserName,
    ...attrs,
    active: m.status === "active",
    ...(enterprise ? { [ENTERPRISE_USER]: enterprise } : {}),
    meta: { resourceType: "User", created: iso(m.createdAt), lastModified: iso(m.updatedAt), location: `${baseUrl}/Users/${m.id}` },
  };
}
