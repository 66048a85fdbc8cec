/**
 * Named prepared statements for hot, fixed-text queries (SCIM's create and replace): pg prepares
 * a statement once per pooled connection and PostgreSQL then skips parsing and, once it settles
 * on a generic plan, planning, which for the large set-based statements cost more than running
 * them. Pass the result where TypeORM takes the SQL text (`manager.query(prepared(...), params)`):
 * TypeORM hands it to pg untouched, and the PGlite pool (pglite-pool.ts) reads its text.
 * A name must always stand for the same text (pg refuses a second text under a prepared name),
 * so callers whose text varies put what varies into the name.
 */
export interface PreparedQuery { name: string; text: string }

export function prepared(name: string, text: string): string {
  return { name: `roster_${name}`, text } satisfies PreparedQuery as unknown as string;
}

/** The SQL text of what a query function was given: plain text, or a prepared statement's. */
export function sqlText(sql: string | PreparedQuery): string {
  return typeof sql === "string" ? sql : sql.text;
}

/**
 * A query the client waits up to `ms` for (pg's per-query `query_timeout`), for the few pieces
 * of work allowed longer than a request's queries; the caller raises the server's
 * statement_timeout alike (SET LOCAL in its transaction). PGlite reads its text.
 */
export function longQuery(text: string, ms: number): string {
  return { text, query_timeout: ms } as unknown as string;
}
