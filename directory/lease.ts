/**
 * One sync per directory across every Roster instance on the same database: a lease row
 * (lease_owner, lease_expires_at) taken by a conditional UPDATE, renewed while the sync runs, and
 * checked again under a row lock in the apply transaction. A crashed instance's lease expires and
 * the next claimer retries; its unfinished sync (never committed, so nothing applied) is closed
 * as failed. A sync's changes and its "applied" record commit together, so none applies twice.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { DataSource, EntityManager } from "typeorm";

export const LEASE_MS = 10 * 60_000;

export const newInstanceId = (): string => `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString("hex")}`;

export async function claimLease(ds: DataSource, directoryId: string, owner: string, now: Date): Promise<boolean> {
  const rows = await ds.query(`UPDATE directories SET lease_owner = $2, lease_expires_at = $3
    WHERE id = $1 AND (lease_expires_at IS NULL OR lease_expires_at < $4) RETURNING id`,
  [directoryId, owner, new Date(now.getTime() + LEASE_MS), now]);
  return (Array.isArray(rows[0]) ? rows[0] : rows).length > 0;
}

export async function renewLease(ds: DataSource, directoryId: string, owner: string, now: Date): Promise<void> {
  await ds.query(`UPDATE directories SET lease_expires_at = $3 WHERE id = $1 AND lease_owner = $2`, [directoryId, owner, new Date(now.getTime() + LEASE_MS)]);
}

export async function releaseLease(ds: DataSource, directoryId: string, owner: string, nextSyncAt: Date): Promise<void> {
  await ds.query(`UPDATE directories SET lease_owner = NULL, lease_expires_at = NULL, next_sync_at = $3 WHERE id = $1 AND lease_owner = $2`,
    [directoryId, owner, nextSyncAt]);
}

/** In the apply transaction: true while this instance still holds the lease (row locked until commit). */
export async function stillHolds(tx: EntityManager, directoryId: string, owner: string): Promise<boolean> {
  const rows = await tx.query(`SELECT id FROM directories WHERE id = $1 AND lease_owner = $2 FOR UPDATE`, [directoryId, owner]);
  return rows.length > 0;
}
