/** Organizations: creation with a first Owner, lookup, plan checks. */
import type { EntityManager } from "typeorm";
import { Organization, type Plan } from "../../entities";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { hashPassword } from "../auth/passwords";
import { findUserByEmail, insertUser } from "../accounts/users";
import { ForbiddenError, NotFoundError } from "../errors";
import { addMember } from "../members/member.service";

export interface CreatedOrg {
  org: Organization;
  owner: { id: string; email: string };
  ownerAccountCreated: boolean;
}

export async function createOrgWithOwner(
  deps: Deps, ctx: Ctx, input: { name: string; plan: Plan; ownerEmail: string; ownerPassword?: string; ownerName?: string },
): Promise<CreatedOrg> {
  const passwordHash = input.ownerPassword ? await hashPassword(input.ownerPassword) : null;
  return deps.ds.transaction(async (tx) => {
    const org = await tx.getRepository(Organization).save(tx.getRepository(Organization).create({
      name: input.name, plan: input.plan, settings: {},
    }));
    let user = await findUserByEmail(tx, input.ownerEmail);
    const created = !user;
    if (!user) {
      user = await insertUser(tx, { email: input.ownerEmail, name: input.ownerName ?? null, passwordHash, emailVerified: false });
    }
    // Through the member service like every membership: the first Owner gets its member.added event.
    const m = await addMember(tx, ctx, org, { user, role: "owner", source: "invite", auditMetadata: { via: "org_created" } });
    await recordAudit(tx, ctx, {
      orgId: org.id, action: "org.created", target: { type: "org", id: org.id, name: org.name },
      metadata: { plan: org.plan, ownerEmail: user.email, ownerMembershipId: m.id },
    });
    return { org, owner: { id: user.id, email: user.email }, ownerAccountCreated: created };
  });
}

export async function getOrg(tx: EntityManager, orgId: string): Promise<Organization> {
  const org = await tx.getRepository(Organization).findOneBy({ id: orgId });
  if (!org) throw new NotFoundError("Organization");
  return org;
}

export function requireEnterprise(org: Organization, feature: string): void {
  if (org.plan !== "enterprise") {
    throw new ForbiddenError("plan.enterprise_required",
      `${feature} is available on the Enterprise plan; this organization is on the ${org.plan} plan.`, { plan: org.plan });
  }
}

export async function countOrgs(deps: Deps): Promise<number> {
  return deps.ds.getRepository(Organization).count();
}
