/**
 * Rules on the claims of a verified ID token, for any issuer (never by recognising a host name,
 * with one exception, Google's `hd`):
 *  - /userinfo is asked (with the access token; openid-client checks that its `sub` equals the ID
 *    token's, OIDC Core §5.3.2) when the ID token lacks what linking or JIT needs: an email, a
 *    statement about it (`email_verified`), or a name. Okta's code-flow ID token is "thin".
 *  - /userinfo only fills gaps; its `email_verified` counts only for the address the ID token
 *    names (or when the ID token names none).
 *  - `tid` (Entra ID) must be the tenant of a per-tenant issuer `…/<tenant>/v2.0`.
 *  - Google: for the issuer https://accounts.google.com, `hd` must be a domain this org has
 *    verified; consumer accounts carry `email_verified: true` for any address and no `hd`.
 */
import type { EntityManager } from "typeorm";
import { refuse } from "./errors";
import { cleanEmail } from "./profile";
import { isVerifiedDomainOf } from "./domains.service";

export const GOOGLE_ISSUER = "https://accounts.google.com";
type Claims = Record<string, unknown>;

const hasName = (c: Claims) => [c.given_name, c.family_name, c.name].some((v) => typeof v === "string" && v.trim() !== "");

export function needsUserinfo(c: Claims): boolean {
  return cleanEmail(c.email) === null || c.email_verified === undefined || !hasName(c);
}

const FILLABLE = ["email", "name", "given_name", "family_name", "preferred_username", "groups"];

export function mergeUserinfo(id: Claims, info: Claims): Claims {
  const out: Claims = { ...id };
  for (const k of FILLABLE) if (out[k] === undefined && info[k] !== undefined) out[k] = info[k];
  const sameAddress = cleanEmail(id.email) === null || cleanEmail(id.email) === cleanEmail(info.email);
  if (out.email_verified === undefined && info.email_verified !== undefined && sameAddress) out.email_verified = info.email_verified;
  return out;
}

const TENANT_ISSUER = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/?$/i;

export function checkTenant(issuer: string, c: Claims): void {
  const pinned = TENANT_ISSUER.exec(issuer)?.[1]?.toLowerCase();
  if (pinned && c.tid !== undefined && String(c.tid).toLowerCase() !== pinned) {
    throw refuse.invalidResponse("sso.oidc_tenant_mismatch", `tid ${String(c.tid)} is not the issuer's tenant ${pinned}`);
  }
}

export async function checkHostedDomain(tx: EntityManager, orgId: string, issuer: string, c: Claims, hdIssuers: readonly string[]): Promise<void> {
  if (!hdIssuers.includes(issuer.replace(/\/+$/, ""))) return;
  const hd = typeof c.hd === "string" ? c.hd.trim().toLowerCase() : "";
  if (!hd) throw refuse.noAccess("sso.google_hd_missing", "a Google account outside Google Workspace (no hd claim)");
  if (!(await isVerifiedDomainOf(tx, orgId, `x@${hd}`))) throw refuse.noAccess("sso.google_hd_not_verified", `hd ${hd} is not a verified domain of this org`);
  const email = cleanEmail(c.email);
  if (email && !email.endsWith(`@${hd}`)) {
    // Secondary domains of the Workspace: the email must still be at a domain this org verified.
    if (!(await isVerifiedDomainOf(tx, orgId, email))) throw refuse.noAccess("sso.google_hd_not_verified", `email domain of ${email} is not verified`);
  }
}
