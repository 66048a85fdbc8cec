/**
 * What the API and CLI show of a connection: settings without secrets, Roster's own URLs, the
 * IdP certificates with their expiry, warnings in words, and the Test connection state.
 */
import type { SsoConnection } from "../entities";
import type { Config } from "../src/config";
import { describeCertificate, type CertificateInfo } from "./certificates";
import { isComplete, oidcSettings, samlSettings } from "./connection-config";
import { samlWarnings } from "./connection-warnings";
import { oidcUrls, samlUrls } from "./urls";

export interface ConnectionView {
  id: string;
  orgId: string;
  kind: "saml" | "oidc";
  name: string;
  enabled: boolean;
  /** When a sign-in through it last succeeded for the first time (Test connection or real); null = never. */
  testedAt: Date | null;
  lastTest: Record<string, unknown> | null;
  /** The IdP's details are set (false right after creating with awaitingIdp). */
  setupComplete: boolean;
  jitEnabled: boolean;
  jitRole: "member" | "admin";
  loginUrl: string;
  /** Things an admin should act on, in words (SHA-1 allowed, certificates expiring, metadata refresh failing). */
  warnings: string[];
  createdAt: Date;
  updatedAt: Date;
  saml?: {
    spEntityId: string; acsUrl: string; metadataUrl: string; idpEntityId: string; idpSsoUrl: string;
    idpMetadataUrl: string | null; metadataFetchedAt: Date | null; metadataError: string | null;
    certificates: CertificateInfo[]; allowIdpInitiated: boolean; wantAssertionsSigned: boolean; wantAuthnResponseSigned: boolean;
    allowSha1: boolean; provider: string | null;
  };
  oidc?: { issuer: string; clientId: string; redirectUri: string; trustEmails: boolean; clientSecretSet: boolean; provider: string | null };
}

export function connectionView(config: Config, c: SsoConnection, now: Date): ConnectionView {
  const base = { id: c.id, orgId: c.orgId, kind: c.kind, name: c.name, enabled: c.enabled, testedAt: c.testedAt ?? null, lastTest: c.lastTest ?? null, setupComplete: isComplete(c),
    createdAt: c.createdAt, updatedAt: c.updatedAt };
  if (c.kind === "saml") {
    const s = samlSettings(c);
    const u = samlUrls(config.baseUrl, c.id);
    return { ...base, jitEnabled: s.jitEnabled, jitRole: s.jitRole, loginUrl: u.loginPath, warnings: samlWarnings(s, now, c), saml: {
      spEntityId: u.spEntityId, acsUrl: u.acsUrl, metadataUrl: u.metadataUrl, idpEntityId: s.idpEntityId, idpSsoUrl: s.idpSsoUrl,
      idpMetadataUrl: s.idpMetadataUrl ?? null, metadataFetchedAt: c.metadataFetchedAt ?? null, metadataError: c.metadataError ?? null,
      certificates: s.idpCerts.map((p) => describeCertificate(p, now)), allowIdpInitiated: s.allowIdpInitiated,
      wantAssertionsSigned: s.wantAssertionsSigned, wantAuthnResponseSigned: s.wantAuthnResponseSigned,
      allowSha1: s.allowSha1, provider: s.provider ?? null,
    } };
  }
  const s = oidcSettings(c);
  const u = oidcUrls(config.baseUrl, c.id);
  return { ...base, jitEnabled: s.jitEnabled, jitRole: s.jitRole, loginUrl: u.loginPath, warnings: [], oidc: {
    issuer: s.issuer, clientId: s.clientId, redirectUri: u.redirectUri, trustEmails: s.trustEmails, clientSecretSet: !!c.secretEncrypted, provider: s.provider ?? null,
  } };
}

