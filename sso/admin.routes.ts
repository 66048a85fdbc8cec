/** Settings API for SSO under /api/orgs/:orgId (sso.manage), and the public discovery endpoint. */
import { Router } from "express";
import type { Deps } from "../src/context";

export function ssoAdminRoutes(_deps: Deps): Router {
  const r = Router({ mergeParams: true });
  return r;
}

/** Mounted at /api/sso (no sign-in): POST /discover. */
export function ssoPublicApiRoutes(_deps: Deps): Router {
  const r = Router();
  return r;
}
