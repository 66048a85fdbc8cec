/**
 * Accounts, password sign-in and "sign out everywhere". An unknown email and a wrong password get the same answer and
 * cost the same (a decoy hash is verified when there is no account).
 */
import type { DataSource, EntityManager } from "typeorm";
import { Membership, Organization, type User } from "../../entities";
import type { Ctx, Deps } from "../context";
import { decoyHash, hashPassword, verifyPassword } from "../auth/passwords";
import { ForbiddenError, UnauthenticatedError } from "../errors";
import { recordAudit } from "../audit/audit-log";
import { destroyUserSessions } from "../auth/sessions";
import { insertUser, findUserByEmail } from "./users";
import { subjectOf } from "../members/member-access";
import { effectiveScope, permissionsOf } from "../auth/permissions";
import { scimManaged } from "../scim-tokens/scim-token.service";

export async function signUp(deps: Deps, input: { email: string; password: string; name: string }): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  return deps.ds.transaction((tx) => insertUser(tx, { email: input.email, name: input.name, passwordHash, emailVerified: false }));
}

export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super("Wrong email or password.", "auth.invalid_credentials");
  }
}

/** Orgs that require SSO, with the user's role there. */
async function ssoRequiredMemberships(ds: DataSource | EntityManager, userId: string): Promise<Array<{ org: Organization; role: Membership["role"] }>> {
  const rows = await ds.getRepository(Membership).createQueryBuilder("m")
    .innerJoinAndSelect("m.org", "o")
    .where("m.userId = :userId", { userId }).andWhere("m.status = 'active'")
    .andWhere(`(o.settings ->> 'requireSso')::boolean IS TRUE`).getMany();
  return rows.map((m) => ({ org: m.org, role: m.role }));
}

export interface PasswordPolicy {
  /** Orgs that require SSO, with the user's role there. */
  sso: Array<{ org: Organization; role: Membership["role"] }>;
  /** The require-SSO orgs this user owns: a password is their break-glass way in. */
  owned: Array<{ org: Organization; role: Membership["role"] }>;
  /** Every org of the user requires SSO and they own none: a password cannot sign them in. */
  passwordRefused: boolean;
}

/** Whether a password can sign this user in (sign-in and password reset share the rule). */
export async function passwordPolicy(ds: DataSource | EntityManager, userId: string): Promise<PasswordPolicy> {
  const sso = await ssoRequiredMemberships(ds, userId);
  const total = await ds.getRepository(Membership).countBy({ userId, status: "active" });
  const owned = sso.filter((s) => s.role === "owner");
  return { sso, owned, passwordRefused: sso.length > 0 && sso.length === total && owned.length === 0 };
}

/**
 * Password sign-in. When every org the user belongs to requires SSO and they own none of them,
 * the password is refused with a pointer to SSO. An Owner keeps break-glass access (audited),
 * so a broken IdP cannot lock an org out.
 */
export async function signIn(deps: Deps, ctx: Ctx, email: string, password: string): Promise<{ user: User; authMethod: string }> {
  const user = await findUserByEmail(deps.ds.manager, email);
  if (!user || !user.passwordHash) {
    await verifyPassword(password, await decoyHash());
    throw new InvalidCredentialsError();
  }
  if (!(await verifyPassword(password, user.passwordHash))) throw new InvalidCredentialsError();

  const { sso, owned, passwordRefused } = await passwordPolicy(deps.ds, user.id);
  if (passwordRefused) {
    // The password was right: pointing this person at their org's SSO tells them nothing new,
    // and works whatever their email domain (discovery only knows verified domains).
    const orgIds = sso.map((x) => x.org.id);
    const [c]: Array<{ id: string; kind: string }> = await deps.ds.query(
      `SELECT id, kind FROM sso_connections WHERE enabled AND org_id IN (${orgIds.map((_, i) => `$${i + 1}`).join(", ")})
        ORDER BY tested_at IS NULL, created_at, id LIMIT 1`, orgIds);
    throw new ForbiddenError("auth.sso_required", "Your organization requires single sign-on. Use “Continue with SSO” instead of a password.",
      c ? { ssoLoginUrl: `/sso/${c.kind}/${c.id}/login` } : undefined);
  }
  if (owned.length > 0) {
    await deps.ds.transaction(async (tx) => {
      for (const { org } of owned) {
        await recordAudit(tx, { ...ctx, actor: { type: "user", id: user.id, email: user.email, name: user.name } }, {
          orgId: org.id, action: "auth.break_glass_sign_in", target: { type: "user", id: user.id, email: user.email },
          metadata: { reason: "password sign-in by an Owner while the organization requires SSO" },
        });
      }
    });
  }
  return { user, authMethod: owned.length > 0 ? "break-glass" : "password" };
}

export interface MeView {
  user: { id: string; email: string; name: string | null; emailVerified: boolean };
  memberships: Array<{
    id: string; orgId: string; orgName: string; plan: string; role: string; status: string; source: string;
    managedByIdp: boolean; permissions: string[]; chatbotScope: "all" | "selected"; chatbotPermissions: Array<{ chatbotId: string; access: string }>;
  }>;
}

export async function me(deps: Deps, user: User): Promise<MeView> {
  const ms = await deps.ds.getRepository(Membership).find({ where: { userId: user.id }, relations: { org: true }, order: { createdAt: "ASC" } });
  const memberships = [];
  for (const m of ms) {
    const subject = await subjectOf(deps.ds, m);
    const grants = subject.grants;
    memberships.push({
      id: m.id, orgId: m.orgId, orgName: m.org.name, plan: m.org.plan, role: m.role, status: m.status, source: m.source,
      managedByIdp: m.source === "scim" && (await scimManaged(deps.ds.manager, m.orgId, m.org.plan)),
      permissions: m.status === "active" ? permissionsOf(subject) : [],
      chatbotScope: effectiveScope(subject),
      chatbotPermissions: [...grants].map(([chatbotId, access]) => ({ chatbotId, access })),
    });
  }
  return { user: { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerified }, memberships };
}

/** "Sign out everywhere": ends every session of the account, this one included. */
export async function signOutEverywhere(deps: Deps, ctx: Ctx, userId: string): Promise<number> {
  return deps.ds.transaction(async (tx) => {
    const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [userId]);
    await destroyUserSessions(tx, userId);
    await recordAudit(tx, ctx, { orgId: null, action: "account.signed_out_everywhere", target: { type: "user", id: userId, email: ctx.actor.email ?? null },
      metadata: { sessionsEnded: Number(n) } });
    return Number(n);
  });
}
