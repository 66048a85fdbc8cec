/** Chatbots and conversations under /api/orgs/:orgId. */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import type { Conversation } from "../../entities";
import { asyncHandler, requirePermission, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { assignConversation, createChatbot, createConversation, listChatbots, listConversations } from "../chatbots/chatbot.service";
import { pathId } from "./schemas";

const conversationJson = (c: Conversation) => ({
  id: c.id, chatbotId: c.chatbotId, subject: c.subject, status: c.status, assigneeMemberId: c.assigneeMembershipId,
  createdAt: c.createdAt, updatedAt: c.updatedAt,
});

export function chatbotRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });

  r.post("/chatbots", requirePermission("chatbots.manage"), asyncHandler(async (req, res) => {
    const { name } = parse(z.object({ name: z.string().trim().min(1, "is required").max(200) }), req.body);
    const bot = await createChatbot(deps, userCtx(req), req.member!.org.id, name);
    res.status(201).json({ chatbot: { id: bot.id, name: bot.name, createdAt: bot.createdAt } });
  }));

  r.get("/chatbots", asyncHandler(async (req, res) => {
    const bots = await listChatbots(deps, req.member!);
    res.json({ chatbots: bots.map((b) => ({ id: b.id, name: b.name, createdAt: b.createdAt })) });
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
