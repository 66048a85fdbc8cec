/**
 * SSO connections of an org: create, read, change, delete (API and CLI share these), and the
 * lookup the browser flows use. Every change is audited; the client secret is encrypted at
 * rest and never leaves this module in clear except to the OIDC token request.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Organization, SsoConnection } from "../entities";
import type { Config } from "../src/config";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { ConflictError, NotFoundError, ValidationError } from "../src/errors";
import { parse, isUuid } from "../src/http/validate";
import { getOrg, requireEnterprise } from "../src/orgs/org.service";
import { toPem } from "./certificates";
import { oidcSettings, samlSettings, type OidcSettings, type SamlSettings } from "./connection-config";
import { parseIdpMetadata, type IdpMetadata } from "./saml-metadata";
import { fetchIdpMetadata } from "./metadata-refresh";
import { encryptSecret } from "./secrets";
import { refuse } from "./errors";
import { connectionView, type ConnectionView } from "./connection-view";
import { PROVIDER_IDS } from "./provider-guides";

const jitRole = z.enum(["member", "admin"]);
const common = {
  name: z.string().trim().max(200).optional(),
  provider: z.enum(PROVIDER_IDS).optional(),
  enabled: z.boolean().optional(),
  jitEnabled: z.boolean().optional(),
  jitRole: jitRole.optional(),
};
const samlFields = {
  idpMetadataXml: z.string().max(200_000).optional(),
  idpMetadataUrl: z.union([z.url({ protocol: /^https$/ }).max(2048), z.literal("")]).optional(),
  idpEntityId: z.string().trim().min(1).max(1024).optional(),
  idpSsoUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  idpCerts: z.array(z.string().max(20_000)).min(1).max(2).optional(),
  allowIdpInitiated: z.boolean().optional(),
  wantAssertionsSigned: z.boolean().optional(),
  wantAuthnResponseSigned: z.boolean().optional(),
  allowSha1: z.boolean().optional(),
};
const oidcFields = {
  issuer: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  clientId: z.string().trim().min(1).max(255).optional(),
  clientSecret: z.string().min(1).max(2048).optional(),
  trustEmails: z.boolean().optional(),
};
/**
 * `awaitingIdp: true` creates the connection before the IdP's details exist, so Roster's own
 * values (ACS URL, entity ID, metadata URL, redirect URI) can be pasted into the IdP first. It
 * stays disabled; the details come with a later PATCH, fully validated.
 */
const createSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("saml"), awaitingIdp: z.boolean().optional(), ...common, ...samlFields }).strict(),
  z.object({ kind: z.literal("oidc"), awaitingIdp: z.boolean().optional(), ...common, ...oidcFields }).strict(),
]);
const samlPatch = z.object({ ...common, ...samlFields }).strict();
const oidcPatch = z.object({ ...common, ...oidcFields }).strict();

export type CreateConnectionInput = z.infer<typeof createSchema>;
export { connectionView, type ConnectionView } from "./connection-view";

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** https only; http is accepted for loopback issuers when test wiring allows it. */
export function issuerAllowed(config: Config, issuer: string): boolean {
  const u = new URL(issuer);
  if (u.protocol === "https:") return true;
  return config.ssoAllowInsecureLoopbackIssuers && u.protocol === "http:" && LOOPBACK.has(u.hostname);
}

type SamlInput = z.infer<typeof samlPatch>;
type OidcInput = z.infer<typeof oidcPatch>;

function mergeSaml(current: Partial<SamlSettings>, input: SamlInput, fetched?: IdpMetadata, awaitingIdp = false): SamlSettings {
  const fromMetadata = fetched ?? (input.idpMetadataXml ? parseIdpMetadata(input.idpMetadataXml) : {});
  const metadataUrl = input.idpMetadataUrl !== undefined ? input.idpMetadataUrl : current.idpMetadataUrl;
  const certs = input.idpCerts?.map((c, i) => toPem(c, `idpCerts.${i}`));
  const s: SamlSettings = {
    idpEntityId: input.idpEntityId ?? (fromMetadata as Partial<SamlSettings>).idpEntityId ?? current.idpEntityId ?? "",
    idpSsoUrl: input.idpSsoUrl ?? (fromMetadata as Partial<SamlSettings>).idpSsoUrl ?? current.idpSsoUrl ?? "",
    idpCerts: certs ?? (fromMetadata as Partial<SamlSettings>).idpCerts ?? current.idpCerts ?? [],
    ...(metadataUrl ? { idpMetadataUrl: metadataUrl } : {}),
    allowIdpInitiated: input.allowIdpInitiated ?? current.allowIdpInitiated ?? false,
    wantAssertionsSigned: input.wantAssertionsSigned ?? current.wantAssertionsSigned ?? false,
    wantAuthnResponseSigned: input.wantAuthnResponseSigned ?? current.wantAuthnResponseSigned ?? false,
    allowSha1: input.allowSha1 ?? current.allowSha1 ?? false,
    ...((input.provider ?? current.provider) ? { provider: input.provider ?? current.provider } : {}),
    jitEnabled: input.jitEnabled ?? current.jitEnabled ?? false,
    jitRole: input.jitRole ?? current.jitRole ?? "member",
  };
  const problems = [];
  if (!awaitingIdp) {
    if (!s.idpEntityId) problems.push({ field: "idpEntityId", message: "is required (or give the identity provider's metadata)" });
    if (!s.idpSsoUrl) problems.push({ field: "idpSsoUrl", message: "is required (or give the identity provider's metadata)" });
    if (s.idpCerts.length === 0) problems.push({ field: "idpCerts", message: "needs at least one certificate (or give the identity provider's metadata)" });
  }
  if (s.idpCerts.length > 4) problems.push({ field: "idpCerts", message: "accepts at most four certificates (old and new during a rotation)" });
  if (problems.length) throw new ValidationError(problems);
  return s;
}

function mergeOidc(config: Config, current: Partial<OidcSettings>, input: OidcInput, hasSecret: boolean, awaitingIdp = false): OidcSettings {
  const s: OidcSettings = {
    issuer: (input.issuer ?? current.issuer ?? "").replace(/\/+$/, ""),
    clientId: input.clientId ?? current.clientId ?? "",
    trustEmails: input.trustEmails ?? current.trustEmails ?? false,
    ...((input.provider ?? current.provider) ? { provider: input.provider ?? current.provider } : {}),
    jitEnabled: input.jitEnabled ?? current.jitEnabled ?? false,
    jitRole: input.jitRole ?? current.jitRole ?? "member",
  };
  const problems = [];
  if (!s.issuer) { if (!awaitingIdp) problems.push({ field: "issuer", message: "is required" }); }
  else if (!issuerAllowed(config, s.issuer)) problems.push({ field: "issuer", message: "must be an https:// URL" });
  if (!s.clientId && !awaitingIdp) problems.push({ field: "clientId", message: "is required" });
  if (!hasSecret && !awaitingIdp) problems.push({ field: "clientSecret", message: "is required" });
  if (problems.length) throw new ValidationError(problems);
  return s;
}

async function enterpriseOrg(deps: Deps, orgId: string): Promise<Organization> {
  const org = await getOrg(deps.ds.manager, orgId);
  requireEnterprise(org, "Single sign-on");
  return org;
}

export async function listConnections(deps: Deps, orgId: string): Promise<ConnectionView[]> {
  await enterpriseOrg(deps, orgId);
  const rows = await deps.ds.getRepository(SsoConnection).find({ where: { orgId }, order: { createdAt: "ASC", id: "ASC" } });
  return rows.map((c) => connectionView(deps.config, c, deps.clock.now()));
}

async function findOwn(deps: Deps, orgId: string, id: string): Promise<SsoConnection> {
  const c = isUuid(id) ? await deps.ds.getRepository(SsoConnection).findOneBy({ id, orgId }) : null;
  if (!c) throw new NotFoundError("SSO connection", "sso_connection.not_found");
  return c;
}

export async function getConnection(deps: Deps, orgId: string, id: string): Promise<ConnectionView> {
  await enterpriseOrg(deps, orgId);
  return connectionView(deps.config, await findOwn(deps, orgId, id), deps.clock.now());
}

const auditTarget = (c: SsoConnection) => ({ type: "sso_connection", id: c.id, name: c.name || c.kind });

export async function createConnection(deps: Deps, ctx: Ctx, orgId: string, body: unknown): Promise<ConnectionView> {
  const input = parse(createSchema, body);
  await enterpriseOrg(deps, orgId);
  const id = randomUUID();
  let config: SamlSettings | OidcSettings;
  let secretEncrypted: string | null = null;
  let fetchedAt: Date | null = null;
  if (input.kind === "saml") {
    const fetched = input.idpMetadataUrl ? await fetchIdpMetadata(deps, input.idpMetadataUrl) : undefined;
    if (fetched) fetchedAt = deps.clock.now();
    config = mergeSaml({}, input, fetched, input.awaitingIdp === true);
  }
  else {
    config = mergeOidc(deps.config, {}, input, !!input.clientSecret, input.awaitingIdp === true);
    secretEncrypted = input.clientSecret ? encryptSecret(deps.config.encryptionKey, id, input.clientSecret) : null;
  }
  if (input.awaitingIdp && input.enabled) throw new ValidationError([{ field: "enabled", message: "needs the identity provider's details first" }]);
  const c = await deps.ds.transaction(async (tx) => {
    if (input.enabled) await assertMayEnable(tx, ctx, orgId, null);
    await tx.getRepository(SsoConnection).insert({
      id, orgId, kind: input.kind, name: input.name ?? "", enabled: input.enabled ?? false,
      config: config as never, secretEncrypted, metadataFetchedAt: fetchedAt,
    });
    const row = await tx.getRepository(SsoConnection).findOneByOrFail({ id });
    await recordAudit(tx, ctx, { orgId, action: "sso_connection.created", target: auditTarget(row), metadata: { kind: row.kind, ...publicSettings(row) } });
    return row;
  });
  return connectionView(deps.config, c, deps.clock.now());
}

/** What an audit event may say about the settings: no certificates in full, never the secret. */
function publicSettings(c: SsoConnection): Record<string, unknown> {
  const { idpCerts, ...rest } = c.config as Record<string, unknown>;
  return { enabled: c.enabled, ...rest, ...(Array.isArray(idpCerts) ? { idpCertCount: idpCerts.length } : {}) };
}

/**
 * New connections start disabled (issue 10) until an Owner enables them (changing a connection
 * is Owner-only, docs/security.md): after a successful Test connection, or explicitly untested;
 * the operator CLI too. The tested check below stays for any non-Owner caller a future route adds.
 */
async function assertMayEnable(tx: import("typeorm").EntityManager, ctx: Ctx, orgId: string, row: SsoConnection | null): Promise<void> {
  if (ctx.actor.type !== "user") return;
  if (row?.testedAt) return;
  const [m] = await tx.query(`SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 AND status = 'active'`, [orgId, ctx.actor.id]);
  if (m?.role === "owner") return;
  throw new ConflictError("sso.connection_not_tested",
    "Test this connection with a successful sign-in before enabling it, or ask an Owner to enable it without a test.");
}

async function assertRequireSsoStillPossible(tx: import("typeorm").EntityManager, orgId: string, exceptId: string): Promise<void> {
  const org = await tx.getRepository(Organization).findOneByOrFail({ id: orgId });
  if (!org.settings?.requireSso) return;
  const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM sso_connections WHERE org_id = $1 AND enabled AND id <> $2`, [orgId, exceptId]);
  if (Number(n) === 0) {
    throw new ConflictError("sso.required_needs_connection",
      "This organization requires SSO and this is its last enabled connection: turn off “require SSO” first.");
  }
}

export async function updateConnection(deps: Deps, ctx: Ctx, orgId: string, id: string, body: unknown): Promise<ConnectionView> {
  await enterpriseOrg(deps, orgId);
  // Fetched before the transaction: no row lock is held across a network call.
  const url = (body as { idpMetadataUrl?: unknown } | null)?.idpMetadataUrl;
  const fetched = typeof url === "string" && url ? await fetchIdpMetadata(deps, url) : undefined;
  const c = await deps.ds.transaction(async (tx) => {
    const row = await tx.getRepository(SsoConnection).findOne({ where: { id: isUuid(id) ? id : randomUUID(), orgId }, lock: { mode: "pessimistic_write" } });
    if (!row) throw new NotFoundError("SSO connection", "sso_connection.not_found");
    const before = publicSettings(row);
    let config: SamlSettings | OidcSettings;
    let input: SamlInput | OidcInput;
    if (row.kind === "saml") {
      input = parse(samlPatch, body);
      config = mergeSaml(samlSettings(row), input, fetched);
      if (fetched) Object.assign(row, { metadataFetchedAt: deps.clock.now(), metadataError: null });
    } else {
      const o = parse(oidcPatch, body);
      input = o;
      config = mergeOidc(deps.config, oidcSettings(row), o, !!(o.clientSecret || row.secretEncrypted));
      if (o.clientSecret) row.secretEncrypted = encryptSecret(deps.config.encryptionKey, row.id, o.clientSecret);
    }
    if (input.enabled === false && row.enabled) await assertRequireSsoStillPossible(tx, orgId, row.id);
    if (input.enabled === true && !row.enabled) await assertMayEnable(tx, ctx, orgId, row);
    row.name = input.name ?? row.name;
    row.enabled = input.enabled ?? row.enabled;
    row.config = config as unknown as Record<string, unknown>;
    await tx.getRepository(SsoConnection).save(row);
    const after = publicSettings(row);
    const changed = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if ("idpCerts" in input || "idpMetadataXml" in input) changed.push("idpCerts");
    if ("clientSecret" in input) changed.push("clientSecret");
    await recordAudit(tx, ctx, { orgId, action: "sso_connection.updated", target: auditTarget(row), metadata: { changed: [...new Set(changed)], settings: after } });
    return row;
  });
  return connectionView(deps.config, c, deps.clock.now());
}

export async function deleteConnection(deps: Deps, ctx: Ctx, orgId: string | null, id: string): Promise<void> {
  await deps.ds.transaction(async (tx) => {
    const row = isUuid(id) ? await tx.getRepository(SsoConnection).findOne({ where: { id, ...(orgId ? { orgId } : {}) }, lock: { mode: "pessimistic_write" } }) : null;
    if (!row) throw new NotFoundError("SSO connection", "sso_connection.not_found");
    if (orgId) requireEnterprise(await tx.getRepository(Organization).findOneByOrFail({ id: row.orgId }), "Single sign-on");
    if (row.enabled) await assertRequireSsoStillPossible(tx, row.orgId, row.id);
    // Identities, pending transactions and the replay cache go with it (ON DELETE CASCADE).
    await tx.getRepository(SsoConnection).delete({ id: row.id });
    await recordAudit(tx, ctx, { orgId: row.orgId, action: "sso_connection.deleted", target: auditTarget(row), metadata: { kind: row.kind } });
  });
}

/** For the browser flows: an enabled connection of the given kind in an Enterprise org, or the generic refusal. */
export async function loadConnectionForLogin(deps: Deps, id: string, kind: "saml" | "oidc", opts: { allowDisabled?: boolean } = {}): Promise<{ conn: SsoConnection; org: Organization }> {
  const conn = isUuid(id) ? await deps.ds.getRepository(SsoConnection).findOneBy({ id, kind }) : null;
  // Disabled connections answer only Test connection sign-ins (the caller checks that).
  if (!conn || (!conn.enabled && !opts.allowDisabled)) throw refuse.connectionNotFound();
  const org = await deps.ds.getRepository(Organization).findOneBy({ id: conn.orgId });
  if (!org || org.plan !== "enterprise") throw refuse.connectionNotFound();
  return { conn, org };
}
