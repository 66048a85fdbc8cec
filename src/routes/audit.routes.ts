/** GET /api/orgs/:orgId/audit-events?action=&actor=&cursor=&limit= (audit.read). */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, requirePermission } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { listAuditEvents } from "../audit/audit-query";

export function auditRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });
  r.get("/", requirePermission("audit.read"), asyncHandler(async (req, res) => {
    const q = parse(z.object({
      action: z.string().max(80).optional(), actor: z.string().max(320).optional(), cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }), req.query, "query");
    const page = await listAuditEvents(deps.ds, req.member!.org.id, q);
    res.json({
      events: page.events.map((e) => ({ id: e.id, action: e.action, actor: e.actor, target: e.target, metadata: e.metadata, ip: e.ip, createdAt: e.createdAt })),
      nextCursor: page.nextCursor,
    });
  }));
  return r;
}
