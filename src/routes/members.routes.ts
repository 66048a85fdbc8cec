/**
 * /api/orgs/:orgId/members: list (members.read; paged with ?query=&sort=&cursor=&limit=), change
 * role and chatbot access (members.update), suspend / restore (members.update), transfer ownership
 * (an Owner), remove (members.remove, or yourself).
 */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, requirePermission, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { changeRoleManually, getMember, listMembers, removeMemberManually } from "../members/member.service";
import { setStatusManually, transferOwnership, updateMemberManually } from "../members/member.manage";
import { MEMBER_SORTS, searchMembers } from "../members/member.search";
import { ForbiddenError, ValidationError } from "../errors";
import { can } from "../auth/permissions";
import { chatbotPermissionsField, chatbotScopeField, pageQuery, pathId, roleField } from "./schemas";

export function memberRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });

  r.get("/", requirePermission("members.read"), asyncHandler(async (req, res) => {
    const { paged, request } = pageQuery(MEMBER_SORTS, req.query);
    if (!paged) {
      res.json({ members: await listMembers(deps, req.member!.org) });
      return;
    }
    const page = await searchMembers(deps.ds.manager, req.member!.org, request);
    res.json({ members: page.items, nextCursor: page.nextCursor, total: page.total });
  }));

  r.get("/:memberId", requirePermission("members.read"), asyncHandler(async (req, res) => {
    res.json({ member: await getMember(deps, req.member!.org, pathId(req.params.memberId, "Member")) });
  }));

  r.patch("/:memberId", requirePermission("members.update"), asyncHandler(async (req, res) => {
    const memberId = pathId(req.params.memberId, "Member");
    const body = parse(z.object({ role: roleField.optional(), chatbotScope: chatbotScopeField.optional(), chatbotPermissions: chatbotPermissionsField.optional() }), req.body);
    if (!body.role && body.chatbotScope === undefined && body.chatbotPermissions === undefined) {
      throw new ValidationError([{ field: "role", message: "Choose a role or chatbot access to change." }]);
    }
    const member = body.chatbotScope === undefined && body.chatbotPermissions === undefined
      ? await changeRoleManually(deps, userCtx(req), req.member!, req.member!.org.id, memberId, body.role!)
      : await updateMemberManually(deps, userCtx(req), req.member!, req.member!.org.id, memberId, body);
    res.json({ member });
  }));

  for (const [path, status] of [["suspend", "suspended"], ["restore", "active"]] as const) {
    r.post(`/:memberId/${path}`, requirePermission("members.update"), asyncHandler(async (req, res) => {
      res.json({ member: await setStatusManually(deps, userCtx(req), req.member!, req.member!.org.id, pathId(req.params.memberId, "Member"), status) });
    }));
  }

  r.post("/:memberId/transfer-ownership", requirePermission("members.update"), asyncHandler(async (req, res) => {
    res.json(await transferOwnership(deps, userCtx(req), req.member!, req.member!.org.id, pathId(req.params.memberId, "Member")));
  }));

  r.delete("/:memberId", asyncHandler(async (req, res) => {
    const memberId = pathId(req.params.memberId, "Member");
    const self = memberId === req.member!.membership.id;
    if (!self && !can(req.member!.subject, "members.remove")) {
      throw new ForbiddenError("permission.denied", "You need the members.remove permission for this.", { permission: "members.remove" });
    }
    await removeMemberManually(deps, userCtx(req), req.member!, req.member!.org.id, memberId);
    res.status(204).end();
  }));
  return r;
}
