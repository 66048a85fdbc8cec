/**
 * The account of whoever holds an emailed link (invitation or join link): holding it proves the
 * address. A signed-in account must have exactly that email; a visitor creates the account, or
 * claims an existing UNVERIFIED one; a verified one must sign in first.
 *
 * Claiming resets the account (docs/security.md): whatever was attached to it without the
 * person's proof goes: every SSO identity link, every session, and every membership an IdP made
 * in an org that does not own the address's domain. The audit log says what was removed.
 */
import type { EntityManager } from "typeorm";
import { Membership, User } from "../../entities";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { destroyUserSessions } from "../auth/sessions";
import { ForbiddenError, UnauthenticatedError, ValidationError } from "../errors";
import { isVerifiedDomainOf } from "../orgs/domain-authority";
import { applyRemoval, lockOrg } from "../members/member.service";
import { LastOwnerError } from "../members/member.errors";
import { findUserByEmail, insertUser, normalizeEmail } from "./users";

export interface LinkHolder {
  user?: User;
  name?: string;
  passwordHash?: string;
}

/** `kind` names the link in error codes: `invitation.email_mismatch`, `join.sign_in_required`… */
export async function accountForLinkHolder(deps: Deps, tx: EntityManager, ctx: Ctx, email: string, input: LinkHolder,
  kind: "invitation" | "join", keepOrgId: string): Promise<{ user: User; signIn: boolean }> {
  let user: User;
  let signIn = false;
  if (input.user) {
    if (normalizeEmail(input.user.email) !== normalizeEmail(email)) {
      throw new ForbiddenError(`${kind}.email_mismatch`,
        `This link is for ${email}, but you are signed in as ${input.user.email}. Sign out and open the link again.`);
    }
    user = input.user;
  } else {
    const existing = await findUserByEmail(tx, email);
    if (existing?.emailVerified) {
      throw new UnauthenticatedError(`An account for ${email} already exists: sign in, then open the link again.`, `${kind}.sign_in_required`);
    }
    if (!input.name || !input.passwordHash) {
      throw new ValidationError([
        ...(!input.name ? [{ field: "name", message: "is required to create your account" }] : []),
        ...(!input.passwordHash ? [{ field: "password", message: "is required to create your account" }] : []),
      ]);
    }
    if (existing) {
      existing.name = input.name;
      existing.passwordHash = input.passwordHash;
      await tx.getRepository(User).save(existing);
      await resetClaimedAccount(deps, tx, ctx, existing, keepOrgId);
      user = existing;
    } else {
      user = await insertUser(tx, { email, name: input.name, passwordHash: input.passwordHash });
    }
    signIn = true;
  }
  if (!user.emailVerified) {
    user.emailVerified = true;
    await tx.getRepository(User).update({ id: user.id }, { emailVerified: true });
  }
  return { user, signIn };
}

/** Removes what was attached to an unverified account without proof; audited as account.claim_reset. */
export async function resetClaimedAccount(deps: Deps, tx: EntityManager, ctx: Ctx, user: User, keepOrgId: string): Promise<void> {
  const identities: Array<{ id: string; connection_id: string; org_id: string; subject: string }> = await tx.query(
    `WITH d AS (DELETE FROM user_identities i USING sso_connections c WHERE i.user_id = $1 AND c.id = i.connection_id
       RETURNING i.id, i.connection_id, c.org_id, i.subject) SELECT * FROM d ORDER BY org_id, id`, [user.id]);
  for (const i of identities) {
    await recordAudit(tx, ctx, { orgId: i.org_id, action: "sso_identity.unlinked", target: { type: "user", id: user.id, email: user.email },
      metadata: { connectionId: i.connection_id, subject: i.subject, reason: "account claimed by its owner" } });
  }
  const [{ n: sessions }] = await tx.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [user.id]);
  await destroyUserSessions(tx, user.id);
  const idpMade: Array<{ id: string; org_id: string }> = await tx.query(
    `SELECT id, org_id FROM memberships WHERE user_id = $1 AND source IN ('scim', 'sso') AND org_id <> $2 ORDER BY org_id`, [user.id, keepOrgId]);
  const removed: string[] = [];
  const kept: string[] = [];
  for (const row of idpMade) {
    if (await isVerifiedDomainOf(tx, row.org_id, user.email)) continue; // that org owns the address: it had authority
    const org = await lockOrg(tx, row.org_id);
    const m = await tx.getRepository(Membership).findOneByOrFail({ id: row.id });
    try {
      await applyRemoval(deps, tx, ctx, org, m, "manual");
      removed.push(row.org_id);
    } catch (err) {
      if (!(err instanceof LastOwnerError)) throw err;
      kept.push(row.org_id);
    }
  }
  await recordAudit(tx, ctx, { orgId: null, action: "account.claim_reset", target: { type: "user", id: user.id, email: user.email },
    metadata: { identitiesRemoved: identities.map((i) => ({ connectionId: i.connection_id, orgId: i.org_id })), sessionsEnded: Number(sessions),
      membershipsRemoved: removed, membershipsKeptLastOwner: kept } });
}
