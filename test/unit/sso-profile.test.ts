/** Pure profile extraction and claim rules: email and name orders of issue 10, SHA-1 detection. */
import { fromOidcClaims, fromSamlProfile, oidcSubject } from "../../sso/profile";
import { attributesFromAssertion, pick } from "../../sso/saml-attributes";
import { checkTenant, mergeUserinfo, needsUserinfo } from "../../sso/oidc-claims";
import { assertAlgorithms, describeSignatures } from "../../sso/saml-signatures";
import { SsoRefusal } from "../../sso/errors";

const X = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const saml = (nameID: string, nameIDFormat: string, attributes: Record<string, unknown>) =>
  fromSamlProfile({ issuer: "i", nameID, nameIDFormat, attributes } as never);
const UNSPEC = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

describe("SAML email", () => {
  it("takes the attributes in the issue's order, then an email-shaped NameID of any format", () => {
    expect(saml("n@acme.test", UNSPEC, { mail: "m@acme.test", email: "e@acme.test" }).emailCandidates).toEqual(["e@acme.test", "m@acme.test", "n@acme.test"]);
    expect(saml("n@acme.test", UNSPEC, {}).email).toBe("n@acme.test");
    expect(saml("persistent-id", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", { "urn:oid:1.2.840.113549.1.9.1": "K@acme.test" }).email).toBe("k@acme.test");
    expect(saml("ACME\\ann", UNSPEC, { [`${X}/emailaddress`]: "a@acme.test" }).email).toBe("a@acme.test");
    expect(saml("x", "urn:oasis:names:tc:SAML:2.0:nameid-format:transient", {}).email).toBeNull();
  });

  it("matches FriendlyName as well as Name, case-insensitively", () => {
    const xml = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:AttributeStatement>
      <saml:Attribute Name="urn:oid:9.9" FriendlyName="EMAIL"><saml:AttributeValue>f@acme.test</saml:AttributeValue></saml:Attribute>
      </saml:AttributeStatement></saml:Assertion>`;
    expect(pick(attributesFromAssertion(xml), ["email"])).toEqual(["f@acme.test"]);
  });
});

describe("names", () => {
  it("SAML: given/surname before display names, never an email-shaped one", () => {
    expect(saml("u", UNSPEC, { [`${X}/name`]: "upn@acme.test", [`${X}/givenname`]: "Ann", [`${X}/surname`]: "Lee" }).name).toBe("Ann Lee");
    expect(saml("u", UNSPEC, { [`${X}/name`]: "upn@acme.test", "http://schemas.microsoft.com/identity/claims/displayname": "Ann L." }).name).toBe("Ann L.");
    expect(saml("u", UNSPEC, { [`${X}/name`]: "upn@acme.test" }).name).toBeNull();
    expect(saml("u", UNSPEC, { "urn:oid:2.5.4.42": "Kim", "urn:oid:2.5.4.4": "Ko" }).name).toBe("Kim Ko");
  });

  it("OIDC: given_name/family_name, else a name that is not an address", () => {
    expect(fromOidcClaims({ sub: "1", name: "A B", given_name: "Ann", family_name: "Lee" }, false).name).toBe("Ann Lee");
    expect(fromOidcClaims({ sub: "1", name: "Ann Lee" }, false).name).toBe("Ann Lee");
    expect(fromOidcClaims({ sub: "1", name: "ann@acme.test" }, false).name).toBeNull();
  });
});

describe("OIDC email trust", () => {
  it("email_verified true / false / absent; a UPN is never 'verified'", () => {
    expect(fromOidcClaims({ sub: "1", email: "a@b.test", email_verified: true }, false)).toEqual(expect.objectContaining({ emailVerified: true, emailTrust: "idp" }));
    expect(fromOidcClaims({ sub: "1", email: "a@b.test", email_verified: false }, false)).toEqual(expect.objectContaining({ emailVerified: false, emailTrust: "idp" }));
    expect(fromOidcClaims({ sub: "1", email: "a@b.test" }, false)).toEqual(expect.objectContaining({ emailVerified: false, emailTrust: "org_domains" }));
    expect(fromOidcClaims({ sub: "1", preferred_username: "u@b.test", email_verified: true }, false)).toEqual(expect.objectContaining({ email: "u@b.test", emailVerified: false, emailTrust: "idp" }));
    expect(fromOidcClaims({ sub: "1", preferred_username: "not-an-email", upn: "u@b.test" }, false).email).toBe("u@b.test");
  });

  it("Entra subject is tid/oid; others keep sub", () => {
    expect(oidcSubject({ sub: "pairwise", oid: "o", tid: "t" })).toBe("t/o");
    expect(oidcSubject({ sub: "s", oid: "o" })).toBe("s");
  });

  it("userinfo is needed for thin tokens, fills gaps only, and lends email_verified only for the same address", () => {
    expect(needsUserinfo({ sub: "1", email: "a@b.test", name: "A" })).toBe(true);
    expect(needsUserinfo({ sub: "1", email: "a@b.test", email_verified: true, name: "A" })).toBe(false);
    expect(mergeUserinfo({ sub: "1", email: "a@b.test", name: "A" }, { sub: "1", email: "a@b.test", email_verified: true, name: "Z", given_name: "G" }))
      .toEqual({ sub: "1", email: "a@b.test", name: "A", email_verified: true, given_name: "G" });
    expect(mergeUserinfo({ sub: "1", email: "a@b.test" }, { sub: "1", email: "c@b.test", email_verified: true }).email_verified).toBeUndefined();
  });

  it("tid must match a per-tenant issuer", () => {
    const iss = "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0";
    expect(() => checkTenant(iss, { tid: "8EAEF023-2b34-4da1-9baa-8bc8c9d6a490" })).not.toThrow();
    expect(() => checkTenant(iss, { tid: "00000000-0000-0000-0000-000000000000" })).toThrow(SsoRefusal);
    expect(() => checkTenant("https://idp.test", { tid: "x" })).not.toThrow();
  });
});

describe("signature algorithms", () => {
  const sig = (alg: string, digest: string) => `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:SignatureMethod Algorithm="${alg}"/><ds:Reference URI="#a"><ds:DigestMethod Algorithm="${digest}"/></ds:Reference></ds:SignedInfo></ds:Signature>`;
  const response = (respSig: string, assertionSig: string) => `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${respSig}<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${assertionSig}</Assertion></samlp:Response>`;
  const S256 = ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256"] as const;
  const S1 = ["http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"] as const;

  it("reports which element is signed and refuses SHA-1 anywhere unless allowed", () => {
    const r = describeSignatures(response("", sig(...S256)));
    expect(r.response).toBeNull();
    expect(r.assertion).toEqual(expect.objectContaining({ sha1: false }));
    expect(() => assertAlgorithms(r, false)).not.toThrow();
    const weak = describeSignatures(response(sig(...S256), sig(S256[0], S1[1])));
    expect(weak.assertion?.sha1).toBe(true);
    expect(() => assertAlgorithms(weak, false, "onelogin")).toThrow(/SAML Signature Algorithm/);
    expect(() => assertAlgorithms(weak, true)).not.toThrow();
  });
});
