/**
 * "An IdP never takes over an account that has other credentials or other orgs"
 * (docs/security.md). Before an SSO identity (connection, subject) is linked to an account that
 * has a password, a membership in another org, an Owner role anywhere, or an identity at another
 * org's IdP, the person proves the account once: they follow a one-time link emailed to the
 * account's address (30 minutes). Only then is the link stored; domain verification alone is
 * not enough for such accounts.
 */
import type { EntityManager } from "typeorm";
import { Membership, Organization, SsoLinkRequest, User, UserIdentity, type Role, type SsoConnection } from "../../entities";
import { addMember, lockOrg } from "../members/member.service";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { newSecret, sha256 } from "../auth/tokens";
import { ConflictError, GoneError, NotFoundError } from "../errors";
import { isUniqueViolation } from "../db/pg-errors";
import type { RenderedEmail } from "../mail/templates";

export const LINK_PROOF_TTL_MS = 30 * 60_000;

/** Does linking an IdP identity to this account need the person's proof? */
export async function accountNeedsProof(tx: EntityManager, user: User, orgId: string): Promise<boolean> {
  if (user.passwordHash) return true;
  const [{ other }] = await tx.query(
    `SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1 AND (org_id <> $2 OR role = 'owner'))
         OR EXISTS (SELECT 1 FROM user_identities i JOIN sso_connections c ON c.id = i.connection_id WHERE i.user_id = $1 AND c.org_id <> $2) AS other`,
    [user.id, orgId]);
  return other === true;
}

function linkProofEmail(p: { orgName: string; connectionName: string; link: string }): RenderedEmail {
  const lines = [
    `Someone signed in through the single sign-on of ${p.orgName} (${p.connectionName}) with this email address.`,
    "Your Roster account already has a password or other organizations, so the sign-in is linked only if you confirm it. If it was you, follow the link within 30 minutes. If not, ignore this email: nothing is linked.",
  ];
  return {
    kind: "sso.link_proof", subject: `Confirm single sign-on for ${p.orgName}`,
    text: `${lines.join("\n\n")}\n\nConfirm: ${p.link}\n`,
    html: `<!doctype html><html><body>${lines.map((l) => `<p>${l.replace(/[<>&]/g, "")}</p>`).join("")}<p><a href="${p.link}">Confirm</a></p></body></html>`,
  };
}

/** Stores the request and emails its link, unless one for this identity is still waiting (sent once). */
export async function requestLinkProof(deps: Deps, tx: EntityManager, ctx: Ctx, orgName: string, conn: SsoConnection, user: User,
  subject: string, email: string | null, jitRole: Role | null = null): Promise<void> {
  const now = deps.clock.now();
  const waiting = await tx.query(
    `SELECT 1 FROM sso_link_requests WHERE user_id = $1 AND connection_id = $2 AND subject = $3 AND used_at IS NULL AND expires_at > $4`,
    [user.id, conn.id, subject, now]);
  if (waiting.length) return;
  const { token, hash } = newSecret();
  await tx.getRepository(SsoLinkRequest).insert({ userId: user.id, connectionId: conn.id, subject, email, tokenHash: hash, jitRole,
    expiresAt: new Date(now.getTime() + LINK_PROOF_TTL_MS), usedAt: null });
  await deps.outbox.enqueue(tx, conn.orgId, user.email, linkProofEmail({ orgName, connectionName: conn.name || conn.kind,
    link: `${deps.config.baseUrl}/sso-link/${token}` }));
  await recordAudit(tx, ctx, { orgId: conn.orgId, action: "sso_identity.proof_requested", target: { type: "user", id: user.id, email: user.email },
    metadata: { connectionId: conn.id, subject } });
}

/** The sign-in that asked for proof was a JIT of a verified-domain account: the membership it would have made. */
async function joinByProof(tx: EntityManager, ctx: Ctx, orgId: string, user: User, req: SsoLinkRequest): Promise<void> {
  const org: Organization = await lockOrg(tx, orgId);
  if (await tx.getRepository(Membership).existsBy({ orgId, userId: user.id })) return;
  await addMember(tx, ctx, org, { user, role: req.jitRole!, source: "sso", auditMetadata: { via: "sso_jit", connectionId: req.connectionId, proof: "email" } });
}

/** Following the emailed link: stores the identity link (once). */
export async function confirmLinkProof(deps: Deps, ctx: Ctx, token: string): Promise<{ userId: string; connectionId: string }> {
  return deps.ds.transaction(async (tx) => {
    const req = await tx.getRepository(SsoLinkRequest).findOne({ where: { tokenHash: sha256(token) }, lock: { mode: "pessimistic_write" } });
    if (!req) throw new NotFoundError("Link request", "sso_link.not_found");
    if (req.usedAt || req.expiresAt <= deps.clock.now()) throw new GoneError("sso_link.gone", "This confirmation link is no longer valid. Sign in with single sign-on again to get a new one.");
    await tx.getRepository(SsoLinkRequest).update({ id: req.id }, { usedAt: deps.clock.now() });
    const user = await tx.getRepository(User).findOneByOrFail({ id: req.userId });
    if (await tx.getRepository(UserIdentity).existsBy({ userId: user.id, connectionId: req.connectionId })) {
      throw new ConflictError("sso_link.taken", "Your account is already linked to another sign-in of this identity provider.");
    }
    try {
      await tx.transaction((inner) => inner.getRepository(UserIdentity).insert({
        userId: user.id, connectionId: req.connectionId, subject: req.subject, email: req.email, lastLoginAt: null }));
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError("sso_link.taken", "This sign-in is already linked to an account.");
      throw err;
    }
    const [{ org_id: orgId }] = await tx.query(`SELECT org_id FROM sso_connections WHERE id = $1`, [req.connectionId]);
    const asUser = { ...ctx, actor: { type: "user" as const, id: user.id, email: user.email, name: user.name } };
    await recordAudit(tx, asUser, { orgId, action: "sso_identity.linked", target: { type: "user", id: user.id, email: user.email },
      metadata: { connectionId: req.connectionId, subject: req.subject, via: "email_proof" } });
    if (req.jitRole) await joinByProof(tx, asUser, orgId, user, req);
    return { userId: user.id, connectionId: req.connectionId };
  });
}
