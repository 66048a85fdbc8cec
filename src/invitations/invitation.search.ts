/** Pending invitations for the Members page: search by the start of the email, sort, keyset paging, each sort index-served (as member.search.ts). */
import { In, type EntityManager } from "typeorm";
import { Invitation } from "../../entities";
import { prefixPattern, seekPage, type SortSpec } from "../db/keyset";
import type { Page, PageRequest } from "../members/member.search";
import { grantsOfInvitation, view, type InvitationView } from "./invitation.service";

export const INVITATION_SORTS = ["created", "-created", "email", "-email", "expires", "-expires"] as const;
export type InvitationSort = (typeof INVITATION_SORTS)[number];

function invitationSortSpec(sort: InvitationSort): SortSpec {
  const descending = sort.startsWith("-");
  switch (sort.replace(/^-/, "")) {
    case "email": return { keys: [{ expr: "lower(i.email)", cast: "text" }], id: "i.id", descending };
    case "expires": return { keys: [{ expr: "i.expires_at", cast: "timestamptz" }], id: "i.id", descending };
    // "created" is newest first, as the page always listed them.
    default: return { keys: [{ expr: "i.created_at", cast: "timestamptz" }], id: "i.id", descending: !descending };
  }
}

export async function searchInvitations(tx: EntityManager, orgId: string, now: Date, req: PageRequest<InvitationSort>): Promise<Page<InvitationView>> {
  const spec = invitationSortSpec(req.sort ?? "created");
  const params: unknown[] = [orgId];
  let filter = "i.org_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL";
  if (req.query?.trim()) {
    // An email starting with the search (index range scan, as member search).
    params.push(prefixPattern(req.query.trim()));
    filter += ` AND lower(i.email) LIKE lower($${params.length})`;
  }
  // On the first page only (Page.total).
  const total = req.cursor ? undefined : Number((await tx.query(`SELECT count(*)::int AS n FROM invitations i WHERE ${filter}`, [...params]))[0].n);
  const { ids, nextCursor } = await seekPage(tx, "invitations i", filter, params, spec, req);
  const found = ids.length ? await tx.getRepository(Invitation).findBy({ id: In(ids) }) : [];
  const byId = new Map(found.map((inv) => [inv.id, inv]));
  const items: InvitationView[] = [];
  for (const id of ids) {
    const inv = byId.get(id);
    if (inv) items.push(view(inv, await grantsOfInvitation(tx, id), now));
  }
  return { items, total, nextCursor };
}
