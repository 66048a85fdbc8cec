/**
 * Keyset ("seek") paging: the page after a row is the rows whose sort key, compared as one row
 * value with the id last, comes after that row's. Unlike OFFSET it costs the same on page 1 and
 * page 200, and a row inserted meanwhile never shifts the page. The cursor is the last row's key,
 * opaque to callers (base64url JSON) and re-cast by SQL, so a forged one can only seek, not inject.
 */
import { ValidationError } from "../errors";
import { isUuid } from "../http/validate";
import { isDataException } from "./pg-errors";

// A cursor value must cast cleanly, or PostgreSQL would answer a forged one with a 500.
const VALID: Record<SortKey["cast"] | "uuid", (v: string) => boolean> = {
  text: (v) => !/[\u0000\ud800-\udfff]/.test(v),
  int: (v) => /^-?\d{1,9}$/.test(v),
  // Shape only; an impossible date (Feb 31) is caught as PostgreSQL's data exception (seekRows).
  timestamptz: (v) => /^[0-9: T.+-]{10,40}$/.test(v),
  uuid: isUuid,
};

export interface SortKey {
  /** A SQL expression over the query's aliases. */
  expr: string;
  /** What a cursor value is cast back to: the expression's type. */
  cast: "text" | "int" | "timestamptz";
}

export interface SortSpec {
  keys: SortKey[];
  /** The tie-breaker, unique per row. */
  id: string;
  descending: boolean;
}

export function encodeCursor(values: Array<string | null>): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

const staleCursor = () => new ValidationError([{ field: "cursor", message: "This page link is out of date; reload the list." }]);

/** Runs the page query; a cursor value PostgreSQL cannot cast (SQLSTATE class 22) is the caller's 400, not a 500. */
export async function seekRows<T>(run: () => Promise<T>, hasCursor: boolean): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (hasCursor && isDataException(err)) throw staleCursor();
    throw err;
  }
}

export function decodeCursor(cursor: string, spec: SortSpec): string[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    values = null;
  }
  const casts = [...spec.keys.map((k) => k.cast), "uuid" as const];
  if (!Array.isArray(values) || values.length !== casts.length
    || !values.every((v, i) => typeof v === "string" && v.length <= 2000 && VALID[casts[i]](v))) {
    throw staleCursor();
  }
  return values as string[];
}

/** `(k1, k2, id) > ($n::t1, $n+1::t2, $n+2::uuid)` and the matching ORDER BY. */
export function seek(spec: SortSpec, firstParam: number): { where: string; orderBy: string } {
  const casts = [...spec.keys.map((k) => k.cast), "uuid"];
  const exprs = [...spec.keys.map((k) => k.expr), spec.id];
  const params = casts.map((c, i) => `$${firstParam + i}::${c}`);
  const dir = spec.descending ? "DESC" : "ASC";
  return {
    where: `(${exprs.join(", ")}) ${spec.descending ? "<" : ">"} (${params.join(", ")})`,
    orderBy: exprs.map((e) => `${e} ${dir}`).join(", "),
  };
}

/** The text a cursor stores for each key of a row selected with `k0, k1, …, id`. */
export function cursorOf(row: Record<string, unknown>, spec: SortSpec): string {
  return encodeCursor([...spec.keys.map((_k, i) => (row[`k${i}`] === null ? null : String(row[`k${i}`]))), String(row.id)]);
}

/**
 * A search matches from the start (of a name or an email): `LIKE 'q%'` is a range scan of a
 * text_pattern_ops index, where a contains-search must read every row of the org.
 * `%` and `_` in the search are literal: escaped for LIKE (with the default `\` escape).
 */
export function prefixPattern(query: string): string {
  return `${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of ids from `from` (a table and its alias, e.g. "memberships m") matching `filter`
 * (with `params`), after the cursor, in the spec's order; the caller loads the rows by id.
 */
export async function seekPage(db: { query(sql: string, params?: unknown[]): Promise<unknown> }, from: string, filter: string,
  filterParams: unknown[], spec: SortSpec, req: { cursor?: string; limit: number }): Promise<{ ids: string[]; nextCursor: string | null }> {
  const params = [...filterParams];
  let where = filter;
  const s = seek(spec, params.length + 1);
  if (req.cursor) {
    params.push(...decodeCursor(req.cursor, spec));
    where += ` AND ${s.where}`;
  }
  params.push(req.limit + 1);
  const rows = await seekRows(() => db.query(
    `SELECT ${spec.id} AS id, ${spec.keys.map((k, i) => `(${k.expr})::text AS k${i}`).join(", ")} FROM ${from}
      WHERE ${where} ORDER BY ${s.orderBy} LIMIT $${params.length}`, params) as Promise<Array<Record<string, unknown>>>, Boolean(req.cursor));
  const page = rows.slice(0, req.limit);
  return { ids: page.map((r) => String(r.id)), nextCursor: rows.length > req.limit ? cursorOf(page[page.length - 1], spec) : null };
}
