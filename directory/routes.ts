/**
 * /api/orgs/:orgId/directories. Reading needs sso.manage (Owners and Admins); creating, changing,
 * deleting and approving a held sync (which removes people) are for Owners only. "Sync now" runs
 * the sync synchronously and answers its result; a sync already running answers 409.
 */
import { Router, type Request, type RequestHandler } from "express";
import type { Deps } from "../src/context";
import { asyncHandler, requirePermission, userCtx } from "../src/http/auth-middleware";
import { ForbiddenError } from "../src/errors";
import { createDirectory, deleteDirectory, getDirectory, listDirectories, listSyncs, updateDirectory } from "./directory.service";
import { confirmHeld, discardHeld, runSync } from "./sync.service";
import { newInstanceId } from "./lease";

const ownerOnly: RequestHandler = (req, _res, next) => {
  next(req.member?.membership.role === "owner" ? undefined
    : new ForbiddenError("directory.owner_required", "Only an Owner can connect, change or delete a directory, or apply a held sync."));
};

export function directoryRoutes(deps: Deps, instance = newInstanceId()): Router {
  const r = Router({ mergeParams: true });
  const read = requirePermission("sso.manage");
  const orgId = (req: Request) => req.member!.org.id;
  const id = (req: Request) => String(req.params.id);

  r.get("/directories", read, asyncHandler(async (req, res) => {
    res.json({ directories: await listDirectories(deps, orgId(req)) });
  }));
  r.post("/directories", read, ownerOnly, asyncHandler(async (req, res) => {
    res.status(201).json({ directory: await createDirectory(deps, userCtx(req), orgId(req), req.body) });
  }));
  r.get("/directories/:id", read, asyncHandler(async (req, res) => {
    res.json({ directory: await getDirectory(deps, id(req), orgId(req)) });
  }));
  r.patch("/directories/:id", read, ownerOnly, asyncHandler(async (req, res) => {
    res.json({ directory: await updateDirectory(deps, userCtx(req), orgId(req), id(req), req.body) });
  }));
  r.delete("/directories/:id", read, ownerOnly, asyncHandler(async (req, res) => {
    await deleteDirectory(deps, userCtx(req), id(req), orgId(req));
    res.status(204).end();
  }));
  r.post("/directories/:id/sync", read, asyncHandler(async (req, res) => {
    res.json({ sync: await runSync(deps, userCtx(req), id(req), { trigger: "manual", instance }, orgId(req)) });
  }));
  r.post("/directories/:id/confirm", read, ownerOnly, asyncHandler(async (req, res) => {
    res.json({ sync: await confirmHeld(deps, userCtx(req), id(req), instance, orgId(req)) });
  }));
  r.post("/directories/:id/discard", read, ownerOnly, asyncHandler(async (req, res) => {
    res.json({ sync: await discardHeld(deps, userCtx(req), id(req), orgId(req)) });
  }));
  r.get("/directories/:id/syncs", read, asyncHandler(async (req, res) => {
    res.json({ syncs: await listSyncs(deps, orgId(req), id(req)) });
  }));
  return r;
}
