/**
 * Domain authority: an org speaks for an email address only when it verified the address's
 * domain (DNS TXT or the operator). Everything an IdP provisions hangs on this one question.
 */
import type { EntityManager } from "typeorm";

export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf("@");
  return at > 0 ? email.slice(at + 1).trim().toLowerCase() : null;
}

/** Is the email's domain verified by this org? */
export async function isVerifiedDomainOf(tx: EntityManager, orgId: string, email: string): Promise<boolean> {
  const domain = emailDomain(email);
  if (!domain) return false;
  const rows = await tx.query(`SELECT 1 FROM org_domains WHERE org_id = $1 AND domain = $2 AND verified_at IS NOT NULL`, [orgId, domain]);
  return rows.length > 0;
}
