/**
 * Mounts the SCIM 2.0 service provider at /scim/v2. Order: Content-Type, the Express 5
 * `req.query` fix, bearer auth (401/403/429 in the SCIM error schema), our /Users and /Groups
 * adapters, scimmy-routers for discovery (/ServiceProviderConfig, /ResourceTypes, /Schemas) and
 * its 404, then one SCIM error renderer for everything, body-parser errors included.
 */
import { Router, type Express, type RequestHandler } from "express";
import { SCIMMYRouters } from "scimmy-routers";
import type { Deps } from "../src/context";
import { scimAuth } from "./auth";
import { scimErrorHandler } from "./errors";
import { advertiseServiceProvider, declareResources } from "./scimmy";
import { usersRoutes } from "./users.routes";
import { groupsRoutes } from "./groups.routes";

const scimContentType: RequestHandler = (_req, res, next) => {
  res.setHeader("Content-Type", "application/scim+json");
  next();
};

/**
 * Express 5's req.query is a getter that re-parses on each access, so scimmy-routers' in-place
 * casting of startIndex/count is lost; pin a plain, writable copy (toolchain.md §6.1).
 */
const pinQuery: RequestHandler = (req, _res, next) => {
  Object.defineProperty(req, "query", { value: { ...req.query }, writable: true, configurable: true, enumerable: true });
  next();
};

export function mountScim(app: Express, deps: Deps): void {
  declareResources();
  const base = `${deps.config.baseUrl}/scim/v2`;
  const discovery = new SCIMMYRouters({
    type: "bearer",
    docUri: `${deps.config.baseUrl}/docs/scim`,
    handler: (req) => req.scim?.tokenId ?? "",
    context: (req) => req.scim,
    baseUri: () => deps.config.baseUrl,
  });
  advertiseServiceProvider(`${base}`);
  const r = Router();
  r.use(scimContentType, pinQuery, scimAuth(deps));
  r.use("/Users", usersRoutes(deps));
  r.use("/Groups", groupsRoutes(deps));
  r.use(discovery);
  app.use("/scim/v2", r, scimErrorHandler);
}
