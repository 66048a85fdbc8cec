/** Audit events are written by the caller's transaction, next to the change they describe. */
import type { EntityManager } from "typeorm";
import type { PartySnapshot } from "../../entities";
import { actorSnapshot, type Ctx } from "../context";

export interface AuditEntry {
  orgId: string | null;
  action: string;
  target?: PartySnapshot | null;
  metadata?: Record<string, unknown>;
}

/** The columns an audit insert fills, in the order of auditParams (created_at and id are defaults). */
export const AUDIT_COLUMNS = "org_id, action, actor, target, metadata, ip, request_id";

/** The seven values of AUDIT_COLUMNS for one event (jsonb values as JSON text). */
export function auditParams(ctx: Ctx, entry: AuditEntry): unknown[] {
  return [
    entry.orgId, entry.action, JSON.stringify(actorSnapshot(ctx.actor)), entry.target ? JSON.stringify(entry.target) : null,
    JSON.stringify(entry.metadata ?? {}), ctx.ip ?? null, ctx.requestId ?? null,
  ];
}

/** One parameterised INSERT (no entity round trip through the ORM: this runs on every change). */
export async function recordAudit(tx: EntityManager, ctx: Ctx, entry: AuditEntry): Promise<void> {
  await tx.query(`INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7)`, auditParams(ctx, entry));
}
