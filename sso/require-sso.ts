/**
 * Whether an org may require SSO, and whom it affects (issue 10): a verified domain and an
 * enabled connection that has proven itself with a successful sign-in (Test connection or a
 * real one). Owners keep password sign-in as the audited break-glass path, so the switch
 * affects every other active member from their next request.
 */
import type { EntityManager } from "typeorm";

export interface RequireSsoReadiness {
  affectedMembers: number;
  ownersKeepingPassword: number;
  problems: Array<{ code: string; message: string }>;
}

export async function requireSsoReadiness(tx: EntityManager, orgId: string): Promise<RequireSsoReadiness> {
  const [row] = await tx.query(
    `SELECT (SELECT count(*)::int FROM org_domains WHERE org_id = $1 AND verified_at IS NOT NULL) AS domains,
            (SELECT count(*)::int FROM sso_connections WHERE org_id = $1 AND enabled) AS enabled,
            (SELECT count(*)::int FROM sso_connections WHERE org_id = $1 AND enabled AND tested_at IS NOT NULL) AS ready,
            (SELECT count(*)::int FROM memberships WHERE org_id = $1 AND status = 'active' AND role <> 'owner') AS affected,
            (SELECT count(*)::int FROM memberships WHERE org_id = $1 AND status = 'active' AND role = 'owner') AS owners`, [orgId]);
  const problems: RequireSsoReadiness["problems"] = [];
  if (Number(row.domains) === 0) problems.push({ code: "sso.require_needs_domain", message: "Verify your organization's email domain before requiring SSO." });
  if (Number(row.enabled) === 0) problems.push({ code: "sso.no_enabled_connection", message: "Add and enable an SSO connection before requiring SSO." });
  else if (Number(row.ready) === 0) problems.push({ code: "sso.require_needs_tested_connection", message: "Test an enabled connection with a successful sign-in before requiring SSO." });
  return { affectedMembers: Number(row.affected), ownersKeepingPassword: Number(row.owners), problems };
}
