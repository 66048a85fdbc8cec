/** Reads a member's standing in an org, as every org-scoped request needs it. */
import type { DataSource, EntityManager } from "typeorm";
import { ChatbotPermission, Membership, Organization, type ChatbotAccess } from "../../entities";
import type { OrgAccess } from "../http/request-types";
import type { Subject } from "../auth/permissions";
import { touchMemberActivity } from "./member.service";

export async function grantsOf(db: DataSource | EntityManager, membershipId: string): Promise<Map<string, ChatbotAccess>> {
  const rows = await db.getRepository(ChatbotPermission).find({ where: { membershipId }, order: { createdAt: "ASC" } });
  return new Map(rows.map((r) => [r.chatbotId, r.access]));
}

export async function loadOrgAccess(ds: DataSource, orgId: string, userId: string): Promise<OrgAccess | null> {
  const membership = await ds.getRepository(Membership).findOneBy({ orgId, userId });
  if (!membership) return null;
  const org = await ds.getRepository(Organization).findOneByOrFail({ id: orgId });
  return { org, membership, subject: await subjectOf(ds, membership) };
}

/** What `can()` judges a membership by: role, stored scope and grants. */
export async function subjectOf(db: DataSource | EntityManager, m: Pick<Membership, "id" | "role" | "chatbotScope">): Promise<Subject> {
  return { role: m.role, scope: m.chatbotScope, grants: await grantsOf(db, m.id) };
}

/**
 * The org's name when this account was a member of it and was removed (the removal's audit event
 * names their address), else null: someone who never belonged learns nothing, not even that the
 * org exists.
 */
export async function formerMembershipOrgName(ds: DataSource, orgId: string, email: string): Promise<string | null> {
  const rows: Array<{ name: string }> = await ds.query(
    `SELECT o.name FROM organizations o WHERE o.id = $1 AND EXISTS (
       SELECT 1 FROM audit_events a WHERE a.org_id = o.id AND a.action = 'member.removed' AND lower(a.target ->> 'email') = lower($2))`,
    [orgId, email]);
  return rows[0]?.name ?? null;
}

const TOUCH_EVERY_MS = 60_000;

/** `last_active_at` moves at most once a minute per member. */
export async function touchLastActive(ds: DataSource, m: Membership, now: Date): Promise<void> {
  if (m.lastActiveAt && now.getTime() - m.lastActiveAt.getTime() < TOUCH_EVERY_MS) return;
  await touchMemberActivity(ds, m.id, now, new Date(now.getTime() - TOUCH_EVERY_MS));
  m.lastActiveAt = now;
}
