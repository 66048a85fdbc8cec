/**
 * Issue 13, Members page: the chatbot scope rule (UI, API and can() agree), editing access after
 * joining, manual suspend/restore, ownership transfer, bulk invite, and server-side search, sort
 * and keyset paging of members and invitations.
 */
import { ApiClient, startTestApp, type TestApp } from "../support/app";
import { PASSWORD, addMemberViaInvite, createOrg, tokenFromOutbox, uniqueEmail, type OrgFixture } from "../support/actors";
import { Membership, Organization } from "../../entities";
import { addMember } from "../../src/members/member.service";
import { findOrCreateUser } from "../../src/accounts/users";
import { SYSTEM_CTX } from "../../src/context";
import { createScimToken } from "../../src/scim-tokens/scim-token.service";
import { MemberScopeAndPaging1764450000000 } from "../../entities/migrations/1764450000000-MemberScopeAndPaging";
import { MemberSortKeys1764451000000 } from "../../entities/migrations/1764451000000-MemberSortKeys";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 60_000);
afterAll(() => t.close());

async function mailsTo(email: string, kind: string): Promise<Array<{ subject: string; body_text: string }>> {
  return t.deps.ds.query(`SELECT subject, body_text FROM email_messages WHERE lower(to_address) = lower($1) AND kind = $2 ORDER BY created_at`, [email, kind]);
}

async function lastEvent(fx: OrgFixture, action: string) {
  return (await fx.owner.get(`/api/orgs/${fx.orgId}/audit-events?action=${action}`).expect(200)).body.events[0];
}

/** A new org with two chatbots, Sales and Support. */
async function orgWithSalesAndSupport(): Promise<{ fx: OrgFixture; base: string; sales: string; support: string }> {
  const fx = await createOrg(t);
  const base = `/api/orgs/${fx.orgId}`;
  const sales = (await fx.owner.post(`${base}/chatbots`, { name: "Sales" }).expect(201)).body.chatbot.id;
  const support = (await fx.owner.post(`${base}/chatbots`, { name: "Support" }).expect(201)).body.chatbot.id;
  return { fx, base, sales, support };
}

describe("the chatbot scope rule", () => {
  let fx: OrgFixture;
  let base: string;
  let sales: string;
  let support: string;
  beforeAll(async () => {
    ({ fx, base, sales, support } = await orgWithSalesAndSupport());
  });

  it("a Member invited with “Only selected chatbots” and none ticked has no chatbot and cannot reply anywhere", async () => {
    const email = uniqueEmail("none");
    await fx.owner.post(`${base}/invitations`, { email, role: "member", chatbotScope: "selected", chatbotPermissions: [] }).expect(201);
    const inv = (await fx.owner.get(`${base}/invitations`).expect(200)).body.invitations.find((i: { email: string }) => i.email === email);
    expect(inv.chatbotScope).toBe("selected");
    const none = await acceptFor(email);
    expect((await none.get(`${base}/chatbots`).expect(200)).body.chatbots).toEqual([]);
    await none.post(`${base}/chatbots/${sales}/conversations`, { subject: "hi" }).expect(404);
    const view = (await fx.owner.get(`${base}/members?query=${encodeURIComponent(email)}`).expect(200)).body.members[0];
    expect(view).toMatchObject({ chatbotScope: "selected", chatbotPermissions: [] });
    const me = (await none.get("/api/me").expect(200)).body.memberships.find((m: { orgId: string }) => m.orgId === fx.orgId);
    expect(me.chatbotScope).toBe("selected");
  });

  it("without a scope, no grants still means every chatbot (backward compatible) and grants mean only those", async () => {
    const { client: all } = await addMemberViaInvite(t, fx, uniqueEmail("all"));
    expect((await all.get(`${base}/chatbots`).expect(200)).body.chatbots.map((c: { name: string }) => c.name).sort()).toEqual(["Sales", "Support"]);
    const { client: some } = await addMemberViaInvite(t, fx, uniqueEmail("some"), "member", [{ chatbotId: sales, access: "reply" }]);
    expect((await some.get(`${base}/chatbots`).expect(200)).body.chatbots.map((c: { name: string }) => c.name)).toEqual(["Sales"]);
    await some.post(`${base}/chatbots/${support}/conversations`, { subject: "hi" }).expect(404);
  });

  it("refuses “All chatbots” together with specific grants", async () => {
    const r = await fx.owner.post(`${base}/invitations`, { email: uniqueEmail("x"), role: "member", chatbotScope: "all", chatbotPermissions: [{ chatbotId: sales, access: "view" }] }).expect(400);
    expect(r.body.error.fields[0]).toMatchObject({ field: "chatbotScope" });
  });

  async function acceptFor(email: string) {
    const client = new ApiClient(t.app);
    const acc = await client.post(`/api/invitations/${await tokenFromOutbox(t, email)}/accept`, { name: "No Bots", password: PASSWORD }).expect(201);
    client.csrf = acc.body.csrfToken;
    return client;
  }
});

describe("editing chatbot access after joining (PATCH chatbotPermissions)", () => {
  let fx: OrgFixture;
  let base: string;
  let sales: string;
  let support: string;
  beforeAll(async () => {
    ({ fx, base, sales, support } = await orgWithSalesAndSupport());
  });

  it("narrows, audits before/after, emails the member, and the new access applies at once", async () => {
    const email = uniqueEmail("tess");
    const { client, memberId } = await addMemberViaInvite(t, fx, email);
    await client.post(`${base}/chatbots/${support}/conversations`, { subject: "before" }).expect(201);
    const r = await fx.owner.patch(`${base}/members/${memberId}`, { chatbotScope: "selected", chatbotPermissions: [{ chatbotId: sales, access: "reply" }] }).expect(200);
    expect(r.body.member).toMatchObject({ chatbotScope: "selected", chatbotPermissions: [{ chatbotId: sales, access: "reply" }] });
    await client.post(`${base}/chatbots/${support}/conversations`, { subject: "after" }).expect(404);
    await client.post(`${base}/chatbots/${sales}/conversations`, { subject: "after" }).expect(201);
    const ev = await lastEvent(fx, "member.access_changed");
    expect(ev.metadata).toEqual({
      before: { chatbotScope: "all", chatbotPermissions: [] },
      after: { chatbotScope: "selected", chatbotPermissions: [{ chatbotId: sales, access: "reply" }] }, via: "manual",
    });
    const mails = await mailsTo(email, "member.access_changed");
    expect(mails).toHaveLength(1);
    expect(mails[0].body_text).toContain("these chatbots only: Sales (reply)");

    // Back to every chatbot; the same request again changes nothing and sends nothing.
    await fx.owner.patch(`${base}/members/${memberId}`, { chatbotScope: "all" }).expect(200);
    await fx.owner.patch(`${base}/members/${memberId}`, { chatbotScope: "all" }).expect(200);
    expect(await mailsTo(email, "member.access_changed")).toHaveLength(2);
    await client.post(`${base}/chatbots/${support}/conversations`, { subject: "again" }).expect(201);
  });

  it("needs members.update: a Member cannot widen their own access", async () => {
    const { client, memberId } = await addMemberViaInvite(t, fx, uniqueEmail("self"), "member", [{ chatbotId: sales, access: "view" }]);
    const r = await client.patch(`${base}/members/${memberId}`, { chatbotScope: "all" }).expect(403);
    expect(r.body.error.code).toBe("permission.denied");
    const m = (await fx.owner.get(`${base}/members/${memberId}`).expect(200)).body.member;
    expect(m.chatbotPermissions).toEqual([{ chatbotId: sales, access: "view" }]);
  });

  it("refuses another org's chatbot and access edits on Owners and Admins; their scope reads “all” whatever is stored", async () => {
    const other = await createOrg(t, "pro", "Other");
    const foreign = (await other.owner.post(`/api/orgs/${other.orgId}/chatbots`, { name: "Theirs" }).expect(201)).body.chatbot.id;
    const { memberId } = await addMemberViaInvite(t, fx, uniqueEmail("m"), "member", [{ chatbotId: sales, access: "view" }]);
    const bad = await fx.owner.patch(`${base}/members/${memberId}`, { chatbotPermissions: [{ chatbotId: foreign, access: "manage" }] }).expect(400);
    expect(bad.body.error.fields[0].field).toBe("chatbotPermissions.0.chatbotId");
    const promoted = (await fx.owner.patch(`${base}/members/${memberId}`, { role: "admin" }).expect(200)).body.member;
    expect(promoted.chatbotScope).toBe("all");
    const refused = await fx.owner.patch(`${base}/members/${memberId}`, { chatbotScope: "selected" }).expect(409);
    expect(refused.body.error.code).toBe("member.access_follows_role");
    // Role and access together: demote to Member with only Support, in one request.
    const both = (await fx.owner.patch(`${base}/members/${memberId}`, { role: "member", chatbotScope: "selected", chatbotPermissions: [{ chatbotId: support, access: "manage" }] }).expect(200)).body.member;
    expect(both).toMatchObject({ role: "member", chatbotScope: "selected", chatbotPermissions: [{ chatbotId: support, access: "manage" }] });
  });

  it("an empty PATCH is a sentence, not a library message", async () => {
    const { memberId } = await addMemberViaInvite(t, fx, uniqueEmail("e"));
    const r = await fx.owner.patch(`${base}/members/${memberId}`, {}).expect(400);
    expect(r.body.error.fields[0].message).toBe("Choose a role or chatbot access to change.");
  });
});

describe("suspend and restore by hand", () => {
  let fx: OrgFixture;
  let base: string;
  beforeAll(async () => {
    fx = await createOrg(t);
    base = `/api/orgs/${fx.orgId}`;
  });

  it("suspends (access refused at once, conversations requeued, emailed, audited) and restores with role and grants kept", async () => {
    const sales = (await fx.owner.post(`${base}/chatbots`, { name: "Sales" }).expect(201)).body.chatbot.id;
    const email = uniqueEmail("sus");
    const { client, memberId } = await addMemberViaInvite(t, fx, email, "member", [{ chatbotId: sales, access: "manage" }]);
    const conv = (await client.post(`${base}/chatbots/${sales}/conversations`, { subject: "x" }).expect(201)).body.conversation;
    await client.post(`${base}/conversations/${conv.id}/assign`, { memberId }).expect(200);

    const s = await fx.owner.post(`${base}/members/${memberId}/suspend`).expect(200);
    expect(s.body.member.status).toBe("suspended");
    expect((await client.get(`${base}/chatbots`).expect(403)).body.error.code).toBe("member.suspended");
    expect((await lastEvent(fx, "member.suspended")).metadata).toMatchObject({ via: "manual", conversationsRequeued: 1 });
    expect(await mailsTo(email, "member.suspended")).toHaveLength(1);
    // The suspension email has left (a restore before it leaves cancels it and says nothing: outbox-stale.test.ts).
    await t.deps.ds.query(`UPDATE email_messages SET status = 'sent' WHERE lower(to_address) = lower($1) AND kind = 'member.suspended'`, [email]);

    const r = await fx.owner.post(`${base}/members/${memberId}/restore`).expect(200);
    expect(r.body.member).toMatchObject({ status: "active", role: "member", chatbotPermissions: [{ chatbotId: sales, access: "manage" }] });
    await client.get(`${base}/chatbots`).expect(200);
    expect(await mailsTo(email, "member.restored")).toHaveLength(1);
  });

  it("refuses suspending yourself, an Owner by an Admin, a Member by a Member, and the last Owner", async () => {
    const { client: admin, memberId: adminId } = await addMemberViaInvite(t, fx, uniqueEmail("adm"), "admin");
    const { client: member, memberId: memberId } = await addMemberViaInvite(t, fx, uniqueEmail("mem"));
    const ownerId = (await fx.owner.get(base).expect(200)).body.membership.id;
    expect((await admin.post(`${base}/members/${adminId}/suspend`).expect(409)).body.error.code).toBe("member.self_suspend");
    expect((await admin.post(`${base}/members/${ownerId}/suspend`).expect(403)).body.error.code).toBe("member.owner_required");
    expect((await member.post(`${base}/members/${adminId}/suspend`).expect(403)).body.error.code).toBe("permission.denied");
    expect((await fx.owner.post(`${base}/members/${ownerId}/suspend`).expect(409)).body.error.code).toBe("member.self_suspend");
    await admin.post(`${base}/members/${memberId}/suspend`).expect(200);
  });

  it("refuses members managed by the IdP while SCIM is on", async () => {
    const ent = await createOrg(t, "enterprise");
    const org = await t.deps.ds.getRepository(Organization).findOneByOrFail({ id: ent.orgId });
    await createScimToken(t.deps, SYSTEM_CTX, ent.orgId, "okta");
    const m = await t.deps.ds.transaction(async (tx) => addMember(tx, SYSTEM_CTX, org, {
      user: (await findOrCreateUser(tx, uniqueEmail("scim"))).user, role: "member", source: "scim",
      scim: { userName: uniqueEmail("scim"), externalId: null, attributes: {}, active: true, scimRole: null },
    }));
    expect((await ent.owner.post(`/api/orgs/${ent.orgId}/members/${m.id}/suspend`).expect(409)).body.error.code).toBe("member.managed_by_idp");
  });
});

describe("transfer ownership", () => {
  it("makes the member Owner and the old Owner Admin in one step, audited and emailed", async () => {
    const fx = await createOrg(t);
    const base = `/api/orgs/${fx.orgId}`;
    const email = uniqueEmail("heir");
    const { client: heir, memberId: heirId } = await addMemberViaInvite(t, fx, email, "admin");
    const ownerId = (await fx.owner.get(base).expect(200)).body.membership.id;
    const r = await fx.owner.post(`${base}/members/${heirId}/transfer-ownership`).expect(200);
    expect(r.body.to).toMatchObject({ id: heirId, role: "owner" });
    expect(r.body.from).toMatchObject({ id: ownerId, role: "admin" });
    const owners = await t.deps.ds.getRepository(Membership).findBy({ orgId: fx.orgId, role: "owner" });
    expect(owners.map((o) => o.id)).toEqual([heirId]);
    expect((await lastEvent(fx, "org.ownership_transferred")).metadata).toEqual({ fromMemberId: ownerId, toMemberId: heirId, previousRole: "admin" });
    expect((await mailsTo(email, "member.role_changed")).at(-1)!.subject).toContain("is now Owner");
    expect((await mailsTo(fx.ownerEmail, "member.role_changed")).at(-1)!.subject).toContain("is now Admin");
    // The old Owner, now Admin, cannot take it back; the new Owner can hand it on.
    expect((await fx.owner.post(`${base}/members/${ownerId}/transfer-ownership`).expect(403)).body.error.code).toBe("member.owner_required");
    await heir.post(`${base}/members/${ownerId}/transfer-ownership`).expect(200);
  });

  it("refuses an Admin, yourself, and a suspended member", async () => {
    const fx = await createOrg(t);
    const base = `/api/orgs/${fx.orgId}`;
    const { client: admin } = await addMemberViaInvite(t, fx, uniqueEmail("a"), "admin");
    const { memberId } = await addMemberViaInvite(t, fx, uniqueEmail("m"));
    const ownerId = (await fx.owner.get(base).expect(200)).body.membership.id;
    expect((await admin.post(`${base}/members/${memberId}/transfer-ownership`).expect(403)).body.error.code).toBe("member.owner_required");
    expect((await fx.owner.post(`${base}/members/${ownerId}/transfer-ownership`).expect(409)).body.error.code).toBe("member.transfer_to_self");
    await fx.owner.post(`${base}/members/${memberId}/suspend`).expect(200);
    expect((await fx.owner.post(`${base}/members/${memberId}/transfer-ownership`).expect(409)).body.error.code).toBe("member.transfer_inactive");
    expect(await t.deps.ds.getRepository(Membership).countBy({ orgId: fx.orgId, role: "owner" })).toBe(1);
  });
});

describe("bulk invite", () => {
  it("invites each address once and reports per address; the role rule refuses the whole request", async () => {
    const fx = await createOrg(t);
    const base = `/api/orgs/${fx.orgId}`;
    const bot = (await fx.owner.post(`${base}/chatbots`, { name: "Sales" }).expect(201)).body.chatbot.id;
    const a = uniqueEmail("a");
    const b = uniqueEmail("b");
    const r = await fx.owner.post(`${base}/invitations/bulk`, {
      emails: [a, "not an email", b, a.toUpperCase(), fx.ownerEmail], role: "member", chatbotScope: "selected", chatbotPermissions: [{ chatbotId: bot, access: "reply" }],
    }).expect(200);
    expect(r.body.results.map((x: { status: string; error?: { code: string } }) => x.error?.code ?? x.status))
      .toEqual(["invited", "validation.failed", "invited", "invitation.duplicate", "invitation.already_member"]);
    expect(r.body).toMatchObject({ invited: 2, failed: 3 });
    expect(r.body.results[0].invitation).toMatchObject({ role: "member", chatbotScope: "selected", chatbotPermissions: [{ chatbotId: bot, access: "reply" }] });
    const again = await fx.owner.post(`${base}/invitations/bulk`, { emails: [a], role: "member" }).expect(200);
    expect(again.body.results[0].error.code).toBe("invitation.pending_exists");

    const { client: admin } = await addMemberViaInvite(t, fx, uniqueEmail("adm"), "admin");
    const refused = await admin.post(`${base}/invitations/bulk`, { emails: [uniqueEmail("c")], role: "owner" }).expect(403);
    expect(refused.body.error.code).toBe("member.owner_required");
    expect((await fx.owner.post(`${base}/invitations/bulk`, { emails: [], role: "member" }).expect(400)).body.error.fields[0].message).toBe("Enter at least one email address");
  });
});

describe("search, sort and keyset paging", () => {
  let fx: OrgFixture;
  let base: string;
  const names = ["Zoe Zimmer", "adam Abbot", "Mia 100% Match", "Bo Brown", "Cy Clark", "Dee Dunn", "Eli Evans"];
  beforeAll(async () => {
    fx = await createOrg(t, "pro", "Paging");
    base = `/api/orgs/${fx.orgId}`;
    const org = await t.deps.ds.getRepository(Organization).findOneByOrFail({ id: fx.orgId });
    await t.deps.ds.transaction(async (tx) => {
      for (const [i, name] of names.entries()) {
        const { user } = await findOrCreateUser(tx, uniqueEmail(`p${i}`), name);
        const m = await addMember(tx, SYSTEM_CTX, org, { user, role: i % 3 === 0 ? "admin" : "member", source: "invite" });
        if (i % 2 === 0) await tx.getRepository(Membership).update({ id: m.id }, { lastActiveAt: new Date(Date.UTC(2026, 0, 1 + i)) });
      }
    });
  });

  async function all(path: string, limit: number): Promise<Array<{ name: string; role: string; lastActiveAt: string | null }>> {
    const out: Array<{ name: string; role: string; lastActiveAt: string | null }> = [];
    let cursor: string | null = null;
    do {
      const r: { body: { members: never[]; nextCursor: string | null; total: number } } =
        await fx.owner.get(`${path}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`).expect(200);
      expect(r.body.members.length).toBeLessThanOrEqual(limit);
      out.push(...r.body.members);
      cursor = r.body.nextCursor;
    } while (cursor);
    return out;
  }

  it("pages through every member exactly once in name order, case-insensitively", async () => {
    const rows = await all(`${base}/members?sort=name`, 2);
    expect(rows.map((m) => m.name)).toEqual(["adam Abbot", "Bo Brown", "Cy Clark", "Dee Dunn", "Eli Evans", "Mia 100% Match", "Olive Owner", "Zoe Zimmer"]);
    const back = await all(`${base}/members?sort=-name`, 3);
    expect(back.map((m) => m.name)).toEqual(rows.map((m) => m.name).reverse());
  });

  it("sorts by role (Owners first, then by name) and by last active (most recent first, never-active last)", async () => {
    const byRole = await all(`${base}/members?sort=role`, 3);
    expect(byRole.map((m) => m.role)).toEqual(["owner", "admin", "admin", "admin", "member", "member", "member", "member"]);
    expect(byRole.slice(1, 4).map((m) => m.name)).toEqual(["Bo Brown", "Eli Evans", "Zoe Zimmer"]);
    const byActive = await all(`${base}/members?sort=lastActive`, 3);
    const stamps = byActive.map((m) => m.lastActiveAt);
    const seen = stamps.filter((s): s is string => s !== null);
    expect(seen).toEqual([...seen].sort().reverse());
    expect(stamps.slice(seen.length).every((s) => s === null)).toBe(true);
  });

  it("searches the start of names and emails, case-insensitively, with % taken literally; counts the matches", async () => {
    const r = await fx.owner.get(`${base}/members?query=${encodeURIComponent("mia 100%")}`).expect(200);
    expect(r.body.members.map((m: { name: string }) => m.name)).toEqual(["Mia 100% Match"]);
    expect(r.body.total).toBe(1);
    // "%" is a character, not "anything": no name or email starts with it.
    const none = await fx.owner.get(`${base}/members?query=${encodeURIComponent("%")}&limit=50`).expect(200);
    expect(none.body).toMatchObject({ members: [], total: 0 });
    // A starts-with search, not contains (index-served at 100,000 members).
    expect((await fx.owner.get(`${base}/members?query=Match`).expect(200)).body.total).toBe(0);
    const byEmail = await fx.owner.get(`${base}/members?query=${encodeURIComponent(uniqueEmail("p4").slice(0, 2).toUpperCase())}&limit=50`).expect(200);
    expect(byEmail.body.members.map((m: { name: string }) => m.name)).toContain("Cy Clark");
  });

  it("counts the total on the first page only (a later page never counts the org again)", async () => {
    const first = await fx.owner.get(`${base}/members?sort=name&limit=3`).expect(200);
    expect(first.body.total).toBe(8);
    const second = await fx.owner.get(`${base}/members?sort=name&limit=3&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.members).toHaveLength(3);
    expect(second.body).not.toHaveProperty("total");
  });

  it("answers a forged or stale cursor with a sentence, and keeps the old unpaged shape without parameters", async () => {
    const r = await fx.owner.get(`${base}/members?cursor=${encodeURIComponent("eyJ4IjoxfQ")}`).expect(400);
    expect(r.body.error.fields[0]).toEqual({ field: "cursor", message: "This page link is out of date; reload the list." });
    const inj = Buffer.from(JSON.stringify(["x') OR 1=1 --", "00000000-0000-0000-0000-000000000000"])).toString("base64url");
    await fx.owner.get(`${base}/members?sort=name&cursor=${inj}`).expect(200);
    // Forged cursors whose values cannot be cast: 400 with the same sentence, never a 500.
    const forge = (v: unknown[]) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const uuid = "00000000-0000-0000-0000-000000000000";
    for (const [sort, values] of [
      ["name", ["a\u0000b", uuid]], ["role", ["x", "a", uuid]], ["role", ["99999999999", "a", uuid]], ["lastActive", ["2026-02-31 00:00:00+00", uuid]],
      ["lastActive", ["not a date", uuid]], ["name", ["a", "not-a-uuid"]], ["name", [1, uuid]],
    ] as Array<[string, unknown[]]>) {
      const f = await fx.owner.get(`${base}/members?sort=${sort}&cursor=${forge(values)}`);
      expect({ sort, values, status: f.status, field: f.body.error?.fields?.[0]?.field }).toEqual({ sort, values, status: 400, field: "cursor" });
    }
    const old = await fx.owner.get(`${base}/members`).expect(200);
    expect(Object.keys(old.body)).toEqual(["members"]);
    expect(old.body.members).toHaveLength(8);
    await fx.owner.get(`${base}/members?sort=email`).expect(400);
  });

  it("pages and searches pending invitations the same way", async () => {
    for (const e of ["inv-c@paging.test", "inv-a@paging.test", "inv-b@paging.test", "other@else.test"]) {
      await fx.owner.post(`${base}/invitations`, { email: e, role: "member" }).expect(201);
    }
    const r1 = await fx.owner.get(`${base}/invitations?query=INV-&sort=email&limit=2`).expect(200);
    expect(r1.body.invitations.map((i: { email: string }) => i.email)).toEqual(["inv-a@paging.test", "inv-b@paging.test"]);
    expect(r1.body.total).toBe(3);
    const r2 = await fx.owner.get(`${base}/invitations?query=INV-&sort=email&limit=2&cursor=${r1.body.nextCursor}`).expect(200);
    expect(r2.body.invitations.map((i: { email: string }) => i.email)).toEqual(["inv-c@paging.test"]);
    expect(r2.body.nextCursor).toBeNull();
    expect(r2.body).not.toHaveProperty("total");
    const bySort = async (sort: string) => (await fx.owner.get(`${base}/invitations?query=inv-&sort=${sort}&limit=10`).expect(200)).body.invitations.length;
    expect([await bySort("-email"), await bySort("expires"), await bySort("-expires")]).toEqual([3, 3, 3]);
    const newest = await fx.owner.get(`${base}/invitations?limit=1`).expect(200);
    expect(newest.body.invitations[0].email).toBe("other@else.test");
  });
});

describe("migration MemberScopeAndPaging", () => {
  it("keeps what existing members and invitations meant: with grants → selected, without → all", async () => {
    const fx = await createOrg(t);
    const base = `/api/orgs/${fx.orgId}`;
    const bot = (await fx.owner.post(`${base}/chatbots`, { name: "Sales" }).expect(201)).body.chatbot.id;
    const { memberId: narrowed } = await addMemberViaInvite(t, fx, uniqueEmail("narrow"), "member", [{ chatbotId: bot, access: "reply" }]);
    const { memberId: open } = await addMemberViaInvite(t, fx, uniqueEmail("open"));
    const inv = (await fx.owner.post(`${base}/invitations`, { email: uniqueEmail("inv"), role: "member", chatbotPermissions: [{ chatbotId: bot, access: "view" }] }).expect(201)).body.invitation.id;
    const runner = t.deps.ds.createQueryRunner();
    const migration = new MemberScopeAndPaging1764450000000();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const scope = async (table: string, id: string) => (await t.deps.ds.query(`SELECT chatbot_scope FROM ${table} WHERE id = $1`, [id]))[0].chatbot_scope;
    expect(await scope("memberships", narrowed)).toBe("selected");
    expect(await scope("memberships", open)).toBe("all");
    expect(await scope("invitations", inv)).toBe("selected");
  });
});

describe("migration MemberSortKeys: the sort keys stay right whichever path writes users or memberships", () => {
  let fx: OrgFixture;
  let base: string;
  const keys = async (memberId: string) => (await t.deps.ds.query(`SELECT sort_name, sort_email FROM memberships WHERE id = $1`, [memberId]))[0];
  const names = async (query: string) => (await fx.owner.get(`${base}/members?query=${encodeURIComponent(query)}&limit=50`).expect(200)).body.members.map((m: { name: string | null; email: string }) => m.name || m.email);
  beforeAll(async () => {
    fx = await createOrg(t, "pro", "SortKeys");
    base = `/api/orgs/${fx.orgId}`;
  });

  it("a renamed user and a changed email move in the list and in search", async () => {
    const email = uniqueEmail("rename");
    const { memberId } = await addMemberViaInvite(t, fx, email);
    const [{ user_id: userId }] = await t.deps.ds.query(`SELECT user_id FROM memberships WHERE id = $1`, [memberId]);
    await t.deps.ds.query(`UPDATE users SET name = 'Quentin Quill' WHERE id = $1`, [userId]);
    expect(await keys(memberId)).toEqual({ sort_name: "quentin quill", sort_email: email.toLowerCase() });
    expect(await names("quentin")).toEqual(["Quentin Quill"]);
    const last = (await fx.owner.get(`${base}/members?sort=-name&limit=1`).expect(200)).body.members[0];
    expect(last.id).toBe(memberId);
    await t.deps.ds.query(`UPDATE users SET name = '', email = 'Zed.New@Moved.test' WHERE id = $1`, [userId]);
    expect(await keys(memberId)).toEqual({ sort_name: "zed.new@moved.test", sort_email: "zed.new@moved.test" });
    expect(await names("zed.new@")).toEqual(["Zed.New@Moved.test"]);
    expect(await names("quentin")).toEqual([]);
  });

  it("a pending email is what a pending member sorts and is found by, until they join", async () => {
    const { memberId } = await addMemberViaInvite(t, fx, uniqueEmail("pend"));
    const [{ user_id: userId }] = await t.deps.ds.query(`SELECT user_id FROM memberships WHERE id = $1`, [memberId]);
    await t.deps.ds.query(`UPDATE users SET name = NULL WHERE id = $1`, [userId]);
    await t.deps.ds.query(`UPDATE memberships SET pending_email = 'Waiting@Elsewhere.test' WHERE id = $1`, [memberId]);
    expect(await keys(memberId)).toEqual({ sort_name: "waiting@elsewhere.test", sort_email: "waiting@elsewhere.test" });
    expect(await names("waiting@")).toEqual(["Waiting@Elsewhere.test"]);
    await t.deps.ds.query(`UPDATE memberships SET pending_email = NULL WHERE id = $1`, [memberId]);
    expect((await keys(memberId)).sort_email).toMatch(/^pend.*@/);
    // A key written directly is recomputed, never trusted.
    await t.deps.ds.query(`UPDATE memberships SET sort_name = 'aaa forged' WHERE id = $1`, [memberId]);
    expect((await keys(memberId)).sort_name).toMatch(/^pend/);
  });

  it("a user and membership inserted by one statement (as SCIM's one-statement create) get their keys", async () => {
    const [{ id }] = await t.deps.ds.query(`WITH nu AS (INSERT INTO users (email, name) VALUES ('One.Statement@Corp.test', 'Olga One') RETURNING id)
      INSERT INTO memberships (org_id, user_id, role, source) SELECT $1, nu.id, 'member', 'scim' FROM nu RETURNING id`, [fx.orgId]);
    expect(await keys(id)).toEqual({ sort_name: "olga one", sort_email: "one.statement@corp.test" });
    expect(await names("olga")).toEqual(["Olga One"]);
  });

  it("keys passed by such a statement are checked at its end: forged ones are recomputed (CheaperMemberSortKeys)", async () => {
    const insert = async (email: string, name: string, keys: [string, string]) => (await t.deps.ds.query(`WITH nu AS (INSERT INTO users (email, name) VALUES ($2, $3) RETURNING id)
      INSERT INTO memberships (org_id, user_id, role, source, sort_name, sort_email) SELECT $1, nu.id, 'member', 'scim', $4, $5 FROM nu RETURNING id`,
    [fx.orgId, email, name, ...keys]))[0].id as string;
    const forged = await insert("Forged.Keys@Corp.test", "Fred Forged", ["aaa first", "aaa@first.test"]);
    expect(await keys(forged)).toEqual({ sort_name: "fred forged", sort_email: "forged.keys@corp.test" });
    const right = await insert("Right.Keys@Corp.test", "Rita Right", ["rita right", "right.keys@corp.test"]);
    expect(await keys(right)).toEqual({ sort_name: "rita right", sort_email: "right.keys@corp.test" });
    // Given keys are kept only while the account is not visible: for an existing account they are recomputed.
    const [{ user_id: userId }] = await t.deps.ds.query(`SELECT user_id FROM memberships WHERE id = $1`, [right]);
    const other = await createOrg(t, "pro", "SortKeysOther");
    const [{ id: linked }] = await t.deps.ds.query(`INSERT INTO memberships (org_id, user_id, role, source, sort_name, sort_email) VALUES ($1, $2, 'member', 'scim', 'aaa', 'aaa') RETURNING id`,
      [other.orgId, userId]);
    expect(await keys(linked)).toEqual({ sort_name: "rita right", sort_email: "right.keys@corp.test" });
  });

  it("down and up again recomputes every existing row", async () => {
    const { memberId } = await addMemberViaInvite(t, fx, uniqueEmail("redo"));
    const before = await keys(memberId);
    const runner = t.deps.ds.createQueryRunner();
    try {
      await new MemberSortKeys1764451000000().down(runner);
      await new MemberSortKeys1764451000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await keys(memberId)).toEqual(before);
  });
});
