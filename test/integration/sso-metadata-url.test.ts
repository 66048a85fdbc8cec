/**
 * IdP metadata by URL over https (a test CA, trusted in-process like NODE_EXTRA_CA_CERTS): set up
 * from the URL, refreshed after a failed signature check (at most hourly) and daily, a failed
 * fetch keeps the last good certificates with a warning, expiring certificates are emailed to
 * Owners once (real SMTP).
 */
import request from "supertest";
import { SsoConnection } from "../../entities";
import { startTestApp, type ApiClient, type TestApp } from "../support/app";
import { makeKeyPair, TestSamlIdp } from "../support/saml-idp";
import { HttpsMetadataServer } from "../support/https-metadata";
import { expectRefused, orgWithOwner } from "../support/sso";
import { COMMANDS } from "../../src/cli/commands";
import { notifyExpiringCertificates, refreshDueMetadata } from "../../sso/metadata-refresh";
import { fetchMetadata } from "../../sso/metadata-fetch";

let t: TestApp;
let meta: HttpsMetadataServer;
let idp: TestSamlIdp;
let owner: ApiClient;
let orgId: string;
let conn: string;
const BASE = "http://roster.test";

beforeAll(async () => {
  t = await startTestApp({ smtp: true, configure: (c) => { c.ssoAllowInsecureLoopbackIssuers = true; } });
  meta = await HttpsMetadataServer.start();
  idp = await TestSamlIdp.create("https://sts.windows.test/8eaef023/");
  meta.body = idp.metadataXml();
  const a = await orgWithOwner(t, "Acme", "owner@acme.test");
  owner = a.owner;
  orgId = a.org.id;
  await COMMANDS["org domain add"](t.deps, ["--org", orgId, "--domain", "acme.test", "--verified"]);
}, 90_000);
afterAll(async () => {
  await meta.stop();
  await t.close();
});

async function signIn(keys = idp.keys, email = "ann@acme.test") {
  const browser = request.agent(t.app);
  const r = await browser.get(`/sso/saml/${conn}/login`).expect(302);
  const { id } = TestSamlIdp.parseRedirect(r.headers.location);
  const resp = await idp.response({ acsUrl: `${BASE}/sso/saml/${conn}/acs`, spEntityId: `${BASE}/sso/saml/${conn}/metadata`, nameId: email, inResponseTo: id, signWith: keys, signResponse: false });
  return browser.post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: resp });
}

/** Time passes for the refresh bookkeeping only (node-saml checks assertion times on the real clock). */
async function rewind(ms: number) {
  await t.deps.ds.query(`UPDATE sso_connections SET metadata_fetched_at = metadata_fetched_at - $2 * interval '1 millisecond',
    metadata_checked_at = metadata_checked_at - $2 * interval '1 millisecond' WHERE id = $1`, [conn, ms]);
}

describe("IdP metadata by URL", () => {
  it("refuses http, untrusted certificates and private addresses, in words", async () => {
    const http = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", idpMetadataUrl: "http://127.0.0.1:1/m" }).expect(400);
    expect(http.body.error.fields[0].field).toBe("idpMetadataUrl");
    meta.untrust();
    const untrusted = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", idpMetadataUrl: `${meta.origin}/federationmetadata.xml` }).expect(400);
    expect(untrusted.body.error.fields).toEqual([{ field: "idpMetadataUrl", message: "could not be fetched: its TLS certificate is not trusted by this server" }]);
    meta.trustTestCa();
    await expect(fetchMetadata(`${meta.origin}/m`, { allowPrivate: false })).rejects.toThrow(/private or loopback/);
  });

  it("sets the connection up from the URL and signs in", async () => {
    const r = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", provider: "entra", enabled: true, jitEnabled: true,
      idpMetadataUrl: `${meta.origin}/federationmetadata.xml` }).expect(201);
    conn = r.body.connection.id;
    expect(r.body.connection.saml).toEqual(expect.objectContaining({ idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl, idpMetadataUrl: `${meta.origin}/federationmetadata.xml`,
      metadataFetchedAt: expect.any(String), metadataError: null }));
    expect((await signIn()).status).toBe(303);
  });

  it("after the IdP rotates its key: the failed check re-reads the metadata (at most hourly) and the next attempt succeeds", async () => {
    const next = await makeKeyPair("Rotated IdP key");
    const rotated = await TestSamlIdp.create(idp.entityId, next);
    meta.body = rotated.metadataXml();
    const hits = meta.hits;
    await expectRefused(t, "sso.saml_signature_invalid", () => signIn(next, "bo@acme.test"));
    expect(meta.hits).toBe(hits + 1);
    expect((await signIn(next, "bo@acme.test")).status).toBe(303);
    // the old key is gone, and a second failure within the hour does not fetch again
    await expectRefused(t, "sso.saml_signature_invalid", () => signIn(idp.keys, "cy@acme.test"));
    expect(meta.hits).toBe(hits + 1);
    await rewind(61 * 60_000);
    await expectRefused(t, "sso.saml_signature_invalid", () => signIn(idp.keys, "cy@acme.test"));
    expect(meta.hits).toBe(hits + 2);
    idp = rotated;
  });

  it("daily refresh; a failed fetch keeps the last good certificates and shows a warning", async () => {
    meta.status = 500;
    expect(await refreshDueMetadata(t.deps)).toBe(0); // fetched less than a day ago: not due
    await rewind(25 * 3600_000);
    const hits = meta.hits;
    await refreshDueMetadata(t.deps);
    expect(meta.hits).toBe(hits + 1);
    const view = (await owner.get(`/api/orgs/${orgId}/sso-connections/${conn}`).expect(200)).body.connection;
    expect(view.saml.metadataError).toMatch(/answered HTTP 500/);
    expect(view.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/could not refresh the identity provider's metadata.*keeps using the certificates/)]));
    const dee = await signIn(idp.keys, "dee@acme.test");
    expect([dee.status, dee.text.match(/<code>([^<]+)<\/code>/)?.[1]]).toEqual([303, undefined]);
    meta.status = 200;
    await rewind(61 * 60_000);
    await refreshDueMetadata(t.deps);
    expect((await t.deps.ds.getRepository(SsoConnection).findOneByOrFail({ id: conn })).metadataError).toBeNull();
  });

  it("a certificate expiring within 30 days is flagged and emailed to the Owners once", async () => {
    const soon = await makeKeyPair("Expiring IdP key", 12);
    const expiring = await TestSamlIdp.create(idp.entityId, soon);
    meta.body = expiring.metadataXml();
    const r = await owner.post(`/api/orgs/${orgId}/sso-connections/${conn}/metadata/refresh`).expect(200);
    expect(r.body.refreshed).toBe(true);
    expect(r.body.connection.saml.certificates).toEqual([expect.objectContaining({ expiresSoon: true })]);
    expect(r.body.connection.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/expires on .* \(within 30 days\)/)]));
    expect(await notifyExpiringCertificates(t.deps)).toBe(1);
    const mail = await t.mail!.waitFor((m) => m.to === "owner@acme.test" && /certificate/i.test(m.subject));
    expect(mail.text).toContain("Expiring IdP key");
    expect(await notifyExpiringCertificates(t.deps)).toBe(0);
  });
});
