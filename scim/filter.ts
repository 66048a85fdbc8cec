/**
 * SCIM filters (already parsed by scimmy into OR-of-ANDs) become parameterised SQL through an
 * allow-list of attributes; the filter text never reaches SQL. Attribute names are matched
 * case-insensitively (RFC 7643 §2.1); string attributes that are caseExact:false compare through
 * lower(). Anything not on the list is 400 invalidFilter.
 */
import { SCIMMY, CORE_GROUP, CORE_USER, ENTERPRISE_USER } from "./scimmy";
import { badFilter } from "./errors";
import { isUuid } from "../src/http/validate";
import { assertFilterWithinLimits } from "./filter-limits";

/** Own-property lookup: a name like `constructor` or `__proto__` must not find Object.prototype's members. */
const own = <T>(map: Record<string, T>, key: string): T | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

export type Kind = "ci" | "exact" | "uuid" | "bool" | "date" | "member";
export interface Col { kind: Kind; sql: string }
/** A multi-valued complex attribute stored as a jsonb array; `sub` maps sub-attributes to kinds. */
interface Multi { array: string; sub: Record<string, { kind: Kind; key: string }>; dflt: string }
interface Complex { sub: Record<string, Col> }
type Attr = Col | Multi | Complex;
export type AttrMap = Record<string, Attr>;

const json = (path: string[]) => `m.scim_attributes${path.slice(0, -1).map((p) => `->'${p}'`).join("")}->>'${path[path.length - 1]}'`;
const ci = (sql: string): Col => ({ kind: "ci", sql });
const multi = (attr: string, extra: string[] = []): Multi => ({
  array: `m.scim_attributes->'${attr}'`, dflt: "value",
  sub: Object.fromEntries([["value", "ci"], ["type", "ci"], ["display", "ci"], ["primary", "bool"], ...extra.map((k) => [k, "ci"])]
    .map(([k, kind]) => [k.toLowerCase(), { kind: kind as Kind, key: k }])),
});

const NAME_SUBS = ["givenName", "familyName", "formatted", "middleName", "honorificPrefix", "honorificSuffix"];
const ENTERPRISE_SUBS = ["employeeNumber", "costCenter", "organization", "division", "department"];

export const USER_ATTRS: AttrMap = {
  id: { kind: "uuid", sql: "m.id" },
  username: ci("m.scim_user_name"),
  externalid: { kind: "exact", sql: "m.external_id" },
  active: { kind: "bool", sql: "(m.status = 'active')" },
  ...Object.fromEntries(["displayName", "nickName", "title", "userType", "preferredLanguage", "locale", "timezone", "profileUrl"]
    .map((k) => [k.toLowerCase(), ci(json([k]))])),
  name: { sub: Object.fromEntries(NAME_SUBS.map((k) => [k.toLowerCase(), ci(json(["name", k]))])) },
  emails: multi("emails"),
  phonenumbers: multi("phoneNumbers"),
  roles: multi("roles"),
  addresses: multi("addresses", ["formatted", "streetAddress", "locality", "region", "postalCode", "country"]),
  meta: { sub: { created: { kind: "date", sql: "m.created_at" }, lastmodified: { kind: "date", sql: "m.updated_at" } } },
  [ENTERPRISE_USER.toLowerCase()]: { sub: Object.fromEntries(ENTERPRISE_SUBS.map((k) => [k.toLowerCase(), ci(json(["enterprise", k]))])) },
};

export const GROUP_ATTRS: AttrMap = {
  id: { kind: "uuid", sql: "g.id" },
  displayname: ci("g.display_name"),
  externalid: { kind: "exact", sql: "g.external_id" },
  members: { sub: { value: { kind: "member", sql: "g.id" } } },
  meta: { sub: { created: { kind: "date", sql: "g.created_at" }, lastmodified: { kind: "date", sql: "g.updated_at" } } },
};

export class Params {
  readonly values: unknown[] = [];
  constructor(initial: unknown[] = []) {
    this.values.push(...initial);
  }
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

type Comparison = unknown[];
const isComparison = (v: unknown): v is Comparison => Array.isArray(v) && typeof v[0] === "string";
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Parses filter text with scimmy (400 invalidFilter on a syntax error). */
export function parseFilter(text: unknown): Array<Record<string, unknown>> | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== "string" || !text.trim()) throw badFilter("The filter must be a non-empty string.");
  assertFilterWithinLimits(text);
  try {
    return [...new SCIMMY.Types.Filter(text)] as Array<Record<string, unknown>>;
  } catch (err) {
    throw badFilter(`The filter could not be parsed: ${(err as Error).message}`);
  }
}

/** The SQL condition for a parsed filter; `schemaUrn` lets fully qualified names through. */
export function filterSql(filter: Array<Record<string, unknown>>, attrs: AttrMap, p: Params, schemaUrn = CORE_USER): string {
  if (filter.length === 0) return "true";
  return filter.map((branch) => `(${Object.entries(branch).map(([k, v]) => attrCondition(k, v, attrs, p, schemaUrn)).join(" AND ") || "true"})`).join(" OR ");
}

function attrCondition(key: string, value: unknown, attrs: AttrMap, p: Params, schemaUrn: string): string {
  let name = key.toLowerCase();
  let sub: string | undefined;
  const core = schemaUrn.toLowerCase() + ":";
  const ent = ENTERPRISE_USER.toLowerCase() + ":";
  if (name.startsWith(core)) name = name.slice(core.length);
  else if (schemaUrn === CORE_USER && name.startsWith(ent)) { sub = name.slice(ent.length); name = ENTERPRISE_USER.toLowerCase(); }
  if (name.includes(".") && !name.startsWith("urn:")) [name, sub] = name.split(".", 2);
  const attr = own(attrs, name);
  if (!attr) throw badFilter(`Filtering on '${key}' is not supported.`);
  if (sub !== undefined) return attrCondition2(key, attr, { [sub]: value }, p);
  return attrCondition2(key, attr, value, p);
}

function attrCondition2(key: string, attr: Attr, value: unknown, p: Params): string {
  if ("kind" in attr) {
    if (isComparison(value)) return compare(attr, value, p, key);
    if (Array.isArray(value) && value.every(isComparison)) return value.map((c) => compare(attr, c, p, key)).join(" AND ");
    throw badFilter(`'${key}' has no sub-attributes.`);
  }
  if ("array" in attr) return multiCondition(key, attr, value, p);
  // Complex single-valued: value is {sub: comparison}
  if (isComparison(value) || Array.isArray(value) || typeof value !== "object" || value === null) {
    const dflt = own(attr.sub, "value");
    if (dflt) return attrCondition2(key, dflt, value, p);
    throw badFilter(`'${key}' needs a sub-attribute.`);
  }
  return Object.entries(value as Record<string, unknown>).map(([s, v]) => {
    const col = own(attr.sub, s.toLowerCase());
    if (!col) throw badFilter(`Filtering on '${key}.${s}' is not supported.`);
    return attrCondition2(`${key}.${s}`, col, v, p);
  }).join(" AND ");
}

/** Conditions on one multi-valued attribute must hold for the same element (value-path semantics). */
function multiCondition(key: string, attr: Multi, value: unknown, p: Params): string {
  const conds = (isComparison(value) || (Array.isArray(value) && value.every(isComparison)))
    ? { [attr.dflt]: value } : (value as Record<string, unknown>);
  if (typeof conds !== "object" || conds === null) throw badFilter(`Bad condition on '${key}'.`);
  const parts = Object.entries(conds).map(([s, v]) => {
    const def = own(attr.sub, s.toLowerCase());
    if (!def) throw badFilter(`Filtering on '${key}.${s}' is not supported.`);
    const sql = def.kind === "bool" ? `coalesce((e.v->>'${def.key}') = 'true', false)` : `e.v->>'${def.key}'`;
    return attrCondition2(`${key}.${s}`, { kind: def.kind, sql }, v, p);
  });
  return `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${attr.array}) = 'array' THEN ${attr.array} ELSE '[]'::jsonb END) AS e(v) WHERE ${parts.join(" AND ")})`;
}

const ORDER_OPS: Record<string, string> = { gt: ">", ge: ">=", lt: "<", le: "<=" };

function compare(col: Col, comparison: Comparison, p: Params, key: string): string {
  let [op, value] = comparison as [string, unknown];
  let negate = false;
  if (op.toLowerCase() === "not") {
    negate = true;
    [, op, value] = comparison as [string, string, unknown];
  }
  const sql = compareOne(col, String(op).toLowerCase(), value, p, key);
  return negate ? `NOT coalesce(${sql}, false)` : sql;
}

function compareOne(col: Col, op: string, value: unknown, p: Params, key: string): string {
  const { kind, sql } = col;
  if (op === "pr") return kind === "member" ? `EXISTS (SELECT 1 FROM scim_group_members gm WHERE gm.group_id = ${sql})` : kind === "bool" ? "true" : `(${sql} IS NOT NULL)`;
  if (op === "np") return `(${sql} IS NULL)`;
  if (!["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"].includes(op)) throw badFilter(`Unknown operator '${op}'.`);
  if (value === null) {
    if (op === "eq") return `(${sql} IS NULL)`;
    if (op === "ne") return `(${sql} IS NOT NULL)`;
    throw badFilter(`'${op}' needs a value.`);
  }
  switch (kind) {
    case "member": {
      if (op !== "eq") throw badFilter(`Only 'eq' is supported on ${key}.`);
      if (!isUuid(value)) return "false";
      return `EXISTS (SELECT 1 FROM scim_group_members gm WHERE gm.group_id = ${sql} AND gm.membership_id = ${p.add(value)}::uuid)`;
    }
    case "uuid": {
      if (op === "eq") return isUuid(value) ? `${sql} = ${p.add(value)}::uuid` : "false";
      if (op === "ne") return isUuid(value) ? `${sql} <> ${p.add(value)}::uuid` : "true";
      return stringCompare(`${sql}::text`, op, String(value), p, false);
    }
    case "bool": {
      const b = typeof value === "boolean" ? value : /^(true|false)$/i.test(String(value)) ? String(value).toLowerCase() === "true" : undefined;
      if (b === undefined || (op !== "eq" && op !== "ne")) throw badFilter(`'${key}' is a boolean: use eq or ne with true or false.`);
      return `(${sql}) ${op === "eq" ? "=" : "<>"} ${p.add(b)}`;
    }
    case "date": {
      const d = parseDate(value);
      if (!d) throw badFilter(`'${key}' needs a date-time value.`);
      const sym = op === "eq" ? "=" : op === "ne" ? "<>" : own(ORDER_OPS, op);
      if (!sym) throw badFilter(`'${op}' is not supported on a date-time.`);
      return `date_trunc('milliseconds', ${sql}) ${sym} ${p.add(d.toISOString())}::timestamptz`;
    }
    default:
      if (typeof value === "object") throw badFilter(`Bad value for '${key}'.`);
      return stringCompare(sql, op, String(value), p, kind === "ci");
  }
}

function stringCompare(sql: string, op: string, value: string, p: Params, caseless: boolean): string {
  const lhs = caseless ? `lower(${sql})` : sql;
  const v = caseless ? value.toLowerCase() : value;
  switch (op) {
    case "eq": return `${lhs} = ${p.add(v)}`;
    case "ne": return `(${sql} IS NULL OR ${lhs} <> ${p.add(v)})`;
    case "co": return `${lhs} LIKE ${p.add(`%${likeEscape(v)}%`)}`;
    case "sw": return `${lhs} LIKE ${p.add(`${likeEscape(v)}%`)}`;
    case "ew": return `${lhs} LIKE ${p.add(`%${likeEscape(v)}`)}`;
    default: return `${lhs} ${ORDER_OPS[op]} ${p.add(v)}`;
  }
}

function parseDate(v: unknown): Date | undefined {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const d = new Date(v.replace(/(\.\d{3})\d+/, "$1"));
  // PostgreSQL's timestamptz has no year 0 and JavaScript's Date reaches far beyond 9999.
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) return undefined;
  return d;
}

export { CORE_GROUP };
