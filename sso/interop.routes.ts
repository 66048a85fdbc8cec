/**
 * Settings API for setting up SSO against a real IdP, under /api/orgs/:orgId (sso.manage):
 * provider guides, the SP request-signing keys and their rotation, IdP metadata refresh, and
 * Test connection. Kept apart from admin.routes.ts (connections CRUD, domains, require-SSO).
 */
import { Router, type Request } from "express";
import type { Deps } from "../src/context";
import { asyncHandler, requirePermission, userCtx } from "../src/http/auth-middleware";
import { requireEnterprise } from "../src/orgs/org.service";
import { ConflictError, NotFoundError } from "../src/errors";
import { refreshMetadata } from "./metadata-refresh";
import { requireSsoReadiness } from "./require-sso";
import { PROVIDER_GUIDES } from "./provider-guides";
import { activateNextKey, listSpKeys, publishNextKey } from "./sp-keys";
import { getConnection } from "./connections.service";
import { requireOwner } from "../src/orgs/owner-only";

export function ssoInteropRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });
  const manage = requirePermission("sso.manage");
  const orgId = (req: Request) => req.member!.org.id;
  const enterprise = (req: Request) => requireEnterprise(req.member!.org, "Single sign-on");
  const samlConnection = async (req: Request) => {
    const c = await getConnection(deps, orgId(req), String(req.params.id));
    if (c.kind !== "saml") throw new NotFoundError("SAML connection", "sso_connection.not_found");
    return c;
  };

  r.get("/sso-guides", manage, asyncHandler(async (req, res) => {
    enterprise(req);
    res.json({ guides: PROVIDER_GUIDES });
  }));

  r.get("/sso-settings/require-preview", manage, asyncHandler(async (req, res) => {
    enterprise(req);
    res.json(await requireSsoReadiness(deps.ds.manager, orgId(req)));
  }));

  r.get("/sso-connections/:id/sp-keys", manage, asyncHandler(async (req, res) => {
    const c = await samlConnection(req);
    res.json({ keys: await listSpKeys(deps, c.id) });
  }));
  r.post("/sso-connections/:id/sp-keys/next", manage, asyncHandler(async (req, res) => {
    requireOwner(req, "sso_connection.update");
    const c = await samlConnection(req);
    res.status(201).json({ keys: await publishNextKey(deps, userCtx(req), orgId(req), c.id) });
  }));
  r.post("/sso-connections/:id/sp-keys/activate", manage, asyncHandler(async (req, res) => {
    requireOwner(req, "sso_connection.update");
    const c = await samlConnection(req);
    res.json({ keys: await activateNextKey(deps, userCtx(req), orgId(req), c.id) });
  }));
  r.post("/sso-connections/:id/metadata/refresh", manage, asyncHandler(async (req, res) => {
    const c = await samlConnection(req);
    if (!c.saml!.idpMetadataUrl) throw new ConflictError("sso.no_metadata_url", "This connection has no metadata URL to refresh from.");
    const result = await refreshMetadata(deps, c.id, "manual");
    res.json({ refreshed: result.refreshed, error: result.error ?? null, connection: await getConnection(deps, orgId(req), c.id) });
  }));
  return r;
}
