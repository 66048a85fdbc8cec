/**
 * What a verified SAML assertion or OIDC ID token says about the person, in one shape. The
 * subject (NameID / `sub`, or Entra's `tid`+`oid`) is the identity key; the email is only a hint
 * for the first link, and how far it is trusted is stated in `emailTrust`:
 *  - "idp": the IdP vouches for it (`emailVerified` says whether it did);
 *  - "org_domains": the IdP sends no verification at all (Entra ID: no `email_verified`
 *    anywhere, email from `preferred_username`/`upn`), so the address counts as verified only
 *    inside a domain this org has verified (profile-trust.ts decides, before login.ts runs).
 * The extraction orders follow issue 10 and /work/shared/docs/idp-sso-defaults.md.
 */
import type { Profile } from "@node-saml/node-saml";
import { normalizeEmail } from "../src/accounts/users";
import { pick, samlAttributes, type SamlAttribute } from "./saml-attributes";

export type EmailTrust = "idp" | "org_domains";

export interface SsoProfile {
  subject: string;
  email: string | null;
  /** The IdP vouches for the address (OIDC `email_verified === true`, or a trusted connection; SAML: asserted by the org's IdP). */
  emailVerified: boolean;
  name: string | null;
  groups: string[];
  /** Every usable address the IdP sent, preferred first; `email` is chosen from these. */
  emailCandidates: string[];
  emailTrust: EmailTrust;
}

const X = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const EMAIL_ATTRS = ["email", "mail", "emailaddress", `${X}/emailaddress`, "urn:oid:0.9.2342.19200300.100.1.3",
  "urn:oid:1.2.840.113549.1.9.1", "User.Email", "http://schemas.xmlsoap.org/claims/EmailAddress"];
const NAME_PAIRS: Array<[string[], string[]]> = [
  [["givenname", `${X}/givenname`], ["surname", `${X}/surname`]],
  [["firstName", "first_name", "User.FirstName"], ["lastName", "last_name", "User.LastName"]],
  [["urn:oid:2.5.4.42"], ["urn:oid:2.5.4.4"]],
  [["given_name"], ["family_name", "sn"]],
];
const DISPLAY_ATTRS = ["displayname", "http://schemas.microsoft.com/identity/claims/displayname", "urn:oid:2.16.840.1.113730.3.1.241",
  "name", `${X}/name`, "cn", "urn:oid:2.5.4.3"];
const GROUP_ATTRS = ["groups", "memberOf", "Group", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
  "http://schemas.xmlsoap.org/claims/Group"];

export const NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

const EMAIL_RE = /^[^\s@<>()",;:\\]+@[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

/** Lower-cased, exact; anything that is not one plain address (lookalikes, comments, lists) is dropped. */
export function cleanEmail(v: unknown): string | null {
  if (typeof v !== "string" || v.length > 320) return null;
  const e = normalizeEmail(v);
  return EMAIL_RE.test(e) ? e : null;
}

const looksLikeEmail = (v: string) => v.includes("@");
const clip = (v: string | null) => (v ? v.slice(0, 200) : null);

/** First+last from the first pair present, else a display name that is not an address (Entra's `…/claims/name` is the UPN). */
function personName(attrs: SamlAttribute[]): string | null {
  const full = [pick(attrs, NAME_PAIRS.flatMap((p) => p[0]))[0], pick(attrs, NAME_PAIRS.flatMap((p) => p[1]))[0]]
    .filter((x) => x && !looksLikeEmail(x)).join(" ");
  if (full) return full;
  for (const n of DISPLAY_ATTRS) {
    const v = pick(attrs, [n]).find((x) => !looksLikeEmail(x));
    if (v) return v;
  }
  return null;
}

export function fromSamlProfile(p: Profile): SsoProfile {
  const attrs = samlAttributes(p);
  const candidates: string[] = [];
  for (const n of EMAIL_ATTRS) {
    const e = cleanEmail(pick(attrs, [n])[0]);
    if (e && !candidates.includes(e)) candidates.push(e);
  }
  // Okta, Google and JumpCloud send the address as an `unspecified` NameID: any format counts.
  const fromNameId = p.nameIDFormat === NAMEID_TRANSIENT ? null : cleanEmail(p.nameID);
  if (fromNameId && !candidates.includes(fromNameId)) candidates.push(fromNameId);
  const email = candidates[0] ?? null;
  return {
    subject: p.nameID, email, emailVerified: email !== null, name: clip(personName(attrs)),
    groups: pick(attrs, GROUP_ATTRS).slice(0, 200), emailCandidates: candidates, emailTrust: "idp",
  };
}

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

/** Entra ID: `oid` is the user's id in the tenant (`sub` is pairwise per app); with `tid` it is stable. */
export function oidcSubject(c: Record<string, unknown>): string {
  const oid = str(c.oid);
  const tid = str(c.tid);
  return oid && tid ? `${tid}/${oid}` : String(c.sub);
}

export function fromOidcClaims(c: Record<string, unknown>, trustEmails: boolean): SsoProfile {
  const fromEmail = cleanEmail(c.email);
  // Usernames stand in only when there is no `email` claim (Entra without the optional claim).
  const candidates = (fromEmail ? [fromEmail] : [cleanEmail(c.preferred_username), cleanEmail(c.upn)])
    .filter((e, i, a): e is string => !!e && a.indexOf(e) === i);
  const email = candidates[0] ?? null;
  // `email_verified` speaks only about the `email` claim; a UPN-shaped username is never "verified".
  const stated = fromEmail !== null && email === fromEmail ? c.email_verified : undefined;
  const given = [str(c.given_name), str(c.family_name)].filter((x): x is string => !!x && !looksLikeEmail(x)).join(" ");
  const name = given || (str(c.name) && !looksLikeEmail(str(c.name)!) ? str(c.name) : null);
  const groups = Array.isArray(c.groups) ? c.groups.filter((g): g is string => typeof g === "string").slice(0, 200) : [];
  return {
    subject: oidcSubject(c),
    email,
    // absent = not verified (nOAuth); absent everywhere → trusted only inside the org's verified domains.
    emailVerified: email !== null && (stated === true || trustEmails),
    name: clip(name),
    groups,
    emailCandidates: candidates,
    emailTrust: email !== null && stated === undefined && c.email_verified === undefined && !trustEmails ? "org_domains" : "idp",
  };
}
