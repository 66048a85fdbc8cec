/**
 * Access tokens for the Directory API.
 * - Service account with domain-wide delegation: an RS256 JWT signed with the key file's
 *   private key (iss = client_email, sub = the Workspace admin, scope, aud = token_uri, exp =
 *   iat + 1 h), exchanged at the key's token_uri (RFC 7523 §2.1). Google issues no refresh token.
 * - OAuth consent: the stored refresh token at Google's token endpoint (RFC 6749 §6).
 * Signed with node:crypto: google-auth-library 11's JWT client always posts to, and uses as `aud`,
 * https://oauth2.googleapis.com/token (gtoken's GOOGLE_TOKEN_URL), ignoring the key's token_uri.
 */
import { createPrivateKey, sign } from "node:crypto";
import type { Agent } from "node:https";
import { DirectoryReadError, READ_ERRORS } from "../errors";
import { httpsJson } from "./http";
import { DEFAULT_RETRY, waitMs, type RetryPolicy } from "./api";

export const DIRECTORY_SCOPES = ["user.readonly", "group.readonly", "group.member.readonly", "domain.readonly"]
  .map((s) => `https://www.googleapis.com/auth/admin.directory.${s}`);
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

export interface ServiceAccountKey { client_email: string; private_key: string; private_key_id?: string; token_uri?: string }

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

export function signAssertion(key: ServiceAccountKey, sub: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: "RS256", typ: "JWT", ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const claims = { iss: key.client_email, sub, scope: DIRECTORY_SCOPES.join(" "), aud: key.token_uri ?? GOOGLE_TOKEN_URL, iat, exp: iat + 3600 };
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign("sha256", Buffer.from(input), createPrivateKey(key.private_key)).toString("base64url")}`;
}

/** Google's token errors, in words an admin can act on. */
function tokenError(status: number, body: { error?: string; error_description?: string } | null, what: string): DirectoryReadError {
  const desc = body?.error_description ?? body?.error ?? `HTTP ${status}`;
  if (status >= 500 || status === 429) return new DirectoryReadError(READ_ERRORS.unavailable, `Google's token endpoint is unavailable (${status}); the sync will be retried.`, status);
  if (body?.error === "unauthorized_client") {
    return new DirectoryReadError(READ_ERRORS.auth, `Google refused the ${what}: domain-wide delegation is missing or does not include every directory scope (${desc}).`, status);
  }
  return new DirectoryReadError(READ_ERRORS.auth, `Google refused the ${what}: ${desc}`, status);
}

/** Posts the grant; 429 and 5xx are retried like the Directory API's (api.ts), honouring Retry-After. */
async function exchange(url: string, form: Record<string, string>, agent: Agent | undefined, what: string, retry: RetryPolicy = DEFAULT_RETRY): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const r = await httpsJson(url, { method: "POST", agent, body: new URLSearchParams(form).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    const body = r.json as { access_token?: string; error?: string; error_description?: string } | null;
    if (r.status === 200 && body?.access_token) return body.access_token;
    const again = (r.status === 429 || r.status >= 500) && attempt + 1 < retry.attempts;
    const wait = again ? waitMs(r, attempt, retry, Date.now()) : 0;
    if (!again || wait > retry.maxWaitMs) throw tokenError(r.status, body, what);
    await new Promise((ok) => setTimeout(ok, wait));
  }
}

export function serviceAccountToken(key: ServiceAccountKey, sub: string, nowMs: number, agent?: Agent): Promise<string> {
  return exchange(key.token_uri ?? GOOGLE_TOKEN_URL, { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: signAssertion(key, sub, nowMs) },
    agent, `service account ${key.client_email} acting as ${sub}`);
}

export function refreshTokenToken(tokenUrl: string, client: { clientId: string; clientSecret: string }, refreshToken: string, agent?: Agent): Promise<string> {
  return exchange(tokenUrl, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: client.clientId, client_secret: client.clientSecret },
    agent, "stored Google sign-in (reconnect Google Workspace)");
}
