/**
 * Query parameters of list and read requests: paging (1-based startIndex, count capped at
 * MAX_RESULTS), sortBy through an allow-list, and `attributes` / `excludedAttributes`
 * projection. We serialise resources ourselves: scimmy's output coercion costs ~0.5 ms per
 * resource, which would dominate every page.
 */
import type { Request } from "express";
import { DEFAULT_COUNT, ENTERPRISE_USER, LIST_RESPONSE, MAX_RESULTS } from "./scimmy";
import { badValue } from "./errors";

export interface Paging { startIndex: number; count: number }

function intParam(v: unknown, name: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string" || !/^-?\d+$/.test(v.trim())) throw badValue(`'${name}' must be an integer.`);
  return Number(v);
}

/** Beyond any real directory; keeps OFFSET inside PostgreSQL's bigint and JavaScript's safe integers. */
const MAX_START_INDEX = 1_000_000_000;

export function paging(req: Request): Paging {
  const startIndex = Math.min(Math.max(intParam(req.query.startIndex, "startIndex") ?? 1, 1), MAX_START_INDEX);
  const count = Math.min(Math.max(intParam(req.query.count, "count") ?? DEFAULT_COUNT, 0), MAX_RESULTS);
  return { startIndex, count };
}

/** ORDER BY from an allow-list (unknown sortBy falls back to the stable default, RFC 7644 §3.4.2.3 leaves it to us). */
export function orderBy(req: Request, sortable: Record<string, string>, tiebreak: string): string {
  const key = typeof req.query.sortBy === "string" ? req.query.sortBy.toLowerCase() : undefined;
  const by = key !== undefined && Object.hasOwn(sortable, key) ? sortable[key] : undefined;
  if (!by) return tiebreak;
  const dir = typeof req.query.sortOrder === "string" && req.query.sortOrder.toLowerCase() === "descending" ? "DESC" : "ASC";
  return `${by} ${dir} NULLS LAST, ${tiebreak}`;
}

/** `attributes` keeps only the listed ones (plus id/schemas); `excludedAttributes` drops the listed ones. */
export interface Projection { include?: Map<string, Set<string> | true>; exclude?: Map<string, Set<string> | true> }

function attrList(v: unknown, name: string, urn: string): Map<string, Set<string> | true> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !v.trim()) throw badValue(`'${name}' must be a comma-separated list of attribute names.`);
  const out = new Map<string, Set<string> | true>();
  for (let a of v.split(",").map((s) => s.trim()).filter(Boolean)) {
    a = a.replace(/\[.*\]/, "");
    if (a.toLowerCase().startsWith(urn.toLowerCase() + ":")) a = a.slice(urn.length + 1);
    const isExt = a.toLowerCase().startsWith(ENTERPRISE_USER.toLowerCase());
    const [top, sub] = isExt ? [ENTERPRISE_USER, a.slice(ENTERPRISE_USER.length + 1) || undefined] : a.split(".", 2);
    const key = top.toLowerCase();
    if (sub === undefined) out.set(key, true);
    else if (out.get(key) !== true) out.set(key, new Set([...((out.get(key) as Set<string>) ?? []), sub.toLowerCase()]));
  }
  return out;
}

export function projection(req: Request, coreUrn: string): Projection {
  return {
    include: attrList(req.query.attributes, "attributes", coreUrn),
    exclude: req.query.attributes === undefined ? attrList(req.query.excludedAttributes, "excludedAttributes", coreUrn) : undefined,
  };
}

/** Whether `attr` (lower-case) is wanted: lets callers skip loading, e.g. group members. */
export function wants(p: Projection, attr: string): boolean {
  if (p.include) return p.include.has(attr);
  if (p.exclude) return p.exclude.get(attr) !== true;
  return true;
}

const ALWAYS = new Set(["id", "schemas"]);

export function project<T extends Record<string, unknown>>(resource: T, p: Projection): Record<string, unknown> {
  if (!p.include && !p.exclude) return resource;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    const rule = (p.include ?? p.exclude)!.get(k.toLowerCase());
    if (p.include) {
      if (ALWAYS.has(k)) out[k] = v;
      else if (rule === true) out[k] = v;
      else if (rule) out[k] = pickSubs(v, rule, true);
    } else {
      if (rule === true && !ALWAYS.has(k)) continue;
      out[k] = rule ? pickSubs(v, rule as Set<string>, false) : v;
    }
  }
  return out;
}

function pickSubs(v: unknown, subs: Set<string>, keep: boolean): unknown {
  const one = (o: unknown) => (o && typeof o === "object" && !Array.isArray(o)
    ? Object.fromEntries(Object.entries(o).filter(([k]) => subs.has(k.toLowerCase()) === keep)) : o);
  return Array.isArray(v) ? v.map(one) : one(v);
}

export function listResponse(resources: unknown[], total: number, startIndex: number): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}
