/** /api/orgs/:orgId/members: list (members.read), change role (members.update), remove (members.remove, or yourself). */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, requirePermission, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { changeRoleManually, getMember, listMembers, removeMemberManually } from "../members/member.service";
import { ForbiddenError } from "../errors";
import { can } from "../auth/permissions";
import { pathId, roleField } from "./schemas";

export function memberRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });

  r.get("/", requirePermission("members.read"), asyncHandler(async (req, res) => {
    res.json({ members: await listMembers(deps, req.member!.org) });
  }));

  r.get("/:memberId", requirePermission("members.read"), asyncHandler(async (req, res) => {
    res.json({ member: await getMember(deps, req.member!.org, pathId(req.params.memberId, "Member")) });
  }));

  r.patch("/:memberId", requirePermission("members.update"), asyncHandler(async (req, res) => {
    const memberId = pathId(req.params.memberId, "Member");
    const { role } = parse(z.object({ role: roleField }), req.body);
    res.json({ member: await changeRoleManually(deps, userCtx(req), req.member!, req.member!.org.id, memberId, role) });
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
