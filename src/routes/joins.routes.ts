/**
 * /api/joins/:token: the join link a pending membership emailed (src/members/join.service.ts).
 * GET describes it (org name, address); POST …/accept joins, signed in with that email or
 * creating the account in the body.
 */
import { Router } from "express";
import type { Deps } from "../context";
import { asyncHandler } from "../http/auth-middleware";
import { SharedRateLimiter } from "../http/rate-limit";
import { acceptLink } from "./link-accept";
import { acceptJoin, describeJoin } from "../members/join.service";

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
    await acceptLink(deps, req, res, acceptJoin);
  }));
  return r;
}
