/** /scim/v2/Groups: thin adapters to groups.service; members are read only when the response shows them. */
import { Router, type Request } from "express";
import type { Deps } from "../src/context";
import { SCIMMY, CORE_GROUP } from "./scimmy";
import { ScimError, badValue } from "./errors";
import { parseFilter } from "./filter";
import { listResponse, orderBy, paging, project, projection, wants } from "./list";
import { isObject, prepareBody } from "./normalize";
import { route, scimBase, wantsBody } from "./users.routes";
import { GROUP_ORDER_DEFAULT, GROUP_SORT, createGroup, deleteGroup, getGroup, listGroups, membersOf, replaceGroup, toScimGroup, type GroupInput, type GroupRow } from "./groups.service";
import { patchGroup } from "./group-patch";

function groupInput(body: unknown): GroupInput {
  if (!isObject(body)) throw new ScimError(400, "invalidSyntax", "Expected the body to be a single JSON object.");
  let g: Record<string, unknown>;
  try {
    g = JSON.parse(JSON.stringify(new SCIMMY.Schemas.Group(prepareBody(body, [CORE_GROUP]), "in")));
  } catch (err) {
    if (err instanceof SCIMMY.Types.Error) throw err;
    throw badValue((err as Error).message);
  }
  const displayName = typeof g.displayName === "string" ? g.displayName.trim() : "";
  if (!displayName) throw badValue("displayName is required.");
  if (displayName.length > 255) throw badValue("displayName is too long (at most 255 characters).");
  const externalId = typeof g.externalId === "string" && g.externalId ? g.externalId.slice(0, 255) : null;
  return { displayName, externalId, members: g.members };
}

export function groupsRoutes(deps: Deps): Router {
  const r = Router();
  const base = scimBase(deps);
  const one = async (req: Request, g: GroupRow) => {
    const proj = projection(req, CORE_GROUP);
    const members = wants(proj, "members") ? (await membersOf(deps.ds.manager, [g.id])).get(g.id) : undefined;
    return project(toScimGroup(g, members, base), proj);
  };

  r.get("/", route(async (req, res) => {
    const proj = projection(req, CORE_GROUP);
    const page = paging(req);
    const { rows, total } = await listGroups(deps, req.scim!, parseFilter(req.query.filter), page, orderBy(req, GROUP_SORT, GROUP_ORDER_DEFAULT));
    const members = wants(proj, "members") ? await membersOf(deps.ds.manager, rows.map((g) => g.id)) : undefined;
    res.json(listResponse(rows.map((g) => project(toScimGroup(g, members?.get(g.id), base), proj)), total, page.startIndex));
  }));

  r.get("/:id", route(async (req, res) => {
    res.json(await one(req, await getGroup(deps, req.scim!, String(req.params.id))));
  }));

  r.post("/", route(async (req, res) => {
    const g = await createGroup(deps, req.scim!, groupInput(req.body));
    res.status(201).location(`${base}/Groups/${g.id}`).json(await one(req, g));
  }));

  r.put("/:id", route(async (req, res) => {
    res.json(await one(req, await replaceGroup(deps, req.scim!, String(req.params.id), groupInput(req.body))));
  }));

  // Entra: group PATCH "should yield an HTTP 204"; returning all members "isn't advisable".
  r.patch("/:id", route(async (req, res) => {
    const g = await patchGroup(deps, req.scim!, String(req.params.id), req.body);
    if (wantsBody(req)) res.json(await one(req, g));
    else res.status(204).end();
  }));

  r.delete("/:id", route(async (req, res) => {
    await deleteGroup(deps, req.scim!, String(req.params.id));
    res.status(204).end();
  }));
  return r;
}
