/**
 * An identity provider never speaks for an Owner (issue 9): SCIM `roles`, suspension, deletion
 * and group mappings cannot grant the Owner role or demote, suspend or remove an Owner unless the
 * org turned on "IdP-managed Owners" AND the token was created by an Owner (or the operator).
 */
import { startTestApp, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, uniqueEmail, type OrgFixture } from "../support/actors";
import { CORE_GROUP, ScimClient, entraUser, expectScimError } from "../support/scim";
import { createScimToken } from "../../src/scim-tokens/scim-token.service";
import { COMMANDS } from "../../src/cli/commands";

let t: TestApp;
let o: OrgFixture;
let adminToken: ScimClient;
let ownerToken: ScimClient;
let adminTokenId: string;
const api = (p: string) => `/api/orgs/${o.orgId}${p}`;
const refusals = async () => (await o.owner.get(api("/audit-events?action=member.change_refused")).expect(200)).body.events as any[];
const roleOf = async (email: string) => (await t.deps.ds.query(
  `SELECT m.role, m.status FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2`, [o.orgId, email]))[0];

beforeAll(async () => {
  t = await startTestApp();
  o = await createOrg(t, "enterprise", "Ownerco");
  await COMMANDS["org domain add"](t.deps, ["--org", o.orgId, "--domain", "example.test", "--verified"]);
  await addMemberViaInvite(t, o, uniqueEmail("adm"), "admin");
  const [{ user_id }] = await t.deps.ds.query(`SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'admin'`, [o.orgId]);
  // A token an Admin made before tokens became Owner-only (the API now refuses: trust-owner-powers.test.ts).
  const legacy = await createScimToken(t.deps, { actor: { type: "user", id: user_id } }, o.orgId, "admin's", "admin");
  adminToken = new ScimClient(t.app, legacy.token);
  adminTokenId = legacy.view.id;
  ownerToken = new ScimClient(t.app, (await o.owner.post(api("/scim-tokens"), { name: "Owner's Okta" }).expect(201)).body.token);
});
afterAll(() => t.close());

it("SCIM `roles: owner` from a non-Owner token is refused: 403 SCIM error with detail, audited, nothing created", async () => {
  const email = uniqueEmail("wannabe");
  const r = await adminToken.post("/Users", entraUser(email, { roles: [{ value: "owner" }] })).expect(403);
  expectScimError(r.body, 403);
  expect(r.body.detail).toMatch(/cannot grant the Owner role/);
  expect(await roleOf(email)).toBeUndefined();
  const ev = (await refusals()).find((e) => e.actor.id === adminTokenId);
  expect(ev.metadata).toMatchObject({ reason: "member.idp_owner_refused", change: "grant" });
});

it("…also when the Admin adopts their own membership, or PATCHes roles later", async () => {
  const [{ email: adminEmail }] = await t.deps.ds.query(`SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.role = 'admin'`, [o.orgId]);
  const adopt = await adminToken.post("/Users", entraUser(adminEmail, { roles: [{ value: "owner" }] })).expect(403);
  expectScimError(adopt.body, 403);
  expect(await roleOf(adminEmail)).toEqual({ role: "admin", status: "active" });
  const id = (await adminToken.post("/Users", entraUser(uniqueEmail("plain"))).expect(201)).body.id;
  const p = await adminToken.patchOps(`/Users/${id}`, { op: "add", path: "roles", value: [{ value: "owner" }] }).expect(403);
  expect(p.body.detail).toMatch(/Owner/);
  expect((await o.owner.get(api(`/members/${id}`)).expect(200)).body.member.role).toBe("member");
});

it("never suspends, demotes or removes an Owner, even with an Owner-made token while IdP-managed Owners is off", async () => {
  const owned = (await ownerToken.post("/Users", entraUser(o.ownerEmail)).expect(201)).body.id; // adopts the Owner's membership
  for (const [client, req] of [[adminToken, "suspend"], [ownerToken, "suspend"], [ownerToken, "delete"]] as const) {
    const r = req === "delete" ? await client.delete(`/Users/${owned}`) : await client.patchOps(`/Users/${owned}`, { op: "replace", path: "active", value: false });
    expect(r.status).toBe(403);
    expectScimError(r.body, 403);
  }
  expect(await roleOf(o.ownerEmail)).toEqual({ role: "owner", status: "active" });
  await o.owner.get(api("/members")).expect(200);
});

it("group mappings never demote an Owner nor make one without authority: the role is kept and the refusal audited", async () => {
  await o.owner.post(api("/scim-group-mappings"), { groupName: "Founders", role: "owner" }).expect(201);
  await o.owner.post(api("/scim-group-mappings"), { groupName: "Staff", role: "admin" }).expect(201);
  const id = (await ownerToken.post("/Users", entraUser(uniqueEmail("grouped"))).expect(201)).body.id;
  const owner = (await ownerToken.get(`/Users?filter=${encodeURIComponent(`userName eq "${o.ownerEmail}"`)}`).expect(200)).body.Resources[0].id;
  const before = (await refusals()).length;
  await ownerToken.post("/Groups", { schemas: [CORE_GROUP], displayName: "Founders", members: [{ value: id }] }).expect(201);
  await ownerToken.post("/Groups", { schemas: [CORE_GROUP], displayName: "Staff", members: [{ value: owner }] }).expect(201);
  expect((await o.owner.get(api(`/members/${id}`)).expect(200)).body.member.role).toBe("member");
  expect(await roleOf(o.ownerEmail)).toEqual({ role: "owner", status: "active" });
  const added = (await refusals()).slice(0, (await refusals()).length - before).map((e) => e.metadata.change).sort();
  expect(added).toEqual(["demote", "grant"]);
});

it("with IdP-managed Owners on, an Owner-made token may grant Owner; an Admin-made one still may not", async () => {
  await o.owner.patch(api("/provisioning-settings"), { idpManagedOwners: true }).expect(200);
  const boss = uniqueEmail("boss");
  await ownerToken.post("/Users", entraUser(boss, { roles: [{ value: "owner" }] })).expect(201);
  expect((await roleOf(boss)).role).toBe("owner");
  await adminToken.post("/Users", entraUser(uniqueEmail("boss2"), { roles: [{ value: "owner" }] })).expect(403);
  await o.owner.patch(api("/provisioning-settings"), { idpManagedOwners: false }).expect(200);
});
