/**
 * SAML 2.0 through the ACS with real samlify-signed responses: the happy path and every SAML
 * case of shared/docs/security-cases.md. Two orgs are set up against the same IdP key.
 */
import request from "supertest";
import { AuditEvent, Membership, UserIdentity } from "../../entities";
import { startTestApp, type TestApp } from "../support/app";
import { makeKeyPair, NS, el, setNameId, TestSamlIdp, type KeyPair, type ResponseOptions } from "../support/saml-idp";
import { expectPendingJoin, expectRefused, orgWithOwner, PASSWORD, sideEffects } from "../support/sso";
import { COMMANDS } from "../../src/cli/commands";
import type { ApiClient } from "../support/app";

let t: TestApp;
let idp: TestSamlIdp;
let owner: ApiClient;
let orgId: string;
let orgBId: string;
const conns: Record<string, string> = {};

const BASE = "http://roster.test";
const acs = (id: string) => `${BASE}/sso/saml/${id}/acs`;
const sp = (id: string) => `${BASE}/sso/saml/${id}/metadata`;

async function createSaml(client: ApiClient, org: string, body: Record<string, unknown>): Promise<string> {
  const r = await client.post(`/api/orgs/${org}/sso-connections`, { kind: "saml", enabled: true, idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl, idpCerts: [idp.keys.cert], ...body });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.connection.id;
}

beforeAll(async () => {
  t = await startTestApp();
  idp = await TestSamlIdp.create();
  const a = await orgWithOwner(t, "Acme", "owner@acme.test");
  const b = await orgWithOwner(t, "Bolt", "owner@bolt.test");
  owner = a.owner;
  orgId = a.org.id;
  orgBId = b.org.id;
  // Same IdP, same key, for both orgs (security-cases §0.2).
  conns.main = await createSaml(owner, orgId, { name: "Okta", jitEnabled: true, jitRole: "member" });
  // main uses the default signature policy: the Response or the Assertion, signed by the pinned key.
  conns.both = await createSaml(owner, orgId, { jitEnabled: true, wantAssertionsSigned: true, wantAuthnResponseSigned: true });
  conns.assertionOnly = await createSaml(owner, orgId, { jitEnabled: true, wantAssertionsSigned: true, wantAuthnResponseSigned: false });
  conns.responseOnly = await createSaml(owner, orgId, { jitEnabled: true, wantAssertionsSigned: false, wantAuthnResponseSigned: true });
  conns.idpInitiated = await createSaml(owner, orgId, { jitEnabled: true, allowIdpInitiated: true });
  conns.b = await createSaml(b.owner, orgBId, { jitEnabled: true, idpEntityId: "https://idp.bolt.test/metadata" });
  conns.bSameIssuer = await createSaml(b.owner, orgBId, { jitEnabled: true });
  const r = await COMMANDS["org domain add"](t.deps, ["--org", orgId, "--domain", "acme.test", "--verified", "--json"]);
  expect((r.json as { domain: { verified: boolean } }).domain.verified).toBe(true);
  await COMMANDS["org domain add"](t.deps, ["--org", orgBId, "--domain", "bolt.test", "--verified"]);
});
afterAll(() => t.close());

/** SP-initiated: a browser asks for login, we read the AuthnRequest id off the redirect. */
async function startLogin(browser: ReturnType<typeof request.agent>, conn: string, returnTo = "/app/home") {
  const r = await browser.get(`/sso/saml/${conn}/login?returnTo=${encodeURIComponent(returnTo)}`).expect(302);
  expect(r.headers.location.startsWith(idp.ssoUrl)).toBe(true);
  return TestSamlIdp.parseRedirect(r.headers.location);
}

const post = (browser: ReturnType<typeof request.agent>, conn: string, SAMLResponse: string, RelayState?: string) =>
  browser.post(`/sso/saml/${conn}/acs`).type("form").set("Origin", "https://idp.example.test").send({ SAMLResponse, ...(RelayState ? { RelayState } : {}) });

function opts(conn: string, nameId: string, extra: Partial<ResponseOptions> = {}): ResponseOptions {
  return { acsUrl: acs(conn), spEntityId: sp(conn), nameId, attributes: { firstName: "Ann", lastName: "Lee" }, ...extra };
}

/** A fresh SP-initiated round trip with a response built from `extra`, posted by the same browser. */
async function roundTrip(conn: string, nameId: string, extra: Partial<ResponseOptions> = {}) {
  const browser = request.agent(t.app);
  const { id } = await startLogin(browser, conn);
  const resp = await idp.response(opts(conn, nameId, { inResponseTo: id, ...extra }));
  return { browser, res: await post(browser, conn, resp), resp };
}

describe("SAML SP", () => {
  it("serves SP metadata with entity ID, ACS URL and NameID format", async () => {
    const r = await request(t.app).get(`/sso/saml/${conns.main}/metadata`).expect(200);
    expect(r.headers["content-type"]).toContain("samlmetadata+xml");
    expect(r.text).toContain(`entityID="${sp(conns.main)}"`);
    expect(r.text).toContain(`Location="${acs(conns.main)}"`);
    expect(r.text).toContain("nameid-format:emailAddress");
  });

  it("SAML-01: SP-initiated login, both signed: JIT member, identity link, session, redirect to returnTo", async () => {
    const { browser, res } = await roundTrip(conns.main, "ann@acme.test");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/app/home");
    const me = await browser.get("/api/me").expect(200);
    expect(me.body.user.email).toBe("ann@acme.test");
    expect(me.body.memberships).toEqual([expect.objectContaining({ orgId, role: "member", source: "sso", status: "active" })]);
    const link = await t.deps.ds.getRepository(UserIdentity).findOneByOrFail({ connectionId: conns.main, subject: "ann@acme.test" });
    expect(link.userId).toBe(me.body.user.id);
    const events = await t.deps.ds.getRepository(AuditEvent).find({ where: { orgId } });
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["member.added", "sso_identity.linked", "auth.sso_signed_in"]));
    // the session is the SSO one for this org (require-SSO accepts it)
    const org = await browser.get(`/api/orgs/${orgId}`).expect(200);
    expect(org.body.membership.role).toBe("member");
    // a second sign-in uses the link, creates nothing
    const before = await sideEffects(t);
    const again = await roundTrip(conns.main, "ann@acme.test");
    expect(again.res.status).toBe(303);
    expect((await sideEffects(t)).memberships).toBe(before.memberships);
  });

  it("SAML-02: assertion-only or response-only signing is accepted only where the connection allows it", async () => {
    expect((await roundTrip(conns.assertionOnly, "bo@acme.test", { signResponse: false })).res.status).toBe(303);
    expect((await roundTrip(conns.responseOnly, "cy@acme.test", { signAssertion: false })).res.status).toBe(303);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.both, "dee@acme.test", { signResponse: false })).res);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.both, "dee@acme.test", { signAssertion: false })).res);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.responseOnly, "dee@acme.test", { signResponse: false })).res);
  });

  it("SAML-02 (default policy): either the Response or the Assertion signed by the pinned key is enough", async () => {
    expect((await roundTrip(conns.main, "fay@acme.test", { signResponse: false })).res.status).toBe(303);
    expect((await roundTrip(conns.main, "gus@acme.test", { signAssertion: false })).res.status).toBe(303);
    const view = await owner.get(`/api/orgs/${orgId}/sso-connections/${conns.main}`).expect(200);
    expect(view.body.connection.saml).toEqual(expect.objectContaining({ wantAssertionsSigned: false, wantAuthnResponseSigned: false, allowSha1: false }));
  });

  it("SAML-03 with no signature demanded: node-saml still refuses a wholly unsigned response, and an unsigned assertion in a response signed by another key", async () => {
    // Verified, not assumed: with wantAuthnResponseSigned and wantAssertionsSigned both false,
    // node-saml 5.1 verifies the assertion whenever the Response is not validly signed.
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "eve@acme.test", { signAssertion: false, signResponse: false })).res);
    const attacker = await makeKeyPair("Attacker");
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "owner@acme.test", { signAssertion: false, signWith: attacker })).res);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "owner@acme.test", { signResponse: false, signWith: attacker })).res);
    // a Response signed by the pinned key over an assertion edited afterwards
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "eve@acme.test", { signAssertion: false, tamper: (d) => setNameId(d, "owner@acme.test") })).res);
  });

  it("SAML-03/04/05: unsigned, unsigned assertion where a signed one is wanted, NameID edited after signing", async () => {
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "eve@acme.test", { signAssertion: false, signResponse: false })).res);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.assertionOnly, "eve@acme.test", { signAssertion: false, signResponse: true })).res);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "eve@acme.test", { tamper: (d) => setNameId(d, "owner@acme.test") })).res);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "eve@acme.test", {
      tamper: (d) => { el(d, NS.saml, "AttributeValue").textContent = "Mallory"; } })).res);
  });

  it("SAML-06: signed with another key (its certificate in KeyInfo) is refused", async () => {
    const attacker = await makeKeyPair("Attacker");
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "owner@acme.test", { signWith: attacker })).res);
  });
});

/** XSW helpers: the victim's identity goes where a naive SP would read it. */
const VICTIM = "owner@acme.test";
function evilAssertion(d: Document): Element {
  const a = el(d, NS.saml, "Assertion").cloneNode(true) as Element;
  const sig = a.getElementsByTagNameNS(NS.ds, "Signature")[0];
  if (sig) a.removeChild(sig);
  a.setAttribute("ID", "_evil");
  setNameId(a, VICTIM);
  return a;
}

describe("SAML signature wrapping and friends (SAML-07 to SAML-11)", () => {
  it("XSW1/XSW2: cloned Response wrapping the signed one (Response-only signing)", async () => {
    const xsw1 = (d: Document) => {
      const orig = d.documentElement;
      const evil = orig.cloneNode(true) as Element;
      const sig = el(orig, NS.ds, "Signature");
      const evilSig = evil.getElementsByTagNameNS(NS.ds, "Signature")[0];
      evil.removeChild(evilSig);
      evil.setAttribute("ID", "_evilresp");
      setNameId(evil, VICTIM);
      orig.removeChild(sig);
      sig.appendChild(orig);
      evil.insertBefore(sig, evil.getElementsByTagNameNS(NS.samlp, "Status")[0]);
      d.replaceChild(evil, d.documentElement);
    };
    const xsw2 = (d: Document) => {
      const orig = d.documentElement;
      const evil = orig.cloneNode(true) as Element;
      evil.removeChild(evil.getElementsByTagNameNS(NS.ds, "Signature")[0]);
      evil.setAttribute("ID", "_evilresp");
      setNameId(evil, VICTIM);
      const sig = el(orig, NS.ds, "Signature");
      orig.removeChild(sig);
      evil.insertBefore(orig, evil.firstChild);
      evil.insertBefore(sig, orig);
      d.replaceChild(evil, d.documentElement);
    };
    for (const conn of [conns.responseOnly, conns.main]) {
      for (const tamper of [xsw1, xsw2]) {
        await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conn, "x@acme.test", { signAssertion: false, tamper })).res);
      }
    }
  });

  it("XSW3-XSW8: evil assertion before, around, after, inside Signature/Object/Extensions (Assertion-only signing)", async () => {
    const cases: Record<string, (d: Document) => void> = {
      xsw3: (d) => d.documentElement.insertBefore(evilAssertion(d), el(d, NS.saml, "Assertion")),
      xsw4: (d) => {
        const orig = el(d, NS.saml, "Assertion");
        const evil = evilAssertion(d);
        d.documentElement.replaceChild(evil, orig);
        evil.appendChild(orig);
      },
      xsw5: (d) => {
        const orig = el(d, NS.saml, "Assertion");
        const copy = orig.cloneNode(true) as Element;
        copy.removeChild(copy.getElementsByTagNameNS(NS.ds, "Signature")[0]);
        setNameId(orig, VICTIM);
        d.documentElement.appendChild(copy);
      },
      xsw6: (d) => {
        const orig = el(d, NS.saml, "Assertion");
        const copy = orig.cloneNode(true) as Element;
        copy.removeChild(copy.getElementsByTagNameNS(NS.ds, "Signature")[0]);
        setNameId(orig, VICTIM);
        orig.setAttribute("ID", "_evil");
        el(orig, NS.ds, "Signature").appendChild(copy);
      },
      xsw7: (d) => {
        const ext = d.createElementNS(NS.samlp, "samlp:Extensions");
        ext.appendChild(evilAssertion(d));
        d.documentElement.insertBefore(ext, el(d, NS.samlp, "Status"));
      },
      xsw8: (d) => {
        const orig = el(d, NS.saml, "Assertion");
        const copy = orig.cloneNode(true) as Element;
        copy.removeChild(copy.getElementsByTagNameNS(NS.ds, "Signature")[0]);
        setNameId(orig, VICTIM);
        const obj = d.createElementNS(NS.ds, "ds:Object");
        obj.appendChild(copy);
        el(orig, NS.ds, "Signature").appendChild(obj);
      },
    };
    for (const conn of [conns.assertionOnly, conns.main]) {
      for (const [name, tamper] of Object.entries(cases)) {
        const { res } = await roundTrip(conn, "x@acme.test", { signResponse: false, tamper });
        expect([name, res.status]).toEqual([name, 400]);
        expect(res.text).toMatch(/sso\.saml_(signature_invalid|invalid)/);
      }
    }
    expect(await t.deps.ds.getRepository(UserIdentity).countBy({ subject: VICTIM })).toBe(0);
  });

  it("SAML-08: signed assertion hidden in StatusDetail with an evil copy where the SP reads", async () => {
    const tamper = (d: Document) => {
      const orig = el(d, NS.saml, "Assertion");
      const status = el(d, NS.samlp, "Status");
      const detail = d.createElementNS(NS.samlp, "samlp:StatusDetail");
      d.documentElement.replaceChild(evilAssertion(d), orig);
      detail.appendChild(orig);
      status.appendChild(detail);
    };
    for (const conn of [conns.assertionOnly, conns.main]) {
      const { res } = await roundTrip(conn, "x@acme.test", { signResponse: false, tamper });
      expect(res.status).toBe(400);
      expect(res.text).toContain("sso.saml_signature_invalid");
    }
  });

  it("SAML-09: a second, unsigned assertion appended is refused", async () => {
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "x@acme.test", {
      tamper: (d) => { d.documentElement.appendChild(evilAssertion(d)); } })).res);
  });

  it("SAML-10: forged digest hidden in a DigestValue comment is refused", async () => {
    const tamper = (d: Document) => {
      const a = el(d, NS.saml, "Assertion");
      setNameId(a, VICTIM);
      const dv = el(a, NS.ds, "DigestValue");
      dv.insertBefore(d.createComment("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), dv.firstChild);
    };
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.assertionOnly, "x@acme.test", { signResponse: false, tamper })).res);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(conns.main, "x@acme.test", { signResponse: false, tamper })).res);
  });

  it("SAML-11: a NameID with an injected comment is read whole, never as the shorter address", async () => {
    // The IdP signed "owner@acme.test.evil.test"; a comment inserted after signing splits the text
    // node without breaking the signature (c14n drops comments). Read whole, its domain is not acme's.
    const tamper = (d: Document) => {
      const n = el(d, NS.saml, "NameID");
      while (n.firstChild) n.removeChild(n.firstChild);
      n.appendChild(d.createTextNode(VICTIM));
      n.appendChild(d.createComment(""));
      n.appendChild(d.createTextNode(".evil.test"));
    };
    // Read whole, it is an address outside acme.test: at most a membership waiting for that address (issue 9).
    await expectPendingJoin(t, `${VICTIM}.evil.test`, async () => (await roundTrip(conns.main, `${VICTIM}.evil.test`, { tamper, attributes: {} })).res);
    const refusal = (await t.deps.ds.getRepository(AuditEvent).find({ where: { action: "auth.sso_refused" }, order: { createdAt: "DESC" }, take: 1 }))[0];
    expect(refusal.target?.email).toBe(`${VICTIM}.evil.test`);
    expect(await t.deps.ds.getRepository(UserIdentity).countBy({ subject: VICTIM })).toBe(0);
  });
});

describe("Roster's own SAML checks", () => {
  it("SAML-12: an assertion for another org's SP (Audience) is refused", async () => {
    await expectRefused(t, "sso.saml_audience_mismatch", async () => (await roundTrip(conns.main, "x@acme.test", { audience: sp(conns.bSameIssuer) })).res);
  });

  it("SAML-13: wrong SubjectConfirmationData Recipient", async () => {
    await expectRefused(t, "sso.saml_recipient_mismatch", async () => (await roundTrip(conns.main, "x@acme.test", { recipient: acs(conns.bSameIssuer) })).res);
  });

  it("SAML-14: wrong Response Destination", async () => {
    await expectRefused(t, "sso.saml_destination_mismatch", async () => (await roundTrip(conns.main, "x@acme.test", { destination: acs(conns.bSameIssuer) })).res);
  });

  it("SAML-15: Issuer is not the org's IdP although the key is the same", async () => {
    // org B's connection pins the same certificate but another IdP entity ID
    await expectRefused(t, "sso.saml_issuer_mismatch", async () => (await roundTrip(conns.b, "x@bolt.test")).res);
    await expectRefused(t, "sso.saml_issuer_mismatch", async () => (await roundTrip(conns.main, "x@acme.test", { issuer: "https://other-idp.test", responseIssuer: idp.entityId })).res);
  });

  it("SAML-16: no SubjectConfirmation, or a holder-of-key one", async () => {
    await expectRefused(t, "sso.saml_subject_confirmation", async () => (await roundTrip(conns.main, "x@acme.test", { subjectConfirmation: "none" })).res);
    await expectRefused(t, "sso.saml_subject_confirmation", async () => (await roundTrip(conns.main, "x@acme.test", { subjectConfirmation: "holder-of-key" })).res);
  });

  it("SAML-17: expired, not yet valid, SubjectConfirmationData expired", async () => {
    const past = new Date(Date.now() - 3_600_000);
    await expectRefused(t, "sso.saml_expired", async () => (await roundTrip(conns.main, "x@acme.test", { now: past })).res);
    await expectRefused(t, "sso.saml_expired", async () => (await roundTrip(conns.main, "x@acme.test", { notBeforeOffsetMs: 5 * 60_000 })).res);
    // IdP-initiated: node-saml does not check SubjectConfirmationData then (node-saml#436), Roster does
    await expectRefused(t, "sso.saml_expired", async () => {
      const resp = await idp.response(opts(conns.idpInitiated, "x@acme.test", { scdNotOnOrAfterOffsetMs: -120_000 }));
      return post(request.agent(t.app), conns.idpInitiated, resp);
    });
  });

  it("SAML-18: inside the 60 s clock skew is accepted", async () => {
    const { res } = await roundTrip(conns.main, "skew@acme.test", { notBeforeOffsetMs: 30_000 });
    expect(res.status).toBe(303);
  });

  it("SAML-19: a replayed response is refused, SP- and IdP-initiated", async () => {
    const { browser, res, resp } = await roundTrip(conns.main, "ann@acme.test");
    expect(res.status).toBe(303);
    await expectRefused(t, "sso.saml_request_unknown", () => post(browser, conns.main, resp));
    const unsolicited = await idp.response(opts(conns.idpInitiated, "ann@acme.test"));
    expect((await post(request.agent(t.app), conns.idpInitiated, unsolicited)).status).toBe(303);
    await expectRefused(t, "sso.saml_replay", () => post(request.agent(t.app), conns.idpInitiated, unsolicited));
  });

  it("SAML-20: an unsolicited response where IdP-initiated login is off", async () => {
    const resp = await idp.response(opts(conns.main, "ann@acme.test"));
    await expectRefused(t, "sso.saml_unsolicited", () => post(request.agent(t.app), conns.main, resp));
  });

  it("SAML-21: InResponseTo never issued, issued for another org's connection, or to another browser", async () => {
    await expectRefused(t, "sso.saml_request_unknown", async () => (await roundTrip(conns.main, "ann@acme.test", { inResponseTo: "_never_issued" })).res);
    const browserB = request.agent(t.app);
    const forB = await startLogin(browserB, conns.bSameIssuer);
    const resp = await idp.response(opts(conns.main, "ann@acme.test", { inResponseTo: forB.id }));
    await expectRefused(t, "sso.saml_request_unknown", () => post(browserB, conns.main, resp));
    const victim = request.agent(t.app);
    const mine = await startLogin(request.agent(t.app), conns.main);
    const mineResp = await idp.response(opts(conns.main, "ann@acme.test", { inResponseTo: mine.id }));
    await expectRefused(t, "sso.browser_mismatch", () => post(victim, conns.main, mineResp));
  });

  it("SAML-22: certificate rotation with [old, new]; old removed → refused; expiry reported", async () => {
    const next = await makeKeyPair("Next IdP key", 10);
    const id = await createSaml(owner, orgId, { jitEnabled: true, idpCerts: [idp.keys.cert, next.cert] });
    expect((await roundTrip(id, "rot@acme.test", { signWith: next })).res.status).toBe(303);
    expect((await roundTrip(id, "rot@acme.test")).res.status).toBe(303);
    const view = await owner.get(`/api/orgs/${orgId}/sso-connections/${id}`).expect(200);
    expect(view.body.connection.saml.certificates).toEqual([
      expect.objectContaining({ expiresSoon: false, expired: false }),
      expect.objectContaining({ expiresSoon: true, expired: false, notAfter: expect.any(String) }),
    ]);
    await owner.patch(`/api/orgs/${orgId}/sso-connections/${id}`, { idpCerts: [next.cert] }).expect(200);
    await expectRefused(t, "sso.saml_signature_invalid", async () => (await roundTrip(id, "rot@acme.test")).res);
    expect((await roundTrip(id, "rot@acme.test", { signWith: next })).res.status).toBe(303);
  });

  it("SAML-23: DOCTYPE/entities, malformed XML and oversized messages are refused without a 500", async () => {
    const xxe = Buffer.from(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="${NS.samlp}">&x;</samlp:Response>`).toString("base64");
    await expectRefused(t, "sso.saml_malformed", () => post(request.agent(t.app), conns.main, xxe));
    const bomb = Buffer.from(`<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>`).toString("base64");
    await expectRefused(t, "sso.saml_malformed", () => post(request.agent(t.app), conns.main, bomb));
    const garbage = Buffer.from("<samlp:Response><unclosed>").toString("base64");
    const g = await post(request.agent(t.app), conns.main, garbage);
    expect(g.status).toBe(400);
    await expectRefused(t, "sso.saml_too_large", () => post(request.agent(t.app), conns.main, "A".repeat(270 * 1024)));
    await expectRefused(t, "sso.saml_malformed", () => post(request.agent(t.app), conns.main, "not base64 !!"));
  });

  it("SAML-24: an IdP error status gives a user-facing page, no session, no stack", async () => {
    const { id } = await startLogin(request.agent(t.app), conns.main);
    const resp = await idp.response(opts(conns.main, "x@acme.test", { inResponseTo: id, statusCode: "urn:oasis:names:tc:SAML:2.0:status:Responder", signAssertion: false }));
    const browser = request.agent(t.app);
    await browser.get(`/sso/saml/${conns.main}/login`);
    await expectRefused(t, "sso.idp_error", () => post(browser, conns.main, resp));
  });

  it("SAML-25: two concurrent posts of one valid response give exactly one session", async () => {
    const browser = request.agent(t.app);
    const { id } = await startLogin(browser, conns.main);
    const resp = await idp.response(opts(conns.main, "ann@acme.test", { inResponseTo: id }));
    const before = (await sideEffects(t)).sessions;
    const results = await Promise.all([post(browser, conns.main, resp), post(browser, conns.main, resp)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 400]);
    expect((await sideEffects(t)).sessions).toBe(before + 1);
  });

  it("SAML-26: RelayState or returnTo pointing off-site never redirects off-site", async () => {
    const browser = request.agent(t.app);
    const { id } = await startLogin(browser, conns.main, "https://evil.test/steal");
    const r1 = await post(browser, conns.main, await idp.response(opts(conns.main, "ann@acme.test", { inResponseTo: id })));
    expect(r1.headers.location).toBe("/");
    for (const relay of ["https://evil.test/", "//evil.test/x", "/\\evil.test"]) {
      const r = await post(request.agent(t.app), conns.idpInitiated, await idp.response(opts(conns.idpInitiated, "ann@acme.test")), relay);
      expect([relay, r.status, r.headers.location]).toEqual([relay, 303, "/"]);
    }
    const ok = await post(request.agent(t.app), conns.idpInitiated, await idp.response(opts(conns.idpInitiated, "ann@acme.test")), "/inbox?x=1");
    expect(ok.headers.location).toBe("/inbox?x=1");
  });

  it("refuses unknown or disabled connections with a page, not a 500", async () => {
    const r = await request(t.app).post("/sso/saml/00000000-0000-4000-8000-000000000000/acs").type("form").send({ SAMLResponse: "AAAA" });
    expect(r.status).toBe(404);
    expect(r.text).toContain("sso.connection_not_found");
    expect((await request(t.app).get("/sso/saml/not-a-uuid/login")).status).toBe(404);
    const events = await t.deps.ds.getRepository(AuditEvent).find({ where: { action: "auth.sso_refused" } });
    expect(events.some((e) => e.orgId === null && e.metadata.reason === "sso.connection_not_found")).toBe(true);
    void PASSWORD;
    void Membership;
  });
});
