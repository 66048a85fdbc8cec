/**
 * Test connection: a real sign-in through the IdP started by an admin shows what the IdP sent and
 * what Roster would do, and creates no session, user, member or link. New connections start
 * disabled: an Admin may enable one only after a successful test, an Owner explicitly at any time.
 */
import request from "supertest";
import { AuditEvent, Membership, Session, SsoConnection, User, UserIdentity } from "../../entities";
import { startTestApp, type ApiClient, type TestApp } from "../support/app";
import { SHA1, TestSamlIdp } from "../support/saml-idp";
import { PROVIDER_SHAPES, providerResponse } from "../support/idp-defaults";
import { TestOidcProvider } from "../support/oidc-provider";
import { addMemberViaInvite } from "../support/actors";
import { orgWithOwner } from "../support/sso";
import { COMMANDS } from "../../src/cli/commands";

let t: TestApp;
let idp: TestSamlIdp;
let op: TestOidcProvider;
let owner: ApiClient;
let admin: ApiClient;
let member: ApiClient;
let orgId: string;
const BASE = "http://roster.test";
const entra = PROVIDER_SHAPES.find((s) => s.id === "entra")!;

beforeAll(async () => {
  t = await startTestApp({ configure: (c) => { c.ssoAllowInsecureLoopbackIssuers = true; } });
  idp = await TestSamlIdp.create("https://sts.windows.test/tenant/");
  op = await TestOidcProvider.listen();
  const a = await orgWithOwner(t, "Acme", "owner@acme.test");
  owner = a.owner;
  orgId = a.org.id;
  const fx = { orgId, ownerEmail: "owner@acme.test", owner };
  admin = (await addMemberViaInvite(t, fx, "admin@acme.test", "admin")).client;
  member = (await addMemberViaInvite(t, fx, "mem@acme.test", "member")).client;
  await COMMANDS["org domain add"](t.deps, ["--org", orgId, "--domain", "acme.test", "--verified"]);
}, 90_000);
afterAll(async () => {
  await op.stop();
  await t.close();
});

async function counts() {
  const ds = t.deps.ds;
  return [await ds.getRepository(User).count(), await ds.getRepository(Membership).count(), await ds.getRepository(UserIdentity).count(), await ds.getRepository(Session).count()];
}

/** The admin's browser: Test connection → IdP → ACS; returns the report page. */
async function samlTest(client: ApiClient, conn: string, person: { email: string; upn: string }, overrides = {}) {
  const r = await client.get(`/sso/saml/${conn}/test`).expect(302);
  const { id } = TestSamlIdp.parseRedirect(r.headers.location);
  const p = { ...person, first: "Tess", last: "Tester", username: "tess" };
  const resp = await idp.response(providerResponse(entra, p, { acsUrl: `${BASE}/sso/saml/${conn}/acs`, spEntityId: `${BASE}/sso/saml/${conn}/metadata`, inResponseTo: id }, overrides));
  return client.agent.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp });
}

describe("Test connection (SAML)", () => {
  let conn: string;

  it("a new connection starts disabled and an Admin cannot enable it (changing connections is Owner-only)", async () => {
    await admin.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", provider: "entra", idpMetadataXml: idp.metadataXml() }).expect(403);
    const r = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", provider: "entra", idpMetadataXml: idp.metadataXml(), jitEnabled: true, jitRole: "member" }).expect(201);
    conn = r.body.connection.id;
    expect(r.body.connection).toEqual(expect.objectContaining({ enabled: false, testedAt: null }));
    const refused = await admin.patch(`/api/orgs/${orgId}/sso-connections/${conn}`, { enabled: true }).expect(403);
    expect(refused.body.error).toEqual(expect.objectContaining({ code: "org.owner_only" }));
    // not usable for sign-in yet, but its SP metadata is served (the IdP needs it first)
    expect((await request(t.app).get(`/sso/saml/${conn}/login`)).status).toBe(404);
    await request(t.app).get(`/sso/saml/${conn}/metadata`).expect(200);
  });

  it("only a signed-in admin of the org can start a test", async () => {
    expect((await request(t.app).get(`/sso/saml/${conn}/test`)).status).toBe(403);
    const m = await member.get(`/sso/saml/${conn}/test`);
    expect(m.status).toBe(403);
    expect(m.text).toContain("admin of this organization");
  });

  it("a successful test shows what the IdP sent and what Roster would do, and creates nothing", async () => {
    const before = await counts();
    const res = await samlTest(admin, conn, { email: "tess@acme.test", upn: "tess@acmecorp.onmicrosoft.test" });
    expect(res.status).toBe(200);
    expect(res.text).toContain("Test sign-in succeeded");
    expect(res.text).toMatch(/Roster would sign in <strong>Tess Tester<\/strong> \(tess@acme\.test\) as <strong>Member<\/strong>: it creates the account/);
    expect(res.text).toContain("tess@acmecorp.onmicrosoft.test"); // the NameID (UPN)
    expect(res.text).toContain("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
    expect(res.text).toMatch(/Assertion signature<\/th><td>RSA-SHA256/);
    expect(res.text).toMatch(/Response signature<\/th><td>not signed/);
    expect(res.headers["set-cookie"]?.toString() ?? "").not.toMatch(/roster_session=[^;]/);
    expect(await counts()).toEqual(before);
    const view = (await admin.get(`/api/orgs/${orgId}/sso-connections/${conn}`).expect(200)).body.connection;
    expect(view.testedAt).toEqual(expect.any(String));
    expect(view.lastTest).toEqual(expect.objectContaining({ ok: true, outcome: expect.objectContaining({ email: "tess@acme.test", role: "member", how: "jit" }) }));
    expect(await t.deps.ds.getRepository(AuditEvent).countBy({ action: "sso_connection.tested", orgId })).toBe(1);
    // an Admin may test, but enabling stays the Owner's
    await admin.patch(`/api/orgs/${orgId}/sso-connections/${conn}`, { enabled: true }).expect(403);
    await owner.patch(`/api/orgs/${orgId}/sso-connections/${conn}`, { enabled: true }).expect(200);
  });

  it("a refused decision and a refused signature are reported in words, naming what to change", async () => {
    const outsider = await samlTest(admin, conn, { email: "x@elsewhere.test", upn: "x@elsewhere.test" });
    expect(outsider.text).toContain("Test sign-in failed");
    expect(outsider.text).toContain("not in a domain your organization has verified");
    expect(outsider.text).toContain("sso.join_pending"); // a member who waits to join, not an account
    const sha1 = await samlTest(admin, conn, { email: "tess@acme.test", upn: "tess@acme.test" }, { signatureAlgorithm: SHA1 });
    expect(sha1.text).toContain("Test sign-in failed");
    expect(sha1.text).toContain("“Signing Algorithm” → SHA-256"); // Entra's setting, from the provider guide
    expect(sha1.text).toMatch(/Assertion signature<\/th><td>RSA-SHA1/);
    const row = await t.deps.ds.getRepository(SsoConnection).findOneByOrFail({ id: conn });
    expect(row.lastTest).toEqual(expect.objectContaining({ ok: false, refusal: expect.objectContaining({ code: "sso.saml_sha1_refused" }) }));
  });

  it("an Owner may enable an untested connection explicitly", async () => {
    const r = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", idpMetadataXml: idp.metadataXml(), enabled: true }).expect(201);
    expect(r.body.connection.enabled).toBe(true);
    await admin.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", idpMetadataXml: idp.metadataXml(), enabled: true }).expect(403);
  });
});

describe("Test connection (OIDC)", () => {
  it("shows the verified claims and the decision, without a session", async () => {
    const r = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "oidc", provider: "okta", issuer: op.issuer, clientId: "acme", clientSecret: "a-secret-long-enough-000000", jitEnabled: true }).expect(201);
    const conn = r.body.connection.id;
    await op.start([{ clientId: "acme", clientSecret: "a-secret-long-enough-000000", redirectUris: [`${BASE}/sso/oidc/${conn}/callback`] }]);
    op.accounts.set("00u-otto", { email: "otto@acme.test", email_verified: true, name: "Otto Okta", groups: ["Everyone"], userinfoOnly: ["email_verified"] });
    op.loginAs = "00u-otto";
    const start = await admin.get(`/sso/oidc/${conn}/test`).expect(302);
    const cb = await op.drive(start.headers.location);
    const before = await counts();
    const res = await admin.get(cb.pathname + cb.search);
    expect(res.status).toBe(200);
    expect(res.text).toContain("Test sign-in succeeded");
    expect(res.text).toContain("Otto Okta");
    expect(res.text).toMatch(/<th>email_verified<\/th><td><code>true<\/code>/);
    expect(res.text).not.toContain("nonce");
    expect(await counts()).toEqual(before);
    await owner.patch(`/api/orgs/${orgId}/sso-connections/${conn}`, { enabled: true }).expect(200);
  });
});

describe("Require SSO needs a verified domain and an enabled, tested connection", () => {
  it("explains what is missing, and the preview says how many members it affects", async () => {
    const { org, owner: o } = await orgWithOwner(t, "Bolt", "owner@bolt.test");
    const fx = { orgId: org.id, ownerEmail: "owner@bolt.test", owner: o };
    await addMemberViaInvite(t, fx, "a1@bolt.test", "admin");
    await addMemberViaInvite(t, fx, "m1@bolt.test", "member");
    await o.post(`/api/orgs/${org.id}/sso-connections`, { kind: "saml", idpMetadataXml: idp.metadataXml(), enabled: true }).expect(201);
    const noDomain = await o.patch(`/api/orgs/${org.id}/sso-settings`, { requireSso: true }).expect(409);
    expect(noDomain.body.error).toEqual(expect.objectContaining({ code: "sso.require_needs_domain", message: expect.stringMatching(/Verify your organization's email domain/) }));
    await COMMANDS["org domain add"](t.deps, ["--org", org.id, "--domain", "bolt.test", "--verified"]);
    const untested = await o.patch(`/api/orgs/${org.id}/sso-settings`, { requireSso: true }).expect(409);
    expect(untested.body.error.code).toBe("sso.require_needs_tested_connection");
    const preview = await o.get(`/api/orgs/${org.id}/sso-settings/require-preview`).expect(200);
    expect(preview.body).toEqual({ affectedMembers: 2, ownersKeepingPassword: 1, problems: [expect.objectContaining({ code: "sso.require_needs_tested_connection" })] });
    await t.deps.ds.getRepository(SsoConnection).update({ orgId: org.id }, { testedAt: new Date() });
    expect((await o.get(`/api/orgs/${org.id}/sso-settings/require-preview`).expect(200)).body.problems).toEqual([]);
    await o.patch(`/api/orgs/${org.id}/sso-settings`, { requireSso: true }).expect(200);
  });
});
