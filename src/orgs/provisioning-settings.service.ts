/**
 * "IdP-managed Owners": whether SCIM (and directories) may grant, take away, suspend or remove
 * the Owner role. Off by default; only an Owner turns it on, and even then only tokens and
 * directories an Owner (or the operator) created get that power (src/members/idp-owner-guard.ts).
 */
import { Organization } from "../../entities";
import type { Ctx, Deps } from "../context";
import { recordAudit } from "../audit/audit-log";
import { lockOrg } from "../members/member.service";
import { requireEnterprise } from "./org.service";

export interface ProvisioningSettingsView {
  idpManagedOwners: boolean;
}

export function provisioningSettings(org: Organization): ProvisioningSettingsView {
  return { idpManagedOwners: org.settings?.idpManagedOwners === true };
}

export async function setIdpManagedOwners(deps: Deps, ctx: Ctx, orgId: string, on: boolean): Promise<ProvisioningSettingsView> {
  return deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    requireEnterprise(org, "SCIM provisioning");
    const before = org.settings?.idpManagedOwners === true;
    if (before === on) return { idpManagedOwners: on };
    await tx.getRepository(Organization).update({ id: orgId }, { settings: { ...(org.settings ?? {}), idpManagedOwners: on } });
    await recordAudit(tx, ctx, { orgId, action: "org.idp_managed_owners_changed", target: { type: "org", id: orgId, name: org.name },
      metadata: { idpManagedOwners: on, previous: before } });
    return { idpManagedOwners: on };
  });
}
