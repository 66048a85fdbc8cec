/**
 * What Settings → SSO shows an admin to act on for a SAML connection, in words: SHA-1 accepted,
 * IdP certificates expired or expiring within 30 days, IdP metadata that could not be refreshed.
 */
import { describeCertificate, EXPIRY_WARNING_DAYS } from "./certificates";
import type { SamlSettings } from "./connection-config";
import type { SsoConnection } from "../entities";

export function samlWarnings(s: SamlSettings, now: Date, c?: Pick<SsoConnection, "metadataError" | "metadataFetchedAt">): string[] {
  const out: string[] = [];
  if (s.idpMetadataUrl && c?.metadataError) {
    const since = c.metadataFetchedAt ? ` Last successful refresh: ${new Date(c.metadataFetchedAt).toISOString().slice(0, 16).replace("T", " ")} UTC.` : "";
    out.push(`Roster could not refresh the identity provider's metadata: ${c.metadataError}. It keeps using the certificates it has.${since}`);
  }
  if (s.allowSha1) {
    out.push("SHA-1 signatures are accepted. SHA-1 is no longer secure: switch your identity provider to RSA-SHA256, then turn this off.");
  }
  for (const pem of s.idpCerts) {
    const c = describeCertificate(pem, now);
    const day = c.notAfter.slice(0, 10);
    if (c.expired) out.push(`The identity provider's signing certificate ${c.subject} expired on ${day}: sign-ins will fail until it is replaced.`);
    else if (c.expiresSoon) out.push(`The identity provider's signing certificate ${c.subject} expires on ${day} (within ${EXPIRY_WARNING_DAYS} days): add its replacement.`);
  }
  return out;
}
