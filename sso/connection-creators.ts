/**
 * Who made each SSO connection, and their role then. Connections made by a non-Owner (before
 * adding one became Owner-only) keep working but are listed with `needsOwnerReview`, so an
 * Owner can check the IdP they trust. The CLI records `operator`.
 */
import type { CreatorRole, Role } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { creatorRoleOf, needsOwnerReview } from "../src/orgs/owner-only";

export interface CreatorInfo {
  createdBy: { userId: string | null; role: CreatorRole | null };
  needsOwnerReview: boolean;
}

export async function recordConnectionCreator(deps: Deps, id: string, ctx: Ctx, role: Role | null): Promise<void> {
  await deps.ds.query(`UPDATE sso_connections SET created_by_user_id = $2, created_by_role = $3 WHERE id = $1`,
    [id, ctx.actor.type === "user" ? (ctx.actor.id ?? null) : null, creatorRoleOf(ctx.actor.type, role)]);
}

export async function withCreators<T extends { id: string }>(deps: Deps, views: T[]): Promise<Array<T & CreatorInfo>> {
  if (views.length === 0) return [];
  const rows: Array<{ id: string; user_id: string | null; role: CreatorRole | null }> = await deps.ds.query(
    `SELECT id, created_by_user_id AS user_id, created_by_role AS role FROM sso_connections WHERE id = ANY($1::uuid[])`, [views.map((v) => v.id)]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return views.map((v) => {
    const r = byId.get(v.id);
    return { ...v, createdBy: { userId: r?.user_id ?? null, role: r?.role ?? null }, needsOwnerReview: needsOwnerReview(r?.role ?? null) };
  });
}
