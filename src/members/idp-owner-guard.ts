/**
 * An identity provider never speaks for an Owner (docs/security.md). SCIM, SSO/JIT, group
 * mappings and directories may grant the Owner role, or demote, suspend or remove an Owner, only
 * when both hold: the org turned on "IdP-managed Owners", and the token (or directory) speaking
 * was created by an Owner or the operator. A person acting by hand is judged by their own role
 * (the manual API's rule), the CLI as the operator. The last-Owner rule applies on top.
 */
import type { EntityManager } from "typeorm";
import type { Membership, Organization, Role } from "../../entities";
import type { Ctx } from "../context";
import { ForbiddenError } from "../errors";

export type OwnerChange = "grant" | "demote" | "suspend" | "remove";

const CHANGE_TEXT: Record<OwnerChange, string> = {
  grant: "grant the Owner role", demote: "take the Owner role away", suspend: "suspend an Owner", remove: "remove an Owner",
};

export class IdpOwnerChangeError extends ForbiddenError {
  constructor(readonly memberId: string, readonly change: OwnerChange) {
    super("member.idp_owner_refused",
      `Your identity provider cannot ${CHANGE_TEXT[change]} in Roster: an Owner must do it in Roster, or turn on “IdP-managed Owners” and use a token an Owner created.`,
      { memberId, change });
  }
}

/** Pure rule: a provisioning credential made by `creatorRole` in an org with these settings. */
export function credentialMayManageOwners(org: Pick<Organization, "settings">, creatorRole: string | null): boolean {
  return org.settings?.idpManagedOwners === true && (creatorRole === "owner" || creatorRole === "operator");
}

/** Whether whoever `ctx` names may make Owner changes in `org`. */
export async function mayManageOwners(tx: EntityManager, ctx: Ctx, org: Organization): Promise<boolean> {
  const { type, id } = ctx.actor;
  if (type === "system") return true;
  if (!id) return false;
  if (type === "user") {
    const rows: Array<{ role: Role }> = await tx.query(
      `SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 AND status = 'active'`, [org.id, id]);
    return rows[0]?.role === "owner";
  }
  if (type === "scim") {
    const rows: Array<{ role: string | null }> = await tx.query(`SELECT created_by_role AS role FROM scim_tokens WHERE id = $1 AND org_id = $2`, [id, org.id]);
    return credentialMayManageOwners(org, rows[0]?.role ?? null);
  }
  if (type === "sso") return false; // JIT never grants Owner
  return ctx.idpOwnerAuthority === true; // e.g. a directory that resolved its creator's authority
}

/** Which Owner change moving `m` to this role/status/removal would be, if any. */
export function ownerChangeOf(m: Pick<Membership, "role">, next: { role?: Role; status?: "active" | "suspended"; remove?: boolean }): OwnerChange | null {
  if (m.role !== "owner") return next.role === "owner" ? "grant" : null;
  if (next.remove) return "remove";
  if (next.status === "suspended") return "suspend";
  if (next.role !== undefined && next.role !== "owner") return "demote";
  return null;
}

export async function assertMayChangeOwner(tx: EntityManager, ctx: Ctx, org: Organization, memberId: string, change: OwnerChange | null): Promise<void> {
  if (change && !(await mayManageOwners(tx, ctx, org))) throw new IdpOwnerChangeError(memberId, change);
}
