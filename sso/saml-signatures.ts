/**
 * What a SAML response's signatures are made of, read after node-saml has verified the one it
 * relied on: which element is signed (Response, Assertion or both) and with which algorithms.
 *
 * xml-crypto 6 still verifies RSA-SHA1 (its own TODO says "in v7.x we may consider deprecating
 * sha1"), so refusing SHA-1 is Roster's job. SHA-1 is refused when it appears in any signature
 * that sits on the Response or on its Assertion (SignatureMethod or any DigestMethod): a message
 * that is half SHA-1 is not worth the ambiguity of which signature carried it. A connection may
 * opt in with `allowSha1` (OneLogin's and Auth0's defaults), shown as a warning in settings.
 */
import { refuse, SsoRefusal } from "./errors";
import { child, children, parseXml, SAML_NS } from "./xml";
import { providerGuide } from "./provider-guides";

export interface SignatureInfo {
  /** e.g. http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 */
  signatureAlgorithm: string;
  digestAlgorithms: string[];
  sha1: boolean;
}

export interface SignatureReport {
  response: SignatureInfo | null;
  assertion: SignatureInfo | null;
}

const SHA1_RE = /#(rsa-|dsa-|ecdsa-|hmac-)?sha1$/i;

function describe(sig: Element | undefined): SignatureInfo | null {
  if (!sig) return null;
  const signedInfo = child(sig, SAML_NS.dsig, "SignedInfo");
  const method = signedInfo ? child(signedInfo, SAML_NS.dsig, "SignatureMethod")?.getAttribute("Algorithm") ?? "" : "";
  const digests = signedInfo
    ? children(signedInfo, SAML_NS.dsig, "Reference").map((r) => child(r, SAML_NS.dsig, "DigestMethod")?.getAttribute("Algorithm") ?? "")
    : [];
  return { signatureAlgorithm: method, digestAlgorithms: digests, sha1: [method, ...digests].some((a) => SHA1_RE.test(a)) };
}

/** Signatures directly on the Response and on its (single) Assertion; prefixes never matter. */
export function describeSignatures(responseXml: string): SignatureReport {
  const root = parseXml(responseXml).documentElement;
  const assertion = root.localName === "Response" ? child(root, SAML_NS.assertion, "Assertion") : undefined;
  return {
    response: describe(child(root, SAML_NS.dsig, "Signature")),
    assertion: assertion ? describe(child(assertion, SAML_NS.dsig, "Signature")) : null,
  };
}

/** Short algorithm name for people: "RSA-SHA256". */
export function algorithmName(uri: string): string {
  const frag = uri.slice(uri.lastIndexOf("#") + 1);
  return frag ? frag.toUpperCase() : uri;
}

export function sha1Refusal(provider: string | undefined): SsoRefusal {
  const guide = providerGuide(provider);
  const where = guide?.sha256Setting
    ?? "In your identity provider's settings for this application, set the signature algorithm to RSA-SHA256 (and the digest to SHA-256).";
  return refuse.withMessage("sso.saml_sha1_refused",
    `Your identity provider signed this sign-in with SHA-1, which Roster does not accept because it is no longer secure. ${where}`,
    "the response is signed with SHA-1 and the connection does not allow it");
}

export function assertAlgorithms(report: SignatureReport, allowSha1: boolean, provider?: string): void {
  if (allowSha1) return;
  if (report.response?.sha1 || report.assertion?.sha1) throw sha1Refusal(provider);
}
