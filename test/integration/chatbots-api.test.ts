/**
 * The Chatbots page's API: create, rename, delete (one transaction with its grants, audited),
 * names unique per org ignoring case, who-has-access per chatbot, and what each role may do.
 */
import { startTestApp, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, uniqueEmail, type OrgFixture } from "../support/actors";
import { AuditEvent, Chatbot, ChatbotPermission, Conversation, GroupRoleMapping } from "../../entities";

let t: TestApp;
let fx: OrgFixture;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  fx = await createOrg(t, "pro");
  base = `/api/orgs/${fx.orgId}`;
});
afterAll(() => t.close());

const make = async (name: string) => (await fx.owner.post(`${base}/chatbots`, { name }).expect(201)).body.chatbot as { id: string; name: string };
const audits = (action: string, id: string) => t.deps.ds.getRepository(AuditEvent).find({ where: { orgId: fx.orgId, action } })
  .then((rows) => rows.filter((e) => e.target?.id === id));

describe("creating and renaming", () => {
  it("trims the name, audits the creation and lists it", async () => {
    const bot = await make("  Billing help  ");
    expect(bot.name).toBe("Billing help");
    expect(await audits("chatbot.created", bot.id)).toHaveLength(1);
    const list = (await fx.owner.get(`${base}/chatbots`).expect(200)).body.chatbots;
    expect(list).toEqual(expect.arrayContaining([expect.objectContaining({ id: bot.id, name: "Billing help", myAccess: "manage" })]));
  });

  it("refuses a name another chatbot of the org has in any case, in words, naming the field", async () => {
    await make("Returns");
    const r = await fx.owner.post(`${base}/chatbots`, { name: "RETURNS" }).expect(409);
    expect(r.body.error).toMatchObject({ code: "chatbot.name_taken", field: "name", message: "A chatbot named “RETURNS” already exists. Choose another name." });
    // Another org may use the same name.
    const other = await createOrg(t, "pro", "Other");
    await other.owner.post(`/api/orgs/${other.orgId}/chatbots`, { name: "returns" }).expect(201);
  });

  it("explains empty, too long and multi-line names as sentences", async () => {
    const empty = await fx.owner.post(`${base}/chatbots`, { name: "   " }).expect(400);
    expect(empty.body.error.message).toBe("Name is required.");
    const long = await fx.owner.post(`${base}/chatbots`, { name: "x".repeat(201) }).expect(400);
    expect(long.body.error.message).toBe("Name can be at most 200 characters.");
    expect(long.body.error.fields).toEqual([{ field: "name", message: "can be at most 200 characters" }]);
    const missing = await fx.owner.post(`${base}/chatbots`, {}).expect(400);
    expect(missing.body.error.message).toBe("Name is required.");
    const lines = await fx.owner.post(`${base}/chatbots`, { name: "a\nb" }).expect(400);
    expect(lines.body.error.message).toBe("Name must be a single line without control characters.");
    const typed = await fx.owner.post(`${base}/chatbots`, { name: 42 }).expect(400);
    expect(typed.body.error.message).toBe("Name must be text.");
  });

  it("renames, audits old and new name, and refuses a taken name", async () => {
    const bot = await make("Old name");
    await make("Taken name");
    const r = await fx.owner.patch(`${base}/chatbots/${bot.id}`, { name: "New name" }).expect(200);
    expect(r.body.chatbot.name).toBe("New name");
    const [ev] = await audits("chatbot.renamed", bot.id);
    expect(ev?.metadata).toEqual({ oldName: "Old name", newName: "New name" });
    await fx.owner.patch(`${base}/chatbots/${bot.id}`, { name: "taken NAME" }).expect(409);
    // Changing only the case of its own name is allowed.
    expect((await fx.owner.patch(`${base}/chatbots/${bot.id}`, { name: "NEW NAME" }).expect(200)).body.chatbot.name).toBe("NEW NAME");
  });

  it("answers 404 for a chatbot of another org and for a non-id", async () => {
    const other = await createOrg(t, "pro", "Elsewhere");
    const theirs = (await other.owner.post(`/api/orgs/${other.orgId}/chatbots`, { name: "Theirs" }).expect(201)).body.chatbot;
    await fx.owner.patch(`${base}/chatbots/${theirs.id}`, { name: "Mine now" }).expect(404);
    await fx.owner.delete(`${base}/chatbots/${theirs.id}`).expect(404);
    await fx.owner.get(`${base}/chatbots/${theirs.id}/access`).expect(404);
    await fx.owner.delete(`${base}/chatbots/not-an-id`).expect(404);
    expect(await t.deps.ds.getRepository(Chatbot).countBy({ id: theirs.id, name: "Theirs" })).toBe(1);
  });
});

describe("who may do what", () => {
  it("lets an Admin manage chatbots; a Member, even with a manage grant, may not; a Member sees only granted chatbots", async () => {
    const a = await make("Alpha");
    const b = await make("Beta");
    const admin = await addMemberViaInvite(t, fx, uniqueEmail("admin"), "admin");
    const adminBot = (await admin.client.post(`${base}/chatbots`, { name: "Admin's bot" }).expect(201)).body.chatbot;
    await admin.client.patch(`${base}/chatbots/${adminBot.id}`, { name: "Admin's bot 2" }).expect(200);

    const member = await addMemberViaInvite(t, fx, uniqueEmail("member"), "member", [{ chatbotId: a.id, access: "manage" }, { chatbotId: b.id, access: "view" }]);
    const denied = await member.client.post(`${base}/chatbots`, { name: "Sneaky" }).expect(403);
    // A sentence for people, not the permission's API name (that stays in `permission`).
    expect(denied.body.error).toMatchObject({ code: "permission.denied", permission: "chatbots.manage",
      message: "Your role does not let you create, rename or delete chatbots. Ask an Owner or Admin if you need to." });
    await member.client.patch(`${base}/chatbots/${a.id}`, { name: "Renamed by member" }).expect(403);
    await member.client.delete(`${base}/chatbots/${a.id}`).expect(403);
    await member.client.get(`${base}/chatbots/${a.id}/access`).expect(403);
    const seen = (await member.client.get(`${base}/chatbots`).expect(200)).body.chatbots;
    expect(seen.map((c: { id: string; myAccess: string }) => [c.id, c.myAccess]).sort()).toEqual([[a.id, "manage"], [b.id, "view"]].sort());
  });

  it("lists who has access: Owners and Admins for all chatbots, Members by their grant", async () => {
    const bot = await make("Access list");
    const admin = await addMemberViaInvite(t, fx, uniqueEmail("adm2"), "admin");
    const granted = await addMemberViaInvite(t, fx, uniqueEmail("granted"), "member", [{ chatbotId: bot.id, access: "reply" }]);
    const elsewhere = await addMemberViaInvite(t, fx, uniqueEmail("elsewhere"), "member", [{ chatbotId: (await make("Other bot")).id, access: "view" }]);
    const r = await fx.owner.get(`${base}/chatbots/${bot.id}/access`).expect(200);
    const byId = new Map(r.body.access.map((e: { memberId: string }) => [e.memberId, e]));
    expect(byId.get(admin.memberId)).toMatchObject({ role: "admin", scope: "all" });
    expect(byId.get(granted.memberId)).toMatchObject({ role: "member", scope: "granted", access: "reply" });
    expect(byId.has(elsewhere.memberId)).toBe(false);
    expect(r.body.access[0].role).toBe("owner"); // Owners first
  });
});

describe("deleting", () => {
  it("removes the chatbot with its grants, conversations and mapping entries in one audited step", async () => {
    const doomed = await make("Doomed");
    const keep = await make("Keeper");
    const m = await addMemberViaInvite(t, fx, uniqueEmail("two"), "member", [{ chatbotId: doomed.id, access: "reply" }, { chatbotId: keep.id, access: "view" }]);
    await m.client.post(`${base}/chatbots/${doomed.id}/conversations`, { subject: "Help" }).expect(201);
    const mapping = await t.deps.ds.getRepository(GroupRoleMapping).save({ orgId: fx.orgId, groupName: `g-${Date.now()}`, role: "member",
      chatbotPermissions: [{ chatbotId: doomed.id, access: "view" }, { chatbotId: keep.id, access: "view" }] } as GroupRoleMapping);

    await fx.owner.delete(`${base}/chatbots/${doomed.id}`).expect(204);
    expect(await t.deps.ds.getRepository(Chatbot).countBy({ id: doomed.id })).toBe(0);
    expect(await t.deps.ds.getRepository(ChatbotPermission).countBy({ chatbotId: doomed.id })).toBe(0);
    expect(await t.deps.ds.getRepository(ChatbotPermission).countBy({ membershipId: m.memberId, chatbotId: keep.id })).toBe(1);
    expect(await t.deps.ds.getRepository(Conversation).countBy({ chatbotId: doomed.id })).toBe(0);
    expect((await t.deps.ds.getRepository(GroupRoleMapping).findOneByOrFail({ id: mapping.id })).chatbotPermissions).toEqual([{ chatbotId: keep.id, access: "view" }]);
    const [ev] = await audits("chatbot.deleted", doomed.id);
    expect(ev).toMatchObject({ target: { type: "chatbot", id: doomed.id, name: "Doomed" }, metadata: { grantsRevoked: 1, conversationsDeleted: 1 } });
    await fx.owner.delete(`${base}/chatbots/${doomed.id}`).expect(404);
  });

  it("takes the chatbot from a Member scoped to it alone, who then has no chatbot (never every chatbot)", async () => {
    const only = await make("Only one");
    const m = await addMemberViaInvite(t, fx, uniqueEmail("narrow"), "member", [{ chatbotId: only.id, access: "reply" }]);
    const other = await make("Not theirs");
    await fx.owner.delete(`${base}/chatbots/${only.id}`).expect(204);
    expect(await t.deps.ds.getRepository(ChatbotPermission).countBy({ membershipId: m.memberId })).toBe(0);
    // The attack: losing the last grant must not turn into "every chatbot".
    const seen = (await m.client.get(`${base}/chatbots`).expect(200)).body.chatbots.map((c: { id: string }) => c.id);
    expect(seen).not.toContain(other.id);
    expect(seen).toEqual([]);
    expect(await audits("chatbot.deleted", only.id)).toHaveLength(1);
  });

  it("refuses, and changes nothing, when it would widen a Member an IdP mapping narrowed to this chatbot alone", async () => {
    const only = await make("Mapped only");
    const m = await addMemberViaInvite(t, fx, uniqueEmail("mapped"), "member", [{ chatbotId: only.id, access: "reply" }]);
    // What a SCIM group mapping writes: stored scope "all", narrowed by its grants (effectiveScope).
    await t.deps.ds.query(`UPDATE memberships SET chatbot_scope = 'all' WHERE id = $1`, [m.memberId]);
    const other = await make("Not mapped");
    const r = await fx.owner.delete(`${base}/chatbots/${only.id}`).expect(409);
    expect(r.body.error).toMatchObject({ code: "chatbot.sole_access", members: 1 });
    expect(r.body.error.message).toMatch(/^1 member can use only “Mapped only”/);
    expect(await t.deps.ds.getRepository(ChatbotPermission).countBy({ membershipId: m.memberId })).toBe(1);
    const seen = (await m.client.get(`${base}/chatbots`).expect(200)).body.chatbots.map((c: { id: string }) => c.id);
    expect(seen).toEqual([only.id]);
    expect(seen).not.toContain(other.id);
    expect(await audits("chatbot.deleted", only.id)).toHaveLength(0);
  });

  it("takes the chatbot from a pending invitation scoped to it alone, which stays scoped to selected chatbots", async () => {
    const bot = await make("Invite only");
    const inv = await fx.owner.post(`${base}/invitations`, { email: uniqueEmail("pending"), role: "member", chatbotPermissions: [{ chatbotId: bot.id, access: "view" }] }).expect(201);
    await fx.owner.delete(`${base}/chatbots/${bot.id}`).expect(204);
    const invitationId = inv.body.invitation?.id ?? inv.body.id;
    const [row] = await t.deps.ds.query(`SELECT chatbot_scope FROM invitations WHERE id = $1`, [invitationId]);
    expect(row.chatbot_scope).toBe("selected");
    expect(await t.deps.ds.getRepository(ChatbotPermission).countBy({ invitationId })).toBe(0);
  });
});
