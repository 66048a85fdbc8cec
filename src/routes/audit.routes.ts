/**
 * GET /api/orgs/:orgId/audit-events?action=&actor=&affected=&from=&to=&cursor=&limit= (audit.read), and
 * GET …/audit-events/export.csv with the same filters: every matching event, streamed page by page.
 */
import { Router, type Response } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, requirePermission } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { allAuditEvents, listAuditEvents } from "../audit/audit-query";
import { AUDIT_CSV_HEADER, auditCsvRow } from "../audit/audit-csv";

/** Whether the calendar day exists (Date.parse turns 2026-02-30 into March 2 rather than refusing it). */
function realDay(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A day ("2026-11-30", midnight UTC) or an ISO 8601 instant with its offset. */
const instant = z.string().max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)) && realDay(s),
    "must be a date like 2026-11-30 or a date and time like 2026-11-30T09:00:00Z")
  .transform((s) => new Date(s));

const filterQuery = z.object({
  action: z.string().max(80).optional(), actor: z.string().max(320).optional(), affected: z.string().max(320).optional(),
  from: instant.optional(), to: instant.optional(),
});

const eventJson = (e: import("../../entities").AuditEvent) =>
  ({ id: e.id, action: e.action, actor: e.actor, target: e.target, metadata: e.metadata, ip: e.ip, createdAt: e.createdAt });

/** Writes and waits for the socket to drain when its buffer is full, so a huge export never piles up in memory. */
async function write(res: Response, chunk: string): Promise<void> {
  if (!res.write(chunk)) await new Promise<void>((ok) => { res.once("drain", ok); res.once("close", ok); });
}

export function auditRoutes(deps: Deps): Router {
  const r = Router({ mergeParams: true });
  r.get("/", requirePermission("audit.read"), asyncHandler(async (req, res) => {
    const q = parse(filterQuery.extend({
      cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50),
    }), req.query, "query");
    const page = await listAuditEvents(deps.ds, req.member!.org.id, q);
    res.json({ events: page.events.map(eventJson), nextCursor: page.nextCursor });
  }));

  r.get("/export.csv", requirePermission("audit.read"), asyncHandler(async (req, res) => {
    const q = parse(filterQuery, req.query, "query");
    const orgId = req.member!.org.id;
    const pages = allAuditEvents(deps.ds, orgId, q);
    // The first page is read before any byte is sent, so a bad filter or a database error is still a JSON error.
    const first = await pages.next();
    const day = deps.clock.now().toISOString().slice(0, 10);
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="audit-log-${day}.csv"`);
    res.setHeader("Cache-Control", "no-store");
    await write(res, AUDIT_CSV_HEADER);
    try {
      for (let step = first; !step.done && !res.destroyed; step = await pages.next()) {
        await write(res, step.value.map(auditCsvRow).join(""));
      }
    } catch (err) {
      // Headers are gone: cut the download short (the client sees an incomplete file) and log why.
      req.log?.error({ err }, "audit export failed");
      res.destroy();
      return;
    }
    res.end();
  }));
  return r;
}
