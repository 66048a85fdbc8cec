/** GET /api/orgs/:orgId: the org and the caller's standing in it. */
import { Router } from "express";
import type { Deps } from "../context";
import { asyncHandler } from "../http/auth-middleware";
import { permissionsOf } from "../auth/permissions";
import { scimManaged } from "../scim-tokens/scim-token.service";

export function orgRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });
  r.get("/", asyncHandler(async (req, res) => {
    const { org, membership, subject } = req.member!;
    res.json({
      org: { id: org.id, name: org.name, plan: org.plan, settings: org.settings, createdAt: org.createdAt },
      membership: { id: membership.id, role: membership.role, permissions: permissionsOf(subject),
        chatbotPermissions: [...subject.grants].map(([chatbotId, access]) => ({ chatbotId, access })) },
      scimManaged: await scimManaged(deps.ds.manager, org.id, org.plan),
    });
  }));
  return r;
}
