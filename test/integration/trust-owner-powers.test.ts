/**
 * Owner-only powers (issue 9): whatever can make an Owner or a session for someone else. An Admin
 * gets 403 on each and keeps every read; what non-Owners made before is listed for review.
 */
import { startTestApp, type ApiClient, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, type OrgFixture } from "../support/actors";
import { TestSamlIdp } from "../support/saml-idp";
import { createScimToken } from "../../src/scim-tokens/scim-token.service";
import { COMMANDS } from "../../src/cli/commands";

let t: TestApp;
let o: OrgFixture;
let admin: ApiClient;
let idp: TestSamlIdp;
let connId: string;
let domainId: string;
const api = (p: string) => `/api/orgs/${o.orgId}${p}`;
const samlBody = () => ({ kind: "saml", idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl, idpCerts: [idp.keys.cert] });

beforeAll(async () => {
  t = await startTestApp();
  o = await createOrg(t, "enterprise", "Powers");
  admin = (await addMemberViaInvite(t, o, `admin.${Date.now()}@example.test`, "admin")).client;
  idp = await TestSamlIdp.create("https://idp.powers.test/saml");
  connId = (await o.owner.post(api("/sso-connections"), samlBody()).expect(201)).body.connection.id;
  domainId = (await o.owner.post(api("/domains"), { domain: "powers.test" }).expect(201)).body.domain.id;
});
afterAll(() => t.close());

const attempts: Array<[string, () => Promise<{ status: number; body: any }>]> = [
  ["create a SCIM token", () => admin.post(api("/scim-tokens"), { name: "mine" })],
  ["add an SSO connection", () => admin.post(api("/sso-connections"), samlBody())],
  ["change a connection's certificates", async () => admin.patch(api(`/sso-connections/${connId}`), { idpCerts: [(await TestSamlIdp.create()).keys.cert] })],
  ["turn on JIT of a connection", () => admin.patch(api(`/sso-connections/${connId}`), { jitEnabled: true })],
  ["verify a domain", () => admin.post(api(`/domains/${domainId}/verify`))],
  ["turn on require SSO", () => admin.patch(api("/sso-settings"), { requireSso: true })],
  ["let the IdP manage Owners", () => admin.patch(api("/provisioning-settings"), { idpManagedOwners: true })],
];

it.each(attempts)("an Admin cannot %s (403 org.owner_only, nothing changed)", async (_what, act) => {
  const before = await t.deps.ds.query(`SELECT (SELECT count(*) FROM scim_tokens)::int AS tokens, (SELECT count(*) FROM sso_connections)::int AS conns,
    (SELECT config::text FROM sso_connections WHERE id = $1) AS config, (SELECT settings::text FROM organizations WHERE id = $2) AS settings`, [connId, o.orgId]);
  const r = await act();
  expect(r.status).toBe(403);
  expect(r.body.error.code).toBe("org.owner_only");
  expect(r.body.error.message).toMatch(/^Only an Owner can /);
  expect(await t.deps.ds.query(`SELECT (SELECT count(*) FROM scim_tokens)::int AS tokens, (SELECT count(*) FROM sso_connections)::int AS conns,
    (SELECT config::text FROM sso_connections WHERE id = $1) AS config, (SELECT settings::text FROM organizations WHERE id = $2) AS settings`, [connId, o.orgId])).toEqual(before);
});

it("Admins keep reading, and turning require SSO off", async () => {
  await admin.get(api("/scim-tokens")).expect(200);
  await admin.get(api("/sso-connections")).expect(200);
  await admin.get(api(`/sso-connections/${connId}`)).expect(200);
  await admin.get(api("/domains")).expect(200);
  await admin.get(api("/sso-settings")).expect(200);
  expect((await admin.get(api("/provisioning-settings")).expect(200)).body).toEqual({ idpManagedOwners: false });
  await admin.patch(api("/sso-settings"), { requireSso: false }).expect(200);
});

it("an Owner can do each, and the IdP-managed Owners switch is off until an Owner turns it on (audited)", async () => {
  await o.owner.post(api("/scim-tokens"), { name: "Okta", confirm: true }).expect(201);
  await o.owner.patch(api(`/sso-connections/${connId}`), { jitEnabled: true }).expect(200);
  expect((await o.owner.patch(api("/provisioning-settings"), { idpManagedOwners: true }).expect(200)).body).toEqual({ idpManagedOwners: true });
  const ev = (await o.owner.get(api("/audit-events?action=org.idp_managed_owners_changed")).expect(200)).body.events;
  expect(ev[0].metadata).toEqual({ idpManagedOwners: true, previous: false });
  await o.owner.patch(api("/provisioning-settings"), { idpManagedOwners: false }).expect(200);
});

it("tokens and connections made by non-Owners are listed for an Owner to review", async () => {
  const adminRow = (await t.deps.ds.query(`SELECT m.user_id FROM memberships m WHERE m.org_id = $1 AND m.role = 'admin'`, [o.orgId]))[0];
  await createScimToken(t.deps, { actor: { type: "user", id: adminRow.user_id } }, o.orgId, "made by an admin before", "admin");
  const cli = (await COMMANDS["scim-token create"](t.deps, ["--org", o.orgId, "--name", "operator"])).json as { id: string };
  const tokens = (await admin.get(api("/scim-tokens")).expect(200)).body.tokens as any[];
  expect(tokens.find((x) => x.name === "made by an admin before")).toMatchObject({ createdBy: { userId: adminRow.user_id, role: "admin" }, needsOwnerReview: true });
  expect(tokens.find((x) => x.name === "Okta")).toMatchObject({ createdBy: { role: "owner" }, needsOwnerReview: false });
  expect(tokens.find((x) => x.id === cli.id)).toMatchObject({ createdBy: { userId: null, role: "operator" }, needsOwnerReview: false });

  const legacy = (await o.owner.post(api("/sso-connections"), { ...samlBody(), name: "legacy" }).expect(201)).body.connection;
  expect(legacy).toMatchObject({ createdBy: { role: "owner" }, needsOwnerReview: false });
  await t.deps.ds.query(`UPDATE sso_connections SET created_by_user_id = $2, created_by_role = 'admin' WHERE id = $1`, [legacy.id, adminRow.user_id]);
  const conns = (await admin.get(api("/sso-connections")).expect(200)).body.connections as any[];
  expect(conns.find((c) => c.id === legacy.id)).toMatchObject({ createdBy: { userId: adminRow.user_id, role: "admin" }, needsOwnerReview: true });
});
