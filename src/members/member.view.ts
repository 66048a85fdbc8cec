/**
 * The API's shape of a member: account, role, standing and chatbot grants. A pending member
 * shows only what the org's IdP sent (the placeholder account holds the IdP's name), never the
 * person's own profile.
 */
import type { EntityManager } from "typeorm";
import { ChatbotPermission, Membership, User, type ChatbotAccess, type ChatbotScope } from "../../entities";
import { effectiveScope } from "../auth/permissions";

export interface MemberView {
  id: string;
  /** null while pending: the membership is not the person's until they follow the join link. */
  userId: string | null;
  email: string;
  name: string | null;
  role: Membership["role"];
  status: Membership["status"];
  source: Membership["source"];
  lastActiveAt: Date | null;
  joinedAt: Date;
  managedByIdp: boolean;
  /** Waiting for the person (email outside the org's verified domains); `email` is where the join link went, `name` what the IdP sent. */
  pending: boolean;
  /** The scope that applies: always "all" for Owners and Admins; "selected" for a Member holding any grant. */
  chatbotScope: ChatbotScope;
  chatbotPermissions: Array<{ chatbotId: string; access: ChatbotAccess }>;
}

export async function memberViews(tx: EntityManager, members: Membership[], scimOn: boolean): Promise<MemberView[]> {
  if (members.length === 0) return [];
  const ids = members.map((m) => m.id);
  const users = await tx.getRepository(User).createQueryBuilder("u").whereInIds(members.map((m) => m.userId)).getMany();
  const grants = await tx.getRepository(ChatbotPermission).createQueryBuilder("g")
    .where("g.membershipId IN (:...ids)", { ids }).orderBy("g.createdAt", "ASC").getMany();
  const byUser = new Map(users.map((u) => [u.id, u]));
  return members.map((m) => {
    const u = byUser.get(m.userId)!;
    const mine = grants.filter((g) => g.membershipId === m.id);
    return {
      id: m.id, userId: m.pendingEmail ? null : m.userId, email: m.pendingEmail ?? u.email, name: u.name, role: m.role, status: m.status, source: m.source,
      lastActiveAt: m.lastActiveAt, joinedAt: m.createdAt, managedByIdp: scimOn && m.source === "scim", pending: m.pendingEmail !== null,
      chatbotScope: effectiveScope({ role: m.role, scope: m.chatbotScope, grants: new Map(mine.map((g) => [g.chatbotId, g.access])) }),
      chatbotPermissions: mine.map((g) => ({ chatbotId: g.chatbotId, access: g.access })),
    };
  });
}
