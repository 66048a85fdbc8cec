/**
 * Invitations: invite, list, resend, revoke, describe, accept.
 *
 * The token (32 random bytes) is only in the emailed link; the table holds its sha256. A resend
 * mints a new token (we cannot re-send the old one: it is not stored), so the previous link dies
 * and the new one gets a fresh 7 days. Accepting is atomic: the invitation row is locked, so two
 * concurrent accepts make one membership.
 */
import type { EntityManager } from "typeorm";
import { ChatbotPermission, Invitation, Membership, Organization, User, type ChatbotScope, type Role } from "../../entities";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { newSecret, sha256 } from "../auth/tokens";
import { hashPassword } from "../auth/passwords";
import { isUniqueViolation } from "../db/pg-errors";
import { ConflictError, GoneError, NotFoundError } from "../errors";
import { invitationEmail } from "../mail/templates";
import { mailKeys } from "../mail/outbox";
import { scimManaged } from "../scim-tokens/scim-token.service";
import { findUserByEmail, normalizeEmail } from "../accounts/users";
import { accountForLinkHolder } from "../accounts/claim";
import { addMember, applyRemoval, lockOrg, takeInvitationGrants } from "../members/member.service";
import { checkGrants, resolveScope, type GrantInput } from "../members/grants";
import { OwnerRequiredError } from "../members/member.errors";

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
/** Why a link stopped working, as the person holding it needs to hear it (codes `invitation.<reason>`). */
const DEAD_LINK = {
  used: "This invitation was already accepted.",
  replaced: "A newer invitation was sent to you after this one. Check your inbox for the latest email and use its link.",
  revoked: "This invitation was withdrawn by an administrator of the organization. Ask them for a fresh invite if you still need access.",
  expired: "This invitation has expired. Ask an administrator of the organization to send it again.",
} as const;
type DeadReason = keyof typeof DEAD_LINK;

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  status: "pending" | "expired";
  expiresAt: Date;
  sendCount: number;
  lastSentAt: Date;
  createdAt: Date;
  invitedBy: { userId: string | null; name: string | null; email: string | null };
  /** As stored; Owners and Admins get every chatbot whatever it says. */
  chatbotScope: ChatbotScope;
  chatbotPermissions: GrantInput[];
}

export function view(inv: Invitation, grants: GrantInput[], now: Date): InvitationView {
  return {
    id: inv.id, email: inv.email, role: inv.role, status: inv.expiresAt <= now ? "expired" : "pending",
    expiresAt: inv.expiresAt, sendCount: inv.sendCount, lastSentAt: inv.lastSentAt, createdAt: inv.createdAt,
    invitedBy: { userId: inv.invitedByUserId, name: inv.invitedByName, email: inv.invitedByEmail },
    chatbotScope: inv.chatbotScope, chatbotPermissions: grants,
  };
}

export async function grantsOfInvitation(tx: EntityManager, invitationId: string): Promise<GrantInput[]> {
  const rows = await tx.getRepository(ChatbotPermission).find({ where: { invitationId }, order: { createdAt: "ASC" } });
  return rows.map((r) => ({ chatbotId: r.chatbotId, access: r.access }));
}

const link = (deps: Deps, token: string): string => `${deps.config.baseUrl}/invitations/${token}`;
const inviterName = (ctx: Ctx): string => ctx.actor.name || ctx.actor.email || "An administrator";

/** Keyed by invitation: a resend's email cancels the previous one if it has not left yet (its link is dead). */
async function sendInvitationEmail(deps: Deps, tx: EntityManager, org: Organization, inv: Invitation, token: string, resend: boolean): Promise<void> {
  await deps.outbox.enqueue(tx, org.id, inv.email, invitationEmail({
    orgName: org.name, inviterName: inv.invitedByName || inv.invitedByEmail || "An administrator", role: inv.role,
    link: link(deps, token), expiresAt: inv.expiresAt, resend,
  }), { supersedeKey: mailKeys.invitation(inv.id) });
}

export interface InviteInput {
  email: string;
  role: Role;
  chatbotScope?: ChatbotScope;
  chatbotPermissions?: GrantInput[];
}

export async function createInvitation(deps: Deps, ctx: Ctx, actorRole: Role, orgId: string, input: InviteInput): Promise<InvitationView> {
  if (input.role === "owner" && actorRole !== "owner") throw new OwnerRequiredError("role");
  const email = normalizeEmail(input.email);
  const now = deps.clock.now();
  try {
    return await deps.ds.transaction(async (tx) => {
      const org = await lockOrg(tx, orgId);
      if (await scimManaged(tx, org.id, org.plan)) {
        throw new ConflictError("invitation.managed_by_idp", "Members of this organization are managed by your identity provider (SCIM); add people there.");
      }
      const user = await findUserByEmail(tx, email);
      if (user && (await tx.getRepository(Membership).existsBy({ orgId, userId: user.id }))) {
        throw new ConflictError("invitation.already_member", `${email} is already a member of this organization.`, { field: "email" });
      }
      const pending = await tx.getRepository(Invitation).createQueryBuilder("i")
        .where("i.orgId = :orgId AND lower(i.email) = :email AND i.acceptedAt IS NULL AND i.revokedAt IS NULL", { orgId, email })
        .getOne();
      if (pending && pending.expiresAt > now) {
        throw new ConflictError("invitation.pending_exists", `${email} already has a pending invitation (${pending.id}); resend or revoke it.`,
          { field: "email", invitationId: pending.id });
      }
      if (pending) { // expired: replaced by this one
        await tx.getRepository(Invitation).update({ id: pending.id }, { revokedAt: now });
        await deps.outbox.cancel(tx, mailKeys.invitation(pending.id), "invitation replaced by a new one");
      }
      const grants = await checkGrants(tx, orgId, input.chatbotPermissions ?? []);
      const chatbotScope = resolveScope(input.chatbotScope, grants);
      const { token, hash } = newSecret();
      const repo = tx.getRepository(Invitation);
      const inv = await repo.save(repo.create({
        orgId, email, role: input.role, chatbotScope, tokenHash: hash, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        sendCount: 1, lastSentAt: now, invitedByUserId: ctx.actor.type === "user" ? (ctx.actor.id ?? null) : null,
        invitedByName: inviterName(ctx), invitedByEmail: ctx.actor.email ?? null, revokedAt: null, acceptedAt: null,
      }));
      if (pending) await tx.getRepository(Invitation).update({ id: pending.id }, { replacedById: inv.id });
      if (grants.length) {
        await tx.getRepository(ChatbotPermission).insert(grants.map((g) => ({ orgId, invitationId: inv.id, chatbotId: g.chatbotId, access: g.access })));
      }
      await recordAudit(tx, ctx, {
        orgId, action: "invitation.created", target: { type: "invitation", id: inv.id, email },
        metadata: { role: inv.role, chatbotScope, chatbotPermissions: grants },
      });
      await sendInvitationEmail(deps, tx, org, inv, token, false);
      return view(inv, grants, now);
    });
  } catch (err) {
    // Two concurrent invites to one email: the partial unique index lets one through.
    if (isUniqueViolation(err)) throw new ConflictError("invitation.pending_exists", `${email} already has a pending invitation.`, { field: "email" });
    throw err;
  }
}

export async function listInvitations(deps: Deps, orgId: string): Promise<InvitationView[]> {
  const tx = deps.ds.manager;
  const rows = await tx.getRepository(Invitation).createQueryBuilder("i")
    .where("i.orgId = :orgId AND i.acceptedAt IS NULL AND i.revokedAt IS NULL", { orgId })
    .orderBy("i.createdAt", "DESC").getMany();
  const now = deps.clock.now();
  const out: InvitationView[] = [];
  for (const r of rows) out.push(view(r, await grantsOfInvitation(tx, r.id), now));
  return out;
}

async function lockPendingInvitation(tx: EntityManager, orgId: string, id: string): Promise<Invitation> {
  const inv = await tx.getRepository(Invitation).findOne({ where: { id, orgId }, lock: { mode: "pessimistic_write" } });
  if (!inv) throw new NotFoundError("Invitation");
  return inv;
}

export async function resendInvitation(deps: Deps, ctx: Ctx, orgId: string, id: string): Promise<InvitationView> {
  return deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const inv = await lockPendingInvitation(tx, orgId, id);
    const now = deps.clock.now();
    if (inv.acceptedAt) throw new ConflictError("invitation.accepted", "This invitation was already accepted.");
    if (inv.revokedAt) throw new ConflictError("invitation.revoked", "This invitation was revoked; send a fresh invite instead.");
    if (inv.expiresAt <= now) throw new ConflictError("invitation.expired", "This invitation has expired; send a fresh invite instead.");
    const { token, hash } = newSecret();
    inv.previousTokenHashes = [...(inv.previousTokenHashes ?? []), inv.tokenHash].slice(-20);
    inv.tokenHash = hash;
    inv.sendCount += 1;
    inv.lastSentAt = now;
    inv.expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
    await tx.getRepository(Invitation).save(inv);
    await recordAudit(tx, ctx, { orgId, action: "invitation.resent", target: { type: "invitation", id: inv.id, email: inv.email }, metadata: { sendCount: inv.sendCount } });
    await sendInvitationEmail(deps, tx, org, inv, token, true);
    return view(inv, await grantsOfInvitation(tx, inv.id), now);
  });
}

export async function revokeInvitation(deps: Deps, ctx: Ctx, orgId: string, id: string): Promise<void> {
  await deps.ds.transaction(async (tx) => {
    await lockOrg(tx, orgId);
    const inv = await lockPendingInvitation(tx, orgId, id);
    if (inv.acceptedAt) throw new ConflictError("invitation.accepted", "This invitation was already accepted.");
    if (inv.revokedAt) return;
    inv.revokedAt = deps.clock.now();
    await tx.getRepository(Invitation).save(inv);
    const cancelled = await deps.outbox.cancel(tx, mailKeys.invitation(inv.id), "invitation revoked");
    await recordAudit(tx, ctx, { orgId, action: "invitation.revoked", target: { type: "invitation", id: inv.id, email: inv.email },
      ...(cancelled ? { metadata: { emailsCancelled: cancelled } } : {}) });
  });
}

/**
 * A dead link says why (410 `invitation.used|replaced|revoked|expired`): whoever holds it got it
 * by email, so the reason tells them nothing they could not know. Only an unknown token is 404.
 */
function deadLink(reason: DeadReason, details?: Record<string, unknown>): GoneError {
  return new GoneError(`invitation.${reason}`, DEAD_LINK[reason], details);
}

function assertUsable(inv: Invitation, now: Date): void {
  if (inv.acceptedAt) throw deadLink("used");
  if (inv.replacedById) throw deadLink("replaced");
  if (inv.revokedAt) throw deadLink("revoked");
  if (inv.expiresAt <= now) throw deadLink("expired");
}

/**
 * The dead-link error a viewer sees. For an accepted invitation, a signed-in active member of the
 * org also gets the org (id and name) to open it; nobody else learns the org from a dead link.
 */
async function deadLinkFor(deps: Deps, inv: Invitation, viewer: User | undefined): Promise<void> {
  try {
    assertUsable(inv, deps.clock.now());
  } catch (err) {
    if (err instanceof GoneError && err.code === "invitation.used" && viewer) {
      const m = await deps.ds.getRepository(Membership).findOne({ where: { orgId: inv.orgId, userId: viewer.id, status: "active" }, relations: { org: true } });
      if (m) throw deadLink("used", { org: { id: m.org.id, name: m.org.name } });
    }
    throw err;
  }
}

export interface InvitationSummary {
  orgName: string;
  inviterName: string | null;
  role: Role;
  email: string;
}

/** The invitation a link names: by its current token, or by one a resend replaced (then 410). */
async function byToken(tx: EntityManager, token: string, lock: boolean): Promise<Invitation> {
  const h = sha256(token);
  const qb = tx.getRepository(Invitation).createQueryBuilder("i").where("i.tokenHash = :h OR :h = ANY(i.previousTokenHashes)", { h });
  if (lock) qb.setLock("pessimistic_write");
  const inv = await qb.getOne();
  if (!inv) throw new NotFoundError("Invitation");
  if (inv.tokenHash !== h) throw deadLink("replaced");
  return inv;
}

export async function describeInvitation(deps: Deps, token: string, viewer?: User): Promise<InvitationSummary> {
  const found = await byToken(deps.ds.manager, token, false);
  await deadLinkFor(deps, found, viewer);
  const inv = await deps.ds.getRepository(Invitation).findOneOrFail({ where: { id: found.id }, relations: { org: true } });
  return { orgName: inv.org.name, inviterName: inv.invitedByName, role: inv.role, email: inv.email };
}

export interface AcceptInput {
  /** The signed-in account, if any. */
  user?: User;
  /** For a visitor without a session: creates (or, for an unverified one, claims) the invited account. */
  name?: string;
  password?: string;
}

export interface Accepted {
  user: User;
  membershipId: string;
  orgId: string;
  /** True when the caller must be signed in as `user` (the account was created or claimed here). */
  signIn: boolean;
}

/**
 * Holding the link proves the invited email (src/accounts/claim.ts). A signed-in account must have
 * exactly that email. A visitor may create the account, or claim an existing UNVERIFIED one: the
 * claim resets it (earlier password, sessions, SSO identity links and IdP-made memberships that
 * were attached without proof are removed, audited). An existing verified account must sign in first.
 */
/** An SSO-JIT membership still waiting for this address is superseded by the accepted invitation. */
async function dropSupersededPending(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, email: string): Promise<void> {
  const waiting = await tx.getRepository(Membership).createQueryBuilder("m")
    .where("m.org_id = :orgId AND lower(m.pending_email) = :email AND m.scim_user_name IS NULL", { orgId: org.id, email: normalizeEmail(email) }).getMany();
  for (const m of waiting) await applyRemoval(deps, tx, ctx, org, m, "manual");
}

export async function acceptInvitation(deps: Deps, ctx: Ctx, token: string, input: AcceptInput): Promise<Accepted> {
  // Look the token up before paying for scrypt: a guessed token must cost the server nothing.
  await deadLinkFor(deps, await byToken(deps.ds.manager, token, false), input.user);
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  return deps.ds.transaction(async (tx) => {
    // Lock order everywhere: org row, then invitation row (resend and revoke do the same).
    const found = await byToken(tx, token, false);
    const org = await lockOrg(tx, found.orgId);
    const inv = await byToken(tx, token, true);
    assertUsable(inv, deps.clock.now());

    const { user, signIn } = await accountForLinkHolder(deps, tx, ctx, inv.email, { user: input.user, name: input.name, passwordHash }, "invitation", org.id);

    const member = await addMember(tx, { ...ctx, actor: { type: "user", id: user.id, email: user.email, name: user.name } }, org, {
      user, role: inv.role, source: "invite", auditMetadata: { invitationId: inv.id },
    });
    // The invitation's scope and grants become the member's.
    await takeInvitationGrants(tx, inv.id, member.id, inv.chatbotScope);
    await tx.getRepository(Invitation).update({ id: inv.id }, { acceptedAt: deps.clock.now() });
    await deps.outbox.cancel(tx, mailKeys.invitation(inv.id), "invitation already accepted");
    await dropSupersededPending(deps, tx, ctx, org, inv.email);
    await recordAudit(tx, { ...ctx, actor: { type: "user", id: user.id, email: user.email, name: user.name } }, {
      orgId: org.id, action: "invitation.accepted", target: { type: "invitation", id: inv.id, email: inv.email }, metadata: { role: inv.role, membershipId: member.id },
    });
    return { user, membershipId: member.id, orgId: org.id, signIn };
  });
}
