/**
 * POST /api/sso-links/:token/confirm: the one-time link emailed when an SSO sign-in wants to link
 * an account that has other credentials or orgs (src/accounts/link-proof.ts). Following it is the
 * person's proof; the identity link is stored, and their next SSO sign-in goes through.
 */
import { Router } from "express";
import type { Deps } from "../context";
import { asyncHandler, userCtx } from "../http/auth-middleware";
import { RateLimiter } from "../http/rate-limit";
import { confirmLinkProof } from "../accounts/link-proof";

export function ssoLinkRoutes(deps: Deps): Router {
  const r = Router();
  const perIp = new RateLimiter(60, 60_000);
  r.post("/:token/confirm", asyncHandler(async (req, res) => {
    perIp.hit(`sso-link:${req.ip}`);
    res.json({ linked: await confirmLinkProof(deps, userCtx(req), String(req.params.token)) });
  }));
  return r;
}
