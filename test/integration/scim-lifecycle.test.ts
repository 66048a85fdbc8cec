/**
 * What SCIM does to members, seen where people see it: the members API, email (real SMTP) and the
 * audit log. Suspension, restore, removal, roles from `roles` and mapped groups, chatbot grants,
 * the last-Owner rule, the settings API for tokens and mappings, and `roster scim map-group`.
 */
import { startTestApp, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, signUp, uniqueEmail } from "../support/actors";
import { createScimToken } from "../../src/scim-tokens/scim-token.service";
import { SYSTEM_CTX } from "../../src/context";
import { CORE_GROUP, ScimClient, entraUser, expectScimError, scimOrg, type ScimOrg } from "../support/scim";
import { COMMANDS } from "../../src/cli/commands";

let t: TestApp;
let o: ScimOrg;
beforeAll(async () => {
  t = await startTestApp({ smtp: true });
  o = await scimOrg(t, "Lifeco");
  // This org owns its people's domain (else SCIM makes pending memberships, trust-pending.test.ts),
  // and lets its (operator-made) token manage Owners (else refused, trust-owners.test.ts).
  await COMMANDS["org domain add"](t.deps, ["--org", o.orgId, "--domain", "example.test", "--verified"]);
  await o.owner.patch(api("/provisioning-settings"), { idpManagedOwners: true }).expect(200);
});
afterAll(() => t.close());

const api = (path: string) => `/api/orgs/${o.orgId}${path}`;
const member = async (id: string) => (await o.owner.get(api(`/members/${id}`)).expect(200)).body.member;
const audit = async (action: string) => (await o.owner.get(api(`/audit-events?action=${action}`)).expect(200)).body.events as any[];
const scimUser = async (email: string, extra: Record<string, unknown> = {}) => {
  const r = await o.scim.post("/Users", entraUser(email, extra));
  if (r.status !== 201) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
};
const chatbot = async (name: string) => (await t.deps.ds.query(`INSERT INTO chatbots (org_id, name) VALUES ($1, $2) RETURNING id`, [o.orgId, name]))[0].id as string;

describe("suspend, restore, remove", () => {
  it("has the manual flow's effects on access, conversations, grants, email and audit", async () => {
    const email = uniqueEmail("linked");
    const person = await signUp(t, email);
    const id = await scimUser(email, { roles: [{ value: "admin", primary: true }] });
    let m = await member(id);
    expect(m).toMatchObject({ email, role: "admin", status: "active", source: "scim", managedByIdp: true });
    const added = (await audit("member.added")).find((e) => e.target.id === id);
    expect(added.actor).toEqual({ type: "scim", id: o.tokenId, name: "Lifeco IdP", email: null });

    const bot = await chatbot("Support bot");
    await t.deps.ds.query(`INSERT INTO chatbot_permissions (org_id, chatbot_id, membership_id, access) VALUES ($1, $2, $3, 'manage')`, [o.orgId, bot, id]);
    const [conv] = await t.deps.ds.query(`INSERT INTO conversations (org_id, chatbot_id, subject, assignee_membership_id, status) VALUES ($1, $2, 'Help', $3, 'assigned') RETURNING id`, [o.orgId, bot, id]);
    await person.get(api("/members")).expect(200);

    await o.scim.patchOps(`/Users/${id}`, { op: "Replace", path: "active", value: "False" }).expect(204);
    m = await member(id);
    expect(m).toMatchObject({ status: "suspended", role: "admin", chatbotPermissions: [{ chatbotId: bot, access: "manage" }] });
    expect((await person.get(api("/members"))).status).toBe(403);
    const [c1] = await t.deps.ds.query(`SELECT status, assignee_membership_id FROM conversations WHERE id = $1`, [conv.id]);
    expect(c1).toEqual({ status: "queued", assignee_membership_id: null });
    expect((await audit("member.suspended")).find((e) => e.target.id === id).metadata).toMatchObject({ via: "scim", conversationsRequeued: 1 });
    expect((await o.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`).expect(200)).body.Resources[0].active).toBe(false);

    await o.scim.patchOps(`/Users/${id}`, { op: "replace", value: { active: true } }).expect(204);
    expect(await member(id)).toMatchObject({ status: "active", role: "admin", chatbotPermissions: [{ chatbotId: bot, access: "manage" }] });
    await person.get(api("/members")).expect(200);
    expect((await audit("member.restored")).some((e) => e.target.id === id)).toBe(true);

    const manual = await o.owner.patch(api(`/members/${id}`), { role: "member" }).expect(409);
    expect(manual.body.error.code).toBe("member.managed_by_idp");
    expect((await o.owner.delete(api(`/members/${id}`))).status).toBe(409);

    await o.scim.delete(`/Users/${id}`).expect(204);
    expectScimError((await o.scim.get(`/Users/${id}`).expect(404)).body, 404);
    await o.owner.get(api(`/members/${id}`)).expect(404);
    expect((await person.get(api("/members"))).body.error.code).toBe("org.access_removed"); // issue 13: "You no longer have access to Lifeco"
    await t.mail!.waitFor((x) => x.to === email && /removed from Lifeco/.test(x.subject));
    expect((await audit("member.removed")).find((e) => e.target.id === id).metadata).toMatchObject({ via: "scim", grantsRevoked: 1 });
    const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM chatbot_permissions WHERE membership_id = $1`, [id]);
    expect(n).toBe(0);

    const again = await scimUser(email);
    expect(await member(again)).toMatchObject({ email, role: "member", status: "active" });
  });

  it("adopts a member who joined manually before SCIM was turned on, keeping their role", async () => {
    const fx = await createOrg(t, "enterprise", "Adoptco");
    const email = uniqueEmail("manual");
    const { memberId } = await addMemberViaInvite(t, fx, email, "admin");
    const { token } = await createScimToken(t.deps, SYSTEM_CTX, fx.orgId, "Entra");
    const r = await new ScimClient(t.app, token).post("/Users", entraUser(email.toUpperCase(), { emails: [{ type: "work", value: email }] })).expect(201);
    expect(r.body.id).toBe(memberId);
    const m = (await fx.owner.get(`/api/orgs/${fx.orgId}/members/${memberId}`).expect(200)).body.member;
    expect(m).toMatchObject({ role: "admin", source: "scim", managedByIdp: true });
  });

  it("stops treating members as IdP-managed once every token is revoked", async () => {
    const other = await scimOrg(t, "Revokes");
    const id = (await other.scim.post("/Users", entraUser(uniqueEmail("r"))).expect(201)).body.id;
    await other.owner.delete(`/api/orgs/${other.orgId}/scim-tokens/${other.tokenId}`).expect(200);
    await other.scim.get("/Users").expect(401);
    const m = (await other.owner.get(`/api/orgs/${other.orgId}/members/${id}`).expect(200)).body.member;
    expect(m.managedByIdp).toBe(false);
  });
});

describe("roles from `roles` values and mapped groups", () => {
  it("applies the highest role at once, emails the member and audits", async () => {
    const map = await o.owner.post(api("/scim-group-mappings"), { groupName: "Roster Admins", role: "admin" }).expect(201);
    expect(map.body.mapping).toMatchObject({ groupName: "Roster Admins", role: "admin", chatbotPermissions: [] });
    const email = uniqueEmail("roled");
    const id = await scimUser(email);
    const gid = (await o.scim.post("/Groups", { schemas: [CORE_GROUP], displayName: "roster admins", members: [{ value: id }] }).expect(201)).body.id;
    expect((await member(id)).role).toBe("admin");
    await t.mail!.waitFor((x) => x.to === email && /role in Lifeco is now Admin/.test(x.subject));
    expect((await audit("member.role_changed")).find((e) => e.target.id === id).metadata).toMatchObject({ oldRole: "member", newRole: "admin", via: "scim" });

    await o.scim.patchOps(`/Users/${id}`, { op: "add", path: "roles", value: [{ value: "owner" }] }).expect(204);
    expect((await member(id)).role).toBe("owner");
    await o.scim.patchOps(`/Groups/${gid}`, { op: "remove", path: `members[value eq "${id}"]` }).expect(204);
    expect((await member(id)).role).toBe("owner");
    await o.scim.patchOps(`/Users/${id}`, { op: "remove", path: "roles" }).expect(204);
    expect((await member(id)).role).toBe("member");
    await o.scim.patchOps(`/Groups/${gid}`, { op: "add", path: "members", value: [{ value: id }] }).expect(204);
    expect((await member(id)).role).toBe("admin");
    await o.scim.patchOps(`/Groups/${gid}`, { op: "replace", path: "displayName", value: "Plain Group" }).expect(204);
    expect((await member(id)).role).toBe("member");
    await o.scim.patchOps(`/Groups/${gid}`, { op: "replace", path: "displayName", value: "Roster Admins" }).expect(204);
    expect((await member(id)).role).toBe("admin");
    await o.scim.delete(`/Groups/${gid}`).expect(204);
    expect((await member(id)).role).toBe("member");
  });

  it("grants mapped chatbot access to group members and takes it back when they leave", async () => {
    const bot = await chatbot("Sales bot");
    await o.owner.post(api("/scim-group-mappings"), { groupName: "Sales Agents", role: "member", chatbotPermissions: [{ chatbotId: bot, access: "reply" }] }).expect(201);
    const id = await scimUser(uniqueEmail("agent"));
    const gid = (await o.scim.post("/Groups", { schemas: [CORE_GROUP], displayName: "Sales Agents", members: [{ value: id }] }).expect(201)).body.id;
    expect((await member(id)).chatbotPermissions).toEqual([{ chatbotId: bot, access: "reply" }]);
    await o.scim.patchOps(`/Groups/${gid}`, { op: "Remove", path: "members", value: [{ value: id }] }).expect(204);
    expect((await member(id)).chatbotPermissions).toEqual([]);
    const bad = await o.owner.post(api("/scim-group-mappings"), { groupName: "X", role: "member", chatbotPermissions: [{ chatbotId: "00000000-0000-4000-8000-000000000000", access: "view" }] }).expect(400);
    expect(bad.body.error.code).toBe("request.invalid");
  });

  it("maps a group from the CLI and applies it to the group's members at once", async () => {
    const id = await scimUser(uniqueEmail("cli"));
    await o.scim.post("/Groups", { schemas: [CORE_GROUP], displayName: "Ops Leads", members: [{ value: id }] }).expect(201);
    const res = await COMMANDS["scim map-group"](t.deps, ["--org", o.orgId, "--group", "Ops Leads", "--role", "admin", "--json"]);
    expect(res.json).toMatchObject({ mapping: { groupName: "Ops Leads", role: "admin" } });
    expect((await member(id)).role).toBe("admin");
    await COMMANDS["scim map-group"](t.deps, ["--org", o.orgId, "--group", "ops leads", "--role", "member"]);
    expect((await member(id)).role).toBe("member");
    await expect(COMMANDS["scim map-group"](t.deps, ["--org", o.orgId, "--group", "X", "--role", "boss"])).rejects.toMatchObject({ fields: [expect.objectContaining({ field: "role" })] });
    await expect(COMMANDS["scim map-group"](t.deps, ["--org", "nope", "--group", "X", "--role", "admin"])).rejects.toThrow(/--org/);
    const list = await o.owner.get(api("/scim-group-mappings")).expect(200);
    expect(list.body.mappings.filter((m: any) => m.groupName.toLowerCase() === "ops leads")).toHaveLength(1);
  });

  it("refuses to remove, suspend or demote the last Owner (409, audited)", async () => {
    const lone = await scimOrg(t, "Lonely");
    await lone.owner.patch(`/api/orgs/${lone.orgId}/provisioning-settings`, { idpManagedOwners: true }).expect(200);
    const id = (await lone.scim.post("/Users", entraUser(uniqueEmail("boss"), { roles: [{ value: "owner" }] })).expect(201)).body.id;
    const [{ id: manualOwner }] = await t.deps.ds.query(`SELECT id FROM memberships WHERE org_id = $1 AND source = 'invite'`, [lone.orgId]);
    await lone.owner.delete(`/api/orgs/${lone.orgId}/members/${manualOwner}`).expect(204);
    for (const r of [
      await lone.scim.patchOps(`/Users/${id}`, { op: "replace", path: "roles", value: [] }),
      await lone.scim.patchOps(`/Users/${id}`, { op: "replace", path: "active", value: false }),
      await lone.scim.delete(`/Users/${id}`),
    ]) {
      expect(r.status).toBe(409);
      expectScimError(r.body, 409);
    }
    const refused = await t.deps.ds.query(`SELECT target FROM audit_events WHERE org_id = $1 AND action = 'member.change_refused'`, [lone.orgId]);
    expect(refused).toHaveLength(3);
    expect(refused[0].target.id).toBe(id);
    const [m] = await t.deps.ds.query(`SELECT role, status FROM memberships WHERE id = $1`, [id]);
    expect(m).toEqual({ role: "owner", status: "active" });
  });
});

describe("settings API", () => {
  it("mints, lists and revokes tokens (scim.manage), the secret shown only once", async () => {
    const created = await o.owner.post(api("/scim-tokens"), { name: "Okta" }).expect(201);
    expect(created.body.token).toMatch(/^rst_/);
    expect(created.body.scimBaseUrl).toBe("http://roster.test/scim/v2");
    const idp = new ScimClient(t.app, created.body.token);
    await idp.get("/Users").expect(200);
    const list = await o.owner.get(api("/scim-tokens")).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(list.body.tokens.find((x: any) => x.id === created.body.scimToken.id).lastUsedAt).not.toBeNull();
    await o.owner.delete(api(`/scim-tokens/${created.body.scimToken.id}`)).expect(200);
    await idp.get("/Users").expect(401);
    await o.owner.delete(api("/scim-tokens/00000000-0000-4000-8000-000000000000")).expect(404);
    const ev = await audit("scim_token.revoked");
    expect(ev.some((e) => e.target.id === created.body.scimToken.id)).toBe(true);
  });

  it("lets only members with scim.manage in, and only Owners hand out Owner through a mapping", async () => {
    const fx = await createOrg(t, "enterprise", "Permco");
    const api = (path: string) => `/api/orgs/${fx.orgId}${path}`;
    const plain = await addMemberViaInvite(t, fx, uniqueEmail("plain"), "member");
    expect((await plain.client.get(api("/scim-tokens"))).status).toBe(403);
    expect((await plain.client.post(api("/scim-group-mappings"), { groupName: "A", role: "member" })).status).toBe(403);
    const admin = await addMemberViaInvite(t, fx, uniqueEmail("adm"), "admin");
    expect((await admin.client.post(api("/scim-tokens"), { name: "by admin" })).status).toBe(403); // Owner-only since issue 9
    const r = await admin.client.post(api("/scim-group-mappings"), { groupName: "Owners", role: "owner" }).expect(403);
    expect(r.body.error.code).toBe("member.owner_required");
    const ok = await admin.client.post(api("/scim-group-mappings"), { groupName: "Helpers", role: "member" }).expect(201);
    await admin.client.put(api(`/scim-group-mappings/${ok.body.mapping.id}`), { groupName: "Helpers", role: "admin" }).expect(200);
    expect((await fx.owner.post(api("/scim-group-mappings"), { groupName: "helpers", role: "member" })).status).toBe(409);
    await admin.client.delete(api(`/scim-group-mappings/${ok.body.mapping.id}`)).expect(204);
    expect((await fx.owner.post(api("/scim-group-mappings"), { groupName: "", role: "admin" })).status).toBe(400);
  });

  it("refuses tokens for an org that is not on the Enterprise plan", async () => {
    const pro = await createOrg(t, "pro", "Proco");
    const r = await pro.owner.post(`/api/orgs/${pro.orgId}/scim-tokens`, {}).expect(403);
    expect(r.body.error.code).toBe("plan.enterprise_required");
  });
});
