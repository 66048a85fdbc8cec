/**
 * A real OpenID Provider (oidc-provider 9) on 127.0.0.1 for tests, over plain http (the app is
 * started with config.ssoAllowInsecureLoopbackIssuers). Logins finish without UI for the account
 * set in `loginAs`; `tamper` rewrites the ID token in the token response (for the forged-token
 * cases); `drive` plays the browser on the provider's side and returns our callback URL.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import * as jose from "jose";

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  /** Any other claim the provider emits (given_name, preferred_username, oid, tid, hd, groups, upn…). */
  [claim: string]: unknown;
  /** Claims served only at /userinfo, never in the ID token (Okta's "thin" ID token). */
  userinfoOnly?: string[];
}

/** Claims the test provider may emit, by scope (oidc-provider drops anything not listed). */
const CLAIMS = {
  openid: ["sub", "oid", "tid", "hd", "groups", "upn"],
  email: ["email", "email_verified"],
  profile: ["name", "given_name", "family_name", "preferred_username"],
};

export class TestOidcProvider {
  readonly accounts = new Map<string, TestAccount>();
  loginAs = "";
  tamper: ((idToken: string) => Promise<string>) | undefined;
  tokenRequests = 0;
  /** Edits the /userinfo JSON before it is sent (a `sub` other than the ID token's, …). */
  tamperUserinfo: ((body: Record<string, unknown>) => void) | undefined;
  userinfoRequests = 0;
  readonly kid = "test-key-1";
  signingKey!: jose.CryptoKey;
  provider!: Provider;
  private constructor(readonly issuer: string, private readonly server: Server) {}

  /** Listens first, so the issuer (and the connections using it) exist before the clients are known. */
  static async listen(path = ""): Promise<TestOidcProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new TestOidcProvider(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, server);
  }

  /** A per-tenant issuer like Entra's: http://127.0.0.1:<port>/<tenant>/v2.0 */
  get mountPath(): string {
    return new URL(this.issuer).pathname.replace(/\/$/, "");
  }

  async start(clients: Array<{ clientId: string; clientSecret: string; redirectUris: string[] }>): Promise<void> {
    const issuer = this.issuer;
    const server = this.server;
    const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
    this.signingKey = privateKey;
    const jwk = { ...(await jose.exportJWK(privateKey)), kid: this.kid, alg: "RS256", use: "sig" };
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const provider = new Provider(issuer, {
      clients: clients.map((c) => ({
        client_id: c.clientId, client_secret: c.clientSecret, redirect_uris: c.redirectUris,
        grant_types: ["authorization_code"], response_types: ["code"], token_endpoint_auth_method: "client_secret_basic",
        id_token_signed_response_alg: "RS256",
      })),
      jwks: { keys: [jwk as never] },
      features: { devInteractions: { enabled: false } },
      conformIdTokenClaims: false,
      claims: CLAIMS,
      cookies: { keys: ["test-cookie-signing-key-0123456789"] },
      findAccount: async (_ctx, id) => ({ accountId: id, claims: async (use: string) => {
        const { userinfoOnly = [], ...claims } = self.accounts.get(id) ?? {};
        if (use === "id_token") for (const k of userinfoOnly) delete claims[k];
        return { sub: id, ...claims };
      } }),
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
        grant.addOIDCScope("openid email profile");
        await grant.save();
        return grant;
      },
      ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    });
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === "/me" && ctx.body && typeof ctx.body === "object") {
        self.userinfoRequests++;
        self.tamperUserinfo?.(ctx.body as Record<string, unknown>);
      }
      if (ctx.path === "/token") {
        self.tokenRequests++;
        const body = ctx.body as { id_token?: string } | undefined;
        if (self.tamper && body?.id_token) body.id_token = await self.tamper(body.id_token);
      }
    });
    const callback = provider.callback();
    server.on("request", (req, res) => {
      if (req.url?.startsWith("/interaction/")) {
        provider.interactionFinished(req, res, { login: { accountId: self.loginAs } }, { mergeWithLastSubmission: false })
          .catch((err) => { res.statusCode = 500; res.end(String(err)); });
        return;
      }
      const mount = self.mountPath;
      if (mount && req.url?.startsWith(mount)) {
        // Mounted under a path (per-tenant issuer): oidc-provider derives its mount path from originalUrl.
        (req as typeof req & { originalUrl?: string }).originalUrl = req.url;
        req.url = req.url.slice(mount.length) || "/";
      }
      callback(req, res);
    });
    this.provider = provider;
  }

  /** Follows the provider's redirects like a browser until it sends us elsewhere (our callback). */
  async drive(startUrl: string): Promise<URL> {
    const jar = new Map<string, string>();
    let url = new URL(startUrl);
    for (let i = 0; i < 10; i++) {
      const res = await fetch(url, { redirect: "manual", headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const eq = pair.indexOf("=");
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = res.headers.get("location");
      if (!location) throw new Error(`provider answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
      url = new URL(location, url);
      if (url.origin !== new URL(this.issuer).origin) return url;
    }
    throw new Error("too many redirects at the provider");
  }

  /** Re-signs edited claims with the provider's own key (valid signature, wrong content). */
  async resign(idToken: string, edit: (claims: Record<string, unknown>) => void, key: jose.CryptoKey | Uint8Array = this.signingKey, alg = "RS256"): Promise<string> {
    const claims = jose.decodeJwt(idToken) as Record<string, unknown>;
    edit(claims);
    return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg, kid: this.kid, typ: "JWT" }).sign(key);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
