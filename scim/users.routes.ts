/** /scim/v2/Users: thin adapters from HTTP to users.service; every error goes to scimErrorHandler. */
import { Router, type Request, type RequestHandler, type Response } from "express";
import type { Deps } from "../src/context";
import { CORE_USER } from "./scimmy";
import { ScimError } from "./errors";
import { confirmFirst } from "./auth";
import { parseFilter } from "./filter";
import { listResponse, orderBy, paging, project, projection } from "./list";
import { coerceUser, fromScim, toScimUser } from "./user-mapping";
import { applyUserPatch } from "./user-patch";
import { CreateBatcher } from "./create-batch";
import { USER_ORDER_DEFAULT, USER_SORT, createUser, deleteUser, getUser, listUsers, lookupPage, replaceUser } from "./users.service";

/** A request whose token was not read (scim/auth.ts `unconfirmed`) reports the token's refusal before its own error. */
export const route = (fn: (req: Request, res: Response) => Promise<void>): RequestHandler => (req, res, next) => {
  fn(req, res).catch((err) => confirmFirst(req).then(() => next(err), next));
};

export const scimBase = (deps: Deps) => `${deps.config.baseUrl}/scim/v2`;

/** PATCH answers 204 unless the client asked for attributes, then 200 with the (projected) resource. */
export const wantsBody = (req: Request) => req.query.attributes !== undefined || req.query.excludedAttributes !== undefined;

export function usersRoutes(deps: Deps): Router {
  const r = Router();
  const base = scimBase(deps);
  const creates = new CreateBatcher();
  const out = (req: Request, row: Parameters<typeof toScimUser>[0]) => project(toScimUser(row, base), projection(req, CORE_USER));

  r.get("/", route(async (req, res) => {
    const proj = projection(req, CORE_USER);
    const page = paging(req);
    const found = req.scim!.lookup;
    const { rows, total } = found ? lookupPage(found.row, page)
      : await listUsers(deps, req.scim!, parseFilter(req.query.filter), page, orderBy(req, USER_SORT, USER_ORDER_DEFAULT));
    res.json(listResponse(rows.map((m) => project(toScimUser(m, base), proj)), total, page.startIndex));
  }));

  r.get("/:id", route(async (req, res) => {
    res.json(out(req, await getUser(deps, req.scim!, String(req.params.id))));
  }));

  r.post("/", route(async (req, res) => {
    const row = await createUser(deps, req.scim!, fromScim(coerceUser(req.body)), creates);
    res.status(201).location(`${base}/Users/${row.id}`).json(out(req, row));
  }));

  r.put("/:id", route(async (req, res) => {
    res.json(out(req, await replaceUser(deps, req.scim!, String(req.params.id), fromScim(coerceUser(req.body)))));
  }));

  r.patch("/:id", route(async (req, res) => {
    const row = await replaceUser(deps, req.scim!, String(req.params.id), (current) => fromScim(coerceUser(applyUserPatch(toScimUser(current, base), req.body))));
    if (wantsBody(req)) res.json(out(req, row));
    else res.status(204).end();
  }));

  r.delete("/:id", route(async (req, res) => {
    await deleteUser(deps, req.scim!, String(req.params.id));
    res.status(204).end();
  }));

  r.all("/", (_req, _res, next) => next(new ScimError(405, undefined, "Method not allowed.")));
  return r;
}
