/**
 * Domain authority and pending memberships (issue 9): what an org's IdP provisions for an email
 * outside its verified domains waits for the person. One email with a join link (audited); the
 * org sees only what its IdP sent; /api/me does not list it; following the link joins it. For the
 * IdP nothing changes: the SCIM user reads back, filters, PATCHes and DELETEs like any other.
 */
import request from "supertest";
import { ApiClient, startTestApp, type TestApp } from "../support/app";
import { PASSWORD, createOrg, linkTokenFromOutbox, signUp, tokenFromOutbox } from "../support/actors";
import { entraUser, scimOrg, type ScimOrg } from "../support/scim";
import { TestSamlIdp } from "../support/saml-idp";
import { expectPendingJoin } from "../support/sso";
import { linkIn } from "../support/smtp";

let t: TestApp;
let o: ScimOrg;
const api = (p: string) => `/api/orgs/${o.orgId}${p}`;
let seq = 0;
const outsider = () => `pat.${Date.now().toString(36)}${++seq}@outside.test`;
const joinMails = async (email: string) => Number((await t.deps.ds.query(
  `SELECT count(*)::int AS n FROM email_messages WHERE lower(to_address) = lower($1) AND kind = 'member.join_link'`, [email]))[0].n);

beforeAll(async () => {
  t = await startTestApp({ smtp: true });
  o = await scimOrg(t, "Pendco");
});
afterAll(() => t.close());

it("SCIM POST for an existing person outside the org's domains: pending, one email, IdP-only view, not in their /api/me; the link joins it", async () => {
  const email = outsider();
  const person = await signUp(t, email, "Pat Private");
  const created = await o.scim.post("/Users", entraUser(email, { displayName: "Pat (from IdP)" })).expect(201);
  const id = created.body.id;
  const mail = await t.mail!.waitFor((m) => m.to === email && /Join Pendco/.test(m.subject));
  expect(await joinMails(email)).toBe(1);
  const m = (await o.owner.get(api(`/members/${id}`)).expect(200)).body.member;
  expect(m).toMatchObject({ email, name: "Pat (from IdP)", pending: true, userId: null, source: "scim" });
  expect((await o.owner.get(api("/members")).expect(200)).text).not.toContain("Pat Private");
  expect((await person.get("/api/me").expect(200)).body.memberships).toEqual([]);
  const audit = (await o.owner.get(api("/audit-events?action=member.join_link_sent")).expect(200)).body.events;
  expect(audit.filter((e: any) => e.target.id === id)).toHaveLength(1);

  // The IdP sees a user like any other.
  expect((await o.scim.get(`/Users/${id}`).expect(200)).body).toMatchObject({ userName: email, displayName: "Pat (from IdP)", active: true });
  const f = await o.scim.get(`/Users?filter=${encodeURIComponent(`emails.value eq "${email}"`)}`).expect(200);
  expect(f.body.Resources.map((r: any) => r.id)).toEqual([id]);
  await o.scim.patchOps(`/Users/${id}`, { op: "replace", path: "active", value: false }).expect(204);
  await o.scim.patchOps(`/Users/${id}`, { op: "replace", value: { active: true, displayName: "Pat P." } }).expect(204);
  expect((await o.scim.get(`/Users/${id}`).expect(200)).body).toMatchObject({ active: true, displayName: "Pat P." });
  expect(await joinMails(email)).toBe(1); // sent once

  const token = new URL(linkIn(mail.text, "/join/")).pathname.split("/").pop()!;
  const page = await request(t.app).get(`/join/${token}`).expect(200);
  expect(page.text).toContain("/assets/js/join.js");
  expect(page.headers["referrer-policy"]).toBe("no-referrer");
  expect((await request(t.app).get(`/api/joins/${token}`).expect(200)).body.join).toEqual({ orgName: "Pendco", email });
  const stranger = await signUp(t, outsider(), "Someone Else");
  expect((await stranger.post(`/api/joins/${token}/accept`)).status).toBe(403);
  const joined = await person.post(`/api/joins/${token}/accept`).expect(201);
  expect(joined.body.membership).toEqual({ id, orgId: o.orgId });
  expect((await person.get("/api/me").expect(200)).body.memberships.map((x: any) => x.orgId)).toEqual([o.orgId]);
  expect((await o.owner.get(api(`/members/${id}`)).expect(200)).body.member).toMatchObject({ email, name: "Pat Private", pending: false });
  expect((await o.scim.get(`/Users/${id}`).expect(200)).body).toMatchObject({ userName: email, displayName: "Pat P." });
  expect((await person.post(`/api/joins/${token}/accept`)).status).toBe(404); // works once
  expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM users u WHERE u.email LIKE '%@pending.roster.invalid'
    AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)`))[0].n).toBe(0);
});

it("a person without an account creates it from the link and is signed in", async () => {
  const email = outsider();
  const id = (await o.scim.post("/Users", entraUser(email)).expect(201)).body.id;
  const token = await linkTokenFromOutbox(t, email, "join");
  const visitor = new ApiClient(t.app);
  expect((await visitor.post(`/api/joins/${token}/accept`, {})).status).toBe(400);
  const r = await visitor.post(`/api/joins/${token}/accept`, { name: "New Person", password: PASSWORD }).expect(201);
  visitor.csrf = r.body.csrfToken;
  const me = (await visitor.get("/api/me").expect(200)).body;
  expect(me.user).toMatchObject({ email, emailVerified: true });
  expect(me.memberships.map((x: any) => x.id)).toEqual([id]);
});

it("DELETE of a pending user works like any other: 204, then 404, its link dead, no removal email", async () => {
  const email = outsider();
  const id = (await o.scim.post("/Users", entraUser(email)).expect(201)).body.id;
  const token = await linkTokenFromOutbox(t, email, "join");
  await o.scim.delete(`/Users/${id}`).expect(204);
  await o.scim.get(`/Users/${id}`).expect(404);
  expect((await request(t.app).get(`/api/joins/${token}`)).status).toBe(404);
  expect((await t.deps.ds.query(`SELECT kind FROM email_messages WHERE lower(to_address) = lower($1)`, [email])).map((r: any) => r.kind)).toEqual(["member.join_link"]);
  await o.scim.post("/Users", entraUser(email)).expect(201); // a later POST of the same person works
});

it("SSO JIT for an email outside the org's domains: pending membership and one email; the link joins it", async () => {
  const idp = await TestSamlIdp.create("https://idp.pendco.test/saml");
  const conn = (await o.owner.post(api("/sso-connections"), { kind: "saml", idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl,
    idpCerts: [idp.keys.cert], jitEnabled: true, jitRole: "member", enabled: true }).expect(201)).body.connection.id;
  const email = outsider();
  const login = async () => {
    const browser = request.agent(t.app);
    const r = await browser.get(`/sso/saml/${conn}/login`).expect(302);
    const { id } = TestSamlIdp.parseRedirect(r.headers.location);
    const resp = await idp.response({ acsUrl: `http://roster.test/sso/saml/${conn}/acs`, spEntityId: `http://roster.test/sso/saml/${conn}/metadata`, nameId: email, inResponseTo: id });
    return browser.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp });
  };
  await expectPendingJoin(t, email, login);
  const again = await login();
  expect(again.text).toContain("sso.join_pending");
  expect(await joinMails(email)).toBe(1);
  const visitor = new ApiClient(t.app);
  await visitor.post(`/api/joins/${await linkTokenFromOutbox(t, email, "join")}/accept`, { name: "Jit Person", password: PASSWORD }).expect(201);
  const [row] = await t.deps.ds.query(`SELECT m.source, m.pending_email FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1`, [email]);
  expect(row).toEqual({ source: "sso", pending_email: null });
});

it("an invitation accepted for an address with a pending SSO-JIT membership replaces it: one membership, no placeholder left", async () => {
  const plain = await createOrg(t, "enterprise", "No SCIM");
  const idp = await TestSamlIdp.create("https://idp.noscim.test/saml");
  const conn = (await plain.owner.post(`/api/orgs/${plain.orgId}/sso-connections`, { kind: "saml", idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl,
    idpCerts: [idp.keys.cert], jitEnabled: true, enabled: true }).expect(201)).body.connection.id;
  const email = outsider();
  const browser = request.agent(t.app);
  const r = await browser.get(`/sso/saml/${conn}/login`).expect(302);
  const resp = await idp.response({ acsUrl: `http://roster.test/sso/saml/${conn}/acs`, spEntityId: `http://roster.test/sso/saml/${conn}/metadata`,
    nameId: email, inResponseTo: TestSamlIdp.parseRedirect(r.headers.location).id });
  expect((await browser.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp })).text).toContain("sso.join_pending");
  await plain.owner.post(`/api/orgs/${plain.orgId}/invitations`, { email, role: "member" }).expect(201);
  await new ApiClient(t.app).post(`/api/invitations/${await tokenFromOutbox(t, email)}/accept`, { name: "Invited", password: PASSWORD }).expect(201);
  const rows = await t.deps.ds.query(`SELECT source, pending_email FROM memberships WHERE org_id = $1 AND role = 'member'`, [plain.orgId]);
  expect(rows).toEqual([{ source: "invite", pending_email: null }]);
  expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM users u WHERE u.email LIKE '%@pending.roster.invalid'
    AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)`))[0].n).toBe(0);
});
