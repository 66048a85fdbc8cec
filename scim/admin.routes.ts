/** Settings API for SCIM under /api/orgs/:orgId: tokens (scim.manage) and group-to-role mappings. */
import { Router } from "express";
import type { Deps } from "../src/context";

export function scimAdminRoutes(_deps: Deps): Router {
  const r = Router({ mergeParams: true });
  return r;
}
