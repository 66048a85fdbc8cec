/**
 * POST /api/sso-links/:token/confirm: the one-time link emailed when an SSO sign-in wants to link
 * an account that has other credentials or orgs (src/accounts/link-proof.ts). Following it is the
 * person's proof; the identity link is stored, and their next SSO sign-in goes through.
 */
import { Router } from "express";
import type { Deps } from "../context";
import { asyncHandler, userCtx } from "../http/auth-middleware";
import { SharedRateLimiter } from "../http/rate-limit";
import { confirmLinkProof } from "../accounts/link-proof";

export function ssoLinkRoutes(deps: Deps): Router {
  const r = Router();
  // Emailed one-time links, guessed like invitation links: the same limit, shared by every instance.
  const perIp = new SharedRateLimiter(deps.ds, "sso-link-ip", deps.config.rateLimits.invitationPerIp, () => deps.clock.now());
  r.post("/:token/confirm", asyncHandler(async (req, res) => {
    await perIp.hit(`sso-link:${req.ip}`);
    res.json({ linked: await confirmLinkProof(deps, userCtx(req), String(req.params.token)) });
  }));
  return r;
}
