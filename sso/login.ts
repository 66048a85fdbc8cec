/**
 * completeSsoLogin: who a verified IdP identity is in Roster, and whether they may enter this org
 * (docs/security.md, "who can speak for whom").
 *
 * 1. A link (connection, subject) decides: later sign-ins never look at the email.
 * 2. First sign-in, no link: an existing account with that email is linked only when the IdP
 *    vouches for the email AND its domain is verified by this org (a NameID or email from org A's
 *    IdP proves nothing outside org A: the session this creates reaches the account's other orgs).
 *    One narrower case needs no domain: the account exists only for this org (made by this org's
 *    invitation: no password, no other membership, no other IdP identity).
 *    Either way, an account with a password, another org, an Owner role anywhere or another org's
 *    IdP identity is linked only after the person's proof (src/accounts/link-proof.ts).
 * 3. Not a member: JIT (when the connection allows it, email vouched for) goes through
 *    provisionMember: the account at a verified domain of this org, else a pending membership and
 *    one join link; an email with a pending membership here waits for that link.
 * 4. Suspended and removed members are refused, with the same page as "not provisioned".
 * Everything happens in one transaction: a refusal leaves no user, membership or link behind,
 * except the pending membership or proof request it announces (committed, then refused).
 */
import type { EntityManager } from "typeorm";
import { GroupRoleMapping, Membership, Organization, SsoConnection, User, UserIdentity, type Role } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { ROLE_RANK } from "../src/auth/permissions";
import { findUserByEmail } from "../src/accounts/users";
import { accountNeedsProof, requestLinkProof } from "../src/accounts/link-proof";
import { pendingMembershipFor, provisionMember, type Provisioned } from "../src/members/provision";
import { isUniqueViolation } from "../src/db/pg-errors";
import { jitOf } from "./connection-config";
import { isVerifiedDomainOf } from "./domains.service";
import { refuse, SsoRefusal } from "./errors";
import type { SsoProfile } from "./profile";

export interface LoginOutcome {
  user: User;
  membership: Membership;
  how: "identity" | "linked" | "jit";
}

export function ssoCtx(base: Ctx, conn: SsoConnection, email?: string | null): Ctx {
  return { ...base, actor: { type: "sso", id: conn.id, name: conn.name || `${conn.kind} connection`, email: email ?? null } };
}

async function membershipOf(tx: EntityManager, orgId: string, userId: string): Promise<Membership | null> {
  return tx.getRepository(Membership).findOneBy({ orgId, userId });
}

function assertActive(m: Membership | null, detail: string): Membership {
  if (!m) throw refuse.noAccess("sso.not_a_member", detail);
  if (m.status !== "active") throw refuse.noAccess("sso.member_suspended", "membership is suspended");
  return m;
}

/** The account belongs to this org alone: nothing outside it would be reachable through a link. */
async function confinedToOrg(tx: EntityManager, user: User, orgId: string): Promise<boolean> {
  if (user.passwordHash) return false;
  const [{ others }] = await tx.query(
    `SELECT (SELECT count(*) FROM memberships WHERE user_id = $1 AND org_id <> $2)
          + (SELECT count(*) FROM user_identities i JOIN sso_connections c ON c.id = i.connection_id
              WHERE i.user_id = $1 AND c.org_id <> $2) AS others`, [user.id, orgId]);
  return Number(others) === 0;
}

/** JIT role: the connection's default, raised by the group-to-role mappings (never to Owner). */
async function jitRole(tx: EntityManager, orgId: string, base: Role, groups: string[]): Promise<Role> {
  if (groups.length === 0) return base;
  const mapped = await tx.getRepository(GroupRoleMapping).createQueryBuilder("g")
    .where("g.orgId = :orgId AND lower(g.groupName) IN (:...names)", { orgId, names: groups.map((g) => g.toLowerCase()) }).getMany();
  let role = base;
  for (const m of mapped) if (m.role !== "owner" && ROLE_RANK[m.role] > ROLE_RANK[role]) role = m.role;
  return role;
}

async function link(tx: EntityManager, ctx: Ctx, org: Organization, conn: SsoConnection, user: User, p: SsoProfile, via: string, now: Date) {
  const other = await tx.getRepository(UserIdentity).findOneBy({ userId: user.id, connectionId: conn.id });
  if (other) throw refuse.noAccess("sso.identity_conflict", "the account is already linked to another subject of this connection");
  try {
    await tx.transaction((inner) => inner.getRepository(UserIdentity).insert({
      userId: user.id, connectionId: conn.id, subject: p.subject, email: p.email, lastLoginAt: now,
    }));
  } catch (err) {
    if (isUniqueViolation(err)) throw new SsoRefusal("sso.conflict", "Another sign-in for this account is in progress. Please try again.", "identity insert raced", { status: 409 });
    throw err;
  }
  await recordAudit(tx, ctx, { orgId: org.id, action: "sso_identity.linked", target: { type: "user", id: user.id, email: user.email },
    metadata: { connectionId: conn.id, subject: p.subject, via } });
}

/** A refusal whose side effects (pending membership, proof request) must commit: thrown after the transaction. */
interface Deferred {
  refusal: SsoRefusal;
}

/** Test connection (issue 10): the whole decision runs, then rolls back (no user, member, link, email or audit). */
class DryRunRollback extends Error {
  constructor(readonly outcome: LoginOutcome | Deferred) {
    super("dry run");
  }
}

export async function completeSsoLogin(deps: Deps, baseCtx: Ctx, conn: SsoConnection, org: Organization, p: SsoProfile,
  opts: { dryRun?: boolean } = {}): Promise<LoginOutcome> {
  const ctx = ssoCtx(baseCtx, conn, p.email);
  const now = deps.clock.now();
  if (!p.subject || p.subject.length > 512) throw refuse.invalidResponse("sso.subject_missing", "no usable subject");
  let outcome: LoginOutcome | Deferred;
  try {
    outcome = await deps.ds.transaction(async (tx) => {
      const r = await resolve(deps, tx, ctx, conn, org, p, now);
      if (!("refusal" in r)) {
        await recordAudit(tx, ctx, { orgId: org.id, action: "auth.sso_signed_in", target: { type: "user", id: r.user.id, email: r.user.email },
          metadata: { connectionId: conn.id, kind: conn.kind, how: r.how, membershipId: r.membership.id } });
      }
      if (opts.dryRun) throw new DryRunRollback(r);
      return r;
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
    outcome = err.outcome;
  }
  if ("refusal" in outcome) throw outcome.refusal;
  return outcome;
}

const joinPending = (detail: string): Deferred => ({ refusal: new SsoRefusal("sso.join_pending",
  "Your organization added you, and we emailed you a link to join it. Follow that link once, then sign in with single sign-on again.", detail) });

/** `jitRole`: the membership the proof's confirmation adds (JIT of an account that is not a member yet). */
async function proofNeeded(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, conn: SsoConnection, user: User, p: SsoProfile,
  jitRole: Role | null = null): Promise<Deferred> {
  await requestLinkProof(deps, tx, ctx, org.name, conn, user, p.subject, p.email, jitRole);
  return { refusal: new SsoRefusal("sso.link_proof_required",
    "Your Roster account already has a password or other organizations. We emailed you a link to confirm this sign-in once; follow it, then sign in with single sign-on again.",
    "account has other credentials, orgs or an Owner role: link stored only after the person's proof") };
}

/** JIT for an account or email that is not a member here: the org's domain authority, else a pending membership. */
async function jitMember(deps: Deps, tx: EntityManager, ctx: Ctx, conn: SsoConnection, org: Organization, p: SsoProfile,
  existing: User | null): Promise<Provisioned | Deferred> {
  const jit = jitOf(conn);
  if (!jit.enabled) throw refuse.noAccess("sso.not_provisioned", existing ? "no membership and JIT provisioning is off" : "no account and JIT provisioning is off");
  if (!p.emailVerified) throw refuse.noAccess(existing ? "sso.link_not_allowed" : "sso.email_not_trusted", "email not verified by the IdP");
  const role = await jitRole(tx, org.id, jit.role, p.groups);
  if (existing && (await isVerifiedDomainOf(tx, org.id, p.email!)) && (await accountNeedsProof(tx, existing, org.id))) {
    return proofNeeded(deps, tx, ctx, org, conn, existing, p, role);
  }
  const made = await provisionMember(deps, tx, ctx, org, { email: p.email, name: p.name, role, source: "sso", emailVerified: true,
    auditMetadata: { via: "sso_jit", connectionId: conn.id } }, "sso");
  if (made.account === "pending") return joinPending("email domain not verified by this org: pending membership, join link sent");
  return made;
}

async function resolve(deps: Deps, tx: EntityManager, ctx: Ctx, conn: SsoConnection, org: Organization, p: SsoProfile, now: Date): Promise<LoginOutcome | Deferred> {
  const identity = await tx.getRepository(UserIdentity).findOneBy({ connectionId: conn.id, subject: p.subject });
  if (identity) {
    const user = await tx.getRepository(User).findOneByOrFail({ id: identity.userId });
    const membership = assertActive(await membershipOf(tx, org.id, user.id), "linked account is no longer a member (removed)");
    await tx.getRepository(UserIdentity).update({ id: identity.id }, { lastLoginAt: now });
    return { user, membership, how: "identity" };
  }

  if (!p.email) throw refuse.noAccess("sso.email_missing", "the IdP sent no usable email for an unlinked identity");
  if (await pendingMembershipFor(tx, org.id, p.email)) return joinPending("a pending membership for this email waits for its join link");
  const domainVerified = await isVerifiedDomainOf(tx, org.id, p.email);
  const existing = await findUserByEmail(tx, p.email);

  if (existing) {
    const m = await membershipOf(tx, org.id, existing.id);
    if (m) {
      assertActive(m, "");
      const allowed = (p.emailVerified && domainVerified)
        || (p.emailVerified && (m.source === "scim" || m.source === "invite") && (await confinedToOrg(tx, existing, org.id)));
      if (!allowed) throw refuse.noAccess("sso.link_not_allowed", p.emailVerified ? "email domain not verified by this org" : "email not verified by the IdP");
      if (await accountNeedsProof(tx, existing, org.id)) return proofNeeded(deps, tx, ctx, org, conn, existing, p);
      await link(tx, ctx, org, conn, existing, p, "existing_membership", now);
      return { user: existing, membership: m, how: "linked" };
    }
  }
  const made = await jitMember(deps, tx, ctx, conn, org, p, existing);
  if ("refusal" in made) return made;
  await link(tx, ctx, org, conn, made.user, p, existing ? "existing_account" : "jit", now);
  return { user: made.user, membership: made.membership, how: "jit" };
}

/** A refusal is audited on its own transaction: the login transaction rolled back, or (pending join, proof request) committed what it announces. */
export async function auditRefusal(deps: Deps, baseCtx: Ctx, conn: SsoConnection | null, err: SsoRefusal, email?: string | null): Promise<void> {
  const ctx = conn ? ssoCtx(baseCtx, conn, email) : { ...baseCtx, actor: { type: "sso" as const, name: "unknown connection" } };
  await deps.ds.transaction((tx) => recordAudit(tx, ctx, {
    orgId: conn?.orgId ?? null, action: "auth.sso_refused", target: email ? { type: "user", email } : null,
    metadata: { reason: err.code, detail: err.detail?.slice(0, 500) ?? null, connectionId: conn?.id ?? null, kind: conn?.kind ?? null },
  }));
}
