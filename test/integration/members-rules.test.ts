/** Owner rules (also under concurrency), leaving, tenant isolation, SCIM-managed members, last-active, audit paging. */
import { startTestApp, ApiClient, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, signUp, uniqueEmail, type OrgFixture } from "../support/actors";
import { Membership, Organization } from "../../entities";
import { createScimToken } from "../../src/scim-tokens/scim-token.service";
import { addMember } from "../../src/members/member.service";
import { findOrCreateUser } from "../../src/accounts/users";
import { SYSTEM_CTX } from "../../src/context";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function ownerCount(orgId: string): Promise<number> {
  return t.deps.ds.getRepository(Membership).countBy({ orgId, role: "owner", status: "active" });
}

describe("Owner rules", () => {
  let fx: OrgFixture;
  let base: string;
  let ownerMemberId: string;
  beforeAll(async () => {
    fx = await createOrg(t);
    base = `/api/orgs/${fx.orgId}`;
    ownerMemberId = (await fx.owner.get(`/api/orgs/${fx.orgId}`)).body.membership.id;
  });

  it("refuses to demote or remove the last Owner, and audits the refusal", async () => {
    const r = await fx.owner.patch(`${base}/members/${ownerMemberId}`, { role: "admin" }).expect(409);
    expect(r.body.error.code).toBe("member.last_owner");
    await fx.owner.delete(`${base}/members/${ownerMemberId}`).expect(409); // leaving as the last Owner
    const events = (await fx.owner.get(`${base}/audit-events?action=member.change_refused`)).body.events;
    expect(events).toHaveLength(2);
    expect(events[0].metadata).toEqual({ reason: "member.last_owner" });
    expect(await ownerCount(fx.orgId)).toBe(1);
  });

  it("lets only an Owner grant, take away or remove the Owner role", async () => {
    const { client: admin, memberId: adminId } = await addMemberViaInvite(t, fx, uniqueEmail("admin"), "admin");
    const { memberId: memberId } = await addMemberViaInvite(t, fx, uniqueEmail("member"), "member");
    const up = await admin.patch(`${base}/members/${memberId}`, { role: "owner" }).expect(403);
    expect(up.body.error.code).toBe("member.owner_required");
    await admin.patch(`${base}/members/${ownerMemberId}`, { role: "member" }).expect(403);
    await admin.delete(`${base}/members/${ownerMemberId}`).expect(403);
    await admin.patch(`${base}/members/${memberId}`, { role: "admin" }).expect(200); // admins may manage non-owners
    await fx.owner.patch(`${base}/members/${adminId}`, { role: "owner" }).expect(200);
    await admin.patch(`${base}/members/${memberId}`, { role: "member" }).expect(200);
  });

  it("keeps one Owner when two Owners demote each other at the same moment", async () => {
    const other = await createOrg(t, "pro", "Twins");
    const { client: second, memberId: secondId } = await addMemberViaInvite(t, other, uniqueEmail("second"), "owner");
    const firstId = (await other.owner.get(`/api/orgs/${other.orgId}`)).body.membership.id;
    const [a, b] = await Promise.all([
      other.owner.patch(`/api/orgs/${other.orgId}/members/${secondId}`, { role: "admin" }),
      second.patch(`/api/orgs/${other.orgId}/members/${firstId}`, { role: "admin" }),
    ]);
    expect(await ownerCount(other.orgId)).toBe(1);
    // One demotion went through; the other was refused (by the last-Owner rule, or because its
    // actor had just stopped being an Owner).
    expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
    expect([403, 409]).toContain([a.status, b.status].find((s) => s !== 200));
  });

  it("keeps one Owner when two Owners remove themselves at the same moment", async () => {
    const other = await createOrg(t, "pro", "Leavers");
    const { client: second, memberId: secondId } = await addMemberViaInvite(t, other, uniqueEmail("second"), "owner");
    const firstId = (await other.owner.get(`/api/orgs/${other.orgId}`)).body.membership.id;
    const [a, b] = await Promise.all([
      other.owner.delete(`/api/orgs/${other.orgId}/members/${firstId}`),
      second.delete(`/api/orgs/${other.orgId}/members/${secondId}`),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 409]);
    expect(await ownerCount(other.orgId)).toBe(1);
  });
});

describe("membership boundaries", () => {
  it("lets a Member leave, and refuses them everything afterwards", async () => {
    const fx = await createOrg(t);
    const { client, memberId } = await addMemberViaInvite(t, fx, uniqueEmail("leaver"), "member");
    await client.delete(`/api/orgs/${fx.orgId}/members/${memberId}`).expect(204);
    expect((await client.get(`/api/orgs/${fx.orgId}`).expect(403)).body.error.code).toBe("org.access_removed");
    const audit = (await fx.owner.get(`/api/orgs/${fx.orgId}/audit-events?action=member.removed`)).body.events;
    expect(audit[0].metadata).toMatchObject({ self: true });
  });

  it("hides other orgs: their ids read as not found", async () => {
    const a = await createOrg(t, "pro", "A");
    const b = await createOrg(t, "pro", "B");
    const { memberId: bMember } = await addMemberViaInvite(t, b, uniqueEmail("b"), "member");
    await a.owner.get(`/api/orgs/${b.orgId}/members`).expect(404);
    await a.owner.patch(`/api/orgs/${a.orgId}/members/${bMember}`, { role: "admin" }).expect(404);
    await a.owner.delete(`/api/orgs/${a.orgId}/members/${bMember}`).expect(404);
    await a.owner.get(`/api/orgs/not-a-uuid/members`).expect(404);
    const outsider = await signUp(t, uniqueEmail("outsider"));
    await outsider.get(`/api/orgs/${a.orgId}`).expect(404);
    await new ApiClient(t.app).get(`/api/orgs/${a.orgId}/members`).expect(401);
  });

  it("validates the role change body", async () => {
    const fx = await createOrg(t);
    const { memberId } = await addMemberViaInvite(t, fx, uniqueEmail("v"), "member");
    const r = await fx.owner.patch(`/api/orgs/${fx.orgId}/members/${memberId}`, { role: "superuser" }).expect(400);
    expect(r.body.error.fields).toEqual([{ field: "role", message: expect.stringContaining("owner, admin, member") }]);
  });

  it("refuses manual re-role or removal of SCIM members while SCIM is on", async () => {
    const fx = await createOrg(t, "enterprise", "Scim Co");
    const org = await t.deps.ds.getRepository(Organization).findOneByOrFail({ id: fx.orgId });
    const m = await t.deps.ds.transaction(async (tx) => {
      const { user } = await findOrCreateUser(tx, uniqueEmail("scim"));
      return addMember(tx, SYSTEM_CTX, org, { user, role: "member", source: "scim" });
    });
    await fx.owner.patch(`/api/orgs/${fx.orgId}/members/${m.id}`, { role: "admin" }).expect(200); // SCIM not on yet
    await createScimToken(t.deps, SYSTEM_CTX, fx.orgId, "entra");
    const r = await fx.owner.patch(`/api/orgs/${fx.orgId}/members/${m.id}`, { role: "member" }).expect(409);
    expect(r.body.error).toMatchObject({ code: "member.managed_by_idp", message: expect.stringMatching(/identity provider/) });
    await fx.owner.delete(`/api/orgs/${fx.orgId}/members/${m.id}`).expect(409);
    const listed = (await fx.owner.get(`/api/orgs/${fx.orgId}/members`)).body.members;
    expect(listed.find((x: { id: string }) => x.id === m.id)).toMatchObject({ managedByIdp: true, role: "admin" });
  });
});

describe("last active", () => {
  it("moves when a member uses the org, at most once a minute", async () => {
    const fx = await createOrg(t);
    const { client, memberId } = await addMemberViaInvite(t, fx, uniqueEmail("active"), "member");
    const lastActive = async () => (await t.deps.ds.getRepository(Membership).findOneByOrFail({ id: memberId })).lastActiveAt;
    expect(await lastActive()).toBeNull();
    await client.get(`/api/orgs/${fx.orgId}/chatbots`).expect(200);
    const first = await lastActive();
    expect(first).not.toBeNull();
    t.clock.advance(30_000);
    await client.get(`/api/orgs/${fx.orgId}/chatbots`).expect(200);
    expect(await lastActive()).toEqual(first);
    t.clock.advance(31_000);
    await client.get(`/api/orgs/${fx.orgId}/chatbots`).expect(200);
    expect((await lastActive())!.getTime()).toBeGreaterThan(first!.getTime());
    const listed = (await fx.owner.get(`/api/orgs/${fx.orgId}/members`)).body.members;
    expect(listed.find((x: { id: string }) => x.id === memberId).lastActiveAt).not.toBeNull();
  });
});

describe("audit log", () => {
  it("pages newest first with a cursor and filters by action and actor", async () => {
    const fx = await createOrg(t);
    for (const name of ["one", "two", "three"]) await fx.owner.post(`/api/orgs/${fx.orgId}/chatbots`, { name }).expect(201);
    const p1 = (await fx.owner.get(`/api/orgs/${fx.orgId}/audit-events?action=chatbot.created&limit=2`).expect(200)).body;
    expect(p1.events.map((e: { target: { name: string } }) => e.target.name)).toEqual(["three", "two"]);
    expect(p1.nextCursor).toEqual(expect.any(String));
    const p2 = (await fx.owner.get(`/api/orgs/${fx.orgId}/audit-events?action=chatbot.created&limit=2&cursor=${p1.nextCursor}`).expect(200)).body;
    expect(p2.events.map((e: { target: { name: string } }) => e.target.name)).toEqual(["one"]);
    expect(p2.nextCursor).toBeNull();
    const byActor = (await fx.owner.get(`/api/orgs/${fx.orgId}/audit-events?actor=${encodeURIComponent(fx.ownerEmail)}`)).body.events;
    expect(byActor.length).toBe(3);
    const wildcard = (await fx.owner.get(`/api/orgs/${fx.orgId}/audit-events?action=org.*`)).body.events;
    expect(wildcard.map((e: { action: string }) => e.action)).toEqual(["org.created"]);
    await fx.owner.get(`/api/orgs/${fx.orgId}/audit-events?cursor=garbage`).expect(400);
  });

  it("is readable only with audit.read", async () => {
    const fx = await createOrg(t);
    const { client } = await addMemberViaInvite(t, fx, uniqueEmail("m"), "member");
    await client.get(`/api/orgs/${fx.orgId}/audit-events`).expect(403);
  });
});
