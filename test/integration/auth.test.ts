/** Accounts and sessions: sign-up/in/out, uniform failures, rate limits, cookie flags, CSRF, SSO enforcement. */
import request from "supertest";
import { startTestApp, ApiClient, SAME_ORIGIN, pageRequest, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, PASSWORD, signIn, uniqueEmail } from "../support/actors";
import { Organization, Session } from "../../entities";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("sign-up and sign-in", () => {
  it("creates an account with a session cookie that is HttpOnly and SameSite=Lax", async () => {
    const email = uniqueEmail("new");
    const r = await pageRequest(t.app).post("/api/auth/signup").send({ email, password: PASSWORD, name: "New" }).expect(201);
    const cookie = r.headers["set-cookie"][0];
    expect(cookie).toMatch(/^roster_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure"); // BASE_URL is http here
    expect(r.body.user).toEqual({ id: expect.any(String), email, name: "New", emailVerified: false });
    // Only a hash of the cookie is stored.
    const value = cookie.split(";")[0].split("=")[1];
    expect(await t.deps.ds.getRepository(Session).countBy({ idHash: value })).toBe(0);
  });

  it("refuses a duplicate email (any case), a short password and a bad email, naming the fields", async () => {
    const email = uniqueEmail("dup");
    await pageRequest(t.app).post("/api/auth/signup").send({ email, password: PASSWORD, name: "A" }).expect(201);
    const dup = await pageRequest(t.app).post("/api/auth/signup").send({ email: email.toUpperCase(), password: PASSWORD, name: "B" }).expect(409);
    expect(dup.body.error.code).toBe("user.email_taken");
    const bad = await pageRequest(t.app).post("/api/auth/signup").send({ email: "x", password: "short", name: "" }).expect(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["email", "name", "password"]);
  });

  it("answers an unknown email and a wrong password the same way", async () => {
    const fx = await createOrg(t);
    const a = await pageRequest(t.app).post("/api/auth/signin").send({ email: fx.ownerEmail, password: "wrong password!" }).expect(401);
    const b = await pageRequest(t.app).post("/api/auth/signin").send({ email: uniqueEmail("ghost"), password: "wrong password!" }).expect(401);
    expect({ ...a.body.error, requestId: 0 }).toEqual({ ...b.body.error, requestId: 0 });
    expect(a.body.error.code).toBe("auth.invalid_credentials");
  });

  it("rate-limits sign-in attempts per email with 429 and Retry-After", async () => {
    const email = uniqueEmail("brute");
    let last = await pageRequest(t.app).post("/api/auth/signin").send({ email, password: "nope nope nope" });
    for (let i = 0; i < 10; i++) last = await pageRequest(t.app).post("/api/auth/signin").send({ email, password: "nope nope nope" });
    expect(last.status).toBe(429);
    expect(Number(last.headers["retry-after"])).toBeGreaterThan(0);
    expect(last.body.error.code).toBe("request.rate_limited");
  });

  it("signs out: the session is deleted and /api/me answers 401", async () => {
    const fx = await createOrg(t);
    await fx.owner.get("/api/me").expect(200);
    await fx.owner.post("/api/auth/signout").expect(204);
    await fx.owner.get("/api/me").expect(401);
  });

  it("issues a new session id at every sign-in", async () => {
    const fx = await createOrg(t);
    const before = await t.deps.ds.getRepository(Session).count();
    const again = await fx.owner.post("/api/auth/signin", { email: fx.ownerEmail, password: PASSWORD }).expect(200);
    expect(await t.deps.ds.getRepository(Session).count()).toBe(before); // the old one was destroyed
    expect(again.body.csrfToken).not.toBe(fx.owner.csrf);
  });
});

describe("CSRF", () => {
  it("requires the session's token on cookie-authenticated writes", async () => {
    const fx = await createOrg(t);
    const token = (await fx.owner.get("/api/auth/csrf").expect(200)).body.csrfToken;
    expect(token).toBe(fx.owner.csrf);
    const bare = await fx.owner.agent.post(`/api/orgs/${fx.orgId}/chatbots`).set(SAME_ORIGIN).send({ name: "x" }).expect(403);
    expect(bare.body.error.code).toBe("csrf.missing_token");
    await fx.owner.agent.post(`/api/orgs/${fx.orgId}/chatbots`).set(SAME_ORIGIN).set("X-CSRF-Token", "wrong").send({ name: "x" }).expect(403);
    await fx.owner.post(`/api/orgs/${fx.orgId}/chatbots`, { name: "x" }).expect(201);
  });

  it("refuses writes from another origin, even anonymous ones (login CSRF)", async () => {
    const r = await request(t.app).post("/api/auth/signin").set("Origin", "https://evil.example").send({ email: "a@b.c", password: "x" }).expect(403);
    expect(r.body.error.code).toBe("csrf.bad_origin");
    await request(t.app).post("/api/auth/signin").set("Origin", "http://roster.test").send({ email: "a@b.c", password: "whatever1234" }).expect(401);
  });
});

describe("/api/me", () => {
  it("shows the user and each membership with its permissions", async () => {
    const fx = await createOrg(t, "enterprise", "Me Co");
    const me = (await fx.owner.get("/api/me").expect(200)).body;
    expect(me.user.email).toBe(fx.ownerEmail);
    expect(me.memberships).toEqual([expect.objectContaining({ orgId: fx.orgId, orgName: "Me Co", plan: "enterprise", role: "owner",
      permissions: expect.arrayContaining(["members.read", "members.invite", "members.update", "members.remove", "sso.manage", "scim.manage"]) })]);
  });
});

describe("SSO enforcement", () => {
  it("refuses password access to an org that requires SSO, except an Owner's audited break-glass", async () => {
    const fx = await createOrg(t, "enterprise", "Strict");
    const email = uniqueEmail("strict");
    const { client } = await addMemberViaInvite(t, fx, email, "admin");
    await t.deps.ds.getRepository(Organization).update({ id: fx.orgId }, { settings: { requireSso: true } });

    // An existing password session is refused on its next request.
    const r = await client.get(`/api/orgs/${fx.orgId}/members`).expect(403);
    expect(r.body.error.code).toBe("org.sso_required");
    // A fresh password sign-in is refused with a pointer to SSO (their only org requires it).
    const s = await new ApiClient(t.app).post("/api/auth/signin", { email, password: PASSWORD }).expect(403);
    expect(s.body.error).toMatchObject({ code: "auth.sso_required", message: expect.stringMatching(/SSO/) });

    // The Owner signs in with the password (break-glass) and is audited.
    const owner = await signIn(t, fx.ownerEmail);
    await owner.get(`/api/orgs/${fx.orgId}/members`).expect(200);
    const events = (await owner.get(`/api/orgs/${fx.orgId}/audit-events?action=auth.break_glass_sign_in`)).body.events;
    expect(events).toHaveLength(1);
    expect(events[0].actor.email).toBe(fx.ownerEmail);
  });
});
