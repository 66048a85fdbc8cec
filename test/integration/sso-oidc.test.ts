/**
 * OIDC through a real oidc-provider on 127.0.0.1: code + PKCE + state + nonce end to end, and
 * the tampered variants of security-cases.md §2. Two orgs, two providers.
 */
import request from "supertest";
import * as jose from "jose";
import { SsoTransaction, UserIdentity } from "../../entities";
import { startTestApp, type TestApp } from "../support/app";
import { TestOidcProvider } from "../support/oidc-provider";
import { expectPendingJoin, expectRefused, orgWithOwner, sideEffects } from "../support/sso";
import { COMMANDS } from "../../src/cli/commands";

let t: TestApp;
let op: TestOidcProvider;
let op2: TestOidcProvider;
let orgId: string;
let connA: string;
let connB: string;
let connTrusting: string;
let connOp2: string;
const SECRET = "a-client-secret-that-is-long-enough-0123456789";
const redirect = (id: string) => `http://roster.test/sso/oidc/${id}/callback`;
type Agent = ReturnType<typeof request.agent>;

beforeAll(async () => {
  t = await startTestApp({ configure: (c) => { c.ssoAllowInsecureLoopbackIssuers = true; } });
  op = await TestOidcProvider.listen();
  op2 = await TestOidcProvider.listen();
  const a = await orgWithOwner(t, "Acme", "owner@acme.test");
  const b = await orgWithOwner(t, "Bolt", "owner@bolt.test");
  orgId = a.org.id;
  const create = async (client: typeof a.owner, org: string, issuer: string, clientId: string, extra = {}) => {
    const r = await client.post(`/api/orgs/${org}/sso-connections`, { kind: "oidc", enabled: true, issuer, clientId, clientSecret: SECRET, jitEnabled: true, ...extra });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    expect(JSON.stringify(r.body)).not.toContain(SECRET);
    return r.body.connection.id as string;
  };
  connA = await create(a.owner, a.org.id, op.issuer, "acme-app");
  connTrusting = await create(a.owner, a.org.id, op.issuer, "acme-trusting", { trustEmails: true });
  connB = await create(b.owner, b.org.id, op.issuer, "bolt-app");
  connOp2 = await create(b.owner, b.org.id, op2.issuer, "bolt-op2");
  await op.start([
    { clientId: "acme-app", clientSecret: SECRET, redirectUris: [redirect(connA)] },
    { clientId: "acme-trusting", clientSecret: SECRET, redirectUris: [redirect(connTrusting)] },
    { clientId: "bolt-app", clientSecret: SECRET, redirectUris: [redirect(connB)] },
  ]);
  await op2.start([{ clientId: "bolt-op2", clientSecret: SECRET, redirectUris: [redirect(connOp2)] }]);
  await COMMANDS["org domain add"](t.deps, ["--org", a.org.id, "--domain", "acme.test", "--verified"]);
  await COMMANDS["org domain add"](t.deps, ["--org", b.org.id, "--domain", "bolt.test", "--verified"]);
  op.accounts.set("u-ann", { email: "ann@acme.test", email_verified: true, name: "Ann" });
});
afterAll(async () => {
  await op?.stop();
  await op2?.stop();
  await t.close();
});
afterEach(() => {
  op.tamper = undefined;
});

/** Our login → the provider (as a browser) → the callback URL it sends back. */
async function authorize(browser: Agent, conn: string, sub: string, provider = op, returnTo = "/app"): Promise<URL> {
  const r = await browser.get(`/sso/oidc/${conn}/login?returnTo=${encodeURIComponent(returnTo)}`).expect(302);
  const auth = new URL(r.headers.location);
  expect(auth.origin).toBe(provider.issuer);
  expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
  expect(auth.searchParams.get("nonce")).toBeTruthy();
  expect(auth.searchParams.get("state")).toBeTruthy();
  provider.loginAs = sub;
  const cb = await provider.drive(auth.href);
  expect(cb.origin + cb.pathname).toBe(redirect(conn));
  return cb;
}

const visit = (browser: Agent, u: URL) => browser.get(u.pathname + u.search);

async function login(sub: string, conn = connA) {
  const browser = request.agent(t.app);
  const cb = await authorize(browser, conn, sub);
  return { browser, cb, res: await visit(browser, cb) };
}

describe("OIDC sign-in", () => {
  it("OIDC-01: code + PKCE + state + nonce gives a session, a JIT membership and a (connection, sub) link", async () => {
    const { browser, res } = await login("u-ann");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/app");
    const me = await browser.get("/api/me").expect(200);
    expect(me.body.user).toEqual(expect.objectContaining({ email: "ann@acme.test", name: "Ann" }));
    expect(me.body.memberships).toEqual([expect.objectContaining({ orgId, role: "member", source: "sso" })]);
    expect(await t.deps.ds.getRepository(UserIdentity).countBy({ connectionId: connA, subject: "u-ann" })).toBe(1);
    // later sign-ins follow the link even if the IdP's email changes
    op.accounts.set("u-ann", { email: "ann.renamed@acme.test", email_verified: true });
    const again = await login("u-ann");
    expect(again.res.status).toBe(303);
    expect((await again.browser.get("/api/me")).body.user.id).toBe(me.body.user.id);
    op.accounts.set("u-ann", { email: "ann@acme.test", email_verified: true, name: "Ann" });
  });

  it("OIDC-02: state missing, unknown, reused or from another browser is refused before any token request", async () => {
    const browser = request.agent(t.app);
    const cb = await authorize(browser, connA, "u-ann");
    const tokens = op.tokenRequests;
    await expectRefused(t, "sso.state_invalid", () => browser.get(`/sso/oidc/${connA}/callback?code=x`));
    await expectRefused(t, "sso.state_invalid", () => browser.get(`/sso/oidc/${connA}/callback?code=x&state=forged`));
    await expectRefused(t, "sso.browser_mismatch", () => visit(request.agent(t.app), cb));
    await expectRefused(t, "sso.state_invalid", () => visit(browser, cb)); // consumed by the attempt above
    expect(op.tokenRequests).toBe(tokens);
  });

  it("OIDC-03: an ID token whose nonce is wrong or missing is refused", async () => {
    op.tamper = (tok) => op.resign(tok, (c) => { c.nonce = "not-the-nonce"; });
    await expectRefused(t, "sso.oidc_id_token_invalid", async () => (await login("u-ann")).res);
    op.tamper = (tok) => op.resign(tok, (c) => { delete c.nonce; });
    await expectRefused(t, "sso.oidc_id_token_invalid", async () => (await login("u-ann")).res);
  });

  it("OIDC-04: a replayed code is refused by the provider (invalid_grant)", async () => {
    const first = await login("u-ann");
    expect(first.res.status).toBe(303);
    const browser = request.agent(t.app);
    const fresh = await authorize(browser, connA, "u-ann");
    const replay = new URL(fresh);
    replay.searchParams.set("code", first.cb.searchParams.get("code")!);
    const res = await expectRefused(t, "sso.oidc_token_rejected", () => visit(browser, replay));
    expect(res.status).toBe(400);
  });

  it("OIDC-05: mix-up — a callback from OP2 (its state, its iss) at OP1's connection is refused", async () => {
    op2.accounts.set("u-b", { email: "bee@bolt.test", email_verified: true });
    const browser = request.agent(t.app);
    const fromOp2 = await authorize(browser, connOp2, "u-b", op2);
    await expectRefused(t, "sso.state_invalid", () => browser.get(`/sso/oidc/${connA}/callback${fromOp2.search}`));
    // our own state, but the response claims to come from OP2
    const own = await authorize(browser, connA, "u-ann");
    own.searchParams.set("iss", op2.issuer);
    await expectRefused(t, "sso.oidc_invalid_response", () => visit(browser, own));
  });

  it("OIDC-06: alg none, HS256 with the client secret, a bad signature, a foreign key are all refused", async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const { privateKey: foreign } = await jose.generateKeyPair("RS256");
    const modes: Array<(tok: string) => Promise<string>> = [
      async (tok) => `${enc({ alg: "none", typ: "JWT" })}.${tok.split(".")[1]}.`,
      (tok) => op.resign(tok, () => undefined, new TextEncoder().encode(SECRET), "HS256"),
      async (tok) => { const [h, p, s] = tok.split("."); return `${h}.${p}.${s.slice(0, -4)}${s.endsWith("AAAA") ? "BBBB" : "AAAA"}`; },
      (tok) => op.resign(tok, (c) => { c.email = "owner@acme.test"; }, foreign),
    ];
    for (const mode of modes) {
      op.tamper = mode;
      await expectRefused(t, "sso.oidc_id_token_invalid", async () => (await login("u-ann")).res);
    }
  });

  it("OIDC-07: aud of another client, extra aud without azp, azp of another client, iss of another issuer", async () => {
    const edits: Array<(c: Record<string, unknown>) => void> = [
      (c) => { c.aud = "bolt-app"; },
      (c) => { c.aud = ["acme-app", "bolt-app"]; delete c.azp; },
      (c) => { c.aud = ["acme-app", "bolt-app"]; c.azp = "bolt-app"; },
      (c) => { c.iss = op2.issuer; },
    ];
    for (const edit of edits) {
      op.tamper = (tok) => op.resign(tok, edit);
      await expectRefused(t, "sso.oidc_id_token_invalid", async () => (await login("u-ann")).res);
    }
  });

  it("OIDC-08: an expired ID token, or an RP clock beyond the tolerance, is refused", async () => {
    op.tamper = (tok) => op.resign(tok, (c) => { c.exp = Math.floor(Date.now() / 1000) - 120; c.iat = Math.floor(Date.now() / 1000) - 3700; });
    await expectRefused(t, "sso.oidc_id_token_invalid", async () => (await login("u-ann")).res);
    op.tamper = undefined;
    t.clock.advance(2 * 3600_000);
    try {
      await expectRefused(t, "sso.oidc_id_token_invalid", async () => (await login("u-ann")).res);
    } finally {
      t.clock.advance(-2 * 3600_000);
    }
  });

  it("OIDC-09: email_verified false (or absent) with an existing account's email: no link, no merge", async () => {
    op.accounts.set("u-evil", { email: "owner@acme.test", email_verified: false });
    await expectRefused(t, "sso.link_not_allowed", async () => (await login("u-evil")).res);
    // Absent email_verified (Entra ID) counts only inside this org's verified domains (issue 10):
    // an existing account at a domain Acme has not verified is never linked.
    op.accounts.set("u-evil2", { email: "owner@bolt.test" });
    await expectRefused(t, "sso.link_not_allowed", async () => (await login("u-evil2")).res);
    expect(await t.deps.ds.getRepository(UserIdentity).countBy({ subject: "u-evil" })).toBe(0);
  });

  it("OIDC-10: a verified email at a domain this org has not verified never links an account outside the org", async () => {
    // owner@bolt.test exists (Bolt's owner); Acme's IdP vouches for it, but bolt.test is not Acme's domain
    op.accounts.set("u-bolt", { email: "owner@bolt.test", email_verified: true });
    // Since issue 9 JIT makes a membership that waits for the person's join link: never a link to their account.
    await expectPendingJoin(t, "owner@bolt.test", async () => (await login("u-bolt")).res);
    expect(await t.deps.ds.getRepository(UserIdentity).countBy({ subject: "u-bolt" })).toBe(0);
  });

  it("trustEmails: a connection set to trust its IdP accepts an email without email_verified: true", async () => {
    op.accounts.set("u-trusted", { email: "tess@acme.test", email_verified: false });
    expect((await login("u-trusted", connA)).res.status).toBe(403);
    expect((await login("u-trusted", connTrusting)).res.status).toBe(303);
  });

  it("OIDC-11: access_denied gives a page, no session, and the transaction is consumed", async () => {
    const browser = request.agent(t.app);
    const r = await browser.get(`/sso/oidc/${connA}/login`).expect(302);
    const state = new URL(r.headers.location).searchParams.get("state")!;
    const cb = `/sso/oidc/${connA}/callback?error=access_denied&error_description=User+cancelled&state=${state}&iss=${encodeURIComponent(op.issuer)}`;
    await expectRefused(t, "sso.idp_error", () => browser.get(cb));
    expect(await t.deps.ds.getRepository(SsoTransaction).countBy({ id: state })).toBe(0);
  });

  it("OIDC-12: returnTo off-site falls back to /, and the provider refuses an unregistered redirect_uri", async () => {
    const browser = request.agent(t.app);
    const cb = await authorize(browser, connA, "u-ann", op, "https://evil.test/x");
    expect((await visit(browser, cb)).headers.location).toBe("/");
    const r = await request.agent(t.app).get(`/sso/oidc/${connA}/login`).expect(302);
    const evil = new URL(r.headers.location);
    evil.searchParams.set("redirect_uri", "https://evil.test/cb");
    const res = await fetch(evil, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  it("OIDC-13: org B's connection with org A's state is refused, and A's transaction survives", async () => {
    const browser = request.agent(t.app);
    const cb = await authorize(browser, connA, "u-ann");
    await expectRefused(t, "sso.state_invalid", () => browser.get(`/sso/oidc/${connB}/callback${cb.search}`));
    const before = await sideEffects(t);
    expect((await visit(browser, cb)).status).toBe(303);
    expect((await sideEffects(t)).sessions).toBe(before.sessions + 1);
  });
});
