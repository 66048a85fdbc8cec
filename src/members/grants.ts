/** Per-chatbot grants held by a membership or an invitation. */
import { returned } from "../db/returned";
import { In, type EntityManager } from "typeorm";
import { Chatbot, ChatbotPermission, type ChatbotAccess, type ChatbotScope } from "../../entities";
import { ValidationError } from "../errors";

export interface GrantInput {
  chatbotId: string;
  access: ChatbotAccess;
}

/** Every chatbot must exist in this org (another org's id reads as unknown). Duplicates keep the last access. */
export async function checkGrants(tx: EntityManager, orgId: string, grants: GrantInput[], field = "chatbotPermissions"): Promise<GrantInput[]> {
  if (grants.length === 0) return [];
  const ids = [...new Set(grants.map((g) => g.chatbotId))];
  const found = await tx.getRepository(Chatbot).find({ where: { orgId, id: In(ids) }, select: { id: true } });
  const known = new Set(found.map((c) => c.id));
  const problems = grants
    .map((g, i) => (known.has(g.chatbotId) ? null : { field: `${field}.${i}.chatbotId`, message: `No chatbot ${g.chatbotId} in this organization.` }))
    .filter((p): p is { field: string; message: string } => p !== null);
  if (problems.length) throw new ValidationError(problems);
  return [...new Map(grants.map((g) => [g.chatbotId, g])).values()];
}

export async function replaceMemberGrants(tx: EntityManager, orgId: string, membershipId: string, grants: GrantInput[]): Promise<number> {
  const removed = await tx.getRepository(ChatbotPermission).delete({ membershipId });
  if (grants.length) {
    await tx.getRepository(ChatbotPermission).insert(grants.map((g) => ({ orgId, membershipId, chatbotId: g.chatbotId, access: g.access })));
  }
  return removed.affected ?? 0;
}

/**
 * The scope a request asks for. Older callers send only `chatbotPermissions`: some grants mean
 * "selected", none "all" (what an empty list always meant). "All chatbots" with grants is a
 * contradiction, refused rather than guessed.
 */
export function resolveScope(scope: ChatbotScope | undefined, grants: GrantInput[]): ChatbotScope {
  if (scope === undefined) return grants.length ? "selected" : "all";
  if (scope === "all" && grants.length) {
    throw new ValidationError([{ field: "chatbotScope", message: "Choose “Only selected chatbots” to give access to specific chatbots." }]);
  }
  return scope;
}

/** A deleted chatbot's grants, of members and invitations alike; returns how many (chatbot.service.ts). */
export async function revokeChatbotGrants(tx: EntityManager, orgId: string, chatbotId: string): Promise<number> {
  return returned(await tx.query(`DELETE FROM chatbot_permissions WHERE org_id = $1 AND chatbot_id = $2 RETURNING 1`, [orgId, chatbotId])).length;
}
