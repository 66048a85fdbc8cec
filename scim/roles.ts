/**
 * Effective role of a SCIM-managed member = the highest of their `roles` value (scim_role) and
 * the roles mapped to the groups they are in (group_role_mappings, by group name); default
 * member. Changes go through applyRoleChange, so they email the member, are audited and obey
 * the last-Owner rule. Mapped chatbot grants: the union (highest access per chatbot) of the
 * member's mapped groups replaces their grants; leaving every grant-bearing group clears them.
 */
import { In, type EntityManager } from "typeorm";
import { Membership, type ChatbotAccess, type Organization, type Role } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { applyRoleChange, auditChangeRefused } from "../src/members/member.service";
import { replaceMemberGrants } from "../src/members/grants";
import { grantsOf } from "../src/members/member-access";
import { LastOwnerError } from "../src/members/member.errors";
import { ROLE_RANK } from "../src/auth/permissions";
import { IdpOwnerChangeError, mayManageOwners, ownerChangeOf } from "../src/members/idp-owner-guard";

const ACCESS_RANK: Record<ChatbotAccess, number> = { view: 1, reply: 2, manage: 3 };

export interface Mapping { role: Role; grants: Array<{ chatbotId: string; access: ChatbotAccess }> }

export async function mappingFor(tx: EntityManager, orgId: string, groupName: string): Promise<Mapping | null> {
  const rows: Array<{ role: Role; chatbot_permissions: Mapping["grants"] }> = await tx.query(
    `SELECT role, chatbot_permissions FROM group_role_mappings WHERE org_id = $1 AND lower(group_name) = lower($2)`, [orgId, groupName]);
  return rows[0] ? { role: rows[0].role, grants: rows[0].chatbot_permissions ?? [] } : null;
}

/** A refusal names the member it was about, so the caller can audit it. */
export class MemberLastOwnerError extends LastOwnerError {
  constructor(readonly memberId: string) {
    super();
  }
}

/**
 * Recomputes role and grants for these members (the caller holds the org lock).
 * `clearGrants`: a grant-bearing mapping no longer applies to them (left or renamed group).
 * An Owner change the speaker has no authority for (src/members/idp-owner-guard.ts) is refused:
 * `ownerRefusal: "throw"` fails the request (a SCIM write about this very user); "keep" (group
 * and mapping changes that sweep many members) leaves that member's role as it is, audited.
 */
export async function syncRoles(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, memberIds: string[], clearGrants = false,
  ownerRefusal: "throw" | "keep" = "keep"): Promise<void> {
  if (memberIds.length === 0) return;
  const members = await tx.getRepository(Membership).findBy({ id: In(memberIds), orgId: org.id });
  const rows: Array<{ id: string; role: Role; grants: Mapping["grants"] }> = await tx.query(
    `SELECT gm.membership_id AS id, grm.role, grm.chatbot_permissions AS grants
       FROM scim_group_members gm
       JOIN scim_groups g ON g.id = gm.group_id
       JOIN group_role_mappings grm ON grm.org_id = g.org_id AND lower(grm.group_name) = lower(g.display_name)
      WHERE gm.org_id = $1 AND gm.membership_id = ANY($2::uuid[])`, [org.id, memberIds]);
  const byMember = new Map<string, typeof rows>();
  for (const r of rows) byMember.set(r.id, [...(byMember.get(r.id) ?? []), r]);
  const known = await existingChatbots(tx, org.id, rows.flatMap((r) => (r.grants ?? []).map((g) => g.chatbotId)));
  let allowed: boolean | undefined;
  for (const m of members) {
    const mapped = byMember.get(m.id) ?? [];
    let target: Role = m.scimRole ?? "member";
    for (const r of mapped) if (ROLE_RANK[r.role] > ROLE_RANK[target]) target = r.role;
    const change = ownerChangeOf(m, { role: target });
    if (change && !(allowed ??= await mayManageOwners(tx, ctx, org))) {
      if (ownerRefusal === "throw") throw new IdpOwnerChangeError(m.id, change);
      await auditChangeRefused(tx, ctx, org.id, m.id, { reason: "member.idp_owner_refused", change, wanted: target, kept: m.role });
      target = m.role;
    }
    try {
      await applyRoleChange(deps, tx, ctx, org, m, target, "scim");
    } catch (err) {
      if (err instanceof LastOwnerError) throw new MemberLastOwnerError(m.id);
      throw err;
    }
    const union = new Map<string, ChatbotAccess>();
    for (const r of mapped) for (const g of r.grants ?? []) {
      const prev = union.get(g.chatbotId);
      if (known.has(g.chatbotId) && (!prev || ACCESS_RANK[g.access] > ACCESS_RANK[prev])) union.set(g.chatbotId, g.access);
    }
    if (union.size === 0 && !clearGrants) continue;
    const current = await grantsOf(tx, m.id);
    const same = current.size === union.size && [...union].every(([id, a]) => current.get(id) === a);
    if (!same) await replaceMemberGrants(tx, org.id, m.id, [...union].map(([chatbotId, access]) => ({ chatbotId, access })));
  }
}

async function existingChatbots(tx: EntityManager, orgId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows: Array<{ id: string }> = await tx.query(`SELECT id FROM chatbots WHERE org_id = $1 AND id = ANY($2::uuid[])`, [orgId, [...new Set(ids)]]);
  return new Set(rows.map((r) => r.id));
}
