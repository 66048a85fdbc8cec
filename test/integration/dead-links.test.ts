/**
 * Dead invitation links say why (used, replaced, revoked, expired: distinct codes), and only a
 * member of the org learns which org a used link was for; a removed member is told they lost
 * access to the org by name, while someone who never belonged still gets a plain 404.
 */
import { startTestApp, ApiClient, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, PASSWORD, signIn, signUp, tokenFromOutbox, uniqueEmail, type OrgFixture } from "../support/actors";

let t: TestApp;
let fx: OrgFixture;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  fx = await createOrg(t, "pro", "Acme");
  base = `/api/orgs/${fx.orgId}`;
}, 60_000);
afterAll(() => t.close());

const DAY = 24 * 3600 * 1000;
const anon = () => new ApiClient(t.app);

async function invite(prefix: string): Promise<{ email: string; id: string; token: string }> {
  const email = uniqueEmail(prefix);
  const inv = (await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201)).body.invitation;
  return { email, id: inv.id, token: await tokenFromOutbox(t, email) };
}

async function expectDead(token: string, code: string, message: RegExp, client = anon()): Promise<Record<string, unknown>> {
  const r = await client.get(`/api/invitations/${token}`).expect(410);
  expect(r.body.error).toMatchObject({ code, message: expect.stringMatching(message) });
  const a = await client.post(`/api/invitations/${token}/accept`, { name: "X", password: PASSWORD }).expect(410);
  expect(a.body.error.code).toBe(code);
  return r.body.error;
}

describe("dead invitation links", () => {
  it("used: says so; the signed-in member gets the org to open, anyone else does not", async () => {
    const { email, token } = await invite("used");
    const accepted = await anon().post(`/api/invitations/${token}/accept`, { name: "Una", password: PASSWORD }).expect(201);
    const member = new ApiClient(t.app);
    member.csrf = (await member.post("/api/auth/signin", { email, password: PASSWORD }).expect(200)).body.csrfToken;
    const forMember = await expectDead(token, "invitation.used", /already accepted/, member);
    expect(forMember.org).toEqual({ id: accepted.body.membership.orgId, name: "Acme" });
    const stranger = await signUp(t, uniqueEmail("stranger"));
    expect((await expectDead(token, "invitation.used", /already accepted/, stranger)).org).toBeUndefined();
    expect((await expectDead(token, "invitation.used", /already accepted/)).org).toBeUndefined();
  });

  it("replaced by a resend: check your inbox for the latest email", async () => {
    const { id, token } = await invite("resent");
    await fx.owner.post(`${base}/invitations/${id}/resend`).expect(200);
    await expectDead(token, "invitation.replaced", /latest email/);
  });

  it("replaced by a new invitation after the old one expired", async () => {
    const { email, token } = await invite("reinvited");
    t.clock.advance(8 * DAY);
    await fx.owner.post(`${base}/invitations`, { email, role: "admin" }).expect(201);
    await expectDead(token, "invitation.replaced", /latest email/);
    await anon().get(`/api/invitations/${await tokenFromOutbox(t, email)}`).expect(200);
  });

  it("revoked", async () => {
    const { id, token } = await invite("revoked");
    await fx.owner.post(`${base}/invitations/${id}/revoke`).expect(204);
    await expectDead(token, "invitation.revoked", /withdrawn/);
  });

  it("expired", async () => {
    const { token } = await invite("expired");
    t.clock.advance(7 * DAY + 1000);
    await expectDead(token, "invitation.expired", /expired/);
  });

  it("an unknown token is still 404", async () => {
    const r = await anon().get(`/api/invitations/${"A".repeat(43)}`).expect(404);
    expect(r.body.error.code).toBe("invitation.not_found");
  });
});

describe("a removed member opening the org", () => {
  beforeAll(async () => {
    fx.owner = await signIn(t, fx.ownerEmail); // the expiry tests moved the clock past the session's life
  });

  it("hears they no longer have access to Acme; someone who never belonged gets a plain 404", async () => {
    const email = uniqueEmail("removed");
    const { client, memberId } = await addMemberViaInvite(t, fx, email);
    await client.get(base).expect(200);
    await fx.owner.delete(`${base}/members/${memberId}`).expect(204);
    const r = await client.get(base).expect(403);
    expect(r.body.error).toMatchObject({ code: "org.access_removed", message: "You no longer have access to Acme.", orgName: "Acme" });
    // Signing in again changes nothing; other orgs' ids and strangers learn nothing.
    const again = await signIn(t, email);
    expect((await again.get(`${base}/members`).expect(403)).body.error.code).toBe("org.access_removed");
    const other = await createOrg(t, "pro", "Secret Org");
    const probe = await again.get(`/api/orgs/${other.orgId}`).expect(404);
    expect(JSON.stringify(probe.body)).not.toMatch(/Secret Org/);
    const stranger = await signUp(t, uniqueEmail("never"));
    const s = await stranger.get(base).expect(404);
    expect(s.body.error.code).toBe("organization.not_found");
    expect(JSON.stringify(s.body)).not.toMatch(/Acme/);
  });

  it("invited back and joined: access again", async () => {
    const email = uniqueEmail("back");
    const { client, memberId } = await addMemberViaInvite(t, fx, email);
    await fx.owner.delete(`${base}/members/${memberId}`).expect(204);
    await client.get(base).expect(403);
    await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
    await client.post(`/api/invitations/${await tokenFromOutbox(t, email)}/accept`, {}).expect(201);
    await client.get(base).expect(200);
  });
});
