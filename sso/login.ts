/**
 * completeSsoLogin: who a verified IdP identity is in Roster, and whether they may enter this org.
 *
 * 1. A link (connection, subject) decides: later sign-ins never look at the email.
 * 2. First sign-in, no link: an existing account with that email is linked only when the IdP
 *    vouches for the email AND its domain is verified by this org (a NameID or email from org A's
 *    IdP proves nothing outside org A: the session this creates reaches the account's other orgs).
 *    One narrower case needs no domain: the account exists only for this org (made by this org's
 *    SCIM or invitation: no password, no other membership, no other IdP identity), so the link
 *    gives the IdP nothing it does not already control.
 * 3. No account: JIT creates one only when the connection allows it and the email is vouched for
 *    at a verified domain of this org (no squatting of other people's addresses).
 * 4. Suspended and removed members are refused, with the same page as "not provisioned".
 * Everything happens in one transaction: a refusal leaves no user, membership or link behind.
 */
import type { EntityManager } from "typeorm";
import { GroupRoleMapping, Membership, Organization, SsoConnection, User, UserIdentity, type Role } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { ROLE_RANK } from "../src/auth/permissions";
import { findUserByEmail, insertUser } from "../src/accounts/users";
import { addMember } from "../src/members/member.service";
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

/** Test connection (issue 10): the whole decision runs, then rolls back (no user, member, link or audit). */
class DryRunRollback extends Error {
  constructor(readonly outcome: LoginOutcome) {
    super("dry run");
  }
}

export async function completeSsoLogin(deps: Deps, baseCtx: Ctx, conn: SsoConnection, org: Organization, p: SsoProfile,
  opts: { dryRun?: boolean } = {}): Promise<LoginOutcome> {
  const ctx = ssoCtx(baseCtx, conn, p.email);
  const now = deps.clock.now();
  if (!p.subject || p.subject.length > 512) throw refuse.invalidResponse("sso.subject_missing", "no usable subject");
  try {
    return await deps.ds.transaction(async (tx) => {
      const outcome = await resolve(deps, tx, ctx, conn, org, p, now);
      await recordAudit(tx, ctx, { orgId: org.id, action: "auth.sso_signed_in", target: { type: "user", id: outcome.user.id, email: outcome.user.email },
        metadata: { connectionId: conn.id, kind: conn.kind, how: outcome.how, membershipId: outcome.membership.id } });
      if (opts.dryRun) throw new DryRunRollback(outcome);
      return outcome;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.outcome;
    throw err;
  }
}

async function resolve(deps: Deps, tx: EntityManager, ctx: Ctx, conn: SsoConnection, org: Organization, p: SsoProfile, now: Date): Promise<LoginOutcome> {
  const identity = await tx.getRepository(UserIdentity).findOneBy({ connectionId: conn.id, subject: p.subject });
  if (identity) {
    const user = await tx.getRepository(User).findOneByOrFail({ id: identity.userId });
    const membership = assertActive(await membershipOf(tx, org.id, user.id), "linked account is no longer a member (removed)");
    await tx.getRepository(UserIdentity).update({ id: identity.id }, { lastLoginAt: now });
    return { user, membership, how: "identity" };
  }

  if (!p.email) throw refuse.noAccess("sso.email_missing", "the IdP sent no usable email for an unlinked identity");
  const domainVerified = await isVerifiedDomainOf(tx, org.id, p.email);
  const vouched = p.emailVerified && domainVerified;
  const jit = jitOf(conn);
  const existing = await findUserByEmail(tx, p.email);

  if (existing) {
    const m = await membershipOf(tx, org.id, existing.id);
    if (m) {
      assertActive(m, "");
      const allowed = vouched || (p.emailVerified && (m.source === "scim" || m.source === "invite") && (await confinedToOrg(tx, existing, org.id)));
      if (!allowed) throw refuse.noAccess("sso.link_not_allowed", p.emailVerified ? "email domain not verified by this org" : "email not verified by the IdP");
      await link(tx, ctx, org, conn, existing, p, "existing_membership", now);
      return { user: existing, membership: m, how: "linked" };
    }
    if (!jit.enabled) throw refuse.noAccess("sso.not_provisioned", "no membership and JIT provisioning is off");
    if (!vouched) throw refuse.noAccess("sso.link_not_allowed", p.emailVerified ? "email domain not verified by this org" : "email not verified by the IdP");
    const membership = await addMember(tx, ctx, org, { user: existing, role: await jitRole(tx, org.id, jit.role, p.groups), source: "sso",
      auditMetadata: { via: "sso_jit", connectionId: conn.id } });
    await link(tx, ctx, org, conn, existing, p, "existing_account", now);
    return { user: existing, membership, how: "jit" };
  }

  if (!jit.enabled) throw refuse.noAccess("sso.not_provisioned", "no account and JIT provisioning is off");
  if (!vouched) throw refuse.noAccess("sso.email_not_trusted", p.emailVerified ? "email domain not verified by this org" : "email not verified by the IdP");
  const user = await tx.transaction((inner) => insertUser(inner, { email: p.email!, name: p.name, emailVerified: true }));
  const membership = await addMember(tx, ctx, org, { user, role: await jitRole(tx, org.id, jit.role, p.groups), source: "sso",
    auditMetadata: { via: "sso_jit", connectionId: conn.id } });
  await link(tx, ctx, org, conn, user, p, "jit", now);
  return { user, membership, how: "jit" };
}

/** A refusal is audited on its own: the login transaction (if any) has rolled back. */
export async function auditRefusal(deps: Deps, baseCtx: Ctx, conn: SsoConnection | null, err: SsoRefusal, email?: string | null): Promise<void> {
  const ctx = conn ? ssoCtx(baseCtx, conn, email) : { ...baseCtx, actor: { type: "sso" as const, name: "unknown connection" } };
  await deps.ds.transaction((tx) => recordAudit(tx, ctx, {
    orgId: conn?.orgId ?? null, action: "auth.sso_refused", target: email ? { type: "user", email } : null,
    metadata: { reason: err.code, detail: err.detail?.slice(0, 500) ?? null, connectionId: conn?.id ?? null, kind: conn?.kind ?? null },
  }));
}
