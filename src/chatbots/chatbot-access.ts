/**
 * Who can use a chatbot, for the Chatbots page. One query, so the rule lives in one place:
 * Owners and Admins reach every chatbot by their role; a Member scoped to "All chatbots" (stored
 * scope "all" and no grant: see effectiveScope) reaches it as the Member role allows (reply); a
 * Member scoped to "selected" is listed with the grant they hold on this chatbot.
 */
import type { DataSource, EntityManager } from "typeorm";
import type { ChatbotAccess, MembershipStatus, Role } from "../../entities";

export interface ChatbotAccessEntry {
  memberId: string;
  name: string | null;
  email: string;
  role: Role;
  status: MembershipStatus;
  /** "all": every chatbot of the org (by role, or a Member's "All chatbots" scope); "granted": this chatbot, with `access`. */
  scope: "all" | "granted";
  access: ChatbotAccess;
}

export async function chatbotAccessList(db: DataSource | EntityManager, orgId: string, chatbotId: string): Promise<ChatbotAccessEntry[]> {
  const rows: Array<Record<string, string | null>> = await db.query(`
    SELECT m.id AS member_id, u.name, u.email, m.role, m.status, 'all' AS scope, 'manage' AS access
      FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.org_id = $1 AND m.role IN ('owner', 'admin')
    UNION ALL
    SELECT m.id, u.name, u.email, m.role, m.status, 'all', 'reply'
      FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.org_id = $1 AND m.role = 'member' AND m.chatbot_scope = 'all'
       AND NOT EXISTS (SELECT 1 FROM chatbot_permissions g WHERE g.membership_id = m.id)
    UNION ALL
    SELECT m.id, u.name, u.email, m.role, m.status, 'granted', p.access
      FROM chatbot_permissions p JOIN memberships m ON m.id = p.membership_id JOIN users u ON u.id = m.user_id
     WHERE p.org_id = $1 AND p.chatbot_id = $2 AND m.role = 'member'`, [orgId, chatbotId]);
  const rank: Record<string, number> = { owner: 0, admin: 1, member: 2 };
  return rows
    .map((r) => ({ memberId: r.member_id!, name: r.name, email: r.email!, role: r.role as Role, status: r.status as MembershipStatus,
      scope: r.scope as "all" | "granted", access: r.access as ChatbotAccess }))
    .sort((a, b) => rank[a.role] - rank[b.role] || (a.name ?? a.email).localeCompare(b.name ?? b.email));
}
