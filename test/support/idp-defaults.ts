/**
 * Responses shaped like each provider's DEFAULT SAML response (signing scope, algorithm,
 * NameID format and value, attribute names, namespace prefixes), from
 * /work/shared/docs/idp-sso-defaults.md. samlify signs them as the IdP would.
 */
import type { AttributeSpec, ResponseOptions } from "./saml-idp";
import { SHA1, SHA256 } from "./saml-idp";

export interface Person {
  email: string;
  first: string;
  last: string;
  /** Directory username (Keycloak, PingFederate, AD FS sAMAccountName). */
  username: string;
  /** Entra's UPN: an address at a domain the org may not have verified. */
  upn: string;
}

export interface ProviderShape {
  id: string;
  label: string;
  sign: "assertion" | "response" | "both";
  algorithm: string;
  prefixes: { protocol: string; assertion: string };
  signaturePrefix?: string;
  nameIdFormat: string | null;
  nameId: (p: Person) => string;
  attributes: (p: Person) => AttributeSpec[];
}

const X = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
const EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";
const URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
const attr = (name: string, value: string, extra: Partial<AttributeSpec> = {}): AttributeSpec => ({ name, values: [value], ...extra });

export const PROVIDER_SHAPES: ProviderShape[] = [
  { id: "entra", label: "Microsoft Entra ID", sign: "assertion", algorithm: SHA256, prefixes: { protocol: "samlp", assertion: "" },
    nameIdFormat: EMAIL, nameId: (p) => p.upn,
    attributes: (p) => [
      attr("http://schemas.microsoft.com/identity/claims/tenantid", "8eaef023-2b34-4da1-9baa-8bc8c9d6a490"),
      attr("http://schemas.microsoft.com/identity/claims/objectidentifier", "6f0e3b4c-3f5e-4bfa-9d6f-0b5c2c1f7a11"),
      attr("http://schemas.microsoft.com/identity/claims/displayname", `${p.first} ${p.last}`),
      attr(`${X}/givenname`, p.first), attr(`${X}/surname`, p.last),
      attr(`${X}/emailaddress`, p.email), attr(`${X}/name`, p.upn),
    ] },
  { id: "google", label: "Google Workspace", sign: "assertion", algorithm: SHA256, prefixes: { protocol: "saml2p", assertion: "saml2" },
    nameIdFormat: UNSPECIFIED, nameId: (p) => p.email,
    attributes: (p) => [attr("firstName", p.first), attr("lastName", p.last)] },
  { id: "okta", label: "Okta", sign: "both", algorithm: SHA256, prefixes: { protocol: "saml2p", assertion: "saml2" },
    nameIdFormat: UNSPECIFIED, nameId: (p) => p.email,
    attributes: (p) => [attr("email", p.email, { nameFormat: UNSPECIFIED }), attr("firstName", p.first, { nameFormat: UNSPECIFIED }), attr("lastName", p.last, { nameFormat: UNSPECIFIED })] },
  { id: "onelogin", label: "OneLogin", sign: "assertion", algorithm: SHA1, prefixes: { protocol: "samlp", assertion: "saml" },
    nameIdFormat: EMAIL, nameId: (p) => p.email,
    attributes: (p) => [attr("firstName", p.first), attr("lastName", p.last)] },
  { id: "jumpcloud", label: "JumpCloud", sign: "assertion", algorithm: SHA256, prefixes: { protocol: "saml2p", assertion: "saml2" },
    nameIdFormat: UNSPECIFIED, nameId: (p) => p.email,
    attributes: (p) => [attr("email", p.email), attr("firstName", p.first), attr("lastName", p.last)] },
  { id: "adfs", label: "AD FS", sign: "assertion", algorithm: SHA256, prefixes: { protocol: "samlp", assertion: "" },
    nameIdFormat: null, nameId: (p) => `ACME\\${p.username}`,
    attributes: (p) => [attr(`${X}/emailaddress`, p.email), attr(`${X}/name`, `${p.first} ${p.last}`), attr(`${X}/givenname`, p.first), attr(`${X}/surname`, p.last)] },
  { id: "keycloak", label: "Keycloak", sign: "response", algorithm: SHA256, prefixes: { protocol: "samlp", assertion: "saml" }, signaturePrefix: "dsig",
    nameIdFormat: UNSPECIFIED, nameId: (p) => p.username,
    attributes: (p) => [
      attr("urn:oid:1.2.840.113549.1.9.1", p.email, { friendlyName: "email", nameFormat: URI }),
      attr("urn:oid:2.5.4.42", p.first, { friendlyName: "givenName", nameFormat: URI }),
      attr("urn:oid:2.5.4.4", p.last, { friendlyName: "surname", nameFormat: URI }),
      attr("Role", "default-roles-acme", { nameFormat: BASIC }),
    ] },
  { id: "pingfederate", label: "PingFederate", sign: "response", algorithm: SHA256, prefixes: { protocol: "samlp", assertion: "saml" },
    nameIdFormat: UNSPECIFIED, nameId: (p) => p.username,
    attributes: (p) => [attr("email", p.email, { nameFormat: BASIC }), attr("firstName", p.first, { nameFormat: BASIC }), attr("lastName", p.last, { nameFormat: BASIC })] },
  { id: "auth0", label: "Auth0", sign: "assertion", algorithm: SHA1, prefixes: { protocol: "samlp", assertion: "saml" },
    nameIdFormat: UNSPECIFIED, nameId: (p) => `auth0|${p.username}`,
    attributes: (p) => [
      attr(`${X}/nameidentifier`, `auth0|${p.username}`), attr(`${X}/emailaddress`, p.email), attr(`${X}/name`, p.email),
      attr(`${X}/upn`, p.email), attr(`${X}/givenname`, p.first), attr(`${X}/surname`, p.last),
    ] },
];

/** The ResponseOptions a provider's default setup produces for this person. */
export function providerResponse(shape: ProviderShape, p: Person, base: Pick<ResponseOptions, "acsUrl" | "spEntityId" | "inResponseTo">, overrides: Partial<ResponseOptions> = {}): ResponseOptions {
  return {
    ...base, nameId: shape.nameId(p), nameIdFormat: shape.nameIdFormat, attributeList: shape.attributes(p),
    prefixes: shape.prefixes, signaturePrefix: shape.signaturePrefix, signatureAlgorithm: shape.algorithm,
    signAssertion: shape.sign !== "response", signResponse: shape.sign !== "assertion", ...overrides,
  };
}
