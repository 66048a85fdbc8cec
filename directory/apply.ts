/**
 * Applies a plan in the caller's transaction (org locked), one statement per kind of change,
 * through the member service's set-based functions; the directory's own bookkeeping
 * (directory_users, directory_groups) is written here. Users outside the org's verified domains
 * go one by one through provisionMember (pending membership + join email): they are the exception. Members refused by the last-Owner rule are
 * audited and returned; the rest applies.
 */
import type { EntityManager } from "typeorm";
import type { Directory, Organization } from "../entities";
import type { Ctx, Deps } from "../src/context";
import {
  addMembersBulk, auditRefusals, changeRolesBulk, markIdpManagedBulk, removeMembersBulk, setStatusBulk, updateMemberAttributesBulk,
} from "../src/members/member.bulk";
import { replaceMemberGrants } from "../src/members/grants";
import { provisionMember } from "../src/members/provision";
import { createAccounts } from "./accounts";
import type { Plan } from "./plan";

async function linkManaged(tx: EntityManager, dirId: string, rows: Array<{ membershipId: string; googleId: string; email: string; baseRole: string }>): Promise<void> {
  if (!rows.length) return;
  await tx.query(`INSERT INTO directory_users (membership_id, directory_id, google_id, email, base_role)
    SELECT t.membership_id, $1, t.google_id, t.email, t.base_role FROM jsonb_to_recordset($2::jsonb) AS t(membership_id uuid, google_id text, email text, base_role text)
    ON CONFLICT (membership_id) DO UPDATE SET directory_id = EXCLUDED.directory_id, google_id = EXCLUDED.google_id, email = EXCLUDED.email`,
  [dirId, JSON.stringify(rows.map((r) => ({ membership_id: r.membershipId, google_id: r.googleId, email: r.email, base_role: r.baseRole })))]);
}

async function createMembers(tx: EntityManager, ctx: Ctx, org: Organization, dir: Directory, plan: Plan): Promise<Map<string, string>> {
  if (!plan.create.length) return new Map();
  const fresh = await createAccounts(tx, plan.create.filter((c) => !c.userId).map((c) => ({ email: c.user.email, name: c.user.fullName })));
  const rows = plan.create.map((c) => ({ ...c, userId: c.userId ?? fresh.get(c.user.email)! })).filter((c) => c.userId);
  const ids = await addMembersBulk(tx, ctx, org, rows.map((c) => ({ userId: c.userId, role: c.role, status: c.status, attributes: c.attributes })), "directory");
  const byGoogle = new Map<string, string>();
  await linkManaged(tx, dir.id, rows.flatMap((c) => {
    const membershipId = ids.get(c.userId);
    if (!membershipId) return [];
    byGoogle.set(c.user.id, membershipId);
    return [{ membershipId, googleId: c.user.id, email: c.user.email, baseRole: "member" }];
  }));
  return byGoogle;
}

/** Memberships waiting for the person, linked like other created members; adds them to `byGoogle`. */
async function createPending(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, dir: Directory, plan: Plan, byGoogle: Map<string, string>): Promise<void> {
  const links: Array<{ membershipId: string; googleId: string; email: string; baseRole: string }> = [];
  for (const p of plan.pending) {
    const { membership } = await provisionMember(deps, tx, ctx, org, {
      email: p.user.email, name: p.user.fullName.slice(0, 200) || null, role: p.role, source: "scim", auditMetadata: { status: p.status } }, "directory");
    await tx.query(`UPDATE memberships SET scim_attributes = $2::jsonb, status = $3 WHERE id = $1`, [membership.id, JSON.stringify(p.attributes), p.status]);
    byGoogle.set(p.user.id, membership.id);
    links.push({ membershipId: membership.id, googleId: p.user.id, email: p.user.email, baseRole: "member" });
  }
  await linkManaged(tx, dir.id, links);
}

async function applyGroups(tx: EntityManager, dir: Directory, plan: Plan): Promise<void> {
  const g = plan.groups;
  if (g.remove.length) await tx.query(`DELETE FROM directory_groups WHERE directory_id = $1 AND google_id = ANY($2::text[])`, [dir.id, g.remove]);
  if (!g.upsert.length) return;
  await tx.query(`INSERT INTO directory_groups (directory_id, google_id, email, name, member_count)
    SELECT $1, t.google_id, t.email, left(t.name, 255), t.member_count FROM jsonb_to_recordset($2::jsonb) AS t(google_id text, email text, name text, member_count int)
    ON CONFLICT (directory_id, google_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, member_count = EXCLUDED.member_count`,
  [dir.id, JSON.stringify(g.upsert.map((x) => ({ google_id: x.googleId, email: x.email, name: x.name, member_count: x.memberCount })))]);
}

/** A mapping may still name a chatbot deleted since: such grants are dropped, the rest kept. */
async function existingChatbots(tx: EntityManager, orgId: string, plan: Plan): Promise<Set<string>> {
  const ids = [...new Set(plan.grants.flatMap((g) => g.grants.map((x) => x.chatbotId)))];
  if (!ids.length) return new Set();
  const rows: Array<{ id: string }> = await tx.query(`SELECT id FROM chatbots WHERE org_id = $1 AND id = ANY($2::uuid[])`, [orgId, ids]);
  return new Set(rows.map((r) => r.id));
}

export async function applyPlan(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, dir: Directory, plan: Plan): Promise<string[]> {
  const created = await createMembers(tx, ctx, org, dir, plan);
  await createPending(deps, tx, ctx, org, dir, plan, created);
  if (plan.adopt.length) {
    await markIdpManagedBulk(tx, ctx, org, plan.adopt.map((a) => a.membershipId), "directory");
    await linkManaged(tx, dir.id, plan.adopt.map((a) => ({ membershipId: a.membershipId, googleId: a.user.id, email: a.user.email, baseRole: a.baseRole })));
  }
  await linkManaged(tx, dir.id, plan.relink.map((r) => ({ membershipId: r.id, googleId: r.googleId, email: r.email, baseRole: "member" })));
  await updateMemberAttributesBulk(tx, org.id, plan.attributes);
  const refused: string[] = [];
  refused.push(...await setStatusBulk(tx, ctx, org, plan.restore, "active", "directory"));
  refused.push(...await changeRolesBulk(deps, tx, ctx, org, plan.roles, "directory"));
  const chatbots = await existingChatbots(tx, org.id, plan);
  for (const g of plan.grants) {
    const id = g.id.startsWith("user:") ? created.get(g.id.slice(5)) : g.id;
    if (id) await replaceMemberGrants(tx, org.id, id, g.grants.filter((x) => chatbots.has(x.chatbotId)));
  }
  refused.push(...await setStatusBulk(tx, ctx, org, plan.suspend, "suspended", "directory"));
  refused.push(...await removeMembersBulk(deps, tx, ctx, org, plan.remove, "directory"));
  await auditRefusals(tx, ctx, org.id, refused);
  await applyGroups(tx, dir, plan);
  return refused;
}
