/**
 * GET /api/orgs/:orgId: the org and the caller's standing in it.
 * GET|PATCH /api/orgs/:orgId/provisioning-settings: "IdP-managed Owners" (read: scim.manage;
 * change: Owners only).
 */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, requirePermission, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { permissionsOf } from "../auth/permissions";
import { scimManaged } from "../scim-tokens/scim-token.service";
import { requireOwner } from "../orgs/owner-only";
import { requireEnterprise } from "../orgs/org.service";
import { provisioningSettings, setIdpManagedOwners } from "../orgs/provisioning-settings.service";

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

  r.get("/provisioning-settings", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    requireEnterprise(req.member!.org, "SCIM provisioning");
    res.json(provisioningSettings(req.member!.org));
  }));
  r.patch("/provisioning-settings", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    requireOwner(req, "org.idp_managed_owners");
    const { idpManagedOwners } = parse(z.object({ idpManagedOwners: z.boolean() }).strict(), req.body);
    res.json(await setIdpManagedOwners(deps, userCtx(req), req.member!.org.id, idpManagedOwners));
  }));
  return r;
}
