/** Reading the audit log: newest first, keyset-paginated by (created_at, id), filterable by action and actor. */
import type { DataSource } from "typeorm";
import { AuditEvent } from "../../entities";
import { ValidationError } from "../errors";
import { isUuid } from "../http/validate";

const ISO_INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

function decodeCursor(cursor: string): { t: string; id: string } {
  try {
    const [t, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
    // Only what listAuditEvents itself writes: an ISO instant and a uuid (anything else would be a database error).
    if (extra !== undefined || !ISO_INSTANT.test(t ?? "") || Number.isNaN(Date.parse(t)) || !isUuid(id)) throw new Error();
    return { t, id };
  } catch {
    throw new ValidationError([{ field: "query.cursor", message: "is not a cursor returned by this endpoint" }]);
  }
}

export async function listAuditEvents(
  ds: DataSource, orgId: string, q: { action?: string; actor?: string; cursor?: string; limit: number },
): Promise<AuditPage> {
  const qb = ds.getRepository(AuditEvent).createQueryBuilder("e").where("e.orgId = :orgId", { orgId });
  if (q.action) qb.andWhere(q.action.endsWith(".*") ? "e.action LIKE :action" : "e.action = :action",
    { action: q.action.endsWith(".*") ? `${q.action.slice(0, -1)}%` : q.action });
  if (q.actor) {
    qb.andWhere("(e.actor ->> 'id' = :actor OR lower(e.actor ->> 'email') = lower(:actor) OR e.actor ->> 'type' = :actor)", { actor: q.actor });
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    qb.andWhere("(e.createdAt, e.id) < (:t, :id)", { t: c.t, id: c.id });
  }
  const rows = await qb.orderBy("e.createdAt", "DESC").addOrderBy("e.id", "DESC").take(q.limit + 1).getMany();
  const events = rows.slice(0, q.limit);
  const last = events[events.length - 1];
  return {
    events,
    nextCursor: rows.length > q.limit && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString("base64url") : null,
  };
}
