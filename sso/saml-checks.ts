/**
 * Roster's own checks on a SAML response after node-saml has verified the signature, audience,
 * conditions and InResponseTo. node-saml 5.1.0 does not check these (see
 * shared/docs/security-cases.md §1; SAML 2.0 Profiles §4.1.4.2–4.1.4.3):
 *  - Response and Assertion Issuer equal the connection's IdP entity ID (same-key IdPs of two orgs);
 *  - Response Destination, when present, equals our ACS URL;
 *  - at least one bearer SubjectConfirmation whose SubjectConfirmationData has Recipient = our ACS
 *    URL and a NotOnOrAfter still in the future (node-saml checks it only when it validates
 *    InResponseTo, node-saml#436), with NotBefore (if any) already passed;
 *  - exactly one Assertion element anywhere in the message (wrapping attempts hide copies);
 *  - an assertion ID, kept in the replay cache until the assertion expires.
 * Identity is read only from `assertionXml`, the signed assertion node-saml returns.
 */
import { refuse } from "./errors";
import { child, children, parseXml, SAML_NS, text } from "./xml";

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

export interface AssertionCheckInput {
  assertionXml: string;
  responseXml: string;
  idpEntityId: string;
  acsUrl: string;
  now: Date;
  skewMs: number;
}

export interface CheckedAssertion {
  assertionId: string;
  /** Keep the assertion ID in the replay cache until then. */
  replayUntil: Date;
}

function time(v: string | null | undefined): number | null {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? NaN : t;
}

export function checkAssertion(i: AssertionCheckInput): CheckedAssertion {
  const assertion = parseXml(i.assertionXml).documentElement;
  const response = parseXml(i.responseXml).documentElement;
  const now = i.now.getTime();

  const assertionIssuer = text(child(assertion, SAML_NS.assertion, "Issuer"));
  if (assertionIssuer !== i.idpEntityId) {
    throw refuse.invalidResponse("sso.saml_issuer_mismatch", `assertion Issuer "${assertionIssuer}" is not "${i.idpEntityId}"`);
  }
  // One assertion in the whole message: a second one anywhere (Extensions, StatusDetail, inside
  // a Signature or Object) is a wrapping attempt even when node-saml read the right one.
  if (response.getElementsByTagNameNS(SAML_NS.assertion, "Assertion").length > 1) {
    throw refuse.invalidResponse("sso.saml_invalid", "more than one Assertion element in the response");
  }
  if (response.localName === "Response") {
    const responseIssuer = text(child(response, SAML_NS.assertion, "Issuer"));
    if (responseIssuer !== undefined && responseIssuer !== i.idpEntityId) {
      throw refuse.invalidResponse("sso.saml_issuer_mismatch", `response Issuer "${responseIssuer}" is not "${i.idpEntityId}"`);
    }
    const destination = response.getAttribute("Destination");
    if (destination && destination !== i.acsUrl) {
      throw refuse.invalidResponse("sso.saml_destination_mismatch", `Destination "${destination}" is not our ACS URL`);
    }
  }

  const subject = child(assertion, SAML_NS.assertion, "Subject");
  const bearers = subject ? children(subject, SAML_NS.assertion, "SubjectConfirmation").filter((sc) => sc.getAttribute("Method") === BEARER) : [];
  if (bearers.length === 0) {
    throw refuse.invalidResponse("sso.saml_subject_confirmation", "no bearer SubjectConfirmation");
  }
  let recipientSeen = false;
  let scdUntil: number | null = null;
  for (const sc of bearers) {
    const data = child(sc, SAML_NS.assertion, "SubjectConfirmationData");
    if (!data || data.getAttribute("Recipient") !== i.acsUrl) continue;
    recipientSeen = true;
    const notOnOrAfter = time(data.getAttribute("NotOnOrAfter"));
    const notBefore = time(data.getAttribute("NotBefore"));
    if (notOnOrAfter === null || Number.isNaN(notOnOrAfter) || Number.isNaN(notBefore)) continue;
    if (now >= notOnOrAfter + i.skewMs) continue;
    if (notBefore !== null && now + i.skewMs < notBefore) continue;
    scdUntil = notOnOrAfter;
    break;
  }
  if (!recipientSeen) throw refuse.invalidResponse("sso.saml_recipient_mismatch", "no bearer SubjectConfirmationData with our ACS URL as Recipient");
  if (scdUntil === null) throw refuse.invalidResponse("sso.saml_expired", "SubjectConfirmationData is expired, not yet valid or has no NotOnOrAfter");

  const assertionId = assertion.getAttribute("ID");
  if (!assertionId || assertionId.length > 256) throw refuse.invalidResponse("sso.saml_invalid", "assertion without a usable ID");
  const conditions = child(assertion, SAML_NS.assertion, "Conditions");
  const condUntil = time(conditions?.getAttribute("NotOnOrAfter"));
  const until = Math.max(scdUntil, condUntil && !Number.isNaN(condUntil) ? condUntil : 0);
  return { assertionId, replayUntil: new Date(until + i.skewMs) };
}
