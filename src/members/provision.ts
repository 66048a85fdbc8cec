/**
 * provisionMember: the one decision for every email an org's identity provider provisions
 * (SCIM POST, SSO JIT, directory sync). Authority comes from domain ownership or from the person
 * (docs/security.md):
 * - the org verified the email's domain → it may link the existing account or create one;
 * - otherwise the membership waits for the person: it points at a placeholder account (under
 *   pending.roster.invalid: cannot sign in, receives no mail), the org sees only what its IdP
 *   sent, the person's /api/me does not list it, and one email with a join link goes to the
 *   address (audited). Following the link (join.service.ts) moves the membership to their account;
 * - no usable email → an account of its own under scim.roster.invalid, manageable but inert.
 * Granting Owner here obeys the IdP Owner guard. The caller holds the transaction (and the org
 * lock when it needs one) and has already handled "this account is already a member here".
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import { Membership, type MembershipSource, type Organization, type Role, type User } from "../../entities";
import type { Ctx, Deps } from "../context";
import { newSecret } from "../auth/tokens";
import { findOrCreateUser, insertUser, normalizeEmail } from "../accounts/users";
import { isVerifiedDomainOf } from "../orgs/domain-authority";
import { addMember, markPendingJoin, type NewMember } from "./member.service";
import { assertMayChangeOwner } from "./idp-owner-guard";
import { joinEmail } from "./join-email";
import type { GrantInput } from "./grants";

export type ProvisionVia = "scim" | "sso" | "directory";

export interface ProvisionInput {
  /** The address the IdP sent (null or not an address: an inert account of its own). */
  email: string | null;
  /** The name the IdP sent; the only name the org sees while the membership is pending. */
  name: string | null;
  role: Role;
  /** Defaults to "sso" for SSO JIT, else "scim". */
  source?: MembershipSource;
  grants?: GrantInput[];
  scim?: NewMember["scim"];
  auditMetadata?: Record<string, unknown>;
  /** The IdP vouched for the address (SSO): a new account at a verified domain starts verified. */
  emailVerified?: boolean;
}

export interface Provisioned {
  membership: Membership;
  user: User;
  /** existing: the person's account, linked; new: created for a verified-domain email; pending: waits for the person; inert: no email. */
  account: "existing" | "new" | "pending" | "inert";
}

export const PENDING_DOMAIN = "pending.roster.invalid";
export const INERT_DOMAIN = "scim.roster.invalid";
const isAddress = (e: string | null): e is string => !!e && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e.trim());

export async function provisionMember(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, input: ProvisionInput, via: ProvisionVia): Promise<Provisioned> {
  if (input.role === "owner") await assertMayChangeOwner(tx, ctx, org, "", "grant");
  const source = input.source ?? (via === "sso" ? "sso" : "scim");
  const add = (user: User, extra: Record<string, unknown> = {}) => addMember(tx, ctx, org, {
    user, role: input.role, source, grants: input.grants, scim: input.scim, auditMetadata: { ...input.auditMetadata, via, ...extra } });

  if (!isAddress(input.email)) {
    const user = await insertUser(tx, { email: `${randomUUID()}@${INERT_DOMAIN}`, name: input.name });
    return { membership: await add(user), user, account: "inert" };
  }
  const email = normalizeEmail(input.email);
  if (await isVerifiedDomainOf(tx, org.id, email)) {
    const { user, created } = await findOrCreateUser(tx, email, input.name);
    if (created && input.emailVerified) {
      user.emailVerified = true;
      await tx.query(`UPDATE users SET email_verified = true WHERE id = $1`, [user.id]);
    }
    return { membership: await add(user), user, account: created ? "new" : "existing" };
  }
  const placeholder = await insertUser(tx, { email: `${randomUUID()}@${PENDING_DOMAIN}`, name: input.name });
  const membership = await add(placeholder, { pending: true, pendingEmail: email });
  await sendJoinLink(deps, tx, ctx, org, membership, email);
  return { membership, user: placeholder, account: "pending" };
}

/** Marks the membership pending for `email` and sends its one join link (audited). */
async function sendJoinLink(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, m: Membership, email: string): Promise<void> {
  const { token, hash } = newSecret();
  const now = deps.clock.now();
  await markPendingJoin(tx, ctx, m, email, hash, now);
  await deps.outbox.enqueue(tx, org.id, email, joinEmail({ orgName: org.name, link: `${deps.config.baseUrl}/join/${token}` }));
}

/** A pending membership of this org for this email, if the IdP already provisioned one. */
export async function pendingMembershipFor(tx: EntityManager, orgId: string, email: string): Promise<Membership | null> {
  return tx.getRepository(Membership).createQueryBuilder("m")
    .where("m.org_id = :orgId AND lower(m.pending_email) = :email", { orgId, email: normalizeEmail(email) }).getOne();
}
