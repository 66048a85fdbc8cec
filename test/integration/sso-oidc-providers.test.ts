/**
 * ID tokens shaped as the providers send them by default (idp-sso-defaults.md), from a real
 * oidc-provider: Okta's thin ID token (rest at /userinfo), Entra ID v2 (per-tenant issuer, no
 * email_verified, UPN as preferred_username, oid + tid), Google (hd), Keycloak, Auth0.
 */
import request from "supertest";
import { GroupRoleMapping, UserIdentity } from "../../entities";
import { startTestApp, type ApiClient, type TestApp } from "../support/app";
import { TestOidcProvider } from "../support/oidc-provider";
import { expectRefused, orgWithOwner } from "../support/sso";
import { COMMANDS } from "../../src/cli/commands";

const SECRET = "a-client-secret-that-is-long-enough-0123456789";
const TENANT = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const redirect = (id: string) => `http://roster.test/sso/oidc/${id}/callback`;
type Agent = ReturnType<typeof request.agent>;

let t: TestApp;
let owner: ApiClient;
let orgId: string;
const ops: Record<string, TestOidcProvider> = {};
const conns: Record<string, string> = {};

beforeAll(async () => {
  ops.okta = await TestOidcProvider.listen();
  ops.entra = await TestOidcProvider.listen(`/${TENANT}/v2.0`);
  ops.google = await TestOidcProvider.listen();
  ops.keycloak = await TestOidcProvider.listen("/realms/acme");
  ops.auth0 = await TestOidcProvider.listen();
  t = await startTestApp({ configure: (c) => { c.ssoAllowInsecureLoopbackIssuers = true; c.ssoGoogleIssuers = [ops.google.issuer]; } });
  const a = await orgWithOwner(t, "Acme", "owner@acme.test");
  owner = a.owner;
  orgId = a.org.id;
  await COMMANDS["org domain add"](t.deps, ["--org", orgId, "--domain", "acme.test", "--verified"]);
  await orgWithOwner(t, "Bolt", "owner@bolt.test");
  for (const [provider, op] of Object.entries(ops)) {
    const r = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "oidc", provider: provider === "google" ? "google" : provider, issuer: op.issuer, clientId: `${provider}-app`, clientSecret: SECRET, jitEnabled: true, enabled: true });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    conns[provider] = r.body.connection.id;
    await op.start([{ clientId: `${provider}-app`, clientSecret: SECRET, redirectUris: [redirect(conns[provider])] }]);
  }
  await t.deps.ds.getRepository(GroupRoleMapping).insert([{ orgId, groupName: "Roster Admins", role: "admin" }, { orgId, groupName: "Founders", role: "owner" }]);
}, 90_000);
afterAll(async () => {
  for (const op of Object.values(ops)) await op.stop();
  await t.close();
});
afterEach(() => {
  for (const op of Object.values(ops)) {
    op.tamper = undefined;
    op.tamperUserinfo = undefined;
  }
});

async function login(provider: string, sub: string) {
  const browser: Agent = request.agent(t.app);
  const r = await browser.get(`/sso/oidc/${conns[provider]}/login?returnTo=/app`).expect(302);
  ops[provider].loginAs = sub;
  const cb = await ops[provider].drive(r.headers.location);
  return { browser, res: await browser.get(cb.pathname + cb.search) };
}

async function expectPerson(p: { browser: Agent; res: request.Response }, email: string, name: string, role = "member") {
  expect([p.res.status, p.res.text?.match(/<code>([^<]+)<\/code>/)?.[1]]).toEqual([303, undefined]);
  const me = await p.browser.get("/api/me").expect(200);
  expect(me.body.user).toEqual(expect.objectContaining({ email, name }));
  expect(me.body.memberships).toEqual([expect.objectContaining({ orgId, role, source: "sso" })]);
  return me.body.user.id as string;
}

describe("Okta: thin ID token, the rest at /userinfo", () => {
  it("asks /userinfo for email_verified, names and groups, and signs the person in with the mapped role", async () => {
    ops.okta.accounts.set("00u-olive", {
      email: "olive@acme.test", name: "Olive Oak", preferred_username: "olive@acme.test",
      email_verified: true, given_name: "Olive", family_name: "Oakley", groups: ["Everyone", "Roster Admins", "Founders"],
      userinfoOnly: ["email_verified", "given_name", "family_name", "groups"],
    });
    const before = ops.okta.userinfoRequests;
    await expectPerson(await login("okta", "00u-olive"), "olive@acme.test", "Olive Oakley", "admin");
    expect(ops.okta.userinfoRequests).toBe(before + 1);
  });

  it("a /userinfo answer for another subject is refused", async () => {
    ops.okta.accounts.set("00u-mal", { email: "mal@acme.test", name: "Mal", userinfoOnly: ["email_verified"], email_verified: true });
    ops.okta.tamperUserinfo = (body) => { body.sub = "00u-olive"; };
    await expectRefused(t, "sso.oidc_userinfo_failed", async () => (await login("okta", "00u-mal")).res);
  });

  it("/userinfo cannot lend its email_verified to another address than the ID token's", async () => {
    ops.okta.accounts.set("00u-sly", { email: "sly@acme.test", name: "Sly", userinfoOnly: ["email_verified"], email_verified: true });
    ops.okta.tamperUserinfo = (body) => { body.email = "other@acme.test"; };
    // the ID token's address keeps no statement: with its domain verified, it falls to the org-domain rule
    const p = await login("okta", "00u-sly");
    expect(p.res.status).toBe(303);
    expect((await p.browser.get("/api/me")).body.user.email).toBe("sly@acme.test");
  });
});

describe("Entra ID v2: per-tenant issuer, no email_verified, UPN as preferred_username, oid + tid", () => {
  const oid = "6f0e3b4c-3f5e-4bfa-9d6f-0b5c2c1f7a11";
  it("takes the email-shaped preferred_username inside the org's verified domain and keys the identity by tid/oid", async () => {
    ops.entra.accounts.set("pairwise-sub-1", { preferred_username: "ella@acme.test", name: "Ella Entra", oid, tid: TENANT, given_name: "Ella", family_name: "Entwistle", userinfoOnly: ["given_name", "family_name"] });
    const id = await expectPerson(await login("entra", "pairwise-sub-1"), "ella@acme.test", "Ella Entwistle");
    expect((await t.deps.ds.getRepository(UserIdentity).findOneByOrFail({ connectionId: conns.entra, subject: `${TENANT}/${oid}` })).userId).toBe(id);
  });

  it("an email claim or UPN outside the org's verified domains is not trusted", async () => {
    ops.entra.accounts.set("pairwise-eve", { email: "owner@bolt.test", preferred_username: "eve@acme-corp.onmicrosoft.test", name: "Eve", oid: "e1", tid: TENANT });
    await expectRefused(t, "sso.link_not_allowed", async () => (await login("entra", "pairwise-eve")).res);
    ops.entra.accounts.set("pairwise-eve2", { preferred_username: "eve@acme-corp.onmicrosoft.test", name: "Eve", oid: "e2", tid: TENANT });
    await expectRefused(t, "sso.email_not_trusted", async () => (await login("entra", "pairwise-eve2")).res);
  });

  it("a tid other than the issuer's tenant is refused", async () => {
    ops.entra.accounts.set("pairwise-x", { preferred_username: "x@acme.test", name: "X", oid: "x1", tid: TENANT });
    ops.entra.tamper = (tok) => ops.entra.resign(tok, (c) => { c.tid = "00000000-0000-0000-0000-000000000000"; });
    await expectRefused(t, "sso.oidc_tenant_mismatch", async () => (await login("entra", "pairwise-x")).res);
  });
});

describe("Google: hd must be a verified domain of the org", () => {
  it("a Workspace account of the org's domain signs in", async () => {
    ops.google.accounts.set("g-1", { email: "gia@acme.test", email_verified: true, hd: "acme.test", name: "Gia Google", given_name: "Gia", family_name: "Gould" });
    await expectPerson(await login("google", "g-1"), "gia@acme.test", "Gia Gould");
  });

  it("a consumer account (no hd) or another Workspace's is refused, even with email_verified", async () => {
    ops.google.accounts.set("g-consumer", { email: "gus@acme.test", email_verified: true, name: "Gus" });
    await expectRefused(t, "sso.google_hd_missing", async () => (await login("google", "g-consumer")).res);
    ops.google.accounts.set("g-other", { email: "gus@acme.test", email_verified: true, hd: "bolt.test", name: "Gus" });
    await expectRefused(t, "sso.google_hd_not_verified", async () => (await login("google", "g-other")).res);
  });
});

describe("Keycloak and Auth0 defaults", () => {
  it("Keycloak: email, email_verified, preferred_username, given/family names", async () => {
    ops.keycloak.accounts.set("kc-uuid-1", { email: "kim@acme.test", email_verified: true, preferred_username: "kim", name: "Kim Keycloak", given_name: "Kim", family_name: "Kowalski" });
    await expectPerson(await login("keycloak", "kc-uuid-1"), "kim@acme.test", "Kim Kowalski");
  });

  it("Auth0: an email-shaped `name` is never the display name", async () => {
    ops.auth0.accounts.set("auth0|abc123", { email: "ada@acme.test", email_verified: true, name: "ada@acme.test", given_name: "Ada", family_name: "Auth" });
    await expectPerson(await login("auth0", "auth0|abc123"), "ada@acme.test", "Ada Auth");
    ops.auth0.accounts.set("auth0|only-email", { email: "abe@acme.test", email_verified: true, name: "abe@acme.test" });
    const p = await login("auth0", "auth0|only-email");
    expect(p.res.status).toBe(303);
    expect((await p.browser.get("/api/me")).body.user.name).toBeNull();
  });
});
