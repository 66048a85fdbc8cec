/**
 * PATCH for Users (RFC 7644 §3.5.2) applied to the resource as JSON, with the IdP quirks of
 * idp-behaviors.md: op names in any case, "True"/"False" strings, path-less values with dotted
 * and URN keys, Add/Replace on `emails[type eq "work"].value` creating the entry when none
 * matches (never a second entry of one type), URN paths into the enterprise extension, and
 * Entra's legacy `manager` path. The result then goes through the same full replace as PUT.
 */
import { SCIMMY, CORE_USER, ENTERPRISE_USER } from "./scimmy";
import { ScimError, badValue } from "./errors";
import { boolish, isObject, type Json } from "./normalize";
import { assertFilterWithinLimits } from "./filter-limits";

type Op = "add" | "remove" | "replace";

const MULTI = ["emails", "phoneNumbers", "ims", "photos", "addresses", "entitlements", "roles", "x509Certificates"];
const COMPLEX = ["name"];
const SIMPLE = ["userName", "externalId", "displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "active"];
const ENTERPRISE = ["employeeNumber", "costCenter", "organization", "division", "department", "manager"];
const READ_ONLY = new Set(["id", "meta", "groups", "schemas", "password"]);
const SUBS = ["value", "type", "primary", "display", "formatted", "familyName", "givenName", "middleName", "honorificPrefix",
  "honorificSuffix", "streetAddress", "locality", "region", "postalCode", "country", "$ref"];

const canon = (list: string[]) => new Map(list.map((k) => [k.toLowerCase(), k]));
const CORE_NAMES = canon([...MULTI, ...COMPLEX, ...SIMPLE]);
const ENT_NAMES = canon(ENTERPRISE);
const SUB_NAMES = canon(SUBS);
const sub = (k: string) => SUB_NAMES.get(k.toLowerCase()) ?? k;

export function readOperations(body: unknown): Array<{ op: Op; path?: string; value?: unknown }> {
  if (!isObject(body)) throw new ScimError(400, "invalidSyntax", "Expected a PatchOp message (a JSON object).");
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops)) throw new ScimError(400, "invalidSyntax", "A PatchOp message needs an 'Operations' array.");
  return ops.map((o, i) => {
    if (!isObject(o)) throw new ScimError(400, "invalidSyntax", `Operation ${i + 1} must be an object.`);
    const op = String(o.op ?? "").toLowerCase();
    if (op !== "add" && op !== "remove" && op !== "replace") throw new ScimError(400, "invalidSyntax", `Operation ${i + 1} has an unknown op '${String(o.op)}'.`);
    if (o.path !== undefined && o.path !== null && typeof o.path !== "string") throw new ScimError(400, "invalidPath", `Operation ${i + 1} has a bad path.`);
    const path = typeof o.path === "string" && o.path.trim() ? o.path.trim() : undefined;
    if (op === "remove" && !path) throw new ScimError(400, "noTarget", `Operation ${i + 1}: remove needs a path.`);
    if (op !== "remove" && o.value === undefined) throw badValue(`Operation ${i + 1}: ${op} needs a value.`);
    return { op, path, value: o.value };
  });
}

export function applyUserPatch(resource: Json, body: unknown): Json {
  const r = structuredClone(resource);
  for (const { op, path, value } of readOperations(body)) {
    if (path) { applyPath(r, op, path, value); continue; }
    if (!isObject(value)) throw badValue(`A ${op} without a path needs an object value.`);
    for (const [k, v] of Object.entries(value)) {
      if (k.toLowerCase() === ENTERPRISE_USER.toLowerCase() && isObject(v)) {
        for (const [ek, ev] of Object.entries(v)) applyPath(r, op, `${ENTERPRISE_USER}:${ek}`, ev);
      } else applyPath(r, op, k, v);
    }
  }
  return r;
}

const PATH_RE = /^([A-Za-z$][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z$][\w$-]*))?$/;

function applyPath(r: Json, op: Op, rawPath: string, value: unknown): void {
  let path = rawPath;
  let ent = false;
  const lower = path.toLowerCase();
  if (lower.startsWith(ENTERPRISE_USER.toLowerCase() + ":")) { ent = true; path = path.slice(ENTERPRISE_USER.length + 1); }
  else if (lower.startsWith(CORE_USER.toLowerCase() + ":")) path = path.slice(CORE_USER.length + 1);
  else if (lower === ENTERPRISE_USER.toLowerCase()) {
    if (op === "remove") { delete r[ENTERPRISE_USER]; return; }
    if (isObject(value)) for (const [k, v] of Object.entries(value)) applyPath(r, op, `${ENTERPRISE_USER}:${k}`, v);
    return;
  }
  const m = PATH_RE.exec(path);
  if (!m) throw new ScimError(400, "invalidPath", `Cannot parse the path '${rawPath}'.`);
  let [, attrRaw, filter, subAttr] = m;
  if (!ent && attrRaw.toLowerCase() === "manager") ent = true; // Entra's older tutorial: path "manager"
  if (READ_ONLY.has(attrRaw.toLowerCase())) return;
  const attr = (ent ? ENT_NAMES : CORE_NAMES).get(attrRaw.toLowerCase());
  if (!attr) return; // unknown attributes are ignored, as IdPs send extras
  if (!ent && attr === "userName" && op === "remove") throw new ScimError(400, "mutability", "userName is required and cannot be removed.");
  const target = ent ? ((r[ENTERPRISE_USER] ??= {}) as Json) : r;
  if (ent && attr === "manager") { patchManager(target, op, value); return; }
  if (MULTI.includes(attr)) patchMulti(target, attr, op, filter, subAttr, value);
  else if (COMPLEX.includes(attr) || subAttr) patchComplex(target, attr, op, subAttr, value);
  else if (op === "remove") delete target[attr];
  else target[attr] = attr === "active" ? boolish(value) : value;
}

function patchManager(target: Json, op: Op, value: unknown): void {
  if (op === "remove") { delete target.manager; return; }
  const v = Array.isArray(value) ? value[0] : value;
  const id = isObject(v) ? v.value : v;
  if (typeof id === "string" && id) target.manager = { value: id };
  else delete target.manager;
}

function patchComplex(target: Json, attr: string, op: Op, subAttr: string | undefined, value: unknown): void {
  if (op === "remove") {
    if (!subAttr) delete target[attr];
    else if (isObject(target[attr])) delete (target[attr] as Json)[sub(subAttr)];
    return;
  }
  const cur = (isObject(target[attr]) ? target[attr] : {}) as Json;
  if (subAttr) cur[sub(subAttr)] = value;
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) cur[sub(k)] = v;
  else throw badValue(`${attr} needs an object value.`);
  target[attr] = cur;
}

function normItem(v: unknown): Json {
  if (!isObject(v)) return { value: v };
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [sub(k), sub(k) === "primary" ? boolish(x) : x]));
}

const sameType = (a: Json, b: Json) => a.type !== undefined && b.type !== undefined && String(a.type).toLowerCase() === String(b.type).toLowerCase();

function patchMulti(target: Json, attr: string, op: Op, filter: string | undefined, subAttr: string | undefined, value: unknown): void {
  let list = (Array.isArray(target[attr]) ? target[attr] : []) as Json[];
  if (!filter) {
    if (subAttr) {
      if (op === "remove") list.forEach((e) => delete e[sub(subAttr)]);
      else if (list.length === 0) list.push({ [sub(subAttr)]: value });
      else (list.find((e) => e.primary === true) ?? list[0])[sub(subAttr)] = value;
    } else if (op === "remove") {
      if (value === undefined) list = [];
      else {
        const gone = (Array.isArray(value) ? value : [value]).map(normItem);
        list = list.filter((e) => !gone.some((g) => Object.entries(g).every(([k, x]) => looselyEqual(e[k], x))));
      }
    } else {
      const items = (Array.isArray(value) ? value : [value]).map(normItem);
      if (op === "replace") list = [];
      for (const item of items) {
        const same = list.find((e) => sameType(e, item));
        if (same) Object.assign(same, item);
        else list.push(item);
      }
    }
  } else {
    const matches = list.filter((e) => matchesFilter(e, filter));
    if (op === "remove") {
      if (subAttr) matches.forEach((e) => delete e[sub(subAttr)]);
      else list = list.filter((e) => !matches.includes(e));
    } else if (matches.length === 0) {
      // Entra: Add/Replace on a filtered path with no match creates the entry.
      const seed = equalities(filter);
      list.push(subAttr ? { ...seed, [sub(subAttr)]: sub(subAttr) === "primary" ? boolish(value) : value } : { ...seed, ...normItem(value) });
    } else {
      for (const e of matches) {
        if (subAttr) e[sub(subAttr)] = sub(subAttr) === "primary" ? boolish(value) : value;
        else Object.assign(e, normItem(value));
      }
    }
  }
  if (list.some((e) => e.primary === true)) {
    const first = list.findIndex((e) => e.primary === true);
    list.forEach((e, i) => { if (i !== first && e.primary === true) e.primary = false; });
  }
  if (list.length) target[attr] = list;
  else delete target[attr];
}

function looselyEqual(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;
}

type Branch = Record<string, unknown>;
function parsed(filter: string): Branch[] {
  assertFilterWithinLimits(filter, "invalidPath");
  try {
    return [...new SCIMMY.Types.Filter(filter)] as Branch[];
  } catch (err) {
    throw new ScimError(400, "invalidPath", `Cannot parse the filter '${filter}': ${(err as Error).message}`);
  }
}

/** Value-path filters inside PATCH paths compare case-insensitively (type and value are caseExact:false). */
export function matchesFilter(e: Json, filter: string): boolean {
  return parsed(filter).some((branch) => Object.entries(branch).every(([k, c]) => {
    const actual = Object.entries(e).find(([ek]) => ek.toLowerCase() === k.toLowerCase())?.[1];
    const comps = (Array.isArray(c) && Array.isArray(c[0]) ? c : [c]) as unknown[][];
    // A sub-attribute of a sub-attribute (`emails[meta.created eq …]`) parses as an object: no such thing here.
    if (!comps.every(Array.isArray)) throw new ScimError(400, "invalidPath", `Cannot use '${k}' inside the filter '${filter}'.`);
    return comps.every((comp) => {
      const neg = String(comp[0]).toLowerCase() === "not";
      const [op, v] = (neg ? comp.slice(1) : comp) as [string, unknown];
      const a = typeof actual === "string" ? actual.toLowerCase() : actual;
      const b = typeof v === "string" ? v.toLowerCase() : v;
      const ok = op === "eq" ? a === b : op === "ne" ? a !== b : op === "pr" ? actual !== undefined
        : op === "co" ? String(a).includes(String(b)) : op === "sw" ? String(a).startsWith(String(b))
        : op === "ew" ? String(a).endsWith(String(b)) : false;
      return neg ? !ok : ok;
    });
  }));
}

function equalities(filter: string): Json {
  const first = parsed(filter)[0] ?? {};
  const out: Json = {};
  for (const [k, c] of Object.entries(first)) if (Array.isArray(c) && c[0] === "eq") out[sub(k)] = c[1];
  return out;
}
