/**
 * SCIM bearer tokens: several per org (rotation without downtime), shown once, stored as sha256,
 * looked up by hash on a unique index, revocable, `last_used_at` kept.
 */
import { IsNull, type EntityManager } from "typeorm";
import { Directory, ScimToken, type CreatorRole, type Role } from "../../entities";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { newSecret } from "../auth/tokens";
import { ConflictError, NotFoundError } from "../errors";
import { getOrg, requireEnterprise } from "../orgs/org.service";
import { creatorRoleOf, needsOwnerReview } from "../orgs/owner-only";

export const SCIM_TOKEN_PREFIX = "rst_";

export interface ScimTokenView {
  id: string; orgId: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null;
  createdBy: { userId: string | null; role: CreatorRole | null };
  /** Made by a non-Owner (before tokens became Owner-only): an Owner should review or revoke it. */
  needsOwnerReview: boolean;
}

export function viewToken(t: ScimToken): ScimTokenView {
  return { id: t.id, orgId: t.orgId, name: t.name, prefix: t.prefix, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt,
    createdBy: { userId: t.createdByUserId, role: t.createdByRole }, needsOwnerReview: needsOwnerReview(t.createdByRole) };
}

/** What turning SCIM on changes, said before the first token is made (the UI shows it in its confirmation). */
export const SCIM_TURN_ON_MESSAGE = "Turning on SCIM hands invitations and manual role changes to your identity provider: "
  + "people are then added, re-roled, suspended and removed there, and the Members page stops offering those actions. Confirm to turn it on.";

/**
 * `creatorRole`: the signed-in creator's role in the org (the API allows only Owners); the CLI is the operator.
 * `confirmed`: whether the person acknowledged that a first token turns SCIM on (the API passes it,
 * and is refused without it while SCIM is off; undefined for the CLI, whose command is explicit).
 */
export async function createScimToken(deps: Deps, ctx: Ctx, orgId: string, name: string, creatorRole: Role | null = null,
  opts: { confirmed?: boolean } = {}): Promise<{ token: string; view: ScimTokenView }> {
  return deps.ds.transaction(async (tx) => {
    const org = await getOrg(tx, orgId);
    requireEnterprise(org, "SCIM provisioning");
    if (opts.confirmed === false && !(await scimManaged(tx, orgId, org.plan))) {
      throw new ConflictError("scim.confirmation_required", SCIM_TURN_ON_MESSAGE);
    }
    const { token, hash } = newSecret(SCIM_TOKEN_PREFIX);
    const repo = tx.getRepository(ScimToken);
    const row = await repo.save(repo.create({
      orgId, name, tokenHash: hash, prefix: token.slice(0, 10),
      createdByUserId: ctx.actor.type === "user" ? (ctx.actor.id ?? null) : null,
      createdByRole: creatorRoleOf(ctx.actor.type, creatorRole),
    }));
    await recordAudit(tx, ctx, { orgId, action: "scim_token.created", target: { type: "scim_token", id: row.id, name },
      metadata: { createdByRole: row.createdByRole } });
    return { token, view: viewToken(row) };
  });
}

export async function listScimTokens(deps: Deps, orgId: string): Promise<ScimTokenView[]> {
  await getOrg(deps.ds.manager, orgId);
  const rows = await deps.ds.getRepository(ScimToken).find({ where: { orgId }, order: { createdAt: "DESC" } });
  return rows.map(viewToken);
}

/** Revokes a token; with `orgId`, only one of that org (another org's id reads as not found). */
export async function revokeScimToken(deps: Deps, ctx: Ctx, id: string, orgId?: string): Promise<ScimTokenView> {
  return deps.ds.transaction(async (tx) => {
    const repo = tx.getRepository(ScimToken);
    const row = await repo.findOne({ where: orgId ? { id, orgId } : { id }, lock: { mode: "pessimistic_write" } });
    if (!row) throw new NotFoundError("SCIM token");
    if (!row.revokedAt) {
      row.revokedAt = deps.clock.now();
      await repo.save(row);
      await recordAudit(tx, ctx, { orgId: row.orgId, action: "scim_token.revoked", target: { type: "scim_token", id: row.id, name: row.name } });
    }
    return viewToken(row);
  });
}

/** True when the org's members are managed by its identity provider (enterprise + an active SCIM token or a directory connection). */
export async function scimManaged(tx: EntityManager, orgId: string, plan: string): Promise<boolean> {
  if (plan !== "enterprise") return false;
  if ((await tx.getRepository(ScimToken).countBy({ orgId, revokedAt: IsNull() })) > 0) return true;
  return (await tx.getRepository(Directory).countBy({ orgId })) > 0;
}
