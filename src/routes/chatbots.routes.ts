/**
 * Chatbots and conversations under /api/orgs/:orgId. Creating, renaming and deleting a chatbot
 * and reading who can use it take `chatbots.manage` org-wide (Owners and Admins): a Member's
 * "manage" grant on one chatbot is about its conversations, not about the chatbot itself.
 * Everyone reads the chatbots they may use.
 */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import type { Chatbot, ChatbotAccess, Conversation } from "../../entities";
import { can, type Subject } from "../auth/permissions";
import { asyncHandler, requirePermission, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import {
  assignConversation, createChatbot, createConversation, deleteChatbot, getChatbot, listChatbots, listConversations, renameChatbot,
} from "../chatbots/chatbot.service";
import { chatbotAccessList } from "../chatbots/chatbot-access";
import { chatbotNameField, pathId } from "./schemas";

const conversationJson = (c: Conversation) => ({
  id: c.id, chatbotId: c.chatbotId, subject: c.subject, status: c.status, assigneeMemberId: c.assigneeMembershipId,
  createdAt: c.createdAt, updatedAt: c.updatedAt,
});

const chatbotJson = (b: Chatbot) => ({ id: b.id, name: b.name, createdAt: b.createdAt });

/** The most the subject may do on one chatbot: "manage", "reply" or "view". */
function myAccess(subject: Subject, chatbotId: string): ChatbotAccess {
  if (can(subject, "conversations.assign", chatbotId)) return "manage";
  return can(subject, "conversations.reply", chatbotId) ? "reply" : "view";
}

export function chatbotRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });

  r.post("/chatbots", requirePermission("chatbots.manage"), asyncHandler(async (req, res) => {
    const { name } = parse(z.object({ name: chatbotNameField }), req.body);
    const bot = await createChatbot(deps, userCtx(req), req.member!.org.id, name);
    res.status(201).json({ chatbot: chatbotJson(bot) });
  }));

  r.get("/chatbots", asyncHandler(async (req, res) => {
    const { subject } = req.member!;
    const bots = await listChatbots(deps, req.member!);
    // What the caller may do on each: the page shows "Reply" or "View only" to Members.
    res.json({ chatbots: bots.map((b) => ({ ...chatbotJson(b), myAccess: myAccess(subject, b.id) })) });
  }));

  r.patch("/chatbots/:chatbotId", requirePermission("chatbots.manage"), asyncHandler(async (req, res) => {
    const id = pathId(req.params.chatbotId, "Chatbot");
    const { name } = parse(z.object({ name: chatbotNameField }), req.body);
    res.json({ chatbot: chatbotJson(await renameChatbot(deps, userCtx(req), req.member!.org.id, id, name)) });
  }));

  r.delete("/chatbots/:chatbotId", requirePermission("chatbots.manage"), asyncHandler(async (req, res) => {
    await deleteChatbot(deps, userCtx(req), req.member!.org.id, pathId(req.params.chatbotId, "Chatbot"));
    res.status(204).end();
  }));

  r.get("/chatbots/:chatbotId/access", requirePermission("chatbots.manage"), asyncHandler(async (req, res) => {
    const bot = await getChatbot(deps, req.member!.org.id, pathId(req.params.chatbotId, "Chatbot"));
    res.json({ chatbot: chatbotJson(bot), access: await chatbotAccessList(deps.ds, req.member!.org.id, bot.id) });
  }));

  r.post("/chatbots/:chatbotId/conversations", asyncHandler(async (req, res) => {
    const { subject } = parse(z.object({ subject: z.string().trim().min(1, "is required").max(500) }), req.body);
    const conv = await createConversation(deps, userCtx(req), req.member!, pathId(req.params.chatbotId, "Chatbot"), subject);
    res.status(201).json({ conversation: conversationJson(conv) });
  }));

  r.post("/conversations/:id/assign", asyncHandler(async (req, res) => {
    const { memberId } = parse(z.object({ memberId: z.string().uuid("must be a member id") }), req.body);
    const conv = await assignConversation(deps, userCtx(req), req.member!, pathId(req.params.id, "Conversation"), memberId);
    res.json({ conversation: conversationJson(conv) });
  }));

  r.get("/conversations", asyncHandler(async (req, res) => {
    const { status } = parse(z.object({ status: z.enum(["queued", "assigned", "closed"]).optional() }), req.query, "query");
    res.json({ conversations: (await listConversations(deps, req.member!, status)).map(conversationJson) });
  }));
  return r;
}
