/**
 * The settings of a connection as stored in `sso_connections.config` (jsonb), with defaults.
 * Secrets are not here: the OIDC client secret lives only in `secret_encrypted`.
 */
import type { SsoConnection } from "../entities";

export type JitRole = "member" | "admin";

export interface SamlSettings {
  idpEntityId: string;
  idpSsoUrl: string;
  /** One or two pinned signing certificates (PEM); either is accepted, so rotation needs no downtime. */
  idpCerts: string[];
  allowIdpInitiated: boolean;
  wantAssertionsSigned: boolean;
  wantAuthnResponseSigned: boolean;
  jitEnabled: boolean;
  jitRole: JitRole;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Accept the IdP's email without `email_verified: true` (for IdPs that never send it). */
  trustEmails: boolean;
  jitEnabled: boolean;
  jitRole: JitRole;
}

export function samlSettings(c: SsoConnection): SamlSettings {
  const s = c.config as Partial<SamlSettings>;
  return {
    idpEntityId: String(s.idpEntityId ?? ""), idpSsoUrl: String(s.idpSsoUrl ?? ""), idpCerts: s.idpCerts ?? [],
    allowIdpInitiated: s.allowIdpInitiated === true,
    wantAssertionsSigned: s.wantAssertionsSigned !== false,
    wantAuthnResponseSigned: s.wantAuthnResponseSigned !== false,
    jitEnabled: s.jitEnabled === true, jitRole: s.jitRole === "admin" ? "admin" : "member",
  };
}

export function oidcSettings(c: SsoConnection): OidcSettings {
  const s = c.config as Partial<OidcSettings>;
  return {
    issuer: String(s.issuer ?? ""), clientId: String(s.clientId ?? ""), trustEmails: s.trustEmails === true,
    jitEnabled: s.jitEnabled === true, jitRole: s.jitRole === "admin" ? "admin" : "member",
  };
}

export function jitOf(c: SsoConnection): { enabled: boolean; role: JitRole } {
  const s = c.kind === "saml" ? samlSettings(c) : oidcSettings(c);
  return { enabled: s.jitEnabled, role: s.jitRole };
}
