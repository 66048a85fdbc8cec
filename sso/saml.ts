/**
 * SAML 2.0 SP per connection with @node-saml/node-saml 5.1.0. Every security option is written
 * out (its defaults are unsafe: sha1, no clock skew, InResponseTo never checked), then
 * saml-checks.ts adds what node-saml leaves to us, then the assertion ID is consumed atomically.
 */
import { randomBytes } from "node:crypto";
import { SAML, SamlStatusError, ValidateInResponseTo, generateServiceProviderMetadata, type Profile } from "@node-saml/node-saml";
import type { SsoConnection } from "../entities";
import type { Deps } from "../src/context";
import { samlSettings } from "./connection-config";
import { refuse, SsoError } from "./errors";
import { checkAssertion } from "./saml-checks";
import { SamlRequestCache, SAML_REQUEST_TTL_MS } from "./saml-request-cache";
import { samlUrls } from "./urls";
import { hasDoctype } from "./xml";
import { fromSamlProfile, NAMEID_TRANSIENT, type SsoProfile } from "./profile";
import { safeReturnTo } from "./return-to";
import { assertAlgorithms, describeSignatures, type SignatureReport } from "./saml-signatures";
import { samlAttributes, type SamlAttribute } from "./saml-attributes";
import { ensureActiveKey, publishedCertificates, signingKeyPem } from "./sp-keys";

export const CLOCK_SKEW_MS = 60_000;
/** Base64 of a SAMLResponse; real responses are a few KiB, certificates included. */
export const MAX_SAML_RESPONSE_BYTES = 256 * 1024;
const NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

/** `signingKey`: the connection's SP key (sp-keys.ts); AuthnRequests are signed with RSA-SHA256. */
function samlFor(deps: Deps, conn: SsoConnection, cache: SamlRequestCache, signingKey?: string): SAML {
  const s = samlSettings(conn);
  const u = samlUrls(deps.config.baseUrl, conn.id);
  return new SAML({
    ...(signingKey ? { privateKey: signingKey } : {}),
    entryPoint: s.idpSsoUrl,
    issuer: u.spEntityId,
    audience: u.spEntityId,
    callbackUrl: u.acsUrl,
    idpCert: s.idpCerts,
    wantAssertionsSigned: s.wantAssertionsSigned,
    wantAuthnResponseSigned: s.wantAuthnResponseSigned,
    signatureAlgorithm: "sha256",
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    maxAssertionAgeMs: 10 * 60_000,
    // IdP-initiated responses carry no InResponseTo: only connections that allow them relax this.
    validateInResponseTo: s.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
    cacheProvider: cache,
    identifierFormat: NAMEID_UNSPECIFIED,
    disableRequestedAuthnContext: true,
  });
}

/** SP metadata with AuthnRequestsSigned and the signing certificate(s): active, then the next one during a rotation. */
export async function spMetadataXml(deps: Deps, conn: SsoConnection): Promise<string> {
  const u = samlUrls(deps.config.baseUrl, conn.id);
  const active = await ensureActiveKey(deps, conn.id);
  return generateServiceProviderMetadata({
    issuer: u.spEntityId, callbackUrl: u.acsUrl, identifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    wantAssertionsSigned: samlSettings(conn).wantAssertionsSigned,
    privateKey: await signingKeyPem(deps, active), publicCerts: await publishedCertificates(deps, conn.id), signatureAlgorithm: "sha256",
  });
}

/** SP-initiated login: an AuthnRequest over HTTP-Redirect, its id stored with returnTo and the browser binding. */
export async function samlLoginUrl(deps: Deps, conn: SsoConnection, returnTo: string, binding: string, test?: { userId: string }): Promise<string> {
  const cache = new SamlRequestCache(deps, conn.id, { kind: "saml", returnTo, binding, ...(test ? { test } : {}) });
  // RelayState is an opaque value: returnTo stays server-side with the request id.
  const key = await signingKeyPem(deps, await ensureActiveKey(deps, conn.id));
  return samlFor(deps, conn, cache, key).getAuthorizeUrlAsync(randomBytes(16).toString("base64url"), undefined, {});
}

/** What the IdP sent, for the Test connection report (never shown to the person signing in). */
export interface SamlReceived {
  nameId: string;
  nameIdFormat: string | null;
  attributes: SamlAttribute[];
  signatures: SignatureReport;
}

export interface SamlResult {
  profile: SsoProfile;
  received: SamlReceived;
  returnTo: string;
  /** Binding hash of the browser that started the login; null for IdP-initiated. */
  binding: string | null;
  /** The request was a Test connection sign-in. */
  test: { userId: string } | null;
}

/** node-saml's messages, sorted into reason classes; the message itself goes to the audit detail. */
function classify(err: unknown): SsoError {
  if (err instanceof SsoError) return err;
  if (err instanceof SamlStatusError) return refuse.idpError((err as Error).message);
  const msg = (err as Error)?.message ?? String(err);
  const detail = msg.slice(0, 300);
  if (/InResponseTo is missing/i.test(msg)) return refuse.invalidResponse("sso.saml_unsolicited", detail, err);
  if (/InResponseTo/i.test(msg)) return refuse.invalidResponse("sso.saml_request_unknown", detail, err);
  if (/audience/i.test(msg)) return refuse.invalidResponse("sso.saml_audience_mismatch", detail, err);
  if (/not yet valid|expired|too old|NotOnOrAfter|subject confirmation/i.test(msg)) return refuse.invalidResponse("sso.saml_expired", detail, err);
  if (/signature/i.test(msg)) return refuse.invalidResponse("sso.saml_signature_invalid", detail, err);
  return refuse.invalidResponse("sso.saml_invalid", detail, err);
}

export async function validateSamlPost(deps: Deps, conn: SsoConnection, body: Record<string, unknown>): Promise<SamlResult> {
  const raw = body.SAMLResponse;
  if (typeof raw !== "string" || raw.length === 0) throw refuse.invalidResponse("sso.saml_malformed", "no SAMLResponse field");
  if (raw.length > MAX_SAML_RESPONSE_BYTES) throw refuse.invalidResponse("sso.saml_too_large", `SAMLResponse of ${raw.length} bytes`);
  if (!/^[A-Za-z0-9+/=\r\n]+$/.test(raw)) throw refuse.invalidResponse("sso.saml_malformed", "SAMLResponse is not base64");
  const xml = Buffer.from(raw, "base64").toString("utf8");
  if (hasDoctype(xml)) throw refuse.invalidResponse("sso.saml_malformed", "DOCTYPE or ENTITY in SAMLResponse");
  if (!xml.trimStart().startsWith("<")) throw refuse.invalidResponse("sso.saml_malformed", "SAMLResponse is not XML");

  const s = samlSettings(conn);
  const cache = new SamlRequestCache(deps, conn.id);
  let profile: Profile | null;
  try {
    ({ profile } = await samlFor(deps, conn, cache).validatePostResponseAsync({ SAMLResponse: raw }));
  } catch (err) {
    throw classify(err);
  }
  if (!profile) throw refuse.idpError("no assertion (NoPassive)");
  const assertionXml = profile.getAssertionXml?.();
  const responseXml = (profile as Profile & { getSamlResponseXml?: () => string }).getSamlResponseXml?.() ?? xml;
  if (!assertionXml) throw refuse.invalidResponse("sso.saml_invalid", "no verified assertion");
  // node-saml verified a pinned signature covering this assertion; SHA-1 is ours to refuse.
  const signatures = describeSignatures(xml);
  assertAlgorithms(signatures, s.allowSha1, s.provider);

  const checked = (() => {
    try {
      return checkAssertion({ assertionXml, responseXml, idpEntityId: s.idpEntityId, acsUrl: samlUrls(deps.config.baseUrl, conn.id).acsUrl,
        now: deps.clock.now(), skewMs: CLOCK_SKEW_MS });
    } catch (err) {
      throw err instanceof SsoError ? err : refuse.invalidResponse("sso.saml_malformed", (err as Error).message, err);
    }
  })();

  const solicited = cache.matched;
  if (!solicited && !s.allowIdpInitiated) throw refuse.invalidResponse("sso.saml_unsolicited", "no matching AuthnRequest");

  // The atomic step (SAML-19/25): node-saml reads and deletes the request id in separate calls, so
  // two concurrent posts of one response can both get here; only one insert of the ID succeeds.
  const rows: unknown[] = await deps.ds.query(
    `INSERT INTO saml_assertions (connection_id, assertion_id, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING assertion_id`, [conn.id, checked.assertionId, checked.replayUntil],
  );
  if (!Array.isArray(rows) || rows.length === 0) throw refuse.invalidResponse("sso.saml_replay", `assertion ${checked.assertionId} was already used`);

  if (profile.nameIDFormat === NAMEID_TRANSIENT) {
    throw refuse.invalidResponse("sso.saml_transient_nameid", "transient NameIDs cannot identify a returning user; configure a persistent or email NameID");
  }
  const data = solicited?.data ?? {};
  return {
    profile: fromSamlProfile(profile),
    received: { nameId: profile.nameID, nameIdFormat: profile.nameIDFormat ?? null, attributes: samlAttributes(profile), signatures },
    returnTo: solicited ? String(data.returnTo ?? "/") : safeReturnTo(deps.config.baseUrl, body.RelayState),
    binding: solicited ? String(data.binding ?? "") : null,
    test: solicited && data.test && typeof (data.test as { userId?: unknown }).userId === "string" ? { userId: String((data.test as { userId: string }).userId) } : null,
  };
}

export async function purgeExpired(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  await deps.ds.query(`DELETE FROM saml_assertions WHERE expires_at < $1`, [now]);
  await deps.ds.query(`DELETE FROM sso_transactions WHERE expires_at < $1`, [now]);
}
