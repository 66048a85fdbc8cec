/**
 * The Members page list, on the server: search by the start of a name or email, sort by name, role
 * or last active, keyset paging (src/db/keyset.ts). Index-served: a page costs the same at 10,000
 * and 100,000 members per org (bench/members.bench.ts).
 */
import { In, type EntityManager } from "typeorm";
import { Membership, type Organization } from "../../entities";
import { scimManaged } from "../scim-tokens/scim-token.service";
import { prefixPattern, seekPage, type SortSpec } from "../db/keyset";
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
  /**
   * Rows matching the query, all pages together: on the first page only (no cursor), so a later
   * page never counts the org again; the list keeps the first page's figure.
   */
  total?: number;
}

// The sort keys are columns of memberships (lower-cased name-or-email and email, kept right by
// triggers: migration MemberSortKeys), so each sort is one index (org_id, key…, id) and a page
// reads about `limit` rows at any depth, with no join.
const NAME_KEY = "m.sort_name";
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

/**
 * The org's member count: the first page's total when there is no search. The sum of the org's
 * tally slots (at most 64 rows, kept by triggers: migration MemberTallies), so it costs the same
 * at 100,000 members as at 10 (a count over the org took 20-45 ms at 100,000).
 */
export async function orgMemberCount(tx: EntityManager, orgId: string): Promise<number> {
  const [{ n }] = await tx.query(`SELECT COALESCE(sum(members), 0)::int AS n FROM org_member_tallies WHERE org_id = $1`, [orgId]);
  return Number(n);
}

/** A search's matches (its prefix index ranges), for the first page's total. */
async function countMatches(tx: EntityManager, filter: string, params: unknown[]): Promise<number> {
  const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM memberships m WHERE ${filter}`, params);
  return Number(n);
}

export async function searchMembers(tx: EntityManager, org: Organization, req: PageRequest<MemberSort>): Promise<Page<MemberView>> {
  const spec = memberSortSpec(req.sort ?? "name");
  const params: unknown[] = [org.id];
  let filter = "m.org_id = $1";
  if (req.query?.trim()) {
    // A name or an email starting with the search (index range scans; the pending email is the shown email).
    params.push(prefixPattern(req.query.trim()));
    filter += ` AND (m.sort_name LIKE lower($${params.length}) OR m.sort_email LIKE lower($${params.length}))`;
  }
  const total = req.cursor ? undefined : params.length > 1 ? await countMatches(tx, filter, [...params]) : await orgMemberCount(tx, org.id);
  const { ids, nextCursor } = await seekPage(tx, "memberships m", filter, params, spec, req);
  const found = ids.length ? await tx.getRepository(Membership).findBy({ id: In(ids) }) : [];
  const byId = new Map(found.map((m) => [m.id, m]));
  const items = await memberViews(tx, ids.map((id) => byId.get(id)!).filter(Boolean), await scimManaged(tx, org.id, org.plan));
  return { items, total, nextCursor };
}
