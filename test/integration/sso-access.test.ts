/**
 * Who gets in through SSO (linking rules, JIT, suspended and removed members), require-SSO with
 * the Owner break-glass path, discovery, and the admin API / CLI that set it all up.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { AuditEvent, GroupRoleMapping, Membership, SsoConnection, UserIdentity } from "../../entities";
import { ApiClient, pageRequest, startTestApp, type TestApp } from "../support/app";
import { TestSamlIdp, type ResponseOptions } from "../support/saml-idp";
import { expectRefused, orgWithOwner, PASSWORD, signedIn } from "../support/sso";
import { linkTokenFromOutbox } from "../support/actors";
import { COMMANDS } from "../../src/cli/commands";
import { insertUser } from "../../src/accounts/users";
import { hashPassword } from "../../src/auth/passwords";
import { decryptSecret } from "../../sso/secrets";

let t: TestApp;
let idp: TestSamlIdp;
let owner: ApiClient;
let orgId: string;
let otherOrgId: string;
let jitOff: string;
let jitOn: string;
const BASE = "http://roster.test";
const dir = mkdtempSync(join(tmpdir(), "roster-sso-"));

async function cli(name: string, args: string[]) {
  return (await COMMANDS[name](t.deps, [...args, "--json"])).json as Record<string, any>;
}

beforeAll(async () => {
  t = await startTestApp();
  idp = await TestSamlIdp.create("https://idp.acme.test/saml");
  const a = await orgWithOwner(t, "Acme", "owner@acme.test");
  owner = a.owner;
  orgId = a.org.id;
  otherOrgId = (await orgWithOwner(t, "Other", "owner@other.test")).org.id;
  writeFileSync(join(dir, "idp.xml"), idp.metadataXml());
  writeFileSync(join(dir, "idp.pem"), idp.keys.cert);
  const created = await cli("sso saml create", ["--org", orgId, "--idp-metadata-file", join(dir, "idp.xml"), "--jit-role", "member"]);
  expect(created).toEqual({ id: expect.any(String), spEntityId: `${BASE}/sso/saml/${created.id}/metadata`,
    acsUrl: `${BASE}/sso/saml/${created.id}/acs`, metadataUrl: `${BASE}/sso/saml/${created.id}/metadata` });
  jitOn = created.id;
  jitOff = (await cli("sso saml create", ["--org", orgId, "--idp-entity-id", idp.entityId, "--idp-sso-url", idp.ssoUrl, "--idp-cert-file", join(dir, "idp.pem")])).id;
  await cli("org domain add", ["--org", orgId, "--domain", "acme.test", "--verified"]);
});
afterAll(() => t.close());

async function ssoLogin(conn: string, nameId: string, extra: Partial<ResponseOptions> = {}) {
  const browser = request.agent(t.app);
  const r = await browser.get(`/sso/saml/${conn}/login`).expect(302);
  const { id } = TestSamlIdp.parseRedirect(r.headers.location);
  const resp = await idp.response({ acsUrl: `${BASE}/sso/saml/${conn}/acs`, spEntityId: `${BASE}/sso/saml/${conn}/metadata`, nameId, inResponseTo: id, ...extra });
  const res = await browser.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp });
  return { browser, res };
}

async function member(email: string, opts: { password?: boolean; source?: "invite" | "scim"; status?: "active" | "suspended"; org?: string } = {}) {
  return t.deps.ds.transaction(async (tx) => {
    const user = await insertUser(tx, { email, passwordHash: opts.password ? await hashPassword(PASSWORD) : null, emailVerified: true });
    const m = await tx.getRepository(Membership).save(tx.getRepository(Membership).create({
      orgId: opts.org ?? orgId, userId: user.id, role: "member", status: opts.status ?? "active", source: opts.source ?? "invite" }));
    return { user, m };
  });
}

describe("who gets in", () => {
  it("JIT off and no membership: the clear 'not given access' page, nothing created", async () => {
    const res = await expectRefused(t, "sso.not_provisioned", async () => (await ssoLogin(jitOff, "nobody@acme.test")).res);
    expect(res.status).toBe(403);
    expect(res.text).toContain("Your administrator has not given you access to this organization.");
    expect(res.headers["content-security-policy"]).toBeDefined();
    expect(res.text).not.toMatch(/<script/i);
  });

  it("an invited member at a verified domain: an account with a password is linked only after its owner's emailed proof, then by the link", async () => {
    const { user } = await member("inv@acme.test", { password: true });
    const first = await ssoLogin(jitOff, "inv@acme.test");
    expect(first.res.status).toBe(403);
    expect(first.res.text).toContain("sso.link_proof_required");
    expect(await t.deps.ds.getRepository(UserIdentity).countBy({ userId: user.id })).toBe(0);
    expect((await ssoLogin(jitOff, "inv@acme.test")).res.text).toContain("sso.link_proof_required"); // asked again: no second email
    expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM email_messages WHERE to_address = 'inv@acme.test' AND kind = 'sso.link_proof'`))[0].n).toBe(1);
    await pageRequest(t.app).post(`/api/sso-links/${await linkTokenFromOutbox(t, "inv@acme.test", "sso-link")}/confirm`).expect(200);
    const { browser, res } = await ssoLogin(jitOff, "inv@acme.test");
    expect(res.status).toBe(303);
    expect((await browser.get("/api/me")).body.user.id).toBe(user.id);
    const events = await t.deps.ds.getRepository(AuditEvent).find({ where: { action: "sso_identity.linked" } });
    expect(events.some((e) => e.target?.id === user.id && e.metadata.via === "email_proof")).toBe(true);
  });

  it("a passwordless invited member confined to this org is linked at once (no proof needed)", async () => {
    const { user } = await member("fresh@acme.test");
    const { browser, res } = await ssoLogin(jitOff, "fresh@acme.test");
    expect(res.status).toBe(303);
    expect((await browser.get("/api/me")).body.user.id).toBe(user.id);
    const events = await t.deps.ds.getRepository(AuditEvent).find({ where: { action: "sso_identity.linked" } });
    expect(events.some((e) => e.target?.id === user.id && e.metadata.via === "existing_membership")).toBe(true);
  });

  it("a SCIM-made account confined to this org links without a verified domain; one with other orgs does not", async () => {
    const confined = await member("sc@contractor.test", { source: "scim" });
    expect((await ssoLogin(jitOff, "sc@contractor.test")).res.status).toBe(303);
    expect(await t.deps.ds.getRepository(UserIdentity).countBy({ userId: confined.user.id })).toBe(1);
    const shared = await member("sh@contractor.test", { source: "scim" });
    await t.deps.ds.getRepository(Membership).insert({ orgId: otherOrgId, userId: shared.user.id, role: "member", status: "active", source: "invite" });
    await expectRefused(t, "sso.link_not_allowed", async () => (await ssoLogin(jitOff, "sh@contractor.test")).res);
  });

  it("an existing account outside the org: JIT off refuses; JIT on adds it through the member service", async () => {
    await member("out@acme.test", { password: true, org: otherOrgId });
    await expectRefused(t, "sso.not_provisioned", async () => (await ssoLogin(jitOff, "out@acme.test")).res);
    expect((await ssoLogin(jitOn, "out@acme.test")).res.text).toContain("sso.link_proof_required"); // password and another org: proof first
    await pageRequest(t.app).post(`/api/sso-links/${await linkTokenFromOutbox(t, "out@acme.test", "sso-link")}/confirm`).expect(200);
    const { browser, res } = await ssoLogin(jitOn, "out@acme.test");
    expect(res.status).toBe(303);
    const me = (await browser.get("/api/me")).body;
    expect(me.memberships.map((m: { orgId: string; source: string }) => [m.orgId, m.source])).toEqual(
      expect.arrayContaining([[orgId, "sso"], [otherOrgId, "invite"]]));
    const added = await t.deps.ds.getRepository(AuditEvent).find({ where: { action: "member.added", orgId } });
    expect(added.some((e) => e.target?.email === "out@acme.test" && e.metadata.source === "sso" && e.metadata.via === "sso_jit")).toBe(true);
  });

  it("JIT maps IdP groups through the group-to-role mappings (never to Owner)", async () => {
    await t.deps.ds.getRepository(GroupRoleMapping).insert([{ orgId, groupName: "Support Leads", role: "admin" }, { orgId, groupName: "Founders", role: "owner" }]);
    const { browser, res } = await ssoLogin(jitOn, "lead@acme.test", { attributes: { groups: ["support leads", "Founders"] } });
    expect(res.status).toBe(303);
    expect((await browser.get("/api/me")).body.memberships[0].role).toBe("admin");
  });

  it("suspended and removed members are refused with the same page", async () => {
    await member("sus@acme.test", { status: "suspended" });
    const r1 = await expectRefused(t, "sso.member_suspended", async () => (await ssoLogin(jitOn, "sus@acme.test")).res);
    expect(r1.text).toContain("has not given you access");
    const { browser } = await ssoLogin(jitOn, "gone@acme.test");
    const me = (await browser.get("/api/me")).body;
    await owner.delete(`/api/orgs/${orgId}/members/${me.memberships[0].id}`).expect(204);
    const r2 = await expectRefused(t, "sso.not_a_member", async () => (await ssoLogin(jitOn, "gone@acme.test")).res);
    expect(r2.text).toContain("has not given you access");
  });
});

describe("require SSO and break-glass", () => {
  it("refuses password sign-in for members, accepts their SSO session, keeps an audited Owner path", async () => {
    const pw = await signedIn(t, "inv@acme.test");
    await owner.patch(`/api/orgs/${orgId}/sso-settings`, { requireSso: true }).expect(200, { requireSso: true });
    // an existing password session no longer reaches the org
    expect((await pw.get(`/api/orgs/${orgId}`)).body.error.code).toBe("org.sso_required");
    const refused = await new ApiClient(t.app).post("/api/auth/signin", { email: "inv@acme.test", password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("auth.sso_required");
    // the refusal names a working SSO login for this person (discovery only knows verified domains)
    expect(refused.body.error.ssoLoginUrl).toMatch(/^\/sso\/saml\/[0-9a-f-]+\/login$/);
    await request(t.app).get(refused.body.error.ssoLoginUrl).expect(302);
    const { browser } = await ssoLogin(jitOff, "inv@acme.test");
    await browser.get(`/api/orgs/${orgId}`).expect(200);
    const breakGlass = await signedIn(t, "owner@acme.test");
    await breakGlass.get(`/api/orgs/${orgId}`).expect(200);
    expect(await t.deps.ds.getRepository(AuditEvent).countBy({ action: "auth.break_glass_sign_in", orgId })).toBeGreaterThan(0);
    expect(await t.deps.ds.getRepository(AuditEvent).countBy({ action: "org.sso_requirement_changed", orgId })).toBe(1);
    // the last enabled connection cannot be switched off while SSO is required
    for (const id of [jitOn]) await owner.patch(`/api/orgs/${orgId}/sso-connections/${id}`, { enabled: false }).expect(200);
    const last = await owner.delete(`/api/orgs/${orgId}/sso-connections/${jitOff}`).expect(409);
    expect(last.body.error.code).toBe("sso.required_needs_connection");
    await owner.patch(`/api/orgs/${orgId}/sso-settings`, { requireSso: false }).expect(200);
    await owner.patch(`/api/orgs/${orgId}/sso-connections/${jitOn}`, { enabled: true }).expect(200);
  });

  it("requiring SSO needs an enabled connection", async () => {
    const { org, owner: o } = await orgWithOwner(t, "Empty", "owner@empty.test");
    const r = await o.patch(`/api/orgs/${org.id}/sso-settings`, { requireSso: true }).expect(409);
    expect(r.body.error.code).toBe("sso.no_enabled_connection");
  });
});

describe("discovery", () => {
  it("answers with the login URL for a verified domain with an enabled connection, else sso:false", async () => {
    const d = (email: string) => pageRequest(t.app).post("/api/sso/discover").send({ email });
    expect((await d("someone@ACME.test")).body).toEqual({ sso: true, loginUrl: `/sso/saml/${jitOn}/login` });
    expect((await d("someone@unknown.test")).body).toEqual({ sso: false });
    await owner.post(`/api/orgs/${orgId}/domains`, { domain: "pending.test" }).expect(201);
    expect((await d("someone@pending.test")).body).toEqual({ sso: false });
    expect((await d("not-an-email")).status).toBe(400);
  });
});

describe("admin API and CLI", () => {
  it("other plans get 403 naming the plan; members lack sso.manage", async () => {
    const { org, owner: pro } = await orgWithOwner(t, "Pro Co", "owner@pro.test", "pro");
    const r = await pro.get(`/api/orgs/${org.id}/sso-connections`).expect(403);
    expect(r.body.error.code).toBe("plan.enterprise_required");
    expect(r.body.error.message).toContain("pro plan");
    await expect(COMMANDS["sso oidc create"](t.deps, ["--org", org.id, "--issuer", "https://idp.pro.test", "--client-id", "x", "--client-secret", "y"]))
      .rejects.toMatchObject({ code: "plan.enterprise_required" });
    await member("plain@acme.test", { password: true });
    const plain = await signedIn(t, "plain@acme.test");
    expect((await plain.get(`/api/orgs/${orgId}/sso-connections`).expect(403)).body.error.code).toBe("permission.denied");
  });

  it("keeps the OIDC client secret encrypted and never returns it", async () => {
    const secret = "s3cret-value-that-must-not-leak";
    const r = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "oidc", issuer: "https://login.example.test", clientId: "roster", clientSecret: secret }).expect(201);
    expect(r.body.connection.oidc).toEqual(expect.objectContaining({ clientSecretSet: true, redirectUri: `${BASE}/sso/oidc/${r.body.connection.id}/callback` }));
    const row = await t.deps.ds.getRepository(SsoConnection).findOneByOrFail({ id: r.body.connection.id });
    expect(row.secretEncrypted).not.toContain(secret);
    expect(JSON.stringify(row.config)).not.toContain(secret);
    expect(decryptSecret(t.deps.config.encryptionKey, row.id, row.secretEncrypted!)).toBe(secret);
    expect(() => decryptSecret(t.deps.config.encryptionKey, jitOn, row.secretEncrypted!)).toThrow();
    const listed = await owner.get(`/api/orgs/${orgId}/sso-connections`).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(await cli("sso list", ["--org", orgId]))).not.toContain(secret);
    const audit = await t.deps.ds.getRepository(AuditEvent).find({ where: { action: "sso_connection.created", orgId } });
    expect(JSON.stringify(audit)).not.toContain(secret);
    await owner.patch(`/api/orgs/${orgId}/sso-connections/${row.id}`, { clientSecret: "rotated-secret" }).expect(200);
    const updated = await t.deps.ds.getRepository(AuditEvent).createQueryBuilder("a")
      .where("a.action = 'sso_connection.updated' AND a.target ->> 'id' = :id", { id: row.id }).getOneOrFail();
    expect(updated.metadata.changed).toContain("clientSecret");
    expect(JSON.stringify(updated)).not.toContain("rotated-secret");
    // http issuers only through test wiring on loopback
    const http = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "oidc", issuer: "http://127.0.0.1:9", clientId: "x", clientSecret: "y" }).expect(400);
    expect(http.body.error.fields[0].field).toBe("issuer");
    const cliOidc = await cli("sso oidc create", ["--org", orgId, "--issuer", "https://login.example.test", "--client-id", "cli", "--client-secret", "z", "--jit-role", "admin"]);
    expect(cliOidc).toEqual({ id: expect.any(String), redirectUri: `${BASE}/sso/oidc/${cliOidc.id}/callback` });
    expect((await cli("sso delete", ["--id", cliOidc.id])).deleted).toBe(true);
    await owner.delete(`/api/orgs/${orgId}/sso-connections/${row.id}`).expect(204);
    await owner.get(`/api/orgs/${orgId}/sso-connections/${row.id}`).expect(404);
  });

  it("validates SAML settings: required fields, certificates; both signature demands off is the default policy", async () => {
    const r1 = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml" }).expect(400);
    expect(r1.body.error.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(["idpEntityId", "idpSsoUrl", "idpCerts"]));
    const r2 = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", idpEntityId: "x", idpSsoUrl: "https://x.test", idpCerts: ["nope"] }).expect(400);
    expect(r2.body.error.fields[0].field).toBe("idpCerts.0");
    // Issue 10: node-saml still refuses a wholly unsigned response with both off (sso-saml.test.ts SAML-03).
    const r3 = await owner.patch(`/api/orgs/${orgId}/sso-connections/${jitOn}`, { wantAssertionsSigned: false, wantAuthnResponseSigned: false }).expect(200);
    expect(r3.body.connection.saml).toEqual(expect.objectContaining({ wantAssertionsSigned: false, wantAuthnResponseSigned: false }));
    const r3b = await owner.patch(`/api/orgs/${orgId}/sso-connections/${jitOn}`, { provider: "not-a-provider" }).expect(400);
    expect(r3b.body.error.code).toBe("request.invalid");
    const r4 = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", idpMetadataXml: "<!DOCTYPE x><x/>" }).expect(400);
    expect(r4.body.error.fields[0].field).toBe("idpMetadataXml");
    const got = await owner.get(`/api/orgs/${orgId}/sso-connections/${jitOn}`).expect(200);
    expect(got.body.connection.saml).toEqual(expect.objectContaining({ idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl,
      certificates: [expect.objectContaining({ notAfter: expect.any(String), expiresSoon: false })] }));
  });

  it("domains: add with a TXT record to publish, verification refused when DNS has no record, one org per verified domain", async () => {
    const added = await owner.post(`/api/orgs/${orgId}/domains`, { domain: "Corp.Example.TEST" }).expect(201);
    expect(added.body.domain).toEqual(expect.objectContaining({ domain: "corp.example.test", verified: false,
      verification: { type: "TXT", name: "_roster-verification.corp.example.test", value: expect.stringMatching(/^roster-verification=/) } }));
    const v = await owner.post(`/api/orgs/${orgId}/domains/${added.body.domain.id}/verify`).expect(422);
    expect(v.body.error.code).toBe("domain.verification_failed");
    expect(await t.deps.ds.getRepository(AuditEvent).countBy({ action: "org_domain.verification_failed", orgId })).toBe(1);
    await owner.post(`/api/orgs/${orgId}/domains`, { domain: "corp.example.test" }).expect(409);
    expect((await owner.post(`/api/orgs/${orgId}/domains`, { domain: "gmail.com" }).expect(400)).body.error.fields[0].field).toBe("domain");
    await expect(COMMANDS["org domain add"](t.deps, ["--org", otherOrgId, "--domain", "acme.test", "--verified"])).rejects.toMatchObject({ status: 409 });
    const list = await owner.get(`/api/orgs/${orgId}/domains`).expect(200);
    expect(list.body.domains.map((d: { domain: string; verified: boolean }) => [d.domain, d.verified])).toEqual(
      expect.arrayContaining([["acme.test", true], ["corp.example.test", false]]));
    await owner.delete(`/api/orgs/${orgId}/domains/${added.body.domain.id}`).expect(204);
    expect(await t.deps.ds.getRepository(AuditEvent).countBy({ action: "org_domain.removed", orgId })).toBe(1);
  });
});
