/** Audit events are written by the caller's transaction, next to the change they describe. */
import type { EntityManager } from "typeorm";
import { AuditEvent, type PartySnapshot } from "../../entities";
import { actorSnapshot, type Ctx } from "../context";

export interface AuditEntry {
  orgId: string | null;
  action: string;
  target?: PartySnapshot | null;
  metadata?: Record<string, unknown>;
}

export async function recordAudit(tx: EntityManager, ctx: Ctx, entry: AuditEntry): Promise<void> {
  await tx.getRepository(AuditEvent).insert({
    orgId: entry.orgId,
    action: entry.action,
    actor: actorSnapshot(ctx.actor),
    target: entry.target ?? null,
    metadata: (entry.metadata ?? {}) as never,
    ip: ctx.ip ?? null,
    requestId: ctx.requestId ?? null,
  });
}
