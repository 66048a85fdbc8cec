/**
 * A Google Workspace Admin SDK Directory API emulator for tests and the benchmark, over https on
 * 127.0.0.1 with its own self-signed certificate (trusted through `agent()` or, for child
 * processes, NODE_EXTRA_CA_CERTS=`caFile`). Built from /work/shared/docs/google-directory.md:
 * - the token endpoint checks the RFC 7523 JWT-bearer grant as Google does (RS256 signature by the
 *   service account's key, iss, sub an existing admin, scope delegated, aud = token URL, exp ≤ iat + 1 h)
 *   and answers Google's error bodies; refresh-token grants serve the OAuth consent connection;
 * - users / groups / members / domains with Google's paging (opaque pageToken, nextPageToken,
 *   maxResults limits, `users` absent when empty) and error shapes;
 * - `fail()` injects 429/403/503/401 answers; the directory may be changed between syncs.
 */
import { createServer, Agent, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import * as jose from "jose";
import { handleApi, type EmuState } from "./google-emulator-api";

export interface EmuUser {
  id: string; primaryEmail: string; name: { givenName: string; familyName: string; fullName: string };
  suspended: boolean; archived: boolean; isAdmin: boolean; orgUnitPath: string;
}
export interface EmuMember { type: "USER" | "GROUP" | "CUSTOMER"; id: string; email?: string; role: "OWNER" | "MANAGER" | "MEMBER" }
export interface EmuGroup { id: string; email: string; name: string; members: EmuMember[] }
export interface Fault { status: number; reason: string; message: string; retryAfter?: number; times: number; match: (path: string, url: URL) => boolean }

export const DIRECTORY_SCOPES = ["user.readonly", "group.readonly", "group.member.readonly", "domain.readonly"]
  .map((s) => `https://www.googleapis.com/auth/admin.directory.${s}`);

interface ServiceAccount { publicKey: jose.CryptoKey | Awaited<ReturnType<typeof jose.importSPKI>>; scopes: Set<string> }

export class GoogleEmulator implements EmuState {
  readonly users = new Map<string, EmuUser>();
  readonly groups = new Map<string, EmuGroup>();
  readonly domains: Array<{ domainName: string; verified: boolean; isPrimary: boolean }> = [];
  readonly faults: Fault[] = [];
  readonly tokens = new Map<string, { sub: string; scopes: Set<string>; expiresAt: number }>();
  readonly refreshTokens = new Map<string, { sub: string; scopes: Set<string> }>();
  readonly requests: string[] = [];
  readonly tokenGrants: Array<{ ok: boolean; error?: string }> = [];
  readonly oauthClients = new Map<string, string>();
  /** Added to every answer (to hold a sync open while another instance tries to start one). */
  latencyMs = 0;
  readonly authCodes = new Map<string, { sub: string; redirectUri: string; scopes: Set<string>; challenge: string }>();
  private readonly accounts = new Map<string, ServiceAccount>();
  private nextId = 1;
  private constructor(private readonly server: Server, readonly ca: string, readonly caFile: string) {}

  get origin(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  get tokenUri(): string {
    return `${this.origin}/token`;
  }
  get apiRoot(): string {
    return this.origin;
  }

  static async start(): Promise<GoogleEmulator> {
    const keyPair = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    const pems = await generate([{ name: "commonName", value: "google-emulator.test" }], {
      algorithm: "sha256", keyPair, extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
    } as never) as { cert: string; private: string };
    const caFile = join(mkdtempSync(join(tmpdir(), "google-emu-")), "ca.pem");
    writeFileSync(caFile, pems.cert);
    let emu: GoogleEmulator | undefined;
    const server = createServer({ key: keyPair.privateKey, cert: pems.cert }, (req, res) => {
      void emu!.handle(req, res).catch((err) => send(res, 500, { error: { code: 500, message: String(err) } }));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    emu = new GoogleEmulator(server, pems.cert, caFile);
    return emu;
  }

  /** An https agent that trusts this emulator's certificate only (in addition to nothing else). */
  agent(): Agent {
    return new Agent({ ca: this.ca, keepAlive: false });
  }

  /** A service-account key file as Google issues it; `scopes` are the ones delegated in the Admin console. */
  async serviceAccount(scopes: string[] = DIRECTORY_SCOPES): Promise<Record<string, string>> {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    const clientEmail = `roster-sync-${randomBytes(3).toString("hex")}@proj.iam.gserviceaccount.com`;
    const keyId = randomBytes(20).toString("hex");
    this.accounts.set(clientEmail, { publicKey: await jose.importSPKI(publicKey, "RS256"), scopes: new Set(scopes) });
    return {
      type: "service_account", project_id: "proj", private_key_id: keyId, private_key: privateKey, client_email: clientEmail,
      client_id: String(Date.now()), auth_uri: `${this.origin}/o/oauth2/auth`, token_uri: this.tokenUri,
    };
  }

  addUser(email: string, opts: Partial<Omit<EmuUser, "primaryEmail" | "name">> & { givenName?: string; familyName?: string } = {}): EmuUser {
    const local = email.split("@")[0];
    const givenName = opts.givenName ?? local.split(".")[0];
    const familyName = opts.familyName ?? (local.split(".")[1] ?? "Person");
    const u: EmuUser = {
      id: opts.id ?? String(100000000000000000000n + BigInt(this.nextId++)), primaryEmail: email,
      name: { givenName, familyName, fullName: `${givenName} ${familyName}` },
      suspended: opts.suspended ?? false, archived: opts.archived ?? false, isAdmin: opts.isAdmin ?? false, orgUnitPath: opts.orgUnitPath ?? "/",
    };
    this.users.set(u.id, u);
    return u;
  }
  user(email: string): EmuUser {
    const u = [...this.users.values()].find((x) => x.primaryEmail.toLowerCase() === email.toLowerCase());
    if (!u) throw new Error(`no emulated user ${email}`);
    return u;
  }
  deleteUser(email: string): void {
    const u = this.user(email);
    this.users.delete(u.id);
    for (const g of this.groups.values()) g.members = g.members.filter((m) => m.id !== u.id);
  }
  addGroup(email: string, name = email.split("@")[0], members: string[] = []): EmuGroup {
    const g: EmuGroup = { id: `0${randomBytes(7).toString("hex")}`, email, name, members: [] };
    this.groups.set(g.id, g);
    for (const m of members) this.addToGroup(email, m);
    return g;
  }
  group(email: string): EmuGroup {
    const g = [...this.groups.values()].find((x) => x.email.toLowerCase() === email.toLowerCase());
    if (!g) throw new Error(`no emulated group ${email}`);
    return g;
  }
  /** Adds a user, or a nested group (by its email), or "*" for the whole customer. */
  addToGroup(groupEmail: string, memberEmail: string): void {
    const g = this.group(groupEmail);
    if (memberEmail === "*") return void g.members.push({ type: "CUSTOMER", id: "C0abc123", role: "MEMBER" });
    const nested = [...this.groups.values()].find((x) => x.email.toLowerCase() === memberEmail.toLowerCase());
    const m: EmuMember = nested ? { type: "GROUP", id: nested.id, email: nested.email, role: "MEMBER" }
      : { type: "USER", id: this.user(memberEmail).id, email: memberEmail, role: "MEMBER" };
    g.members.push(m);
  }
  removeFromGroup(groupEmail: string, memberEmail: string): void {
    const g = this.group(groupEmail);
    g.members = g.members.filter((m) => m.email?.toLowerCase() !== memberEmail.toLowerCase());
  }

  /** The next `times` requests whose path starts with `pathPrefix` (and match `when`) fail with this Google error. */
  fail(pathPrefix: string, status: number, reason: string, opts: { times?: number; retryAfter?: number; message?: string; when?: (url: URL) => boolean } = {}): void {
    this.faults.push({
      status, reason, message: opts.message ?? defaultMessage(status), retryAfter: opts.retryAfter, times: opts.times ?? 1,
      match: (path, url) => path.startsWith(pathPrefix) && (!opts.when || opts.when(url)),
    });
  }

  /** Revokes every issued token and makes the key stop working (deleted in the Cloud console). */
  revokeServiceAccount(clientEmail: string): void {
    this.accounts.delete(clientEmail);
    this.tokens.clear();
  }

  /** OAuth consent: a client registered for "Connect Google Workspace". */
  oauthClient(): { clientId: string; clientSecret: string } {
    const clientId = `${randomBytes(6).toString("hex")}.apps.googleusercontent.com`;
    const clientSecret = randomBytes(16).toString("base64url");
    this.oauthClients.set(clientId, clientSecret);
    return { clientId, clientSecret };
  }
  /** Plays the admin clicking "Allow" on the consent screen: returns the redirect with a code. */
  consent(authorizeUrl: string, adminEmail: string): URL {
    const u = new URL(authorizeUrl);
    const code = randomBytes(12).toString("base64url");
    const redirectUri = u.searchParams.get("redirect_uri") ?? "";
    this.authCodes.set(code, { sub: adminEmail, redirectUri, scopes: new Set((u.searchParams.get("scope") ?? "").split(" ")), challenge: u.searchParams.get("code_challenge") ?? "" });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    back.searchParams.set("state", u.searchParams.get("state") ?? "");
    return back;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.latencyMs) await new Promise((ok) => setTimeout(ok, this.latencyMs));
    const fault = this.faults.find((f) => f.times > 0 && f.match(url.pathname, url));
    if (fault) {
      fault.times--;
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
      return send(res, fault.status, googleError(fault.status, fault.reason, fault.message), headers);
    }
    if (req.method === "POST" && url.pathname === "/token") return this.token(res, new URLSearchParams(await body(req)));
    return handleApi(this, req, res, url);
  }

  private async token(res: ServerResponse, form: URLSearchParams): Promise<void> {
    const grant = form.get("grant_type");
    const result = grant === "urn:ietf:params:oauth:grant-type:jwt-bearer" ? await this.jwtGrant(form.get("assertion") ?? "")
      : grant === "refresh_token" || grant === "authorization_code" ? this.oauthGrant(form)
      : { status: 400, body: { error: "unsupported_grant_type", error_description: "Invalid grant_type." } };
    this.tokenGrants.push({ ok: result.status === 200, error: (result.body as { error?: string }).error });
    send(res, result.status, result.body);
  }

  private issue(sub: string, scopes: Set<string>): Record<string, unknown> {
    const accessToken = `ya29.${randomBytes(24).toString("base64url")}`;
    this.tokens.set(accessToken, { sub, scopes, expiresAt: Date.now() + 3599_000 });
    return { access_token: accessToken, expires_in: 3599, token_type: "Bearer" };
  }

  private async jwtGrant(assertion: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const invalid = (d: string) => ({ status: 400, body: { error: "invalid_grant", error_description: d } });
    let claims: jose.JWTPayload;
    try {
      claims = jose.decodeJwt(assertion);
    } catch {
      return invalid("Invalid JWT Signature.");
    }
    const sa = this.accounts.get(String(claims.iss ?? ""));
    if (!sa) return invalid("Invalid JWT Signature.");
    try {
      await jose.jwtVerify(assertion, sa.publicKey, { algorithms: ["RS256"], issuer: String(claims.iss), audience: this.tokenUri });
    } catch {
      return invalid("Invalid JWT Signature.");
    }
    const iat = Number(claims.iat), exp = Number(claims.exp), now = Date.now() / 1000;
    if (!iat || !exp || exp - iat > 3600 || iat > now + 300 || exp < now) {
      return invalid("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
    }
    const sub = typeof claims.sub === "string" ? claims.sub : "";
    if (!sub || ![...this.users.values()].some((u) => u.primaryEmail.toLowerCase() === sub.toLowerCase())) return invalid("Invalid email or User ID");
    const scopes = String(claims.scope ?? "").split(" ").filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => !sa.scopes.has(s))) {
      return { status: 401, body: { error: "unauthorized_client", error_description: "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested." } };
    }
    return { status: 200, body: this.issue(sub, new Set(scopes)) };
  }

  private oauthGrant(form: URLSearchParams): { status: number; body: Record<string, unknown> } {
    const clientId = form.get("client_id") ?? "";
    if (!this.oauthClients.has(clientId) || this.oauthClients.get(clientId) !== form.get("client_secret")) {
      return { status: 401, body: { error: "invalid_client", error_description: "The OAuth client was not found." } };
    }
    if (form.get("grant_type") === "authorization_code") {
      const code = this.authCodes.get(form.get("code") ?? "");
      this.authCodes.delete(form.get("code") ?? "");
      if (!code || code.redirectUri !== form.get("redirect_uri")) return { status: 400, body: { error: "invalid_grant", error_description: "Bad Request" } };
      const verifier = form.get("code_verifier") ?? "";
      if (code.challenge && createHash("sha256").update(verifier).digest("base64url") !== code.challenge) {
        return { status: 400, body: { error: "invalid_grant", error_description: "Invalid code verifier." } };
      }
      const refresh = `1//${randomBytes(24).toString("base64url")}`;
      this.refreshTokens.set(refresh, { sub: code.sub, scopes: code.scopes });
      return { status: 200, body: { ...this.issue(code.sub, code.scopes), refresh_token: refresh, scope: [...code.scopes].join(" ") } };
    }
    const rt = this.refreshTokens.get(form.get("refresh_token") ?? "");
    if (!rt) return { status: 400, body: { error: "invalid_grant", error_description: "Token has been expired or revoked." } };
    return { status: 200, body: this.issue(rt.sub, rt.scopes) };
  }
}

function defaultMessage(status: number): string {
  return ({ 401: "Login Required.", 403: "Not Authorized to access this resource/api", 429: "Quota exceeded for quota metric 'Queries'.", 503: "The service is currently unavailable." } as Record<number, string>)[status] ?? "Backend Error";
}

export function googleError(code: number, reason: string, message: string): Record<string, unknown> {
  return { error: { code, message, errors: [{ message, domain: "global", reason }] } };
}

export function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
  res.end(JSON.stringify(payload));
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (s += c));
    req.on("end", () => ok(s));
    req.on("error", fail);
  });
}

export const newUserId = (): string => randomUUID();
