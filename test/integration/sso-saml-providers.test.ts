/**
 * Each major IdP's DEFAULT SAML response (test/support/idp-defaults.ts), signed by samlify, through
 * the real ACS over HTTP: the right person, with the right name, on the first try. SHA-1 defaults
 * (OneLogin, Auth0) are refused with a page naming the IdP setting, then accepted after the
 * switch or with the connection's explicit `allowSha1`.
 */
import request from "supertest";
import { UserIdentity } from "../../entities";
import { startTestApp, type ApiClient, type TestApp } from "../support/app";
import { SHA1, SHA256, TestSamlIdp, type ResponseOptions } from "../support/saml-idp";
import { PROVIDER_SHAPES, providerResponse, type Person, type ProviderShape } from "../support/idp-defaults";
import { expectRefused, orgWithOwner } from "../support/sso";
import { COMMANDS } from "../../src/cli/commands";
import { providerGuide } from "../../sso/provider-guides";

let t: TestApp;
let idp: TestSamlIdp;
let owner: ApiClient;
let orgId: string;

const BASE = "http://roster.test";
const acs = (id: string) => `${BASE}/sso/saml/${id}/acs`;
const sp = (id: string) => `${BASE}/sso/saml/${id}/metadata`;

async function createSaml(body: Record<string, unknown>): Promise<string> {
  const r = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", enabled: true, idpMetadataXml: idp.metadataXml(), jitEnabled: true, ...body });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.connection.id;
}

beforeAll(async () => {
  t = await startTestApp();
  idp = await TestSamlIdp.create("https://idp.acme.test/saml");
  const a = await orgWithOwner(t, "Acme", "owner@acme.test");
  owner = a.owner;
  orgId = a.org.id;
  await COMMANDS["org domain add"](t.deps, ["--org", orgId, "--domain", "acme.test", "--verified"]);
}, 90_000);
afterAll(() => t.close());

const person = (id: string): Person => ({
  email: `${id}.user@acme.test`, first: "Ann", last: `Lee-${id}`, username: `${id}user`, upn: `${id}user@acmecorp.onmicrosoft.com`,
});

async function signIn(conn: string, shape: ProviderShape, p: Person, overrides: Partial<ResponseOptions> = {}) {
  const browser = request.agent(t.app);
  const r = await browser.get(`/sso/saml/${conn}/login?returnTo=/app`).expect(302);
  const { id } = TestSamlIdp.parseRedirect(r.headers.location);
  const resp = await idp.response(providerResponse(shape, p, { acsUrl: acs(conn), spEntityId: sp(conn), inResponseTo: id }, overrides));
  const res = await browser.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp });
  return { browser, res };
}

async function expectSignedIn(browser: ReturnType<typeof request.agent>, res: request.Response, p: Person, conn: string, subject: string) {
  expect([res.status, res.text.match(/<code>([^<]+)<\/code>/)?.[1]]).toEqual([303, undefined]);
  const me = await browser.get("/api/me").expect(200);
  expect(me.body.user).toEqual(expect.objectContaining({ email: p.email, name: `${p.first} ${p.last}` }));
  expect(me.body.memberships).toEqual([expect.objectContaining({ orgId, role: "member", source: "sso" })]);
  expect((await t.deps.ds.getRepository(UserIdentity).findOneByOrFail({ connectionId: conn, subject })).userId).toBe(me.body.user.id);
}

describe.each(PROVIDER_SHAPES.map((s) => [s.label, s] as const))("%s default SAML response", (_label, shape) => {
  it("signs in the right person with the right name", async () => {
    const conn = await createSaml({ name: shape.label, provider: shape.id });
    const p = person(shape.id);
    if (shape.algorithm === SHA1) {
      const res = await expectRefused(t, "sso.saml_sha1_refused", async () => (await signIn(conn, shape, p)).res);
      // The page says which setting to switch, in the provider's words.
      expect(res.text).toContain("SHA-1");
      const setting = providerGuide(shape.id)!.sha256Setting!;
      const html = (x: string) => x.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
      expect(res.text).toContain(html(setting));
      // …after switching to SHA-256 as the page says:
      const { browser, res: ok } = await signIn(conn, shape, p, { signatureAlgorithm: SHA256 });
      await expectSignedIn(browser, ok, p, conn, shape.nameId(p));
    } else {
      const { browser, res } = await signIn(conn, shape, p);
      await expectSignedIn(browser, res, p, conn, shape.nameId(p));
    }
  });
});

describe("signature algorithms", () => {
  it("allowSha1 is an explicit, visible opt-in that accepts a SHA-1 response", async () => {
    const shape = PROVIDER_SHAPES.find((s) => s.id === "auth0")!;
    const conn = await createSaml({ provider: "auth0", allowSha1: true });
    const view = await owner.get(`/api/orgs/${orgId}/sso-connections/${conn}`).expect(200);
    expect(view.body.connection.saml.allowSha1).toBe(true);
    expect(view.body.connection.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/SHA-1/)]));
    const p = { ...person("auth0sha1") };
    const { browser, res } = await signIn(conn, shape, p);
    await expectSignedIn(browser, res, p, conn, shape.nameId(p));
  });

  it("without a provider chosen, the SHA-1 page still says what to change", async () => {
    const shape = PROVIDER_SHAPES.find((s) => s.id === "onelogin")!;
    const conn = await createSaml({});
    const res = await expectRefused(t, "sso.saml_sha1_refused", async () => (await signIn(conn, shape, person("nosetting"))).res);
    expect(res.text).toMatch(/RSA-SHA256/);
  });
});

describe("email choice", () => {
  it("Entra: the NameID (UPN) and the email claim differ → the one in a verified domain of the org", async () => {
    const shape = PROVIDER_SHAPES.find((s) => s.id === "entra")!;
    const conn = await createSaml({ provider: "entra" });
    // UPN at acme.test (verified), mail attribute elsewhere: the UPN wins this time.
    const p: Person = { ...person("entra2"), upn: "ann.upn@acme.test", email: "ann.mail@elsewhere.test" };
    const { browser, res } = await signIn(conn, shape, p);
    expect(res.status).toBe(303);
    expect((await browser.get("/api/me")).body.user.email).toBe("ann.upn@acme.test");
  });

  it("an email-shaped NameID outside the org's domains with no attribute is not trusted for JIT: no account, only a membership waiting for the person", async () => {
    const shape = PROVIDER_SHAPES.find((s) => s.id === "google")!;
    const conn = await createSaml({ provider: "google" });
    const { res } = await signIn(conn, shape, { ...person("g2"), email: "someone@gmail.test" });
    expect(res.status).toBe(403);
    expect(res.text).toContain("sso.join_pending");
    expect(res.headers["set-cookie"]?.toString() ?? "").not.toMatch(/roster_session=[^;]/);
    expect(await t.deps.ds.query(`SELECT 1 FROM users WHERE lower(email) = 'someone@gmail.test'`)).toHaveLength(0);
    expect(await t.deps.ds.query(`SELECT 1 FROM memberships WHERE org_id = $1 AND pending_email = 'someone@gmail.test'`, [orgId])).toHaveLength(1);
  });
});
