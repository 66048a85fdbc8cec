/**
 * "Forgot password" and "Sign out everywhere", end to end over HTTP with a real SMTP server:
 * the emailed link works once, for 30 minutes, only while it is the newest; it is stored hashed;
 * reset ends every session; unknown addresses get the same answer in the same time; limits are
 * shared (PostgreSQL); placeholder, SSO-only and unverified accounts follow the documented rules.
 * Each attack is a test.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestApp, ApiClient, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, PASSWORD, signIn, signUp, uniqueEmail } from "../support/actors";
import { linkIn, type ReceivedMail } from "../support/smtp";
import { Organization, PasswordResetToken, User } from "../../entities";
import { insertUser } from "../../src/accounts/users";
import { RESET_REQUESTED } from "../../src/routes/auth.routes";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ smtp: true, env: { RATE_LIMIT_PASSWORD_RESET_PER_IP: "1000/15m", RATE_LIMIT_PASSWORD_RESET_PER_EMAIL: "3/15m" } });
}, 60_000);
afterAll(() => t.close());

const NEW_PASSWORD = "a brand new passphrase 42";
const RESET_SUBJECT = "Reset your Roster password";
const anon = () => new ApiClient(t.app);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The n-th (1-based) email to `to` with `subject`, waiting for it to arrive. */
async function nthMail(to: string, subject: string, n = 1): Promise<ReceivedMail> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const got = t.mail!.to(to).filter((m) => m.subject === subject);
    if (got.length >= n) return got[n - 1];
    if (Date.now() > deadline) throw new Error(`no email #${n} "${subject}" to ${to}; got ${t.mail!.to(to).map((m) => m.subject).join(" | ") || "none"}`);
    await sleep(50);
  }
}

async function requestReset(email: string): Promise<void> {
  const r = await anon().post("/api/auth/password-reset", { email }).expect(202);
  expect(r.body).toEqual({ message: RESET_REQUESTED });
}

const tokenOf = (mail: ReceivedMail) => linkIn(mail.text, "/reset-password#").split("#")[1];

/** Time for the work that follows the answer (it runs after the response) to reach the outbox. */
async function settled(): Promise<void> {
  await sleep(800);
  await t.dispatcher!.kick();
}

describe("forgot password", () => {
  it("emails a one-time link; using it sets the password, ends every session and is audited", async () => {
    const fx = await createOrg(t);
    const email = uniqueEmail("reset");
    const { client: laptop } = await addMemberViaInvite(t, fx, email);
    const phone = await signIn(t, email);
    await requestReset(email);
    const mail = await nthMail(email, RESET_SUBJECT);
    const link = linkIn(mail.text, "/reset-password#");
    expect(link.startsWith("http://roster.test/reset-password#")).toBe(true); // token in the fragment: never sent to a server
    expect(mail.text).toMatch(/30 minutes/);
    const token = tokenOf(mail);

    expect((await anon().post("/api/auth/password-reset/check", { token }).expect(200)).body).toEqual({ email });
    const short = await anon().post("/api/auth/password-reset/confirm", { token, password: "short" }).expect(400);
    expect(short.body.error.fields[0].field).toBe("password");
    const done = await anon().post("/api/auth/password-reset/confirm", { token, password: NEW_PASSWORD }).expect(200);
    expect(done.body).toEqual({ email, sessionsEnded: 2 });

    await laptop.get("/api/me").expect(401);
    await phone.get("/api/me").expect(401);
    await anon().post("/api/auth/signin", { email, password: PASSWORD }).expect(401);
    await signIn(t, email, NEW_PASSWORD);
    // Single use.
    const again = await anon().post("/api/auth/password-reset/confirm", { token, password: "yet another password" }).expect(410);
    expect(again.body.error.code).toBe("password_reset.used");
    expect((await anon().post("/api/auth/password-reset/check", { token }).expect(410)).body.error.code).toBe("password_reset.used");
    // The person hears about the change.
    expect((await nthMail(email, "Your Roster password was changed")).text).toMatch(/signed out/);
    const [audit] = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE action = 'account.password_reset' AND target->>'email' = $1`, [email]);
    expect(audit.metadata).toMatchObject({ sessionsEnded: 2, claimed: false });
  });

  it("stores only a hash of the secret", async () => {
    const email = uniqueEmail("hashed");
    await signUp(t, email);
    await requestReset(email);
    const token = tokenOf(await nthMail(email, RESET_SUBJECT));
    const [id, secret] = token.split(".");
    const row = await t.deps.ds.getRepository(PasswordResetToken).findOneByOrFail({ id });
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM password_reset_tokens WHERE row_to_json(password_reset_tokens)::text LIKE '%' || $1 || '%'`, [secret]);
    expect(n).toBe(0);
  });

  it("attack: a wrong secret with a real link id, or a guessed id, reads as unknown and does not spend the link", async () => {
    const email = uniqueEmail("guess");
    await signUp(t, email);
    await requestReset(email);
    const token = tokenOf(await nthMail(email, RESET_SUBJECT));
    const [id, secret] = token.split(".");
    const flipped = `${id}.${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    for (const bad of [flipped, `00000000-0000-4000-8000-000000000000.${secret}`, secret, "", "x".repeat(150)]) {
      const r = await anon().post("/api/auth/password-reset/confirm", { token: bad, password: NEW_PASSWORD });
      expect([r.status, r.body.error.code]).toEqual([404, "password_reset.not_found"]);
    }
    await anon().post("/api/auth/password-reset/confirm", { token, password: NEW_PASSWORD }).expect(200);
  });

  it("attack: an old link dies when a newer one is requested", async () => {
    const email = uniqueEmail("newer");
    await signUp(t, email);
    await requestReset(email);
    const first = tokenOf(await nthMail(email, RESET_SUBJECT, 1));
    await requestReset(email);
    const second = tokenOf(await nthMail(email, RESET_SUBJECT, 2));
    const r = await anon().post("/api/auth/password-reset/confirm", { token: first, password: NEW_PASSWORD }).expect(410);
    expect(r.body.error).toMatchObject({ code: "password_reset.replaced", message: expect.stringMatching(/latest email/) });
    await anon().post("/api/auth/password-reset/confirm", { token: second, password: NEW_PASSWORD }).expect(200);
  });

  it("expires after 30 minutes", async () => {
    const email = uniqueEmail("late");
    await signUp(t, email);
    await requestReset(email);
    const token = tokenOf(await nthMail(email, RESET_SUBJECT));
    t.clock.advance(29 * 60_000);
    await anon().post("/api/auth/password-reset/check", { token }).expect(200);
    t.clock.advance(60_000 + 1000);
    const r = await anon().post("/api/auth/password-reset/confirm", { token, password: NEW_PASSWORD }).expect(410);
    expect(r.body.error.code).toBe("password_reset.expired");
    await signIn(t, email); // the old password still works
  });

  it("attack: two concurrent uses of one link set one password", async () => {
    const email = uniqueEmail("race");
    await signUp(t, email);
    await requestReset(email);
    const token = tokenOf(await nthMail(email, RESET_SUBJECT));
    const [a, b] = await Promise.all([
      anon().post("/api/auth/password-reset/confirm", { token, password: "first racer password" }),
      anon().post("/api/auth/password-reset/confirm", { token, password: "second racer password" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 410]);
    const winner = a.status === 200 ? "first racer password" : "second racer password";
    await signIn(t, email, winner);
  });

  it("attack (enumeration): an unknown address gets the same answer, in the same time, and no email", async () => {
    const known = uniqueEmail("known");
    await signUp(t, known);
    const unknown = uniqueEmail("nobody");
    const timings: Record<"known" | "unknown", number[]> = { known: [], unknown: [] };
    // Over a real socket, as a client on the network sees it (supertest's timing includes closing its server).
    const server: Server = await new Promise((ok) => { const s = t.app.listen(0, "127.0.0.1", () => ok(s)); });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/password-reset`;
    try {
      for (let i = 0; i < 10; i++) {
        for (const [kind, email] of (i % 2 ? [["known", known], ["unknown", unknown]] : [["unknown", unknown], ["known", known]]) as Array<["known" | "unknown", string]>) {
          // Fresh per-email windows each round: this measures the answer, not the limiter.
          await t.deps.ds.query(`DELETE FROM rate_limits WHERE key LIKE 'reset-email:%'`);
          const start = process.hrtime.bigint();
          const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin" }, body: JSON.stringify({ email }) });
          const body = await r.json();
          timings[kind].push(Number(process.hrtime.bigint() - start) / 1e6);
          expect([r.status, body]).toEqual([202, { message: RESET_REQUESTED }]);
          await sleep(300); // the work behind a known address (and its email) must not slow the next request
        }
      }
    } finally {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const [mk, mu] = [median(timings.known), median(timings.unknown)];
    // Paired by round (the two requests of a round ran back to back), so load on the machine cancels out.
    const diff = median(timings.known.map((k, i) => k - timings.unknown[i]));
    console.log(`password reset answer, median of 10: known ${mk.toFixed(1)} ms, unknown ${mu.toFixed(1)} ms, paired difference ${diff.toFixed(1)} ms`);
    expect(Math.abs(diff)).toBeLessThan(Math.max(15, 0.5 * mu));
    await settled();
    expect(t.mail!.to(unknown)).toHaveLength(0);
    const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM email_messages WHERE to_address = $1`, [unknown]);
    expect(n).toBe(0);
  }, 60_000);

  it("is rate-limited per address through the shared limiter, the same way for unknown addresses", async () => {
    for (const email of [uniqueEmail("limited"), uniqueEmail("limited-nobody")]) {
      if (email.startsWith("limited.")) await signUp(t, email);
      for (let i = 0; i < 3; i++) await anon().post("/api/auth/password-reset", { email }).expect(202);
      const r = await anon().post("/api/auth/password-reset", { email: email.toUpperCase() }).expect(429);
      expect(r.headers["retry-after"]).toMatch(/^\d+$/);
      const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM rate_limits WHERE key = $1`, [`reset-email:reset:${email}`]);
      expect(n).toBe(1);
    }
  });

  it("sends nothing to a placeholder account (.invalid addresses cannot receive mail)", async () => {
    const email = `ghost-${Date.now()}@pending.roster.invalid`;
    await insertUser(t.deps.ds.manager, { email });
    await anon().post("/api/auth/password-reset", { email }).expect(202);
    await settled();
    const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM email_messages WHERE to_address = $1`, [email]);
    expect(n).toBe(0);
  });

  it("points SSO-only people to SSO instead of sending a link; an Owner of a require-SSO org keeps a break-glass reset, audited", async () => {
    const fx = await createOrg(t, "enterprise", "Strictco");
    const email = uniqueEmail("ssoonly");
    await addMemberViaInvite(t, fx, email, "admin");
    await t.deps.ds.getRepository(Organization).update({ id: fx.orgId }, { settings: { requireSso: true } });
    const user = await t.deps.ds.getRepository(User).findOneByOrFail({ email });

    await requestReset(email);
    const pointer = await nthMail(email, "Sign in to Roster with single sign-on");
    expect(pointer.text).toMatch(/Strictco requires single sign-on/);
    expect(pointer.text).not.toMatch(/reset-password/);
    expect(await t.deps.ds.getRepository(PasswordResetToken).countBy({ userId: user.id })).toBe(0);

    await requestReset(fx.ownerEmail);
    const token = tokenOf(await nthMail(fx.ownerEmail, RESET_SUBJECT));
    await anon().post("/api/auth/password-reset/confirm", { token, password: NEW_PASSWORD }).expect(200);
    const owner = await signIn(t, fx.ownerEmail, NEW_PASSWORD);
    const events = (await owner.get(`/api/orgs/${fx.orgId}/audit-events?action=auth.break_glass_password_reset`).expect(200)).body.events;
    expect(events).toHaveLength(1);
  });

  it("attack: a reset of an unverified account squatted by someone else ends the squatter's session and verifies the address", async () => {
    const email = uniqueEmail("squatted");
    const squatter = await signUp(t, email); // anyone can sign up with any address: unverified
    await requestReset(email);
    const token = tokenOf(await nthMail(email, RESET_SUBJECT));
    const r = await anon().post("/api/auth/password-reset/confirm", { token, password: NEW_PASSWORD }).expect(200);
    expect(r.body.sessionsEnded).toBe(1);
    await squatter.get("/api/me").expect(401);
    expect((await t.deps.ds.getRepository(User).findOneByOrFail({ email })).emailVerified).toBe(true);
    const [audit] = await t.deps.ds.query(`SELECT 1 FROM audit_events WHERE action = 'account.claim_reset' AND target->>'email' = $1`, [email]);
    expect(audit).toBeDefined();
  });

  it("refuses a cross-site reset request (login-CSRF rules apply)", async () => {
    const r = await anon().agent.post("/api/auth/password-reset").set("Origin", "https://evil.example").send({ email: "x@example.test" }).expect(403);
    expect(r.body.error.code).toBe("csrf.bad_origin");
  });
});

describe("sign out everywhere", () => {
  it("ends every session of the caller, this one too, and no one else's", async () => {
    const fx = await createOrg(t);
    const email = uniqueEmail("everywhere");
    const { client: one } = await addMemberViaInvite(t, fx, email);
    const two = await signIn(t, email);
    const bystander = fx.owner;
    await one.agent.post("/api/auth/signout-everywhere").send({}).expect(403); // the session's cookie without its CSRF token
    const r = await one.post("/api/auth/signout-everywhere").expect(200);
    expect(r.body).toEqual({ sessionsEnded: 2 });
    expect(r.headers["set-cookie"]?.[0]).toMatch(/roster_session=;/);
    await one.get("/api/me").expect(401);
    await two.get("/api/me").expect(401);
    await bystander.get("/api/me").expect(200);
    await anon().post("/api/auth/signout-everywhere").expect(401);
    const [audit] = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE action = 'account.signed_out_everywhere' AND target->>'email' = $1`, [email]);
    expect(audit.metadata).toEqual({ sessionsEnded: 2 });
  });
});
