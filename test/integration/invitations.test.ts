/** Invitation rules: conflicts, field errors, resend/revoke, 7-day expiry, binding to the invited email, atomic accept. */
import { startTestApp, ApiClient, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, PASSWORD, signUp, tokenFromOutbox, uniqueEmail, type OrgFixture } from "../support/actors";
import { createScimToken } from "../../src/scim-tokens/scim-token.service";
import { SYSTEM_CTX } from "../../src/context";
import { Invitation, Membership, User } from "../../entities";

const DAY = 24 * 3600 * 1000;
let t: TestApp;
let fx: OrgFixture;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  fx = await createOrg(t, "pro");
  base = `/api/orgs/${fx.orgId}`;
});
afterAll(() => t.close());

describe("creating an invitation", () => {
  it("names the field for a bad email, an unknown chatbot and an unknown role", async () => {
    const r = await fx.owner.post(`${base}/invitations`, { email: "not-an-email", role: "boss",
      chatbotPermissions: [{ chatbotId: "00000000-0000-4000-8000-000000000000", access: "view" }] }).expect(400);
    expect(r.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["email", "role"]);
    const r2 = await fx.owner.post(`${base}/invitations`, { email: uniqueEmail("x"), role: "member",
      chatbotPermissions: [{ chatbotId: "00000000-0000-4000-8000-000000000000", access: "view" }] }).expect(400);
    expect(r2.body.error.fields).toEqual([{ field: "chatbotPermissions.0.chatbotId", message: expect.stringContaining("No chatbot") }]);
    expect(await t.deps.ds.getRepository(Invitation).countBy({ orgId: fx.orgId })).toBe(0); // nothing half-made
  });

  it("refuses a chatbot of another org as unknown", async () => {
    const other = await createOrg(t, "pro", "Other");
    const foreignBot = (await other.owner.post(`/api/orgs/${other.orgId}/chatbots`, { name: "theirs" }).expect(201)).body.chatbot;
    const r = await fx.owner.post(`${base}/invitations`, { email: uniqueEmail("x"), role: "member",
      chatbotPermissions: [{ chatbotId: foreignBot.id, access: "view" }] }).expect(400);
    expect(r.body.error.fields[0].field).toBe("chatbotPermissions.0.chatbotId");
  });

  it("answers 409 for a member and 409 naming a pending invitation", async () => {
    const r = await fx.owner.post(`${base}/invitations`, { email: fx.ownerEmail.toUpperCase(), role: "member" }).expect(409);
    expect(r.body.error.code).toBe("invitation.already_member");
    const email = uniqueEmail("pending");
    const first = await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
    const dup = await fx.owner.post(`${base}/invitations`, { email: email.toUpperCase(), role: "admin" }).expect(409);
    expect(dup.body.error).toMatchObject({ code: "invitation.pending_exists", invitationId: first.body.invitation.id });
  });

  it("lets only an Owner invite an Owner", async () => {
    const { client: admin } = await addMemberViaInvite(t, fx, uniqueEmail("admin"), "admin");
    const r = await admin.post(`${base}/invitations`, { email: uniqueEmail("o"), role: "owner" }).expect(403);
    expect(r.body.error).toMatchObject({ code: "member.owner_required", field: "role" });
    await admin.post(`${base}/invitations`, { email: uniqueEmail("m"), role: "member" }).expect(201);
  });

  it("refuses a Member without members.invite", async () => {
    const { client: member } = await addMemberViaInvite(t, fx, uniqueEmail("member"), "member");
    await member.post(`${base}/invitations`, { email: uniqueEmail("m"), role: "member" }).expect(403);
    await member.get(`${base}/invitations`).expect(403);
  });
});

describe("resend, revoke and expiry", () => {
  it("resend mints a new link with a fresh 7 days; the old link dies", async () => {
    const email = uniqueEmail("resend");
    const created = (await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201)).body.invitation;
    const oldToken = await tokenFromOutbox(t, email);
    t.clock.advance(3 * DAY);
    const resent = (await fx.owner.post(`${base}/invitations/${created.id}/resend`).expect(200)).body.invitation;
    expect(resent.sendCount).toBe(2);
    expect(new Date(resent.expiresAt).getTime() - new Date(created.expiresAt).getTime()).toBeGreaterThanOrEqual(3 * DAY - 1000);
    const newToken = await tokenFromOutbox(t, email);
    expect(newToken).not.toBe(oldToken);
    await new ApiClient(t.app).get(`/api/invitations/${oldToken}`).expect(410);
    await new ApiClient(t.app).get(`/api/invitations/${newToken}`).expect(200);
  });

  it("revoke kills the link at once; a revoked invitation cannot be resent; a fresh invite works", async () => {
    const email = uniqueEmail("revoke");
    const inv = (await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201)).body.invitation;
    const token = await tokenFromOutbox(t, email);
    await fx.owner.post(`${base}/invitations/${inv.id}/revoke`).expect(204);
    const gone = await new ApiClient(t.app).get(`/api/invitations/${token}`).expect(410);
    expect(gone.body.error.message).toMatch(/fresh invite/);
    await new ApiClient(t.app).post(`/api/invitations/${token}/accept`, { name: "A", password: PASSWORD }).expect(410);
    const r = await fx.owner.post(`${base}/invitations/${inv.id}/resend`).expect(409);
    expect(r.body.error.code).toBe("invitation.revoked");
    await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
  });

  it("expires after 7 days: accepted at 7 d − 1 min, refused at 7 d + 1 s, then listed as expired", async () => {
    const early = uniqueEmail("early");
    await fx.owner.post(`${base}/invitations`, { email: early, role: "member" }).expect(201);
    const earlyToken = await tokenFromOutbox(t, early);
    const late = uniqueEmail("late");
    const lateInv = (await fx.owner.post(`${base}/invitations`, { email: late, role: "member" }).expect(201)).body.invitation;
    const lateToken = await tokenFromOutbox(t, late);

    t.clock.advance(7 * DAY - 60_000);
    await new ApiClient(t.app).post(`/api/invitations/${earlyToken}/accept`, { name: "Early", password: PASSWORD }).expect(201);
    t.clock.advance(61_000);
    await new ApiClient(t.app).get(`/api/invitations/${lateToken}`).expect(410);
    await new ApiClient(t.app).post(`/api/invitations/${lateToken}/accept`, { name: "Late", password: PASSWORD }).expect(410);
    const listed = (await fx.owner.get(`${base}/invitations`).expect(200)).body.invitations;
    expect(listed.find((i: { id: string }) => i.id === lateInv.id)).toMatchObject({ status: "expired" });
    expect(listed.filter((i: { status: string }) => i.status === "pending").map((i: { email: string }) => i.email)).not.toContain(late);
    const resend = await fx.owner.post(`${base}/invitations/${lateInv.id}/resend`).expect(409);
    expect(resend.body.error.code).toBe("invitation.expired");
    await fx.owner.post(`${base}/invitations`, { email: late, role: "member" }).expect(201); // a fresh invite works
  });

  it("answers 404 for an unknown token and for another org's invitation id", async () => {
    await new ApiClient(t.app).get(`/api/invitations/nope-${"a".repeat(40)}`).expect(404);
    const other = await createOrg(t, "pro", "Else");
    const inv = (await other.owner.post(`/api/orgs/${other.orgId}/invitations`, { email: uniqueEmail("e"), role: "member" }).expect(201)).body.invitation;
    await fx.owner.post(`${base}/invitations/${inv.id}/revoke`).expect(404);
    await fx.owner.post(`${base}/invitations/not-a-uuid/revoke`).expect(404);
  });
});

describe("accepting", () => {
  it("refuses a signed-in account with another email, and the invitation stays pending (INV-06/07)", async () => {
    const email = uniqueEmail("bound");
    await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
    const token = await tokenFromOutbox(t, email);
    const mallory = await signUp(t, uniqueEmail("mallory"));
    const r = await mallory.post(`/api/invitations/${token}/accept`, {}).expect(403);
    expect(r.body.error.code).toBe("invitation.email_mismatch");
    await new ApiClient(t.app).get(`/api/invitations/${token}`).expect(200);
  });

  it("gives a pre-registered, unverified account nothing: the link holder claims it (INV-08)", async () => {
    const email = uniqueEmail("victim");
    const attacker = await signUp(t, email, "Attacker");
    await fx.owner.post(`${base}/invitations`, { email, role: "admin" }).expect(201);
    const token = await tokenFromOutbox(t, email);
    const victim = new ApiClient(t.app);
    await victim.post(`/api/invitations/${token}/accept`, { name: "Real Victim", password: "a brand new password" }).expect(201);
    await attacker.get("/api/me").expect(401); // the attacker's session is gone
    const signin = await new ApiClient(t.app).post("/api/auth/signin", { email, password: PASSWORD });
    expect(signin.status).toBe(401); // and so is the attacker's password
    const user = await t.deps.ds.getRepository(User).findOneByOrFail({ email });
    expect(user).toMatchObject({ name: "Real Victim", emailVerified: true });
  });

  it("makes exactly one membership from two concurrent accepts", async () => {
    const email = uniqueEmail("race");
    await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
    const token = await tokenFromOutbox(t, email);
    const [a, b] = await Promise.all([
      new ApiClient(t.app).post(`/api/invitations/${token}/accept`, { name: "A", password: PASSWORD }),
      new ApiClient(t.app).post(`/api/invitations/${token}/accept`, { name: "B", password: PASSWORD }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 410]);
    const user = await t.deps.ds.getRepository(User).findOneByOrFail({ email });
    expect(await t.deps.ds.getRepository(Membership).countBy({ orgId: fx.orgId, userId: user.id })).toBe(1);
  });

  it("validates the account fields of a new invitee", async () => {
    const email = uniqueEmail("fields");
    await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
    const token = await tokenFromOutbox(t, email);
    const r = await new ApiClient(t.app).post(`/api/invitations/${token}/accept`, { password: "short" }).expect(400);
    expect(r.body.error.fields.map((f: { field: string }) => f.field)).toEqual(["password"]);
    const r2 = await new ApiClient(t.app).post(`/api/invitations/${token}/accept`, {}).expect(400);
    expect(r2.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["name", "password"]);
    await new ApiClient(t.app).get(`/api/invitations/${token}`).expect(200); // still usable
  });
});

it("refuses manual invitations when SCIM manages the org", async () => {
  const ent = await createOrg(t, "enterprise", "Big Co");
  await ent.owner.post(`/api/orgs/${ent.orgId}/invitations`, { email: uniqueEmail("before"), role: "member" }).expect(201);
  await createScimToken(t.deps, SYSTEM_CTX, ent.orgId, "okta");
  const r = await ent.owner.post(`/api/orgs/${ent.orgId}/invitations`, { email: uniqueEmail("after"), role: "member" }).expect(409);
  expect(r.body.error).toMatchObject({ code: "invitation.managed_by_idp", message: expect.stringMatching(/identity provider/) });
});
