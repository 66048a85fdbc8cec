/**
 * The org's "require SSO" switch. When on, members (not Owners) must come through this org's SSO:
 * password sign-in is refused (account.service) and a password session is refused at the org
 * (requireOrgMember). Owners keep password access as an audited break-glass path.
 */
import { Organization } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { ConflictError } from "../src/errors";
import { lockOrg } from "../src/members/member.service";
import { requireEnterprise } from "../src/orgs/org.service";
import { requireSsoReadiness } from "./require-sso";

export interface SsoSettingsView {
  requireSso: boolean;
}

export async function setRequireSso(deps: Deps, ctx: Ctx, orgId: string, requireSso: boolean): Promise<SsoSettingsView> {
  return deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    requireEnterprise(org, "Single sign-on");
    const before = org.settings?.requireSso === true;
    if (before === requireSso) return { requireSso };
    if (requireSso) {
      const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM sso_connections WHERE org_id = $1 AND enabled`, [orgId]);
      if (Number(n) === 0) throw new ConflictError("sso.no_enabled_connection", "Add and enable an SSO connection before requiring SSO.");
      const problem = (await requireSsoReadiness(tx, orgId)).problems[0];
      if (problem) throw new ConflictError(problem.code, problem.message);
    }
    await tx.getRepository(Organization).update({ id: orgId }, { settings: { ...(org.settings ?? {}), requireSso } });
    await recordAudit(tx, ctx, { orgId, action: "org.sso_requirement_changed", target: { type: "org", id: orgId, name: org.name },
      metadata: { requireSso, previous: before } });
    return { requireSso };
  });
}
