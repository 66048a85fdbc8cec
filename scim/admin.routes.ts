/**
 * Settings API for SCIM under /api/orgs/:orgId (behind requireAuth + requireOrgMember): tokens and
 * group-to-role mappings, permission scim.manage. Only an Owner may create a token (whoever holds
 * one speaks for the org's members) or create, change or remove a mapping that grants Owner (an
 * Admin cannot hand out more than they have, MEM-03). Admins keep reading both.
 */
import { Router, type Request } from "express";
import { z } from "zod";
import type { Deps } from "../src/context";
import { asyncHandler, requirePermission, userCtx } from "../src/http/auth-middleware";
import { parse } from "../src/http/validate";
import { createScimToken, listScimTokens, revokeScimToken } from "../src/scim-tokens/scim-token.service";
import { OwnerRequiredError } from "../src/members/member.errors";
import { memberRole, requireOwner } from "../src/orgs/owner-only";
import { chatbotPermissionsField, pathId, roleField } from "../src/routes/schemas";
import { deleteMapping, findMapping, listMappings, saveMapping } from "./mappings.service";

// `confirm`: the person acknowledged that the first token turns SCIM on (required while SCIM is off).
const tokenBody = z.object({ name: z.string().trim().min(1).max(100).optional(), confirm: z.boolean().optional() });
const mappingBody = z.object({
  groupName: z.string().trim().min(1, "must not be empty").max(255),
  role: roleField,
  chatbotPermissions: chatbotPermissionsField.optional(),
});

function ownerOnly(req: Request, ...roles: string[]): void {
  if (roles.includes("owner") && req.member!.membership.role !== "owner") throw new OwnerRequiredError();
}

export function scimAdminRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });
  const orgId = (req: Request) => req.member!.org.id;

  r.get("/scim-tokens", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    res.json({ tokens: await listScimTokens(deps, orgId(req)), scimBaseUrl: `${deps.config.baseUrl}/scim/v2` });
  }));

  r.post("/scim-tokens", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    requireOwner(req, "scim_token.create");
    const { name, confirm } = parse(tokenBody, req.body);
    const { token, view } = await createScimToken(deps, userCtx(req), orgId(req), name ?? "SCIM token", memberRole(req), { confirmed: confirm === true });
    res.status(201).json({ token, scimToken: view, scimBaseUrl: `${deps.config.baseUrl}/scim/v2` });
  }));

  r.delete("/scim-tokens/:id", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    const id = pathId(req.params.id, "SCIM token");
    res.json({ scimToken: await revokeScimToken(deps, userCtx(req), id, orgId(req)) });
  }));

  r.get("/scim-group-mappings", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    res.json({ mappings: await listMappings(deps, orgId(req)) });
  }));

  r.post("/scim-group-mappings", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    const body = parse(mappingBody, req.body);
    ownerOnly(req, body.role);
    res.status(201).json({ mapping: await saveMapping(deps, userCtx(req), orgId(req), body) });
  }));

  r.put("/scim-group-mappings/:id", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    const id = pathId(req.params.id, "Group mapping");
    const body = parse(mappingBody, req.body);
    ownerOnly(req, body.role, (await findMapping(deps, orgId(req), id)).role);
    res.json({ mapping: await saveMapping(deps, userCtx(req), orgId(req), body, { id }) });
  }));

  r.delete("/scim-group-mappings/:id", requirePermission("scim.manage"), asyncHandler(async (req, res) => {
    const id = pathId(req.params.id, "Group mapping");
    ownerOnly(req, (await findMapping(deps, orgId(req), id)).role);
    await deleteMapping(deps, userCtx(req), orgId(req), id);
    res.status(204).end();
  }));
  return r;
}
