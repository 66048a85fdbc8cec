/**
 * "Forgot password": an emailed one-time link that sets a new password.
 *
 * The link is BASE_URL/reset-password#<id>.<secret> (in the fragment, so it never reaches a server
 * log or a Referer). Only sha256(secret) is stored; the row is found by its id and the secret
 * compared in constant time, so neither the lookup nor the comparison leaks how close a guess was.
 * A link works once, for 30 minutes, and only while it is the person's newest: a new request
 * retires older links (and cancels their emails if still waiting). Using it ends every session of
 * the account. A wrong secret reads exactly like an unknown link and changes nothing.
 *
 * Who gets a link (the HTTP answer is the same for everyone, see auth.routes.ts):
 * - no account, or a placeholder/inert account under `.invalid`: nothing is sent;
 * - an account whose every org requires SSO and who owns none of them (a password could not sign
 *   them in): an email that points to SSO instead of a link;
 * - everyone else, including an Owner of a require-SSO org (their password is the org's
 *   break-glass, so it must be recoverable; the reset is audited in that org) and an account with
 *   no password yet (the link proves the address, as an invitation does).
 * Resetting an UNVERIFIED account is a claim: what was attached to it without proof goes
 * (src/accounts/claim.ts), since whoever created it may not own the address.
 */
import { randomBytes } from "node:crypto";
import type { EntityManager } from "typeorm";
import { PasswordResetToken, User } from "../../entities";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { hashPassword } from "../auth/passwords";
import { destroyUserSessions } from "../auth/sessions";
import { safeEqual, sha256 } from "../auth/tokens";
import { AppError, GoneError } from "../errors";
import { isUuid } from "../http/validate";
import { mailKeys } from "../mail/outbox";
import { passwordChangedEmail, passwordResetEmail, passwordResetSsoOnlyEmail } from "../mail/templates";
import { passwordPolicy } from "./account.service";
import { resetClaimedAccount } from "./claim";
import { findUserByEmail } from "./users";

export const RESET_TTL_MS = 30 * 60 * 1000;
/** resetClaimedAccount keeps IdP memberships of one org; a reset keeps none that lack proof. */
const NO_ORG = "00000000-0000-0000-0000-000000000000";

export type ResetRequestOutcome = "sent" | "sso_only" | "no_account" | "not_mailable";

const loginUrl = (deps: Deps, email?: string) => `${deps.config.baseUrl}/login${email ? `?email=${encodeURIComponent(email)}` : ""}`;

/** Emails a reset link (or the SSO pointer) when the address has an account; says what it did, for logs and tests only. */
export async function requestPasswordReset(deps: Deps, ctx: Ctx, email: string): Promise<ResetRequestOutcome> {
  const found = await findUserByEmail(deps.ds.manager, email);
  if (!found) return "no_account";
  if (found.email.endsWith(".invalid")) return "not_mailable";
  const policy = await passwordPolicy(deps.ds, found.id);
  return deps.ds.transaction(async (tx) => {
    // The user row lock serialises two requests for one person: exactly one link stays alive.
    const user = await tx.getRepository(User).findOne({ where: { id: found.id }, lock: { mode: "pessimistic_write" } });
    if (!user) return "no_account";
    if (policy.passwordRefused) {
      await deps.outbox.enqueue(tx, null, user.email, passwordResetSsoOnlyEmail({ orgNames: policy.sso.map((s) => s.org.name), loginUrl: loginUrl(deps, user.email) }),
        { supersedeKey: mailKeys.passwordReset(user.id) });
      return "sso_only";
    }
    const now = deps.clock.now();
    await retireLinks(tx, user.id, now);
    const secret = randomBytes(32).toString("base64url");
    const row = await tx.getRepository(PasswordResetToken).save(tx.getRepository(PasswordResetToken).create({
      userId: user.id, secretHash: sha256(secret), expiresAt: new Date(now.getTime() + RESET_TTL_MS), usedAt: null, replacedAt: null,
      requestIp: ctx.ip ?? null,
    }));
    // Superseding cancels the previous link's email if it has not left yet: only the newest link travels.
    await deps.outbox.enqueue(tx, null, user.email, passwordResetEmail({
      link: `${deps.config.baseUrl}/reset-password#${row.id}.${secret}`, validMinutes: RESET_TTL_MS / 60_000,
    }), { supersedeKey: mailKeys.passwordReset(user.id) });
    return "sent";
  });
}

async function retireLinks(tx: EntityManager, userId: string, now: Date): Promise<void> {
  await tx.query(`UPDATE password_reset_tokens SET replaced_at = $2 WHERE user_id = $1 AND used_at IS NULL AND replaced_at IS NULL`, [userId, now]);
}

function parseToken(token: string): { id: string; secret: string } {
  const dot = token.indexOf(".");
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (dot < 0 || !isUuid(id) || secret.length < 20 || secret.length > 100) throw notFound();
  return { id, secret };
}

const notFound = () => new AppError("password_reset.not_found", 404, "This reset link is not valid. Open the whole link from the email, or ask for a new one.");

/** The row a link names, if its secret matches (constant time); then why it is dead, if it is. */
async function usableRow(tx: EntityManager, token: string, now: Date, lock: boolean): Promise<PasswordResetToken> {
  const { id, secret } = parseToken(token);
  const row = await tx.getRepository(PasswordResetToken).findOne({ where: { id }, ...(lock ? { lock: { mode: "pessimistic_write" as const } } : {}) });
  // Hash the guess even when no row exists, so an unknown id and a wrong secret cost the same.
  const matches = safeEqual(sha256(secret), row?.secretHash ?? "0".repeat(64));
  if (!row || !matches) throw notFound();
  if (row.usedAt) throw new GoneError("password_reset.used", "This reset link was already used. If you did not change your password, ask for a new link.");
  if (row.replacedAt) throw new GoneError("password_reset.replaced", "A newer reset link was sent to you. Use the link in the latest email.");
  if (row.expiresAt <= now) throw new GoneError("password_reset.expired", "This reset link has expired (links work for 30 minutes). Ask for a new one.");
  return row;
}

/** What the reset page shows before the person types: whose password the link resets. */
export async function describeResetLink(deps: Deps, token: string): Promise<{ email: string }> {
  const row = await usableRow(deps.ds.manager, token, deps.clock.now(), false);
  const user = await deps.ds.getRepository(User).findOneBy({ id: row.userId });
  if (!user) throw notFound();
  return { email: user.email };
}

export async function resetPassword(deps: Deps, ctx: Ctx, token: string, password: string): Promise<{ email: string; sessionsEnded: number }> {
  // A dead or guessed link is refused before paying for scrypt.
  await usableRow(deps.ds.manager, token, deps.clock.now(), false);
  const passwordHash = await hashPassword(password);
  return deps.ds.transaction(async (tx) => {
    // Locked and re-checked: of two concurrent uses, the second finds it used.
    const row = await usableRow(tx, token, deps.clock.now(), true);
    const user = await tx.getRepository(User).findOne({ where: { id: row.userId }, lock: { mode: "pessimistic_write" } });
    if (!user) throw notFound();
    const now = deps.clock.now();
    const actorCtx: Ctx = { ...ctx, actor: { type: "user", id: user.id, email: user.email, name: user.name } };
    const wasVerified = user.emailVerified;
    await tx.getRepository(User).update({ id: user.id }, { passwordHash, emailVerified: true });
    await tx.getRepository(PasswordResetToken).update({ id: row.id }, { usedAt: now });
    await retireLinks(tx, user.id, now);
    await deps.outbox.cancel(tx, mailKeys.passwordReset(user.id), "password already reset");
    const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [user.id]);
    if (!wasVerified) await resetClaimedAccount(deps, tx, actorCtx, user, NO_ORG); // also ends the sessions
    await destroyUserSessions(tx, user.id);
    const { owned } = await passwordPolicy(tx, user.id);
    await recordAudit(tx, actorCtx, { orgId: null, action: "account.password_reset", target: { type: "user", id: user.id, email: user.email },
      metadata: { sessionsEnded: Number(n), claimed: !wasVerified } });
    for (const { org } of owned) {
      // The break-glass credential of a require-SSO org changed: its Owners' audit log says so.
      await recordAudit(tx, actorCtx, { orgId: org.id, action: "auth.break_glass_password_reset", target: { type: "user", id: user.id, email: user.email },
        metadata: { reason: "an Owner reset their password while the organization requires SSO" } });
    }
    await deps.outbox.enqueue(tx, null, user.email, passwordChangedEmail({ loginUrl: loginUrl(deps, user.email) }));
    return { email: user.email, sessionsEnded: Number(n) };
  });
}
