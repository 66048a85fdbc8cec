/**
 * Signed AuthnRequests: each SAML connection has its own SP key pair (private key encrypted at
 * rest), its certificate is in the SP metadata, requests are signed RSA-SHA256 over the
 * HTTP-Redirect binding and verify at an IdP that requires signed requests (samlify with
 * wantAuthnRequestsSigned, as Keycloak and AD FS do by default); rotation publishes a second
 * certificate before switching.
 */
import { createVerify } from "node:crypto";
import request from "supertest";
import * as samlify from "samlify";
import { SsoSpKey } from "../../entities";
import { startTestApp, type ApiClient, type TestApp } from "../support/app";
import { TestSamlIdp } from "../support/saml-idp";
import { orgWithOwner } from "../support/sso";

let t: TestApp;
let idp: TestSamlIdp;
let owner: ApiClient;
let orgId: string;
let conn: string;

beforeAll(async () => {
  t = await startTestApp();
  idp = await TestSamlIdp.create("https://keycloak.acme.test/realms/acme");
  const a = await orgWithOwner(t, "Acme", "owner@acme.test");
  owner = a.owner;
  orgId = a.org.id;
  const r = await owner.post(`/api/orgs/${orgId}/sso-connections`, { kind: "saml", provider: "keycloak", idpMetadataXml: idp.metadataXml(), enabled: true }).expect(201);
  conn = r.body.connection.id;
}, 90_000);
afterAll(() => t.close());

const metadata = async () => (await request(t.app).get(`/sso/saml/${conn}/metadata`).expect(200)).text;
const certsIn = (xml: string) => [...xml.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map((m) => m[1].replace(/\s+/g, ""));
const b64 = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;

async function loginRedirect(): Promise<URL> {
  const r = await request.agent(t.app).get(`/sso/saml/${conn}/login`).expect(302);
  return new URL(r.headers.location);
}

/** HTTP-Redirect binding signature (SAML Bindings §3.4.4.1): over the raw query parameters, in order. */
function redirectSignatureValid(url: URL, certPem: string): boolean {
  const raw = url.search.slice(1).split("&");
  const get = (k: string) => raw.find((p) => p.startsWith(`${k}=`));
  const signed = ["SAMLRequest", "RelayState", "SigAlg"].map(get).filter(Boolean).join("&");
  return createVerify("RSA-SHA256").update(signed).verify(certPem, url.searchParams.get("Signature")!, "base64");
}

describe("signed AuthnRequests", () => {
  it("publishes the connection's own signing certificate in the SP metadata and signs requests with it (RSA-SHA256)", async () => {
    const xml = await metadata();
    expect(xml).toContain('AuthnRequestsSigned="true"');
    const certs = certsIn(xml);
    expect(certs).toHaveLength(1);
    const url = await loginRedirect();
    expect(url.searchParams.get("SigAlg")).toBe("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    expect(redirectSignatureValid(url, pem(certs[0]))).toBe(true);
    // a tampered request does not verify
    const forged = new URL(url);
    forged.searchParams.set("RelayState", "evil");
    expect(redirectSignatureValid(forged, pem(certs[0]))).toBe(false);
  });

  it("an IdP that requires signed requests (samlify, wantAuthnRequestsSigned) accepts ours", async () => {
    const sp = samlify.ServiceProvider({ metadata: await metadata() });
    const verifier = samlify.IdentityProvider({
      entityID: idp.entityId, privateKey: idp.keys.key, signingCert: idp.keys.cert, wantAuthnRequestsSigned: true,
      singleSignOnService: [{ Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", Location: idp.ssoUrl }],
    });
    const url = await loginRedirect();
    const octetString = url.search.slice(1).split("&").filter((p) => !p.startsWith("Signature=")).join("&");
    const parsed = await verifier.parseLoginRequest(sp, "redirect", { query: Object.fromEntries(url.searchParams), octetString } as never);
    expect(parsed.extract.issuer).toBe(`http://roster.test/sso/saml/${conn}/metadata`);
    const forged = Object.fromEntries(url.searchParams);
    forged.RelayState = "evil";
    const forgedOctets = octetString.replace(/RelayState=[^&]*/, "RelayState=evil");
    await expect(verifier.parseLoginRequest(sp, "redirect", { query: forged, octetString: forgedOctets } as never)).rejects.toBeTruthy();
  });

  it("keeps the private key encrypted at rest, bound to its connection", async () => {
    const rows = await t.deps.ds.getRepository(SsoSpKey).findBy({ connectionId: conn });
    expect(rows).toHaveLength(1);
    expect(rows[0].privateKeyEncrypted).toMatch(/^v1\./);
    expect(rows[0].privateKeyEncrypted).not.toContain("PRIVATE KEY");
    const keys = (await owner.get(`/api/orgs/${orgId}/sso-connections/${conn}/sp-keys`).expect(200)).body.keys;
    expect(keys).toEqual([expect.objectContaining({ status: "active", fingerprintSha256: expect.any(String) })]);
    expect(JSON.stringify(keys)).not.toContain("PRIVATE");
  });

  it("rotation: publish a second certificate, keep signing with the first, then switch", async () => {
    const [oldCert] = certsIn(await metadata());
    await owner.post(`/api/orgs/${orgId}/sso-connections/${conn}/sp-keys/activate`).expect(409);
    const published = await owner.post(`/api/orgs/${orgId}/sso-connections/${conn}/sp-keys/next`).expect(201);
    expect(published.body.keys.map((k: { status: string }) => k.status).sort()).toEqual(["active", "next"]);
    await owner.post(`/api/orgs/${orgId}/sso-connections/${conn}/sp-keys/next`).expect(409);
    const both = certsIn(await metadata());
    expect(both).toHaveLength(2);
    expect(both[0]).toBe(oldCert);
    const newCert = both[1];
    expect(redirectSignatureValid(await loginRedirect(), pem(oldCert))).toBe(true);

    await owner.post(`/api/orgs/${orgId}/sso-connections/${conn}/sp-keys/activate`).expect(200);
    expect(certsIn(await metadata())).toEqual([newCert]);
    const url = await loginRedirect();
    expect(redirectSignatureValid(url, pem(newCert))).toBe(true);
    expect(redirectSignatureValid(url, pem(oldCert))).toBe(false);
    expect(b64(pem(newCert))).toBe(newCert);
  });
});
