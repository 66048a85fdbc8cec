/**
 * IdP signing certificates: normalised to PEM, parsed once to prove they are certificates, and
 * described (expiry) so admins see a rotation coming. node-saml pins exactly these; the
 * certificate inside a response's KeyInfo is never trusted.
 */
import { X509Certificate } from "node:crypto";
import { ValidationError } from "../src/errors";

export const EXPIRY_WARNING_DAYS = 30;

export interface CertificateInfo {
  subject: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  expired: boolean;
  expiresSoon: boolean;
}

/** PEM or bare base64 (as in metadata X509Certificate) → PEM; throws a field error otherwise. */
export function toPem(input: string, field = "idpCerts"): string {
  const body = input.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new ValidationError([{ field, message: "is not a PEM or base64 X.509 certificate" }]);
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new ValidationError([{ field, message: "is not a valid X.509 certificate" }]);
  }
  return pem;
}

export function describeCertificate(pem: string, now: Date): CertificateInfo {
  const c = new X509Certificate(pem);
  const notAfter = new Date(c.validTo);
  return {
    subject: c.subject.replace(/\n/g, ", "),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    fingerprintSha256: c.fingerprint256,
    expired: notAfter <= now,
    expiresSoon: notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * 86_400_000,
  };
}
