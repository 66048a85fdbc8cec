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
import { startSession } from "../http/session";
import { acceptInvitation, createInvitation, describeInvitation, listInvitations, resendInvitation, revokeInvitation } from "../invitations/invitation.service";
import { emailField, nameField, passwordField } from "./auth.routes";
import { chatbotPermissionsField, pathId, roleField } from "./schemas";

export function invitationRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });

  r.get("/", requirePermission("members.read"), asyncHandler(async (req, res) => {
    res.json({ invitations: await listInvitations(deps, req.member!.org.id) });
  }));

  r.post("/", requirePermission("members.invite"), asyncHandler(async (req, res) => {
    const body = parse(z.object({ email: emailField, role: roleField, chatbotPermissions: chatbotPermissionsField.optional() }), req.body);
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
    const body = parse(z.object({ name: nameField.optional(), password: passwordField.optional() }), req.body);
    const accepted = await acceptInvitation(deps, userCtx(req), String(req.params.token), { user: req.auth?.user, ...body });
    let csrfToken = req.auth?.session.csrfToken;
    if (accepted.signIn) csrfToken = (await startSession(deps, req, res, accepted.user.id, "password")).csrfToken;
    res.status(201).json({
      membership: { id: accepted.membershipId, orgId: accepted.orgId },
      user: { id: accepted.user.id, email: accepted.user.email, name: accepted.user.name },
      csrfToken,
    });
  }));
  return r;
}
