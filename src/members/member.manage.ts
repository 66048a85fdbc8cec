/**
 * What the Members page does beyond role and removal: edit a Member's chatbot access, suspend and
 * restore by hand, transfer ownership. Each runs the member service's writes (applyRoleChange,
 * applyAccessChange, applyStatus: the same suspension SCIM uses) under the org lock, so the Owner
 * rules hold; nothing here writes a membership itself.
 */
import type { EntityManager } from "typeorm";
import { Membership, type ChatbotScope, type Organization, type Role } from "../../entities";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { ConflictError } from "../errors";
import {
  applyAccessChange, applyRoleChange, applyStatus, assertManualAllowed, findMember, lockOrg, mailable, snapshot, userOf, withRefusalAudit,
  type ActingMember,
} from "./member.service";
import type { GrantInput } from "./grants";
import { mailKeys } from "../mail/outbox";
import { OwnerRequiredError } from "./member.errors";
import { memberViews, type MemberView } from "./member.view";
import { restoredEmail, suspendedEmail } from "./member-emails";
import { scimManaged } from "../scim-tokens/scim-token.service";

export interface MemberUpdate {
  role?: Role;
  chatbotScope?: ChatbotScope;
  chatbotPermissions?: GrantInput[];
}

async function viewOf(tx: EntityManager, org: Organization, m: Membership): Promise<MemberView> {
  const fresh = await findMember(tx, org.id, m.id);
  const [v] = await memberViews(tx, [fresh], await scimManaged(tx, org.id, org.plan));
  return v;
}


/**
 * PATCH /members/:id: role, chatbot access, or both in one transaction (role first, so "make them
 * a Member with only these chatbots" is one request).
 */
export async function updateMemberManually(deps: Deps, ctx: Ctx, actor: ActingMember, orgId: string, memberId: string, input: MemberUpdate): Promise<MemberView> {
  return withRefusalAudit(deps, ctx, orgId, memberId, () => deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const m = await findMember(tx, orgId, memberId);
    const actorNow = await findMember(tx, orgId, actor.membership.id);
    if ((m.role === "owner" || input.role === "owner") && actorNow.role !== "owner") throw new OwnerRequiredError();
    await assertManualAllowed(tx, org, m);
    if (input.role) await applyRoleChange(deps, tx, ctx, org, m, input.role, "manual");
    if (input.chatbotScope !== undefined || input.chatbotPermissions !== undefined) await applyAccessChange(deps, tx, ctx, org, m, input);
    return viewOf(tx, org, m);
  }));
}

/** Suspend or restore by hand: SCIM's suspension (role and grants kept), plus an email to the person. */
export async function setStatusManually(deps: Deps, ctx: Ctx, actor: ActingMember, orgId: string, memberId: string, status: "active" | "suspended"): Promise<MemberView> {
  return withRefusalAudit(deps, ctx, orgId, memberId, () => deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const m = await findMember(tx, orgId, memberId);
    const actorNow = await findMember(tx, orgId, actor.membership.id);
    if (m.id === actorNow.id) throw new ConflictError("member.self_suspend", "You cannot suspend yourself. Ask another Owner or Admin.");
    if (m.role === "owner" && actorNow.role !== "owner") throw new OwnerRequiredError("memberId");
    await assertManualAllowed(tx, org, m);
    if (await applyStatus(deps, tx, ctx, org, m, status, "manual")) {
      const u = await userOf(tx, m);
      if (mailable(m, u)) {
        // A restore whose suspension email never left cancels it and says nothing: the person
        // was never told, so "restored" would only confuse.
        const unsent = status === "active" ? await deps.outbox.cancel(tx, mailKeys.status(m.id), "suspension lifted before its email left") : 0;
        const mail = status === "suspended" ? suspendedEmail : restoredEmail;
        if (unsent === 0) await deps.outbox.enqueue(tx, org.id, u.email, mail({ orgName: org.name, appUrl: deps.config.baseUrl }), { supersedeKey: mailKeys.status(m.id) });
      }
    }
    return viewOf(tx, org, m);
  }));
}

/**
 * Owner → another active member, in one transaction: they become Owner first (so the org is never
 * without one), then the acting Owner becomes Admin. Each role change is audited and emailed as
 * usual, plus one `org.ownership_transferred` event tying them together.
 */
export async function transferOwnership(deps: Deps, ctx: Ctx, actor: ActingMember, orgId: string, memberId: string): Promise<{ from: MemberView; to: MemberView }> {
  return withRefusalAudit(deps, ctx, orgId, memberId, () => deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const target = await findMember(tx, orgId, memberId);
    const actorNow = await findMember(tx, orgId, actor.membership.id);
    if (actorNow.role !== "owner") throw new OwnerRequiredError("memberId");
    if (target.id === actorNow.id) throw new ConflictError("member.transfer_to_self", "You already own this organization. Pick another member.", { field: "memberId" });
    if (target.status !== "active" || target.pendingEmail) {
      throw new ConflictError("member.transfer_inactive", "Ownership can only go to an active member who has joined.", { field: "memberId" });
    }
    await assertManualAllowed(tx, org, target);
    await assertManualAllowed(tx, org, actorNow);
    const targetWas = target.role;
    await applyRoleChange(deps, tx, ctx, org, target, "owner", "manual");
    await applyRoleChange(deps, tx, ctx, org, actorNow, "admin", "manual");
    const u = await userOf(tx, target);
    await recordAudit(tx, ctx, {
      orgId: org.id, action: "org.ownership_transferred", target: snapshot(target, u),
      metadata: { fromMemberId: actorNow.id, toMemberId: target.id, previousRole: targetWas },
    });
    return { from: await viewOf(tx, org, actorNow), to: await viewOf(tx, org, target) };
  }));
}
