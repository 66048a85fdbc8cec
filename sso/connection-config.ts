/**
 * The settings of a connection as stored in `sso_connections.config` (jsonb), with defaults.
 * Secrets are not here: the OIDC client secret lives only in `secret_encrypted`.
 */
import type { SsoConnection } from "../entities";

export type JitRole = "member" | "admin";

export interface SamlSettings {
  idpEntityId: string;
  idpSsoUrl: string;
  /** https URL of the IdP's metadata; when set, entity ID, SSO URL and certificates follow it (metadata-refresh.ts). */
  idpMetadataUrl?: string;
  /** One or two pinned signing certificates (PEM); either is accepted, so rotation needs no downtime. */
  idpCerts: string[];
  allowIdpInitiated: boolean;
  /**
   * Signature demands. Both off (the default) means "the Response or the Assertion, signed by a
   * pinned certificate, covering the assertion used" — node-saml 5.1 still refuses a wholly
   * unsigned response then (it verifies the assertion whenever the Response is not validly
   * signed; test/integration/sso-saml.test.ts SAML-03). On: that element must be signed too.
   */
  wantAssertionsSigned: boolean;
  wantAuthnResponseSigned: boolean;
  /** Accept RSA-SHA1 / SHA-1 digests (OneLogin's and Auth0's defaults); shown as a warning. */
  allowSha1: boolean;
  /** The provider guide the admin chose (okta, entra, …): names the IdP setting in error pages. */
  provider?: string;
  jitEnabled: boolean;
  jitRole: JitRole;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Accept the IdP's email without `email_verified: true` (for IdPs that never send it). */
  trustEmails: boolean;
  provider?: string;
  jitEnabled: boolean;
  jitRole: JitRole;
}

export function samlSettings(c: SsoConnection): SamlSettings {
  const s = c.config as Partial<SamlSettings>;
  return {
    idpEntityId: String(s.idpEntityId ?? ""), idpSsoUrl: String(s.idpSsoUrl ?? ""), idpCerts: s.idpCerts ?? [],
    ...(typeof s.idpMetadataUrl === "string" && s.idpMetadataUrl ? { idpMetadataUrl: s.idpMetadataUrl } : {}),
    allowIdpInitiated: s.allowIdpInitiated === true,
    // Connections stored before the "either signature" default carry explicit values.
    wantAssertionsSigned: s.wantAssertionsSigned === true,
    wantAuthnResponseSigned: s.wantAuthnResponseSigned === true,
    allowSha1: s.allowSha1 === true,
    ...(typeof s.provider === "string" ? { provider: s.provider } : {}),
    jitEnabled: s.jitEnabled === true, jitRole: s.jitRole === "admin" ? "admin" : "member",
  };
}

export function oidcSettings(c: SsoConnection): OidcSettings {
  const s = c.config as Partial<OidcSettings>;
  return {
    issuer: String(s.issuer ?? ""), clientId: String(s.clientId ?? ""), trustEmails: s.trustEmails === true,
    ...(typeof s.provider === "string" ? { provider: s.provider } : {}),
    jitEnabled: s.jitEnabled === true, jitRole: s.jitRole === "admin" ? "admin" : "member",
  };
}

export function jitOf(c: SsoConnection): { enabled: boolean; role: JitRole } {
  const s = c.kind === "saml" ? samlSettings(c) : oidcSettings(c);
  return { enabled: s.jitEnabled, role: s.jitRole };
}

/** The IdP's details are all there (a connection created with awaitingIdp is not, until its PATCH). */
export function isComplete(c: SsoConnection): boolean {
  if (c.kind === "saml") {
    const s = samlSettings(c);
    return !!s.idpEntityId && !!s.idpSsoUrl && s.idpCerts.length > 0;
  }
  const o = oidcSettings(c);
  return !!o.issuer && !!o.clientId && !!c.secretEncrypted;
}
