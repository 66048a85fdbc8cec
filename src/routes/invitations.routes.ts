/**
 * /api/orgs/:orgId/invitations (members.invite / members.read) and the public
 * /api/invitations/:token routes used from the emailed link.
 */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, requirePermission, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { SharedRateLimiter } from "../http/rate-limit";
import { acceptLink } from "./link-accept";
import { acceptInvitation, createInvitation, describeInvitation, listInvitations, resendInvitation, revokeInvitation } from "../invitations/invitation.service";
import { emailField } from "./auth.routes";
import { chatbotPermissionsField, chatbotScopeField, pageQuery, pathId, roleField } from "./schemas";
import { INVITATION_SORTS, searchInvitations } from "../invitations/invitation.search";
import { BULK_INVITE_MAX, inviteMany } from "../invitations/invitation.bulk";

export function invitationRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });

  r.get("/", requirePermission("members.read"), asyncHandler(async (req, res) => {
    const { paged, request } = pageQuery(INVITATION_SORTS, req.query);
    if (!paged) {
      res.json({ invitations: await listInvitations(deps, req.member!.org.id) });
      return;
    }
    const page = await searchInvitations(deps.ds.manager, req.member!.org.id, deps.clock.now(), request);
    res.json({ invitations: page.items, nextCursor: page.nextCursor, total: page.total });
  }));

  // One role and scope for a list of addresses; 200 with a result per address (some may have failed).
  r.post("/bulk", requirePermission("members.invite"), asyncHandler(async (req, res) => {
    const body = parse(z.object({
      emails: z.array(z.string().max(400)).min(1, "Enter at least one email address").max(BULK_INVITE_MAX, `You can invite at most ${BULK_INVITE_MAX} people at once`),
      role: roleField, chatbotScope: chatbotScopeField.optional(), chatbotPermissions: chatbotPermissionsField.optional(),
    }), req.body);
    const rejected = new Map<string, string>();
    for (const e of body.emails) if (!emailField.safeParse(e.trim()).success) rejected.set(e, "This is not a valid email address.");
    const results = await inviteMany(deps, userCtx(req), req.member!.membership.role, req.member!.org.id, body.emails, rejected,
      { role: body.role, chatbotScope: body.chatbotScope, chatbotPermissions: body.chatbotPermissions });
    res.json({ results, invited: results.filter((x) => x.status === "invited").length, failed: results.filter((x) => x.status === "failed").length });
  }));

  r.post("/", requirePermission("members.invite"), asyncHandler(async (req, res) => {
    const body = parse(z.object({ email: emailField, role: roleField, chatbotScope: chatbotScopeField.optional(), chatbotPermissions: chatbotPermissionsField.optional() }), req.body);
    const inv = await createInvitation(deps, userCtx(req), req.member!.membership.role, req.member!.org.id, body);
    res.status(201).json({ invitation: inv });
  }));

  r.post("/:id/resend", requirePermission("members.invite"), asyncHandler(async (req, res) => {
    res.json({ invitation: await resendInvitation(deps, userCtx(req), req.member!.org.id, pathId(req.params.id, "Invitation")) });
  }));

  r.post("/:id/revoke", requirePermission("members.invite"), asyncHandler(async (req, res) => {
    await revokeInvitation(deps, userCtx(req), req.member!.org.id, pathId(req.params.id, "Invitation"));
    res.status(204).end();
  }));
  return r;
}

export function invitationPublicRoutes(deps: Deps): Router {
  const r = Router();
  // Guessing tokens is hopeless (256 bits), but lookups are still rate-limited per IP (INV-11).
  const perIp = new SharedRateLimiter(deps.ds, "invitation-ip", deps.config.rateLimits.invitationPerIp, () => deps.clock.now());

  r.get("/:token", asyncHandler(async (req, res) => {
    await perIp.hit(`inv:${req.ip}`);
    res.json({ invitation: await describeInvitation(deps, String(req.params.token), req.auth?.user) });
  }));

  r.post("/:token/accept", asyncHandler(async (req, res) => {
    await perIp.hit(`inv:${req.ip}`);
    await acceptLink(deps, req, res, acceptInvitation);
  }));
  return r;
}
