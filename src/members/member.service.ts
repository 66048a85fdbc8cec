/**
 * Creating, re-roling, suspending and removing members. The manual API, SCIM and SSO all end
 * here, so the effects are the same whoever asks: audit event and email in the same transaction,
 * conversations back to the queue, grants revoked, and the Owner rules.
 *
 * "Always one active Owner" holds under concurrency because every change that can lower the
 * Owner count first locks the org row (SELECT … FOR UPDATE) and re-reads roles inside the
 * transaction: two Owners demoting each other are serialised and the second sees one Owner left.
 */
import type { DataSource, EntityManager } from "typeorm";
import { Chatbot, Membership, Organization, User, type ChatbotScope, type MembershipSource, type Role, type ScimUserAttributes } from "../../entities";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { isUniqueViolation, constraintOf } from "../db/pg-errors";
import { ConflictError, NotFoundError } from "../errors";
import { removedEmail, roleChangedEmail } from "../mail/templates";
import { mailKeys } from "../mail/outbox";
import { scimManaged } from "../scim-tokens/scim-token.service";
import { memberViews, type MemberView } from "./member.view";
import { LastOwnerError, ManagedByIdpError, OwnerRequiredError } from "./member.errors";
import { checkGrants, replaceMemberGrants, resolveScope, type GrantInput } from "./grants";
import { subjectOf } from "./member-access";
import { accessChangedEmail } from "./member-emails";
import { effectiveScope } from "../auth/permissions";
import { assertMayChangeOwner, IdpOwnerChangeError, ownerChangeOf } from "./idp-owner-guard";

/** Who asks: a person by hand ("manual": judged by their role), or an IdP (Owner changes need idp-owner-guard). */
export type ChangeVia = "manual" | "scim" | "sso" | "directory";

/** IdP-driven changes never touch Owners without the org's and the credential's authority. */
async function guardIdp(tx: EntityManager, ctx: Ctx, org: Organization, m: Membership, via: ChangeVia,
  next: Parameters<typeof ownerChangeOf>[1]): Promise<void> {
  if (via !== "manual") await assertMayChangeOwner(tx, ctx, org, m.id, ownerChangeOf(m, next));
}

export async function lockOrg(tx: EntityManager, orgId: string): Promise<Organization> {
  const org = await tx.getRepository(Organization).findOne({ where: { id: orgId }, lock: { mode: "pessimistic_write" } });
  if (!org) throw new NotFoundError("Organization");
  return org;
}

export async function findMember(tx: EntityManager, orgId: string, memberId: string): Promise<Membership> {
  const m = await tx.getRepository(Membership).findOneBy({ id: memberId, orgId });
  if (!m) throw new NotFoundError("Member");
  return m;
}

async function otherActiveOwners(tx: EntityManager, orgId: string, memberId: string): Promise<number> {
  const [{ n }] = await tx.query(
    `SELECT count(*)::int AS n FROM memberships WHERE org_id = $1 AND role = 'owner' AND status = 'active' AND id <> $2`,
    [orgId, memberId],
  );
  return Number(n);
}

async function assertNotLastOwner(tx: EntityManager, m: Membership): Promise<void> {
  if (m.role === "owner" && m.status === "active" && (await otherActiveOwners(tx, m.orgId, m.id)) === 0) {
    throw new LastOwnerError();
  }
}

export async function userOf(tx: EntityManager, m: Membership): Promise<User> {
  return tx.getRepository(User).findOneByOrFail({ id: m.userId });
}

export const snapshot = (m: Membership, u: User) => ({ type: "member", id: m.id, email: m.pendingEmail ?? u.email, name: u.name });

/** Placeholder and inert accounts (.invalid, RFC 2606) get no mail; a pending person got their one join link. */
export const mailable = (m: Membership, u: User): boolean => !m.pendingEmail && !u.email.endsWith(".invalid");

/** Puts a member's assigned conversations back in the queue; returns how many. */
async function requeueConversations(tx: EntityManager, membershipId: string): Promise<number> {
  const [, count] = await tx.query(
    `UPDATE conversations SET assignee_membership_id = NULL, status = 'queued', updated_at = now()
      WHERE assignee_membership_id = $1 AND status = 'assigned'`,
    [membershipId],
  );
  return Number(count ?? 0);
}

export interface NewMember {
  user: User;
  role: Role;
  source: MembershipSource;
  grants?: GrantInput[];
  scim?: { userName: string; externalId: string | null; attributes: ScimUserAttributes; active: boolean; scimRole: Role | null };
  auditMetadata?: Record<string, unknown>;
}

/** What inserting a membership failed with, as the API reports it: a unique violation is a conflict, anything else itself. */
export function membershipInsertError(err: unknown, email: string): unknown {
  if (!isUniqueViolation(err)) return err;
  if (constraintOf(err) === "memberships_org_scim_user_name_key") {
    return new ConflictError("member.user_name_taken", "A member with this userName already exists in this organization.");
  }
  return new ConflictError("member.exists", `${email} is already a member of this organization.`);
}

export async function addMember(tx: EntityManager, ctx: Ctx, org: Organization, input: NewMember): Promise<Membership> {
  const repo = tx.getRepository(Membership);
  let m: Membership;
  try {
    m = await tx.transaction((inner) => inner.getRepository(Membership).save(repo.create({
      orgId: org.id, userId: input.user.id, role: input.role, source: input.source,
      status: input.scim && !input.scim.active ? "suspended" : "active",
      scimUserName: input.scim?.userName ?? null, externalId: input.scim?.externalId ?? null,
      scimAttributes: input.scim?.attributes ?? null, scimRole: input.scim?.scimRole ?? null,
    })));
  } catch (err) {
    throw membershipInsertError(err, input.user.email);
  }
  if (input.grants?.length) await replaceMemberGrants(tx, org.id, m.id, input.grants);
  await recordAudit(tx, ctx, {
    orgId: org.id, action: "member.added", target: snapshot(m, input.user),
    metadata: { role: m.role, source: m.source, status: m.status, ...input.auditMetadata },
  });
  return m;
}

/**
 * A membership provisioned for an address outside the org's verified domains waits for its
 * person (provision.ts), who was sent a join link (member.join_link_sent).
 */
export async function markPendingJoin(tx: EntityManager, ctx: Ctx, m: Membership, email: string, joinTokenHash: string, sentAt: Date): Promise<void> {
  await tx.query(`UPDATE memberships SET pending_email = $2, join_token_hash = $3, join_sent_at = $4 WHERE id = $1`, [m.id, email, joinTokenHash, sentAt]);
  Object.assign(m, { pendingEmail: email, joinTokenHash, joinSentAt: sentAt });
  await recordAudit(tx, ctx, { orgId: m.orgId, action: "member.join_link_sent", target: { type: "member", id: m.id, email },
    metadata: { reason: "email domain not verified by this organization" } });
}

/** The person followed the join link (join.service.ts): the membership moves from its placeholder account to theirs (member.joined, by them). */
export async function moveToAccount(tx: EntityManager, ctx: Ctx, m: Membership, user: User, email: string): Promise<void> {
  await tx.query(`UPDATE memberships SET user_id = $2, pending_email = NULL, join_token_hash = NULL, updated_at = now() WHERE id = $1`, [m.id, user.id]);
  Object.assign(m, { userId: user.id, pendingEmail: null, joinTokenHash: null });
  const actor = { ...ctx, actor: { type: "user" as const, id: user.id, email: user.email, name: user.name } };
  await recordAudit(tx, actor, { orgId: m.orgId, action: "member.joined", target: { type: "member", id: m.id, email },
    metadata: { role: m.role, source: m.source, via: "join_link" } });
}

/** An IdP-driven change left undone by a rule (e.g. the Owner guard during a role sync); the change's own transaction goes on. */
export async function auditChangeRefused(tx: EntityManager, ctx: Ctx, orgId: string, memberId: string, metadata: Record<string, unknown>): Promise<void> {
  await recordAudit(tx, ctx, { orgId, action: "member.change_refused", target: { type: "member", id: memberId }, metadata });
}

/** An accepted invitation's chatbot scope and grants become the new member's (invitation.service.ts). */
export async function takeInvitationGrants(tx: EntityManager, invitationId: string, membershipId: string, scope: ChatbotScope): Promise<void> {
  await tx.query(`UPDATE chatbot_permissions SET invitation_id = NULL, membership_id = $2 WHERE invitation_id = $1`, [invitationId, membershipId]);
  await tx.query(`UPDATE memberships SET chatbot_scope = $2 WHERE id = $1`, [membershipId, scope]);
}

/** Moves `last_active_at` unless another request did since `notBefore` (the WHERE makes concurrent touches harmless). */
export async function touchMemberActivity(db: DataSource | EntityManager, memberId: string, now: Date, notBefore: Date): Promise<void> {
  await db.query(`UPDATE memberships SET last_active_at = $2 WHERE id = $1 AND (last_active_at IS NULL OR last_active_at < $3)`, [memberId, now, notBefore]);
}

/** Role change with every effect; the caller has locked the org row. */
export async function applyRoleChange(
  deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, m: Membership, newRole: Role, via: ChangeVia,
): Promise<boolean> {
  if (m.role === newRole) return false;
  await guardIdp(tx, ctx, org, m, via, { role: newRole });
  if (m.role === "owner") await assertNotLastOwner(tx, m);
  const oldRole = m.role;
  m.role = newRole;
  await tx.getRepository(Membership).update({ id: m.id }, { role: newRole });
  const u = await userOf(tx, m);
  await recordAudit(tx, ctx, { orgId: org.id, action: "member.role_changed", target: snapshot(m, u), metadata: { oldRole, newRole, via } });
  if (mailable(m, u)) await deps.outbox.enqueue(tx, org.id, u.email, roleChangedEmail({ orgName: org.name, oldRole, newRole, appUrl: deps.config.baseUrl }), { supersedeKey: mailKeys.role(m.id) });
  return true;
}

/** Suspend (SCIM active:false) or restore; role and grants are kept so a restore gives back exactly what was there. */
export async function applyStatus(
  _deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, m: Membership, status: "active" | "suspended", via: ChangeVia,
): Promise<boolean> {
  if (m.status === status) return false;
  await guardIdp(tx, ctx, org, m, via, { status });
  let requeued = 0;
  if (status === "suspended") {
    await assertNotLastOwner(tx, m);
    requeued = await requeueConversations(tx, m.id);
  }
  m.status = status;
  await tx.getRepository(Membership).update({ id: m.id }, { status });
  const u = await userOf(tx, m);
  await recordAudit(tx, ctx, {
    orgId: org.id, action: status === "suspended" ? "member.suspended" : "member.restored", target: snapshot(m, u),
    metadata: { via, role: m.role, ...(status === "suspended" ? { conversationsRequeued: requeued } : {}) },
  });
  return true;
}

/** Removal with every effect; the caller has locked the org row. */
export async function applyRemoval(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, m: Membership, via: ChangeVia): Promise<void> {
  await guardIdp(tx, ctx, org, m, via, { remove: true });
  await assertNotLastOwner(tx, m);
  const requeued = await requeueConversations(tx, m.id);
  const grantsRevoked = await replaceMemberGrants(tx, org.id, m.id, []);
  const u = await userOf(tx, m);
  await tx.getRepository(Membership).delete({ id: m.id });
  await recordAudit(tx, ctx, {
    orgId: org.id, action: "member.removed", target: snapshot(m, u),
    metadata: { via, role: m.role, source: m.source, conversationsRequeued: requeued, grantsRevoked, self: ctx.actor.id === u.id },
  });
  // Mail about a membership that no longer exists is stale: the removal email says what matters.
  await deps.outbox.cancelMany(tx, mailKeys.aboutMember(m.id), "member removed");
  if (mailable(m, u)) await deps.outbox.enqueue(tx, org.id, u.email, removedEmail({ orgName: org.name }));
  if (m.pendingEmail) await tx.query(`DELETE FROM users WHERE id = $1 AND email LIKE '%@pending.roster.invalid'`, [u.id]);
}

/**
 * Runs a membership change; a refusal by the last-Owner rule or the IdP Owner guard is itself
 * audited (in its own transaction, since the change's transaction rolled back).
 */
export async function withRefusalAudit<T>(deps: Deps, ctx: Ctx, orgId: string, memberId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LastOwnerError || err instanceof IdpOwnerChangeError) {
      await deps.ds.transaction((tx) => recordAudit(tx, ctx, {
        orgId, action: "member.change_refused", target: { type: "member", id: (err instanceof IdpOwnerChangeError ? err.memberId : memberId) || null },
        metadata: { reason: err.code, ...(err instanceof IdpOwnerChangeError ? { change: err.change } : {}) },
      }));
    }
    throw err;
  }
}

/** The acting member, as the manual API knows them. */
export interface ActingMember {
  membership: Membership;
}

export async function assertManualAllowed(tx: EntityManager, org: Organization, m: Membership): Promise<void> {
  if (m.source === "scim" && (await scimManaged(tx, org.id, org.plan))) throw new ManagedByIdpError();
}

export async function changeRoleManually(deps: Deps, ctx: Ctx, actor: ActingMember, orgId: string, memberId: string, newRole: Role): Promise<MemberView> {
  return withRefusalAudit(deps, ctx, orgId, memberId, () => deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const m = await findMember(tx, orgId, memberId);
    const actorNow = await findMember(tx, orgId, actor.membership.id);
    if ((m.role === "owner" || newRole === "owner") && actorNow.role !== "owner") throw new OwnerRequiredError();
    await assertManualAllowed(tx, org, m);
    await applyRoleChange(deps, tx, ctx, org, m, newRole, "manual");
    const [view] = await memberViews(tx, [m], await scimManaged(tx, org.id, org.plan));
    return view;
  }));
}

export async function removeMemberManually(deps: Deps, ctx: Ctx, actor: ActingMember, orgId: string, memberId: string): Promise<void> {
  await withRefusalAudit(deps, ctx, orgId, memberId, () => deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const m = await findMember(tx, orgId, memberId);
    const actorNow = await findMember(tx, orgId, actor.membership.id);
    const leaving = m.id === actorNow.id;
    if (m.role === "owner" && actorNow.role !== "owner") throw new OwnerRequiredError("memberId");
    if (!leaving) await assertManualAllowed(tx, org, m);
    await applyRemoval(deps, tx, ctx, org, m, "manual");
  }));
}

export async function listMembers(deps: Deps, org: Organization): Promise<MemberView[]> {
  const tx = deps.ds.manager;
  const members = await tx.getRepository(Membership).find({ where: { orgId: org.id }, order: { createdAt: "ASC", id: "ASC" } });
  return memberViews(tx, members, await scimManaged(tx, org.id, org.plan));
}

export async function getMember(deps: Deps, org: Organization, memberId: string): Promise<MemberView> {
  const tx = deps.ds.manager;
  const m = await findMember(tx, org.id, memberId);
  const [view] = await memberViews(tx, [m], await scimManaged(tx, org.id, org.plan));
  return view;
}

const sameGrants = (a: GrantInput[], b: GrantInput[]): boolean => {
  const key = (g: GrantInput[]) => g.map((x) => `${x.chatbotId}:${x.access}`).sort().join(",");
  return key(a) === key(b);
};

/** A Member's chatbot scope and grants (by hand), with every effect: audit (before/after) and an email to them. */
export async function applyAccessChange(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, m: Membership,
  input: { chatbotScope?: ChatbotScope; chatbotPermissions?: GrantInput[] }): Promise<boolean> {
  if (m.role !== "member") {
    throw new ConflictError("member.access_follows_role",
      "Owners and Admins work in every chatbot. Make this person a Member first to limit their chatbots.", { field: "chatbotScope" });
  }
  const grants = await checkGrants(tx, org.id, input.chatbotPermissions ?? []);
  const scope = resolveScope(input.chatbotScope, grants);
  const kept = scope === "all" ? [] : grants;
  const subject = await subjectOf(tx, m);
  const before = { chatbotScope: effectiveScope(subject), chatbotPermissions: [...subject.grants].map(([chatbotId, access]) => ({ chatbotId, access })) };
  if (before.chatbotScope === scope && sameGrants(before.chatbotPermissions, kept)) return false;
  await replaceMemberGrants(tx, org.id, m.id, kept);
  await tx.getRepository(Membership).update({ id: m.id }, { chatbotScope: scope });
  m.chatbotScope = scope;
  const u = await userOf(tx, m);
  await recordAudit(tx, ctx, {
    orgId: org.id, action: "member.access_changed", target: snapshot(m, u),
    metadata: { before, after: { chatbotScope: scope, chatbotPermissions: kept }, via: "manual" },
  });
  if (mailable(m, u)) {
    const names = new Map((await tx.getRepository(Chatbot).findBy({ orgId: org.id })).map((c) => [c.id, c.name]));
    await deps.outbox.enqueue(tx, org.id, u.email, accessChangedEmail({
      orgName: org.name, scope, appUrl: deps.config.baseUrl,
      chatbots: kept.map((g) => ({ name: names.get(g.chatbotId) ?? "a chatbot", access: g.access })),
    }), { supersedeKey: mailKeys.access(m.id) });
  }
  return true;
}
