/** Pure SSO pieces: redirects, secrets, emails, domains, and the pinned library versions. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { safeReturnTo } from "../../sso/return-to";
import { decryptSecret, encryptSecret } from "../../sso/secrets";
import { cleanEmail, fromOidcClaims, fromSamlProfile } from "../../sso/profile";
import { normalizeDomain } from "../../sso/domains.service";
import { hasDoctype, parseXml } from "../../sso/xml";
import { ValidationError } from "../../src/errors";

const BASE = "https://roster.example.com";

describe("safeReturnTo", () => {
  it.each([
    ["/app", "/app"], ["/app?x=1#h", "/app?x=1#h"], ["https://evil.test/", "/"], ["//evil.test/x", "/"], ["/\\evil.test", "/"],
    ["javascript:alert(1)", "/"], ["/a\nb", "/"], ["", "/"], [undefined, "/"], [["/a"], "/"], ["x".repeat(3000), "/"],
    [`${BASE}/app`, "/"],
  ])("%p → %p", (input, out) => expect(safeReturnTo(BASE, input)).toBe(out));
});

describe("client secret encryption", () => {
  it("round-trips, is bound to the connection and the key, and never contains the plaintext", () => {
    const key = "k".repeat(40);
    const enc = encryptSecret(key, "conn-1", "hunter2-secret");
    expect(enc).toMatch(/^v1\./);
    expect(enc).not.toContain("hunter2");
    expect(decryptSecret(key, "conn-1", enc)).toBe("hunter2-secret");
    expect(() => decryptSecret(key, "conn-2", enc)).toThrow();
    expect(() => decryptSecret("j".repeat(40), "conn-1", enc)).toThrow();
    expect(encryptSecret(key, "conn-1", "hunter2-secret")).not.toBe(enc);
  });
});

describe("profiles", () => {
  it("keeps exact, lower-cased emails and drops lookalikes and lists", () => {
    expect(cleanEmail(" Ann@Acme.Test ")).toBe("ann@acme.test");
    expect(cleanEmail("ann@acme.test, eve@evil.test")).toBeNull();
    expect(cleanEmail("ann@acme.test<!---->.evil")).toBeNull();
    expect(cleanEmail(42)).toBeNull();
  });

  it("OIDC: email_verified must be exactly true unless the connection trusts emails", () => {
    expect(fromOidcClaims({ sub: "1", email: "a@b.test", email_verified: true }, false).emailVerified).toBe(true);
    expect(fromOidcClaims({ sub: "1", email: "a@b.test", email_verified: "true" }, false).emailVerified).toBe(false);
    expect(fromOidcClaims({ sub: "1", email: "a@b.test" }, false).emailVerified).toBe(false);
    expect(fromOidcClaims({ sub: "1", email: "a@b.test" }, true).emailVerified).toBe(true);
  });

  it("SAML: email from an emailAddress NameID or the common attribute names", () => {
    const p = (nameIDFormat: string, attributes: Record<string, unknown>) =>
      fromSamlProfile({ issuer: "i", nameID: "N-1", nameIDFormat, attributes } as never);
    expect(p("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "X@Y.test", givenName: "X", sn: "Y", memberOf: ["g1", "g2"] }))
      .toEqual({ subject: "N-1", email: "x@y.test", emailVerified: true, name: "X Y", groups: ["g1", "g2"], emailCandidates: ["x@y.test"], emailTrust: "idp" });
    expect(p("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", {}).email).toBeNull();
  });
});

describe("domains and XML", () => {
  it("normalises domains and refuses public mail providers and junk", () => {
    expect(normalizeDomain(" Example.COM. ")).toBe("example.com");
    for (const bad of ["gmail.com", "localhost", "-x.com", "a..b", "http://x.com"]) expect(() => normalizeDomain(bad)).toThrow(ValidationError);
  });

  it("refuses DTDs and malformed XML before reading anything", () => {
    expect(hasDoctype("<?xml version='1.0'?><!doctype x><x/>")).toBe(true);
    expect(() => parseXml("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>")).toThrow(/DOCTYPE/);
    expect(() => parseXml("<a><b></a>")).toThrow(/malformed/);
  });
});

describe("pinned SAML libraries (security-cases §6)", () => {
  const version = (pkg: string) => JSON.parse(readFileSync(join(__dirname, "../../node_modules", pkg, "package.json"), "utf8")).version as string;
  const atLeast = (v: string, min: string) => {
    const a = v.split(".").map(Number);
    const b = min.split(".").map(Number);
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
    return true;
  };
  it.each([["@node-saml/node-saml", "5.1.0"], ["xml-crypto", "6.1.2"], ["@xmldom/xmldom", "0.8.15"], ["openid-client", "6.9.0"]])(
    "%s ≥ %s", (pkg, min) => expect(atLeast(version(pkg), min)).toBe(true));
});
