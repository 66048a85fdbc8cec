/**
 * Settles a profile against the org before login.ts decides who it is:
 *  - the email is the first candidate in a domain this org has verified, else the first one
 *    (Entra's NameID is the UPN, its `emailaddress` claim the mail: they may differ);
 *  - an email with `emailTrust: "org_domains"` (no verification claim anywhere, e.g. Entra ID)
 *    counts as verified only inside the org's verified domains: the org's own IdP speaks for the
 *    org's own domain, and for nothing else. login.ts then applies its own trust rules.
 */
import type { EntityManager } from "typeorm";
import { isVerifiedDomainOf } from "./domains.service";
import type { SsoProfile } from "./profile";

export async function settleProfile(tx: EntityManager, orgId: string, p: SsoProfile): Promise<SsoProfile> {
  let chosen = p.email;
  let inVerifiedDomain = false;
  for (const candidate of p.emailCandidates) {
    if (await isVerifiedDomainOf(tx, orgId, candidate)) {
      chosen = candidate;
      inVerifiedDomain = true;
      break;
    }
  }
  const emailVerified = p.emailTrust === "org_domains" ? inVerifiedDomain : p.emailVerified;
  return { ...p, email: chosen, emailVerified: chosen !== null && emailVerified };
}
