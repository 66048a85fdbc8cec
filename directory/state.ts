/** What the org looks like to a sync, read inside the apply transaction (after lockOrg). */
import type { EntityManager } from "typeorm";
import type { ChatbotAccess, Role } from "../entities";
import type { CurrentMember, KnownGroup, MappingRow } from "./plan";

export async function loadMembers(tx: EntityManager, orgId: string, directoryId: string): Promise<CurrentMember[]> {
  const rows: Array<{ id: string; user_id: string; role: Role; status: "active" | "suspended"; scim_attributes: CurrentMember["attributes"];
    scim_user_name: string | null; google_id: string | null; email: string | null; base_role: Role | null }> = await tx.query(
    `SELECT m.id, m.user_id, m.role, m.status, m.scim_attributes, m.scim_user_name, du.google_id, du.email, du.base_role
       FROM memberships m LEFT JOIN directory_users du ON du.membership_id = m.id AND du.directory_id = $2
      WHERE m.org_id = $1`, [orgId, directoryId]);
  return rows.map((r) => ({
    membershipId: r.id, userId: r.user_id, role: r.role, status: r.status, attributes: r.scim_attributes, scimUserName: r.scim_user_name,
    managed: r.google_id ? { googleId: r.google_id, email: r.email ?? "", baseRole: r.base_role ?? "member" } : null,
  }));
}

export async function loadMappings(tx: EntityManager, orgId: string): Promise<MappingRow[]> {
  const rows: Array<{ group_name: string; role: Role; chatbot_permissions: MappingRow["grants"] | null }> = await tx.query(
    `SELECT group_name, role, chatbot_permissions FROM group_role_mappings WHERE org_id = $1`, [orgId]);
  return rows.map((r) => ({ groupName: r.group_name, role: r.role, grants: r.chatbot_permissions ?? [] }));
}

export async function loadGrants(tx: EntityManager, orgId: string): Promise<Map<string, Map<string, ChatbotAccess>>> {
  const rows: Array<{ membership_id: string; chatbot_id: string; access: ChatbotAccess }> = await tx.query(
    `SELECT membership_id, chatbot_id, access FROM chatbot_permissions WHERE org_id = $1 AND membership_id IS NOT NULL`, [orgId]);
  const out = new Map<string, Map<string, ChatbotAccess>>();
  for (const r of rows) out.set(r.membership_id, (out.get(r.membership_id) ?? new Map()).set(r.chatbot_id, r.access));
  return out;
}

export async function loadKnownGroups(tx: EntityManager, directoryId: string): Promise<KnownGroup[]> {
  const rows: Array<{ google_id: string; email: string; name: string; member_count: number }> = await tx.query(
    `SELECT google_id, email, name, member_count FROM directory_groups WHERE directory_id = $1`, [directoryId]);
  return rows.map((r) => ({ googleId: r.google_id, email: r.email, name: r.name, memberCount: Number(r.member_count) }));
}
