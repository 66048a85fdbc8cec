/**
 * The Members page list, on the server: search by name or email, sort by name, role or last
 * active, keyset paging (src/db/keyset.ts). Works at 10,000+ members per org (bench/members.bench.ts).
 */
import { In, type EntityManager } from "typeorm";
import { Membership, type Organization } from "../../entities";
import { scimManaged } from "../scim-tokens/scim-token.service";
import { cursorOf, decodeCursor, likePattern, seek, seekRows, type SortSpec } from "../db/keyset";
import { memberViews, type MemberView } from "./member.view";

export const MEMBER_SORTS = ["name", "-name", "role", "-role", "lastActive", "-lastActive"] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

export interface PageRequest<S extends string> {
  query?: string;
  sort?: S;
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Rows matching the query, all pages together. */
  total: number;
}

/** What the page shows as a person's name: their name, else their email. */
const NAME_KEY = "lower(COALESCE(NULLIF(u.name, ''), m.pending_email, u.email))";
const ROLE_RANK = "(CASE m.role WHEN 'owner' THEN 1 WHEN 'admin' THEN 2 ELSE 3 END)";
// Never-active members sort after everyone (a sentinel keeps the key non-null for the row comparison).
const LAST_ACTIVE = "COALESCE(m.last_active_at, '0001-01-01T00:00:00Z'::timestamptz)";

function memberSortSpec(sort: MemberSort): SortSpec {
  const descending = sort.startsWith("-");
  switch (sort.replace(/^-/, "")) {
    case "role": return { keys: [{ expr: ROLE_RANK, cast: "int" }, { expr: NAME_KEY, cast: "text" }], id: "m.id", descending };
    // Most recent first reads naturally: "lastActive" is newest first, "-lastActive" oldest first.
    case "lastActive": return { keys: [{ expr: LAST_ACTIVE, cast: "timestamptz" }], id: "m.id", descending: !descending };
    default: return { keys: [{ expr: NAME_KEY, cast: "text" }], id: "m.id", descending };
  }
}

export async function searchMembers(tx: EntityManager, org: Organization, req: PageRequest<MemberSort>): Promise<Page<MemberView>> {
  const spec = memberSortSpec(req.sort ?? "name");
  const params: unknown[] = [org.id];
  let filter = "m.org_id = $1";
  if (req.query?.trim()) {
    params.push(likePattern(req.query.trim()));
    filter += ` AND (u.name ILIKE $${params.length} OR u.email ILIKE $${params.length} OR m.pending_email ILIKE $${params.length})`;
  }
  const from = "FROM memberships m JOIN users u ON u.id = m.user_id";
  const [{ n }] = await tx.query(`SELECT count(*)::int AS n ${from} WHERE ${filter}`, [...params]);
  let where = filter;
  const s = seek(spec, params.length + 1);
  if (req.cursor) {
    params.push(...decodeCursor(req.cursor, spec));
    where += ` AND ${s.where}`;
  }
  params.push(req.limit + 1);
  const rows: Array<Record<string, unknown>> = await seekRows(() => tx.query(
    `SELECT m.id, ${spec.keys.map((k, i) => `(${k.expr})::text AS k${i}`).join(", ")} ${from}
      WHERE ${where} ORDER BY ${s.orderBy} LIMIT $${params.length}`, params), Boolean(req.cursor));
  const page = rows.slice(0, req.limit);
  const ids = page.map((r) => String(r.id));
  const found = ids.length ? await tx.getRepository(Membership).findBy({ id: In(ids) }) : [];
  const byId = new Map(found.map((m) => [m.id, m]));
  const items = await memberViews(tx, ids.map((id) => byId.get(id)!).filter(Boolean), await scimManaged(tx, org.id, org.plan));
  return { items, total: Number(n), nextCursor: rows.length > req.limit ? cursorOf(page[page.length - 1], spec) : null };
}
