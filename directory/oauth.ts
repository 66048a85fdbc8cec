/**
 * "Connect Google Workspace" by OAuth consent (RFC 6749 §4.1 with PKCE, RFC 7636): an Owner asks
 * for the consent URL, a Workspace admin allows read-only directory scopes at Google, and the
 * callback stores the refresh token encrypted as the directory's credential.
 * The state is sealed (AES-GCM) with the org, the Owner's account, the PKCE verifier and an
 * expiry; the callback accepts it only in the same Owner's session, once (the code is single use
 * at Google), within 10 minutes.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Ctx, Deps } from "../src/context";
import { AppError, ValidationError } from "../src/errors";
import { parse } from "../src/http/validate";
import { emailSchema } from "../src/accounts/email-address";
import { getOrg, requireEnterprise } from "../src/orgs/org.service";
import { decryptSecret, encryptSecret } from "../sso/secrets";
import { insertDirectory, type DirectoryView } from "./directory.service";
import { OAuthNotConfiguredError } from "./errors";
import { httpsJson } from "./google/http";
import { DIRECTORY_SCOPES } from "./google/token";

const STATE_AAD = "directory-oauth-state";
const STATE_TTL_MS = 10 * 60_000;

export const callbackUrl = (baseUrl: string) => `${baseUrl}/directories/google/callback`;

const startSchema = z.object({
  adminEmail: emailSchema,
  apiRoot: z.url({ protocol: /^https$/, message: "must be an https URL" }).optional(),
  orgUnits: z.array(z.string().trim().regex(/^\/[^']*$/).max(500)).max(50).optional(),
  groups: z.array(z.email()).max(50).optional(),
  intervalMinutes: z.number().int().min(1).max(1440).optional(),
}).strict();

interface State extends z.infer<typeof startSchema> { orgId: string; userId: string; verifier: string; exp: number }

export async function startConsent(deps: Deps, orgId: string, userId: string, body: unknown): Promise<{ authorizeUrl: string }> {
  const g = deps.config.googleOAuth;
  if (!g) throw new OAuthNotConfiguredError();
  const input = parse(startSchema, body);
  requireEnterprise(await getOrg(deps.ds.manager, orgId), "Google Workspace provisioning");
  const verifier = randomBytes(32).toString("base64url");
  const state: State = { ...input, orgId, userId, verifier, exp: deps.clock.now().getTime() + STATE_TTL_MS };
  const u = new URL(g.authUrl);
  u.search = new URLSearchParams({
    client_id: g.clientId, redirect_uri: callbackUrl(deps.config.baseUrl), response_type: "code", scope: DIRECTORY_SCOPES.join(" "),
    access_type: "offline", prompt: "consent", login_hint: input.adminEmail,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"), code_challenge_method: "S256",
    state: encryptSecret(deps.config.encryptionKey, STATE_AAD, JSON.stringify(state)),
  }).toString();
  return { authorizeUrl: u.toString() };
}

const refused = (message: string) => new AppError("directory.oauth_failed", 400, message);

/** The callback: checks the state against the signed-in user, exchanges the code, creates the directory. */
export async function finishConsent(deps: Deps, ctx: Ctx, userId: string, query: Record<string, unknown>): Promise<DirectoryView> {
  const g = deps.config.googleOAuth;
  if (!g) throw new OAuthNotConfiguredError();
  if (typeof query.error === "string") throw refused(`Google did not grant access (${query.error}).`);
  if (typeof query.code !== "string" || typeof query.state !== "string") throw new ValidationError([{ field: "code", message: "is missing" }]);
  let state: State;
  try {
    state = JSON.parse(decryptSecret(deps.config.encryptionKey, STATE_AAD, query.state)) as State;
  } catch {
    throw refused("This link is not valid; start again from Settings.");
  }
  if (state.exp < deps.clock.now().getTime()) throw refused("This consent took too long; start again from Settings.");
  if (state.userId !== userId) throw refused("Finish the consent in the browser session that started it.");
  const r = await httpsJson(g.tokenUrl, { method: "POST", agent: deps.httpsAgent, headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: query.code, redirect_uri: callbackUrl(deps.config.baseUrl),
      client_id: g.clientId, client_secret: g.clientSecret, code_verifier: state.verifier }).toString() });
  const tokens = r.json as { refresh_token?: string; error?: string; error_description?: string } | null;
  if (r.status !== 200 || !tokens?.refresh_token) throw refused(`Google did not issue a refresh token (${tokens?.error_description ?? tokens?.error ?? r.status}).`);
  return insertDirectory(deps, ctx, state.orgId, {
    credential: "oauth", adminEmail: state.adminEmail.toLowerCase(), apiRoot: state.apiRoot, orgUnits: state.orgUnits ?? [], groups: (state.groups ?? []).map((e) => e.toLowerCase()),
  }, { kind: "oauth", refreshToken: tokens.refresh_token }, state.intervalMinutes ?? 15);
}
