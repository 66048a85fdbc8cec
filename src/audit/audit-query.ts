/**
 * Reading the audit log: newest first, keyset-paginated by (created_at, id), filterable by action,
 * actor, the person affected and a time range. The CSV export walks the same pages.
 */
import type { DataSource, SelectQueryBuilder } from "typeorm";
import { AuditEvent } from "../../entities";
import { ValidationError } from "../errors";
import { isUuid } from "../http/validate";

// Milliseconds (cursors written before) or microseconds, PostgreSQL's precision: a page boundary
// inside one transaction's events (they share one timestamp) must not skip the rest of them.
const ISO_INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(\d{3}|\d{6})Z$/;

export interface AuditFilter {
  action?: string;
  actor?: string;
  /** The person an event is about: a member, user or invitation id, or an email. */
  affected?: string;
  /** Inclusive start and exclusive end of the time range. */
  from?: Date;
  to?: Date;
}

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

function filtered(ds: DataSource, orgId: string, q: AuditFilter): SelectQueryBuilder<AuditEvent> {
  if (q.from && q.to && q.from >= q.to) throw new ValidationError([{ field: "query.to", message: "must be after the start date" }]);
  const qb = ds.getRepository(AuditEvent).createQueryBuilder("e").where("e.orgId = :orgId", { orgId });
  if (q.action) qb.andWhere(q.action.endsWith(".*") ? "e.action LIKE :action" : "e.action = :action",
    { action: q.action.endsWith(".*") ? `${q.action.slice(0, -1)}%` : q.action });
  if (q.actor) {
    qb.andWhere("(e.actor ->> 'id' = :actor OR lower(e.actor ->> 'email') = lower(:actor) OR e.actor ->> 'type' = :actor)", { actor: q.actor });
  }
  if (q.affected) {
    // By email, also the events that name the person's membership or account only by id.
    qb.andWhere(`(e.target ->> 'id' = :affected OR lower(e.target ->> 'email') = lower(:affected)
      OR e.metadata ->> 'membershipId' = :affected OR e.metadata ->> 'memberId' = :affected
      OR e.target ->> 'id' IN (SELECT m.id::text FROM memberships m JOIN users u ON u.id = m.user_id
                                WHERE m.org_id = :orgId AND lower(u.email) = lower(:affected)
                               UNION ALL SELECT u.id::text FROM users u WHERE lower(u.email) = lower(:affected)))`, { affected: q.affected });
  }
  if (q.from) qb.andWhere("e.createdAt >= :from", { from: q.from });
  if (q.to) qb.andWhere("e.createdAt < :to", { to: q.to });
  return qb;
}

export async function listAuditEvents(
  ds: DataSource, orgId: string, q: AuditFilter & { cursor?: string; limit: number },
): Promise<AuditPage> {
  const qb = filtered(ds, orgId, q);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    qb.andWhere("(e.createdAt, e.id) < (CAST(:t AS timestamptz), CAST(:id AS uuid))", { t: c.t, id: c.id });
  }
  const { entities: rows, raw } = await qb
    .addSelect(`to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, "cursor_t")
    .orderBy("e.createdAt", "DESC").addOrderBy("e.id", "DESC").limit(q.limit + 1).getRawAndEntities();
  const events = rows.slice(0, q.limit);
  const last = events[events.length - 1];
  const lastT = (raw[events.length - 1] as { cursor_t?: string } | undefined)?.cursor_t;
  return {
    events,
    nextCursor: rows.length > q.limit && last && lastT ? Buffer.from(`${lastT}|${last.id}`).toString("base64url") : null,
  };
}

/** Every matching event, newest first, a page at a time (memory stays bounded for any log size). */
export async function* allAuditEvents(ds: DataSource, orgId: string, q: AuditFilter, pageSize = 500): AsyncGenerator<AuditEvent[]> {
  let cursor: string | undefined;
  do {
    const page = await listAuditEvents(ds, orgId, { ...q, cursor, limit: pageSize });
    if (page.events.length) yield page.events;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
