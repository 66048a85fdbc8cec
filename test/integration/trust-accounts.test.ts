/**
 * Accounts an IdP attached to without the person's proof (issue 9): claiming the account through
 * an invitation resets it; an SSO link to an account holding an Owner role waits for proof.
 */
import request from "supertest";
import { ApiClient, pageRequest, startTestApp, type TestApp } from "../support/app";
import { PASSWORD, createOrg, linkTokenFromOutbox, tokenFromOutbox } from "../support/actors";
import { TestSamlIdp } from "../support/saml-idp";
import { insertUser } from "../../src/accounts/users";
import { createSession } from "../../src/auth/sessions";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX } from "../../src/context";
import { COMMANDS } from "../../src/cli/commands";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function samlConn(owner: ApiClient, orgId: string, idp: TestSamlIdp) {
  return (await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl,
    idpCerts: [idp.keys.cert], jitEnabled: true, enabled: true }).expect(201)).body.connection.id as string;
}

it("an invitation claim wipes identity links, sessions and IdP-made memberships attached without proof (audited); a domain owner's stays", async () => {
  const email = `legacy.${Date.now()}@legacy.test`;
  const a = await createOrg(t, "enterprise", "Attached A");
  const b = await createOrg(t, "enterprise", "Domain owner B");
  await COMMANDS["org domain add"](t.deps, ["--org", b.orgId, "--domain", "legacy.test", "--verified"]);
  const connA = await samlConn(a.owner, a.orgId, await TestSamlIdp.create("https://idp.a.test/saml"));
  // What an IdP could attach before issue 9: an unverified, passwordless account with A's identity link, a session and A's SCIM membership.
  const user = await t.deps.ds.transaction((tx) => insertUser(tx, { email }));
  await t.deps.ds.query(`INSERT INTO user_identities (user_id, connection_id, subject, email) VALUES ($1, $2, $3, $3)`, [user.id, connA, email]);
  await t.deps.ds.query(`INSERT INTO memberships (org_id, user_id, role, source, status, scim_user_name) VALUES ($1, $3, 'member', 'scim', 'active', $4),
    ($2, $3, 'member', 'scim', 'active', $4)`, [a.orgId, b.orgId, user.id, email]);
  const { cookie } = await createSession(t.deps.ds, user.id, `sso:${a.orgId}`, new Date());
  const stolen = request.agent(t.app);
  await stolen.get("/api/me").set("Cookie", `roster_session=${cookie}`).expect(200);

  const d = await createOrg(t, "pro", "Real D");
  await d.owner.post(`/api/orgs/${d.orgId}/invitations`, { email, role: "member" }).expect(201);
  const person = new ApiClient(t.app);
  await person.post(`/api/invitations/${await tokenFromOutbox(t, email)}/accept`, { name: "Real Person", password: PASSWORD }).expect(201);

  expect(await t.deps.ds.query(`SELECT 1 FROM user_identities WHERE user_id = $1`, [user.id])).toEqual([]);
  await request(t.app).get("/api/me").set("Cookie", `roster_session=${cookie}`).expect(401);
  const orgs = (await t.deps.ds.query(`SELECT org_id FROM memberships WHERE user_id = $1`, [user.id])).map((r: any) => r.org_id).sort();
  expect(orgs).toEqual([b.orgId, d.orgId].sort());
  const [reset] = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE action = 'account.claim_reset' AND target->>'id' = $1`, [user.id]);
  expect(reset.metadata).toEqual({ identitiesRemoved: [{ connectionId: connA, orgId: a.orgId }], sessionsEnded: 1,
    membershipsRemoved: [a.orgId], membershipsKeptLastOwner: [] });
  const unlinked = (await a.owner.get(`/api/orgs/${a.orgId}/audit-events?action=sso_identity.unlinked`).expect(200)).body.events;
  expect(unlinked).toHaveLength(1);
  const removed = (await a.owner.get(`/api/orgs/${a.orgId}/audit-events?action=member.removed`).expect(200)).body.events;
  expect(removed.some((e: any) => e.target.email === email)).toBe(true);
});

it("an SSO link to a passwordless account that is an Owner waits for the emailed proof, even at a verified domain", async () => {
  const ownerEmail = `boss@own-${Date.now()}.test`;
  const { org } = await createOrgWithOwner(t.deps, SYSTEM_CTX, { name: "Ownerless password", plan: "enterprise", ownerEmail: `op.${Date.now()}@x.test`, ownerPassword: PASSWORD });
  const opClient = new ApiClient(t.app);
  const signin = await opClient.post("/api/auth/signin", { email: (await t.deps.ds.query(`SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.org_id = $1`, [org.id]))[0].email, password: PASSWORD }).expect(200);
  opClient.csrf = signin.body.csrfToken;
  await COMMANDS["org domain add"](t.deps, ["--org", org.id, "--domain", ownerEmail.split("@")[1], "--verified"]);
  const boss = await t.deps.ds.transaction((tx) => insertUser(tx, { email: ownerEmail, emailVerified: true }));
  await t.deps.ds.query(`INSERT INTO memberships (org_id, user_id, role, source, status) VALUES ($1, $2, 'owner', 'invite', 'active')`, [org.id, boss.id]);
  const idp = await TestSamlIdp.create("https://idp.own.test/saml");
  const conn = await samlConn(opClient, org.id, idp);
  const login = async () => {
    const browser = request.agent(t.app);
    const r = await browser.get(`/sso/saml/${conn}/login`).expect(302);
    const { id } = TestSamlIdp.parseRedirect(r.headers.location);
    const resp = await idp.response({ acsUrl: `http://roster.test/sso/saml/${conn}/acs`, spEntityId: `http://roster.test/sso/saml/${conn}/metadata`, nameId: ownerEmail, inResponseTo: id });
    return { browser, res: await browser.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp }) };
  };
  const first = await login();
  expect(first.res.status).toBe(403);
  expect(first.res.text).toContain("sso.link_proof_required");
  expect((await first.browser.get("/api/me")).status).toBe(401);
  const token = await linkTokenFromOutbox(t, ownerEmail, "sso-link");
  expect((await request(t.app).get(`/sso-link/${token}`).expect(200)).text).toContain("/assets/js/sso-link.js"); // the page; confirming is a click
  await pageRequest(t.app).post(`/api/sso-links/${token}/confirm`).expect(200);
  expect((await pageRequest(t.app).post(`/api/sso-links/${token}/confirm`)).status).toBe(410); // once
  const second = await login();
  expect(second.res.status).toBe(303);
  expect((await second.browser.get("/api/me").expect(200)).body.user.email).toBe(ownerEmail);
});
