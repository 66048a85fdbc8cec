/**
 * Settings API for SSO under /api/orgs/:orgId (sso.manage), and the public discovery endpoint.
 * Whatever can make a session for someone else is Owner-only (src/orgs/owner-only.ts): adding or
 * changing a connection (its IdP, certificates, JIT), verifying a domain, turning on "require
 * SSO". Admins keep reading, deleting connections and domains, and turning "require SSO" off.
 */
import { Router, type Request } from "express";
import { z } from "zod";
import type { Deps } from "../src/context";
import { asyncHandler, requirePermission, userCtx } from "../src/http/auth-middleware";
import { parse } from "../src/http/validate";
import { emailSchema } from "../src/accounts/email-address";
import { SharedRateLimiter } from "../src/http/rate-limit";
import { requireEnterprise } from "../src/orgs/org.service";
import { createConnection, deleteConnection, getConnection, listConnections, updateConnection } from "./connections.service";
import { addDomain, deleteDomain, listDomains, verifyDomain } from "./domains.service";
import { setRequireSso } from "./settings.service";
import { discover } from "./discovery";
import { memberRole, requireOwner } from "../src/orgs/owner-only";
import { recordConnectionCreator, withCreators } from "./connection-creators";

export function ssoAdminRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });
  const manage = requirePermission("sso.manage");
  // The org requireOrgMember resolved (and checked membership of), not the raw path segment.
  const orgId = (req: Request) => req.member!.org.id;

  r.get("/sso-connections", manage, asyncHandler(async (req, res) => {
    res.json({ connections: await withCreators(deps, await listConnections(deps, orgId(req))) });
  }));
  r.post("/sso-connections", manage, asyncHandler(async (req, res) => {
    requireOwner(req, "sso_connection.create");
    const created = await createConnection(deps, userCtx(req), orgId(req), req.body);
    await recordConnectionCreator(deps, created.id, userCtx(req), memberRole(req));
    res.status(201).json({ connection: (await withCreators(deps, [created]))[0] });
  }));
  r.get("/sso-connections/:id", manage, asyncHandler(async (req, res) => {
    res.json({ connection: (await withCreators(deps, [await getConnection(deps, orgId(req), String(req.params.id))]))[0] });
  }));
  r.patch("/sso-connections/:id", manage, asyncHandler(async (req, res) => {
    requireOwner(req, "sso_connection.update");
    const updated = await updateConnection(deps, userCtx(req), orgId(req), String(req.params.id), req.body);
    res.json({ connection: (await withCreators(deps, [updated]))[0] });
  }));
  r.delete("/sso-connections/:id", manage, asyncHandler(async (req, res) => {
    await deleteConnection(deps, userCtx(req), orgId(req), String(req.params.id));
    res.status(204).end();
  }));

  r.get("/domains", manage, asyncHandler(async (req, res) => {
    res.json({ domains: await listDomains(deps, orgId(req)) });
  }));
  r.post("/domains", manage, asyncHandler(async (req, res) => {
    const { domain } = parse(z.object({ domain: z.string().min(1).max(253) }).strict(), req.body);
    res.status(201).json({ domain: await addDomain(deps, userCtx(req), orgId(req), domain) });
  }));
  r.post("/domains/:id/verify", manage, asyncHandler(async (req, res) => {
    requireOwner(req, "org_domain.verify");
    res.json({ domain: await verifyDomain(deps, userCtx(req), orgId(req), String(req.params.id)) });
  }));
  r.delete("/domains/:id", manage, asyncHandler(async (req, res) => {
    await deleteDomain(deps, userCtx(req), orgId(req), String(req.params.id));
    res.status(204).end();
  }));

  r.get("/sso-settings", manage, asyncHandler(async (req, res) => {
    const org = req.member!.org;
    requireEnterprise(org, "Single sign-on");
    res.json({ requireSso: org.settings?.requireSso === true });
  }));
  r.patch("/sso-settings", manage, asyncHandler(async (req, res) => {
    const { requireSso } = parse(z.object({ requireSso: z.boolean() }).strict(), req.body);
    if (requireSso) requireOwner(req, "sso.require");
    res.json(await setRequireSso(deps, userCtx(req), orgId(req), requireSso));
  }));
  return r;
}

/** Mounted at /api/sso (no sign-in): POST /discover. */
export function ssoPublicApiRoutes(deps: Deps): Router {
  const r = Router();
  const perIp = new SharedRateLimiter(deps.ds, "sso-discovery-ip", deps.config.rateLimits.ssoDiscoveryPerIp, () => deps.clock.now());
  r.post("/discover", asyncHandler(async (req, res) => {
    await perIp.hit(String(req.ip));
    const { email } = parse(z.object({ email: z.string().trim().max(320).pipe(emailSchema) }), req.body);
    res.json(await discover(deps, email));
  }));
  return r;
}
