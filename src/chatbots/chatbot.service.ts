/**
 * Just enough chatbots and conversations to make per-chatbot grants and member removal real:
 * a member with grants sees only those chatbots and their conversations; removal and suspension
 * put their assigned conversations back in the queue (see member.service.ts).
 */
import { In, type EntityManager } from "typeorm";
import { Chatbot, Conversation, Membership, type ConversationStatus } from "../../entities";
import type { Ctx, Deps } from "../context";
import type { OrgAccess } from "../http/request-types";
import { can, visibleChatbots } from "../auth/permissions";
import { recordAudit } from "../audit/audit-log";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { constraintOf, isUniqueViolation } from "../db/pg-errors";
import { subjectOf } from "../members/member-access";
import { revokeChatbotGrants } from "../members/grants";

/** Another chatbot of the org already has this name, ignoring case (index chatbots_org_name_key). */
function nameTaken(err: unknown, name: string): unknown {
  return isUniqueViolation(err) && constraintOf(err) === "chatbots_org_name_key"
    ? new ConflictError("chatbot.name_taken", `A chatbot named “${name}” already exists. Choose another name.`, { field: "name" })
    : err;
}

export async function createChatbot(deps: Deps, ctx: Ctx, orgId: string, name: string): Promise<Chatbot> {
  try {
    return await deps.ds.transaction(async (tx) => {
      const bot = await tx.getRepository(Chatbot).save(tx.getRepository(Chatbot).create({ orgId, name }));
      await recordAudit(tx, ctx, { orgId, action: "chatbot.created", target: { type: "chatbot", id: bot.id, name } });
      return bot;
    });
  } catch (err) {
    throw nameTaken(err, name);
  }
}

export async function renameChatbot(deps: Deps, ctx: Ctx, orgId: string, chatbotId: string, name: string): Promise<Chatbot> {
  try {
    return await deps.ds.transaction(async (tx) => {
      const repo = tx.getRepository(Chatbot);
      const bot = await repo.findOne({ where: { id: chatbotId, orgId }, lock: { mode: "pessimistic_write" } });
      if (!bot) throw new NotFoundError("Chatbot");
      if (bot.name === name) return bot;
      const oldName = bot.name;
      bot.name = name;
      await repo.save(bot);
      await recordAudit(tx, ctx, { orgId, action: "chatbot.renamed", target: { type: "chatbot", id: bot.id, name }, metadata: { oldName, newName: name } });
      return bot;
    });
  } catch (err) {
    throw nameTaken(err, name);
  }
}

/**
 * Deletes a chatbot with its grants, its conversations and its place in SCIM group mappings, in
 * one transaction with the audit event. A Member scoped to "selected" chatbots simply loses this
 * one (selected with none left = no chatbot). Refused only where losing the last grant would
 * widen access: a membership or invitation whose stored scope is "all" but which an IdP group
 * mapping narrowed by grants (effectiveScope), and a group mapping narrowed to this chatbot alone.
 */
export async function deleteChatbot(deps: Deps, ctx: Ctx, orgId: string, chatbotId: string): Promise<void> {
  await deps.ds.transaction(async (tx) => {
    const bot = await tx.getRepository(Chatbot).findOne({ where: { id: chatbotId, orgId }, lock: { mode: "pessimistic_write" } });
    if (!bot) throw new NotFoundError("Chatbot");
    const only = await narrowedToOnly(tx, orgId, chatbotId);
    if (only.members + only.invitations + only.mappings > 0) {
      const who = [
        only.members ? `${only.members} member${only.members === 1 ? "" : "s"}` : "",
        only.invitations ? `${only.invitations} pending invitation${only.invitations === 1 ? "" : "s"}` : "",
        only.mappings ? `${only.mappings} SCIM group mapping${only.mappings === 1 ? "" : "s"}` : "",
      ].filter(Boolean).join(", ");
      throw new ConflictError("chatbot.sole_access",
        `${who} can use only “${bot.name}”. Give them access to another chatbot or remove them first, so deleting it does not widen their access.`, { ...only });
    }
    const convs: Array<{ n: string }> = await tx.query(`SELECT count(*)::int AS n FROM conversations WHERE chatbot_id = $1`, [chatbotId]);
    const grantsRevoked = await revokeChatbotGrants(tx, orgId, chatbotId);
    await tx.query(`DELETE FROM conversations WHERE org_id = $1 AND chatbot_id = $2`, [orgId, chatbotId]);
    await tx.query(`
      UPDATE group_role_mappings SET chatbot_permissions = COALESCE(
        (SELECT jsonb_agg(e) FROM jsonb_array_elements(chatbot_permissions) e WHERE e ->> 'chatbotId' <> $2::text), '[]'::jsonb)
       WHERE org_id = $1 AND chatbot_permissions @> jsonb_build_array(jsonb_build_object('chatbotId', $2::text))`, [orgId, chatbotId]);
    await tx.getRepository(Chatbot).delete({ id: chatbotId, orgId });
    await recordAudit(tx, ctx, { orgId, action: "chatbot.deleted", target: { type: "chatbot", id: chatbotId, name: bot.name },
      metadata: { grantsRevoked, conversationsDeleted: Number(convs[0]?.n ?? 0) } });
  });
}

/** Members and pending invitations stored as "all" but narrowed by grants to `chatbotId` alone, and SCIM group mappings narrowed to it alone. */
async function narrowedToOnly(tx: EntityManager, orgId: string, chatbotId: string): Promise<{ members: number; invitations: number; mappings: number }> {
  const [row]: Array<{ members: number; invitations: number; mappings: number }> = await tx.query(`
    SELECT
      (SELECT count(*)::int FROM chatbot_permissions p JOIN memberships m ON m.id = p.membership_id
        WHERE p.org_id = $1 AND p.chatbot_id = $2 AND m.role = 'member' AND m.chatbot_scope = 'all'
          AND NOT EXISTS (SELECT 1 FROM chatbot_permissions o WHERE o.membership_id = p.membership_id AND o.chatbot_id <> $2)) AS members,
      (SELECT count(*)::int FROM chatbot_permissions p JOIN invitations i ON i.id = p.invitation_id
        WHERE p.org_id = $1 AND p.chatbot_id = $2 AND i.role = 'member' AND i.chatbot_scope = 'all' AND i.accepted_at IS NULL AND i.revoked_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM chatbot_permissions o WHERE o.invitation_id = p.invitation_id AND o.chatbot_id <> $2)) AS invitations,
      (SELECT count(*)::int FROM group_role_mappings g
        WHERE g.org_id = $1 AND g.role = 'member' AND jsonb_array_length(g.chatbot_permissions) > 0
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(g.chatbot_permissions) e WHERE e ->> 'chatbotId' <> $3)
          AND g.chatbot_permissions @> jsonb_build_array(jsonb_build_object('chatbotId', $3::text))) AS mappings`, [orgId, chatbotId, chatbotId]);
  return { members: Number(row?.members ?? 0), invitations: Number(row?.invitations ?? 0), mappings: Number(row?.mappings ?? 0) };
}

export async function listChatbots(deps: Deps, access: OrgAccess): Promise<Chatbot[]> {
  const only = visibleChatbots(access.subject);
  return deps.ds.getRepository(Chatbot).find({
    where: { orgId: access.org.id, ...(only ? { id: In(only) } : {}) }, order: { createdAt: "ASC" },
  });
}

export async function getChatbot(deps: Deps, orgId: string, chatbotId: string): Promise<Chatbot> {
  const bot = await deps.ds.getRepository(Chatbot).findOneBy({ id: chatbotId, orgId });
  if (!bot) throw new NotFoundError("Chatbot");
  return bot;
}

async function visibleChatbot(deps: Deps, access: OrgAccess, chatbotId: string): Promise<Chatbot> {
  const bot = await deps.ds.getRepository(Chatbot).findOneBy({ id: chatbotId, orgId: access.org.id });
  if (!bot || !can(access.subject, "chatbots.read", bot.id)) throw new NotFoundError("Chatbot");
  return bot;
}

export async function createConversation(deps: Deps, ctx: Ctx, access: OrgAccess, chatbotId: string, subject: string): Promise<Conversation> {
  const bot = await visibleChatbot(deps, access, chatbotId);
  if (!can(access.subject, "conversations.reply", bot.id)) {
    throw new ForbiddenError("permission.denied", "You cannot open conversations on this chatbot.", { permission: "conversations.reply" });
  }
  const repo = deps.ds.getRepository(Conversation);
  return repo.save(repo.create({ orgId: access.org.id, chatbotId: bot.id, subject, status: "queued", assigneeMembershipId: null }));
}

export async function assignConversation(deps: Deps, ctx: Ctx, access: OrgAccess, conversationId: string, memberId: string): Promise<Conversation> {
  return deps.ds.transaction(async (tx) => {
    const conv = await tx.getRepository(Conversation).findOne({ where: { id: conversationId, orgId: access.org.id }, lock: { mode: "pessimistic_write" } });
    if (!conv || !can(access.subject, "chatbots.read", conv.chatbotId)) throw new NotFoundError("Conversation");
    if (!can(access.subject, "conversations.assign", conv.chatbotId)) {
      throw new ForbiddenError("permission.denied", "You need manage access to this chatbot to assign its conversations.", { permission: "conversations.assign" });
    }
    const assignee = await tx.getRepository(Membership).findOneBy({ id: memberId, orgId: access.org.id });
    if (!assignee || assignee.status !== "active") throw new ValidationError([{ field: "memberId", message: "is not an active member of this organization" }]);
    if (!can(await subjectOf(tx, assignee), "conversations.reply", conv.chatbotId)) {
      throw new ValidationError([{ field: "memberId", message: "cannot reply on this conversation's chatbot" }]);
    }
    conv.assigneeMembershipId = assignee.id;
    conv.status = "assigned";
    await tx.getRepository(Conversation).save(conv);
    await recordAudit(tx, ctx, { orgId: access.org.id, action: "conversation.assigned", target: { type: "conversation", id: conv.id }, metadata: { memberId: assignee.id } });
    return conv;
  });
}

export async function listConversations(deps: Deps, access: OrgAccess, status?: ConversationStatus): Promise<Conversation[]> {
  const only = visibleChatbots(access.subject);
  return deps.ds.getRepository(Conversation).find({
    where: { orgId: access.org.id, ...(status ? { status } : {}), ...(only ? { chatbotId: In(only) } : {}) },
    order: { createdAt: "ASC", id: "ASC" }, take: 500,
  });
}
