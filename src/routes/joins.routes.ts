/**
 * /api/joins/:token: the join link a pending membership emailed (src/members/join.service.ts).
 * GET describes it (org name, address); POST …/accept joins, signed in with that email or
 * creating the account in the body.
 */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { SharedRateLimiter } from "../http/rate-limit";
import { startSession } from "../http/session";
import { acceptJoin, describeJoin } from "../members/join.service";
import { nameField, passwordField } from "./auth.routes";

export function joinRoutes(deps: Deps): Router {
  const r = Router();
  // Emailed one-time links, guessed like invitation links: the same limit, shared by every instance.
  const perIp = new SharedRateLimiter(deps.ds, "join-ip", deps.config.rateLimits.invitationPerIp, () => deps.clock.now());

  r.get("/:token", asyncHandler(async (req, res) => {
    await perIp.hit(`join:${req.ip}`);
    res.json({ join: await describeJoin(deps, String(req.params.token)) });
  }));

  r.post("/:token/accept", asyncHandler(async (req, res) => {
    await perIp.hit(`join:${req.ip}`);
    const body = parse(z.object({ name: nameField.optional(), password: passwordField.optional() }), req.body);
    const joined = await acceptJoin(deps, userCtx(req), String(req.params.token), { user: req.auth?.user, ...body });
    let csrfToken = req.auth?.session.csrfToken;
    if (joined.signIn) csrfToken = (await startSession(deps, req, res, joined.user.id, "password")).csrfToken;
    res.status(201).json({
      membership: { id: joined.membershipId, orgId: joined.orgId },
      user: { id: joined.user.id, email: joined.user.email, name: joined.user.name },
      csrfToken,
    });
  }));
  return r;
}
