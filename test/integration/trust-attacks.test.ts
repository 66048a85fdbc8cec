/**
 * The four attacks of issue 9, each played as an attacker would over HTTP: an org, an Admin or
 * an identity provider speaking for a person it does not own. Each must fail.
 */
import request from "supertest";
import { startTestApp, ApiClient, type TestApp } from "../support/app";
import { TestSamlIdp } from "../support/saml-idp";
import { addMemberViaInvite, createOrg, PASSWORD, signIn, signUp, tokenFromOutbox } from "../support/actors";
import { ScimClient, entraUser } from "../support/scim";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX } from "../../src/context";
import { COMMANDS } from "../../src/cli/commands";

let t: TestApp;
const BASE = "http://roster.test";

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function samlConnection(owner: ApiClient, orgId: string, idp: TestSamlIdp, extra: Record<string, unknown> = {}) {
  return owner.post(`/api/orgs/${orgId}/sso-connections`, {
    kind: "saml", idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl, idpCerts: [idp.keys.cert], jitEnabled: true, enabled: true, ...extra });
}

/** IdP-initiated: a signed response nobody asked for, posted from the attacker's browser. */
async function unsolicited(browser: ReturnType<typeof request.agent>, idp: TestSamlIdp, conn: string, nameId: string) {
  const resp = await idp.response({ acsUrl: `${BASE}/sso/saml/${conn}/acs`, spEntityId: `${BASE}/sso/saml/${conn}/metadata`, nameId, inResponseTo: null });
  return browser.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp });
}

/** SP-initiated from the attacker's browser, with the NameID the attacker chooses. */
async function spInitiated(browser: ReturnType<typeof request.agent>, idp: TestSamlIdp, conn: string, nameId: string) {
  const r = await browser.get(`/sso/saml/${conn}/login`).expect(302);
  const { id } = TestSamlIdp.parseRedirect(r.headers.location);
  const resp = await idp.response({ acsUrl: `${BASE}/sso/saml/${conn}/acs`, spEntityId: `${BASE}/sso/saml/${conn}/metadata`, nameId, inResponseTo: id });
  return browser.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp });
}

it("1. cross-tenant takeover: org A's SCIM + IdP-initiated SAML never signs A in as a victim who later joins org D", async () => {
  const a = await createOrg(t, "enterprise", "Attacker A");
  const victim = "victim@mail.test";
  const tok = await a.owner.post(`/api/orgs/${a.orgId}/scim-tokens`, { name: "A's IdP", confirm: true }).expect(201);
  await new ScimClient(t.app, tok.body.token).post("/Users", entraUser(victim)).expect(201);
  const idp = await TestSamlIdp.create("https://idp.attacker-a.test/saml");
  const conn = (await samlConnection(a.owner, a.orgId, idp, { allowIdpInitiated: true }).expect(201)).body.connection.id;
  const attacker = request.agent(t.app);
  await unsolicited(attacker, idp, conn, victim);

  const d = await createOrg(t, "pro", "Real D");
  await d.owner.post(`/api/orgs/${d.orgId}/invitations`, { email: victim, role: "admin" }).expect(201);
  const token = await tokenFromOutbox(t, victim);
  const person = new ApiClient(t.app);
  await person.post(`/api/invitations/${token}/accept`, { name: "Vic Tim", password: PASSWORD }).expect(201);

  const later = request.agent(t.app);
  await unsolicited(later, idp, conn, victim);
  expect((await later.get(`/api/orgs/${d.orgId}/members`)).status).toBe(401);
  expect((await attacker.get(`/api/orgs/${d.orgId}/members`)).status).toBe(401);
  expect((await later.get("/api/me")).status).toBe(401);
});

it("2. Admin → Owner through SCIM: an Admin cannot promote themselves nor lock the Owner out", async () => {
  const o = await createOrg(t, "enterprise", "Victim Org 2");
  const adminEmail = `admin2.${Date.now()}@example.test`;
  const { client: admin } = await addMemberViaInvite(t, o, adminEmail, "admin");
  const tok = await admin.post(`/api/orgs/${o.orgId}/scim-tokens`, { name: "mine" });
  if (tok.status === 201) {
    const scim = new ScimClient(t.app, tok.body.token);
    await scim.post("/Users", entraUser(adminEmail, { roles: [{ value: "owner" }] }));
    await scim.post("/Users", entraUser(o.ownerEmail, { active: false }));
  }
  await o.owner.get(`/api/orgs/${o.orgId}/members`).expect(200);
  const me = (await admin.get("/api/me").expect(200)).body;
  expect(me.memberships.find((m: { orgId: string }) => m.orgId === o.orgId).role).toBe("admin");
});

it("3. an Admin's own SSO connection never signs the Admin in as the Owner (password, Owner role, other orgs)", async () => {
  const domain = `acme3-${Date.now()}.test`;
  const ownerEmail = `owner@${domain}`;
  const { org } = await createOrgWithOwner(t.deps, SYSTEM_CTX, { name: "Acme 3", plan: "enterprise", ownerEmail, ownerPassword: PASSWORD });
  const { org: other } = await createOrgWithOwner(t.deps, SYSTEM_CTX, { name: "Owner's other org", plan: "pro", ownerEmail });
  await COMMANDS["org domain add"](t.deps, ["--org", org.id, "--domain", domain, "--verified"]);
  const owner = await signIn(t, ownerEmail);
  const { client: admin } = await addMemberViaInvite(t, { orgId: org.id, ownerEmail, owner }, `admin@${domain}`, "admin");
  const idp = await TestSamlIdp.create("https://idp.rogue-admin.test/saml");
  const created = await samlConnection(admin, org.id, idp);
  // Even a connection the Owner made (or one made before this rule) must not link the Owner's account.
  const conn = created.status === 201 ? created.body.connection.id : (await samlConnection(owner, org.id, idp).expect(201)).body.connection.id;
  const browser = request.agent(t.app);
  await spInitiated(browser, idp, conn, ownerEmail);
  expect((await browser.get(`/api/orgs/${other.id}/members`)).status).toBe(401);
  expect((await browser.get("/api/me")).status).toBe(401);
});

it("4. account discovery: a SCIM POST of someone else's email neither shows their profile nor lists the org in their /api/me", async () => {
  const victim = `vera.${Date.now()}@mail.test`;
  const person = await signUp(t, victim, "Vera Victim");
  const e = await createOrg(t, "enterprise", "Snoop Inc");
  const tok = await e.owner.post(`/api/orgs/${e.orgId}/scim-tokens`, { name: "IdP", confirm: true }).expect(201);
  const posted = await new ScimClient(t.app, tok.body.token).post("/Users", entraUser(victim, { name: { givenName: "V", familyName: "T" } })).expect(201);
  expect(posted.body.userName).toBe(victim);
  const members = (await e.owner.get(`/api/orgs/${e.orgId}/members`).expect(200)).body.members as Array<Record<string, unknown>>;
  expect(JSON.stringify(members)).not.toContain("Vera Victim");
  const me = (await person.get("/api/me").expect(200)).body;
  expect(me.memberships.map((m: { orgId: string }) => m.orgId)).not.toContain(e.orgId);
});
