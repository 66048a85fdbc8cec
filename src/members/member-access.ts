/** Reads a member's standing in an org, as every org-scoped request needs it. */
import type { DataSource, EntityManager } from "typeorm";
import { ChatbotPermission, Membership, Organization, type ChatbotAccess } from "../../entities";
import type { OrgAccess } from "../http/request-types";
import { touchMemberActivity } from "./member.service";

export async function grantsOf(db: DataSource | EntityManager, membershipId: string): Promise<Map<string, ChatbotAccess>> {
  const rows = await db.getRepository(ChatbotPermission).find({ where: { membershipId }, order: { createdAt: "ASC" } });
  return new Map(rows.map((r) => [r.chatbotId, r.access]));
}

export async function loadOrgAccess(ds: DataSource, orgId: string, userId: string): Promise<OrgAccess | null> {
  const membership = await ds.getRepository(Membership).findOneBy({ orgId, userId });
  if (!membership) return null;
  const org = await ds.getRepository(Organization).findOneByOrFail({ id: orgId });
  const grants = await grantsOf(ds, membership.id);
  return { org, membership, subject: { role: membership.role, grants } };
}

const TOUCH_EVERY_MS = 60_000;

/** `last_active_at` moves at most once a minute per member. */
export async function touchLastActive(ds: DataSource, m: Membership, now: Date): Promise<void> {
  if (m.lastActiveAt && now.getTime() - m.lastActiveAt.getTime() < TOUCH_EVERY_MS) return;
  await touchMemberActivity(ds, m.id, now, new Date(now.getTime() - TOUCH_EVERY_MS));
  m.lastActiveAt = now;
}
