/**
 * Refusal reasons explained to the admin who runs Test connection, with what to change. The
 * person signing in keeps the short public message (errors.ts); these name settings.
 */
const WORDS: Record<string, string> = {
  "sso.saml_signature_invalid": "The response is not signed by a certificate Roster has for this connection, or it was changed after signing. Give Roster the identity provider's current signing certificate (upload its metadata again, or use its metadata URL so Roster follows certificate changes).",
  "sso.saml_audience_mismatch": "The response was made for another application: its Audience is not Roster's SP entity ID. Paste Roster's SP entity ID into the identity provider's Entity ID / Audience field.",
  "sso.saml_recipient_mismatch": "The response was addressed to another URL. Paste Roster's ACS URL into the identity provider's ACS / Reply URL field.",
  "sso.saml_destination_mismatch": "The response was addressed to another URL. Paste Roster's ACS URL into the identity provider's ACS / Reply URL field.",
  "sso.saml_issuer_mismatch": "The response names another identity provider (Issuer) than the entity ID configured here. Upload the identity provider's metadata again.",
  "sso.saml_expired": "The response is expired or not valid yet. Check that the clocks of the identity provider and of this server are right.",
  "sso.saml_request_unknown": "The response does not answer a sign-in started from Roster, or the attempt expired. Start the test again from Roster.",
  "sso.saml_unsolicited": "The identity provider started this sign-in itself (IdP-initiated), which this connection does not allow. Start the test from Roster.",
  "sso.saml_transient_nameid": "The identity provider sent a transient NameID, which changes at every sign-in. Choose a persistent, email or unspecified NameID format.",
  "sso.saml_subject_confirmation": "The response has no bearer subject confirmation for Roster's ACS URL. Check the ACS URL at the identity provider.",
  "sso.saml_malformed": "The response is not a readable SAML message.",
  "sso.saml_too_large": "The response is larger than 256 KiB. Send fewer attributes or groups.",
  "sso.saml_invalid": "The response is not a valid SAML sign-in (for example, it contains more than one assertion).",
  "sso.saml_replay": "This response was already used once.",
  "sso.idp_error": "The identity provider did not sign the person in (it answered with an error).",
  "sso.browser_mismatch": "The answer arrived in another browser than the one that started the test. Run the test again in one browser.",
  "sso.email_missing": "The identity provider sent no email address. Send it as the NameID or as an attribute named email (OIDC: the email scope and claim).",
  "sso.email_not_trusted": "The email address is not in a domain your organization has verified, or the identity provider does not vouch for it, so Roster will not create an account for it. Verify the domain under Domains.",
  "sso.link_not_allowed": "An account with this email exists, but Roster links it only when the email is vouched for by the identity provider and its domain is verified by your organization.",
  "sso.join_pending": "The email address is not in a domain your organization has verified, so Roster would not create or link an account for it: it would add a member who waits to join and email that address a link (docs/security.md). They can use single sign-on after following it. To sign such people in at once, verify their domain under Domains.",
  "sso.link_proof_required": "An account with this email already exists and has a password, other organizations or an Owner role, so Roster would first email its owner a one-time link to confirm this sign-in. After they follow it, single sign-on works for them.",
  "sso.not_provisioned": "This person is not a member and creating accounts on first sign-in is off. Invite them, provision them with SCIM, or turn on “Create accounts on first sign-in”.",
  "sso.not_a_member": "This identity belongs to someone who is no longer a member.",
  "sso.member_suspended": "This person's membership is suspended.",
  "sso.identity_conflict": "The account is already linked to another identity of this connection.",
  "sso.subject_missing": "The identity provider sent no usable user identifier (NameID or sub).",
  "sso.oidc_token_rejected": "The identity provider refused the code exchange. Check the client ID and client secret, and that the redirect URI is registered exactly.",
  "sso.oidc_id_token_invalid": "The ID token could not be verified (signature, audience, issuer, nonce or time). Check the issuer URL and client ID; the token must be signed with RS256.",
  "sso.oidc_invalid_response": "The identity provider's answer could not be accepted (for example, it came from another issuer).",
  "sso.oidc_userinfo_failed": "Roster asked the identity provider's userinfo endpoint for the missing claims, and it failed or answered for another user.",
  "sso.oidc_tenant_mismatch": "The token comes from another Entra ID tenant than the one in the issuer URL.",
  "sso.google_hd_missing": "This is a personal Google account, not one of your Google Workspace. Sign in with a Workspace account of a verified domain.",
  "sso.google_hd_not_verified": "This Google Workspace account belongs to a domain your organization has not verified. Verify the domain under Domains.",
  "sso.idp_unreachable": "Roster could not reach the identity provider (discovery document or token endpoint).",
  "sso.state_invalid": "The answer does not belong to a sign-in started from Roster, or it was already used. Start the test again.",
  "sso.state_expired": "The test took longer than 10 minutes. Start it again.",
};

export function reasonInWords(code: string, fallback: string): string {
  return WORDS[code] ?? fallback;
}
