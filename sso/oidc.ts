/**
 * OpenID Connect RP per connection with openid-client 6: authorization code + PKCE (S256),
 * `state` and `nonce` kept server-side (sso_transactions), single use, 10 minutes, bound to the
 * browser. The transaction, not the query, names the connection, issuer, nonce and verifier
 * (mix-up defence, RFC 9700 §4.4).
 *
 * openid-client does not verify the ID token signature of a token-endpoint response by default
 * (OIDC Core §3.1.3.7 lets RPs rely on TLS); enableNonRepudiationChecks + a pinned RS256 make it
 * check the signature against the issuer's JWKS, so `none` and HS256-with-the-secret are refused.
 * http:// issuers are refused unless test wiring allows loopback ones (config.ssoAllowInsecureLoopbackIssuers).
 */
import * as client from "openid-client";
import type { Request } from "express";
import { SsoTransaction, type SsoConnection } from "../entities";
import type { Deps } from "../src/context";
import { oidcSettings } from "./connection-config";
import { issuerAllowed } from "./connections.service";
import { refuse, SsoError } from "./errors";
import { decryptSecret } from "./secrets";
import { oidcUrls } from "./urls";
import { fromOidcClaims, type SsoProfile } from "./profile";
import { browserMatches } from "./browser-binding";
import { checkHostedDomain, checkTenant, GOOGLE_ISSUER, mergeUserinfo, needsUserinfo } from "./oidc-claims";

export const OIDC_TRANSACTION_TTL_MS = 10 * 60_000;
const DISCOVERY_TTL_MS = 60 * 60_000;
const ID_TOKEN_ALG = "RS256";

const discoveryCache = new Map<string, { until: number; meta: Promise<client.ServerMetadata> }>();

function insecureAllowed(deps: Deps, issuer: string): boolean {
  return new URL(issuer).protocol === "http:" && issuerAllowed(deps.config, issuer);
}

async function serverMetadata(deps: Deps, issuer: string): Promise<client.ServerMetadata> {
  const hit = discoveryCache.get(issuer);
  if (hit && hit.until > Date.now()) return hit.meta;
  if (!issuerAllowed(deps.config, issuer)) throw new SsoError("sso.issuer_not_allowed", 400, "This connection's issuer must use https.");
  const meta = client.discovery(new URL(issuer), "roster", undefined, undefined,
    insecureAllowed(deps, issuer) ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 })
    .then((c) => c.serverMetadata());
  discoveryCache.set(issuer, { until: Date.now() + DISCOVERY_TTL_MS, meta });
  meta.catch(() => discoveryCache.delete(issuer));
  return meta;
}

async function configurationFor(deps: Deps, conn: SsoConnection): Promise<client.Configuration> {
  const s = oidcSettings(conn);
  let meta: client.ServerMetadata;
  try {
    meta = await serverMetadata(deps, s.issuer);
  } catch (err) {
    if (err instanceof SsoError) throw err;
    throw new SsoError("sso.idp_unreachable", 502, "Your identity provider could not be reached. Please try again later.", (err as Error).message, { cause: err });
  }
  if (!conn.secretEncrypted) throw new SsoError("sso.misconfigured", 500, "This SSO connection is not fully configured.");
  const secret = decryptSecret(deps.config.encryptionKey, conn.id, conn.secretEncrypted);
  const methods = meta.token_endpoint_auth_methods_supported;
  const auth = !methods || methods.includes("client_secret_basic") ? client.ClientSecretBasic(secret) : client.ClientSecretPost(secret);
  const config = new client.Configuration(meta, s.clientId, {
    id_token_signed_response_alg: ID_TOKEN_ALG,
    // The injected clock decides what "now" is for exp/iat checks.
    [client.clockSkew]: Math.round((deps.clock.now().getTime() - Date.now()) / 1000),
  }, auth);
  client.enableNonRepudiationChecks(config);
  if (insecureAllowed(deps, s.issuer)) client.allowInsecureRequests(config);
  return config;
}

export async function oidcLoginUrl(deps: Deps, conn: SsoConnection, returnTo: string, binding: string, test?: { userId: string }): Promise<string> {
  const config = await configurationFor(deps, conn);
  const { redirectUri } = oidcUrls(deps.config.baseUrl, conn.id);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  await deps.ds.getRepository(SsoTransaction).insert({
    id: state, connectionId: conn.id,
    data: { kind: "oidc", verifier, nonce, returnTo, binding, issuer: oidcSettings(conn).issuer, redirectUri, ...(test ? { test } : {}) } as never,
    expiresAt: new Date(deps.clock.now().getTime() + OIDC_TRANSACTION_TTL_MS),
  });
  return client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: "openid email profile", state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
  }).href;
}

function classify(err: unknown): SsoError {
  if (err instanceof SsoError) return err;
  const e = err as { code?: string; error?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause && typeof e.cause === "object" ? ` (${e.cause.code ?? ""} ${e.cause.message ?? ""})` : "";
  const detail = `${e.code ?? e.error ?? "error"}: ${e.message ?? String(err)}${cause}`.slice(0, 300);
  if (err instanceof client.AuthorizationResponseError) return refuse.idpError(detail);
  if (err instanceof client.ResponseBodyError) return refuse.invalidResponse("sso.oidc_token_rejected", detail, err);
  // ID token problems surface as JWT/JWS codes, or as OAUTH_INVALID_RESPONSE with a JWT cause.
  if (/JWT|JWS|JWK|ALG|CLAIM|TIMESTAMP|SIGNATURE/i.test(e.code ?? "") || /\bJW[TSK]\b|id_token/i.test(cause)) {
    return refuse.invalidResponse("sso.oidc_id_token_invalid", detail, err);
  }
  return refuse.invalidResponse("sso.oidc_invalid_response", detail, err);
}

/** /userinfo with the access token; openid-client refuses a `sub` other than the ID token's. */
async function userinfo(config: client.Configuration, accessToken: string, sub: string): Promise<Record<string, unknown>> {
  try {
    return { ...(await client.fetchUserInfo(config, accessToken, sub)) } as Record<string, unknown>;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw refuse.invalidResponse("sso.oidc_userinfo_failed", `${e.code ?? "error"}: ${e.message ?? String(err)}`.slice(0, 300), err);
  }
}

export interface OidcResult {
  profile: SsoProfile;
  /** The verified claims (ID token, gaps filled from /userinfo), for the Test connection report. */
  claims: Record<string, unknown>;
  returnTo: string;
}

/** The callback: pops the transaction (single use), checks the browser, then redeems the code. */
/**
 * `flow.test` is set as soon as the transaction says this is a Test connection sign-in (so the
 * caller reports a later failure to the admin); a disabled connection answers only those.
 */
export async function oidcCallback(deps: Deps, conn: SsoConnection, req: Request, flow: { test?: { userId: string } } = {}): Promise<OidcResult> {
  const { redirectUri } = oidcUrls(deps.config.baseUrl, conn.id);
  const query = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
  const currentUrl = new URL(redirectUri + query);
  const state = currentUrl.searchParams.get("state");
  if (!state || state.length > 128) throw refuse.expiredFlow("sso.state_invalid", "no state in the callback");
  const [rows] = await deps.ds.query(
    `DELETE FROM sso_transactions WHERE id = $1 AND connection_id = $2 RETURNING data, expires_at`, [state, conn.id],
  ) as [Array<{ data: Record<string, unknown>; expires_at: Date }>, number];
  const tx = rows?.[0];
  if (!tx || tx.data.kind !== "oidc") throw refuse.expiredFlow("sso.state_invalid", "state unknown, already used, or issued for another connection");
  const test = tx.data.test as { userId?: unknown } | undefined;
  if (test && typeof test.userId === "string") flow.test = { userId: test.userId };
  if (!conn.enabled && !flow.test) throw refuse.connectionNotFound();
  if (new Date(tx.expires_at) <= deps.clock.now()) throw refuse.expiredFlow("sso.state_expired", "transaction expired");
  if (!browserMatches(req, tx.data.binding)) {
    throw refuse.invalidResponse("sso.browser_mismatch", "the callback arrived in a browser other than the one that started the login");
  }
  const s = oidcSettings(conn);
  if (tx.data.issuer !== s.issuer || tx.data.redirectUri !== redirectUri) {
    throw refuse.invalidResponse("sso.state_invalid", "the connection's issuer changed during the login");
  }
  if (currentUrl.searchParams.has("error")) {
    throw refuse.idpError(`${currentUrl.searchParams.get("error")}: ${currentUrl.searchParams.get("error_description") ?? ""}`.slice(0, 300));
  }
  try {
    const config = await configurationFor(deps, conn);
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: String(tx.data.verifier), expectedState: state, expectedNonce: String(tx.data.nonce), idTokenExpected: true,
    });
    let claims = { ...(tokens.claims() as Record<string, unknown>) };
    if (needsUserinfo(claims) && tokens.access_token) claims = mergeUserinfo(claims, await userinfo(config, tokens.access_token, String(claims.sub)));
    checkTenant(s.issuer, claims);
    await checkHostedDomain(deps.ds.manager, conn.orgId, s.issuer, claims, deps.config.ssoGoogleIssuers ?? [GOOGLE_ISSUER]);
    return { profile: fromOidcClaims(claims, s.trustEmails), claims, returnTo: String(tx.data.returnTo ?? "/") };
  } catch (err) {
    throw classify(err);
  }
}

/** For tests that restart a provider on a new port under the same issuer string. */
export function clearDiscoveryCache(): void {
  discoveryCache.clear();
}
