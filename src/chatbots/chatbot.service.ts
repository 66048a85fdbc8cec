/**
 * Just enough chatbots and conversations to make per-chatbot grants and member removal real:
 * a member with grants sees only those chatbots and their conversations; removal and suspension
 * put their assigned conversations back in the queue (see member.service.ts).
 */
import { In } from "typeorm";
import { Chatbot, Conversation, Membership, type ConversationStatus } from "../../entities";
import type { Ctx, Deps } from "../context";
import type { OrgAccess } from "../http/request-types";
import { can, visibleChatbots } from "../auth/permissions";
import { recordAudit } from "../audit/audit-log";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { subjectOf } from "../members/member-access";

export async function createChatbot(deps: Deps, ctx: Ctx, orgId: string, name: string): Promise<Chatbot> {
  return deps.ds.transaction(async (tx) => {
    const bot = await tx.getRepository(Chatbot).save(tx.getRepository(Chatbot).create({ orgId, name }));
    await recordAudit(tx, ctx, { orgId, action: "chatbot.created", target: { type: "chatbot", id: bot.id, name } });
    return bot;
  });
}

export async function listChatbots(deps: Deps, access: OrgAccess): Promise<Chatbot[]> {
  const only = visibleChatbots(access.subject);
  return deps.ds.getRepository(Chatbot).find({
    where: { orgId: access.org.id, ...(only ? { id: In(only) } : {}) }, order: { createdAt: "ASC" },
  });
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
