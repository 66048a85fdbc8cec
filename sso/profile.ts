/**
 * What a verified SAML assertion or OIDC ID token says about the person, in one shape. The
 * subject (NameID / `sub`) is the identity key; the email is only a hint for the first link.
 */
import type { Profile } from "@node-saml/node-saml";
import { normalizeEmail } from "../src/accounts/users";

export interface SsoProfile {
  subject: string;
  email: string | null;
  /** The IdP vouches for the address (OIDC `email_verified === true`, or a trusted connection; SAML: asserted by the org's IdP). */
  emailVerified: boolean;
  name: string | null;
  groups: string[];
}

const EMAIL_ATTRS = ["email", "mail", "emailAddress", "Email", "EmailAddress", "User.Email",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "http://schemas.xmlsoap.org/claims/EmailAddress",
  "urn:oid:0.9.2342.19200300.100.1.3"];
const FIRST_ATTRS = ["firstName", "givenName", "given_name", "FirstName", "User.FirstName",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42"];
const LAST_ATTRS = ["lastName", "sn", "surname", "family_name", "LastName", "User.LastName",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4"];
const DISPLAY_ATTRS = ["displayName", "name", "http://schemas.microsoft.com/identity/claims/displayname",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "urn:oid:2.16.840.1.113730.3.1.241"];
const GROUP_ATTRS = ["groups", "memberOf", "Group", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
  "http://schemas.xmlsoap.org/claims/Group"];

const NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
export const NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

const EMAIL_RE = /^[^\s@<>()",;:\\]+@[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

/** Lower-cased, exact; anything that is not one plain address (lookalikes, comments, lists) is dropped. */
export function cleanEmail(v: unknown): string | null {
  if (typeof v !== "string" || v.length > 320) return null;
  const e = normalizeEmail(v);
  return EMAIL_RE.test(e) ? e : null;
}

function values(attrs: Record<string, unknown>, names: string[]): string[] {
  for (const n of names) {
    const v = attrs[n];
    if (v === undefined || v === null) continue;
    const list = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string" && x.trim() !== "");
    if (list.length) return list.map((x) => x.trim());
  }
  return [];
}

export function fromSamlProfile(p: Profile): SsoProfile {
  const attrs = (p.attributes ?? {}) as Record<string, unknown>;
  const fromNameId = p.nameIDFormat === NAMEID_EMAIL ? cleanEmail(p.nameID) : null;
  const email = fromNameId ?? cleanEmail(values(attrs, EMAIL_ATTRS)[0]);
  const first = values(attrs, FIRST_ATTRS)[0];
  const last = values(attrs, LAST_ATTRS)[0];
  const name = values(attrs, DISPLAY_ATTRS)[0] ?? ([first, last].filter(Boolean).join(" ") || null);
  return { subject: p.nameID, email, emailVerified: email !== null, name: name?.slice(0, 200) ?? null, groups: values(attrs, GROUP_ATTRS).slice(0, 200) };
}

export function fromOidcClaims(c: Record<string, unknown>, trustEmails: boolean): SsoProfile {
  const email = cleanEmail(c.email);
  const name = typeof c.name === "string" && c.name.trim() ? c.name.trim()
    : [c.given_name, c.family_name].filter((x) => typeof x === "string" && x).join(" ") || null;
  const groups = Array.isArray(c.groups) ? c.groups.filter((g): g is string => typeof g === "string").slice(0, 200) : [];
  return {
    subject: String(c.sub),
    email,
    // absent = false (nOAuth): only an explicit true, or a connection the admin set to trust emails.
    emailVerified: email !== null && (c.email_verified === true || trustEmails),
    name: name?.slice(0, 200) ?? null,
    groups,
  };
}
