/**
 * /api/orgs/:orgId/directories. Reading needs sso.manage (Owners and Admins); creating, changing,
 * deleting and approving a held sync (which removes people) are for Owners only. "Sync now" runs
 * the sync synchronously and answers its result; a sync already running answers 409. Bodies are
 * the CLI's JSON shapes: a directory or a sync object at the top level, lists under a key.
 */
import { Router, type Express, type Request, type RequestHandler } from "express";
import type { Deps } from "../src/context";
import { asyncHandler, requirePermission, userCtx } from "../src/http/auth-middleware";
import { ForbiddenError } from "../src/errors";
import { createDirectory, deleteDirectory, getDirectory, listDirectories, listSyncs, updateDirectory } from "./directory.service";
import { confirmHeld, discardHeld, runSync } from "./sync.service";
import { newInstanceId } from "./lease";
import { finishConsent, startConsent } from "./oauth";
import { verifyDomainsFromGoogle } from "./domains";

const ownerOnly: RequestHandler = (req, _res, next) => {
  next(req.member?.membership.role === "owner" ? undefined
    : new ForbiddenError("directory.owner_required", "Only an Owner can connect, change or delete a directory, or apply a held sync."));
};

export function directoryRoutes(deps: Deps, instance = newInstanceId()): Router {
  const r = Router({ mergeParams: true });
  const read = requirePermission("sso.manage");
  const orgId = (req: Request) => req.member!.org.id;
  const id = (req: Request) => String(req.params.id);

  r.post("/directories/google/connect", read, ownerOnly, asyncHandler(async (req, res) => {
    res.json(await startConsent(deps, orgId(req), req.auth!.user.id, req.body));
  }));
  r.get("/directories", read, asyncHandler(async (req, res) => {
    res.json({ directories: await listDirectories(deps, orgId(req)) });
  }));
  r.post("/directories", read, ownerOnly, asyncHandler(async (req, res) => {
    res.status(201).json(await createDirectory(deps, userCtx(req), orgId(req), req.body));
  }));
  r.get("/directories/:id", read, asyncHandler(async (req, res) => {
    res.json(await getDirectory(deps, id(req), orgId(req)));
  }));
  r.patch("/directories/:id", read, ownerOnly, asyncHandler(async (req, res) => {
    res.json(await updateDirectory(deps, userCtx(req), orgId(req), id(req), req.body));
  }));
  r.delete("/directories/:id", read, ownerOnly, asyncHandler(async (req, res) => {
    await deleteDirectory(deps, userCtx(req), id(req), orgId(req));
    res.status(204).end();
  }));
  r.post("/directories/:id/sync", read, asyncHandler(async (req, res) => {
    res.json(await runSync(deps, userCtx(req), id(req), { trigger: "manual", instance }, orgId(req)));
  }));
  r.post("/directories/:id/confirm", read, ownerOnly, asyncHandler(async (req, res) => {
    res.json(await confirmHeld(deps, userCtx(req), id(req), instance, orgId(req)));
  }));
  r.post("/directories/:id/discard", read, ownerOnly, asyncHandler(async (req, res) => {
    res.json(await discardHeld(deps, userCtx(req), id(req), orgId(req)));
  }));
  r.post("/directories/:id/verify-domains", read, ownerOnly, asyncHandler(async (req, res) => {
    res.json(await verifyDomainsFromGoogle(deps, userCtx(req), orgId(req), id(req)));
  }));
  r.get("/directories/:id/syncs", read, asyncHandler(async (req, res) => {
    res.json({ syncs: await listSyncs(deps, orgId(req), id(req)) });
  }));
  return r;
}

/**
 * The OAuth redirect target (browser, outside /api): the signed-in Owner who started the consent
 * lands here; success and failure both go back to Settings with a short status in the query.
 */
export function mountDirectoryCallback(app: Express, deps: Deps): void {
  app.get("/directories/google/callback", asyncHandler(async (req, res) => {
    res.set("Cache-Control", "no-store");
    if (!req.auth) return res.redirect(303, "/login");
    try {
      const d = await finishConsent(deps, userCtx(req), req.auth.user.id, req.query as Record<string, unknown>);
      res.redirect(303, `/orgs/${d.orgId}/settings/sso?directory=connected`);
    } catch (err) {
      req.log?.info({ err }, "google workspace consent refused");
      const code = err instanceof Error && "code" in err ? String((err as { code: unknown }).code) : "directory.oauth_failed";
      res.redirect(303, `/app?directoryError=${encodeURIComponent(code)}`);
    }
  }));
}
