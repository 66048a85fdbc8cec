/**
 * Per-provider setup guides for Settings → SSO: the provider's own field names for Roster's
 * values, what to send, what to click, and where its SHA-256 switch is (quoted by the SHA-1
 * refusal page). Data only: the page renders it, the SAML code quotes `sha256Setting`.
 * Field names follow the providers' admin consoles as documented (see
 * /work/shared/docs/idp-sso-defaults.md for what each sends by default).
 */
export type ProviderId = "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "adfs" | "keycloak" | "pingfederate" | "auth0"
  | "other_saml" | "other_oidc";

export interface ProviderGuide {
  id: ProviderId;
  label: string;
  /** Protocols the provider offers for a custom app, preferred first. */
  kinds: Array<"saml" | "oidc">;
  saml?: {
    /** Where each of Roster's values goes, in the provider's words. */
    fields: { acsUrl: string; spEntityId: string; metadataUrl?: string };
    send: string;
    steps: string[];
    /** Where the IdP's metadata (or its URL) is found. */
    metadata: string;
  };
  oidc?: { fields: { redirectUri: string }; issuer: string; steps: string[] };
  /** What to switch so the IdP signs with SHA-256 (shown on the SHA-1 refusal page). */
  sha256Setting?: string;
}

const X = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";

export const PROVIDER_GUIDES: ProviderGuide[] = [
  { id: "okta", label: "Okta", kinds: ["saml", "oidc"],
    saml: { fields: { acsUrl: "Single sign-on URL", spEntityId: "Audience URI (SP Entity ID)" },
      send: "Name ID format: EmailAddress; Application username: Email. Attribute Statements: email → user.email, firstName → user.firstName, lastName → user.lastName. Optional Group Attribute Statement: groups.",
      steps: ["Applications → Applications → Create App Integration → SAML 2.0.", "Paste Roster's ACS URL into “Single sign-on URL” and the SP entity ID into “Audience URI (SP Entity ID)”.",
        "Add the attribute statements above, then Finish.", "On the Sign On tab copy the “Metadata URL” into Roster.", "Assign the application to people or groups."],
      metadata: "Sign On tab → Metadata URL" },
    oidc: { fields: { redirectUri: "Sign-in redirect URIs" }, issuer: "https://<your-org>.okta.com",
      steps: ["Applications → Create App Integration → OIDC - OpenID Connect → Web Application.", "Paste Roster's redirect URI into “Sign-in redirect URIs”.",
        "Copy the Client ID and Client secret into Roster; the issuer is your Okta domain."] },
    sha256Setting: "In Okta: the application's SAML settings → Show Advanced Settings → “Signature Algorithm” → RSA-SHA256." },
  { id: "entra", label: "Microsoft Entra ID", kinds: ["saml", "oidc"],
    saml: { fields: { acsUrl: "Reply URL (Assertion Consumer Service URL)", spEntityId: "Identifier (Entity ID)" },
      send: `The default claims work: NameID = user.userprincipalname, ${X}/emailaddress = user.mail, givenname, surname. If your UPNs are not email addresses at your verified domain, set “Unique User Identifier” to user.mail.`,
      steps: ["Enterprise applications → New application → Create your own application → “Integrate any other application you don't find in the gallery”.",
        "Single sign-on → SAML → Basic SAML Configuration → Edit: paste the SP entity ID into “Identifier (Entity ID)” and the ACS URL into “Reply URL (Assertion Consumer Service URL)”.",
        "Under SAML Certificates copy the “App Federation Metadata Url” into Roster.", "Users and groups → Add user/group."],
      metadata: "SAML Certificates → App Federation Metadata Url" },
    oidc: { fields: { redirectUri: "Redirect URI (Web)" }, issuer: "https://login.microsoftonline.com/<Directory (tenant) ID>/v2.0",
      steps: ["App registrations → New registration; platform Web; paste Roster's redirect URI.", "Certificates & secrets → New client secret; copy its Value.",
        "Token configuration → Add optional claim → ID → email (and a groups claim if you map groups to roles).",
        "Issuer: https://login.microsoftonline.com/<Directory (tenant) ID>/v2.0 (from the Overview page)."] },
    sha256Setting: "In Entra ID: Enterprise application → Single sign-on → SAML Certificates → Edit → “Signing Algorithm” → SHA-256." },
  { id: "google", label: "Google Workspace", kinds: ["saml", "oidc"],
    saml: { fields: { acsUrl: "ACS URL", spEntityId: "Entity ID" },
      send: "Name ID format: EMAIL; Name ID: Basic Information > Primary email. Attribute mapping: First name → firstName, Last name → lastName.",
      steps: ["Admin console → Apps → Web and mobile apps → Add app → Add custom SAML app.", "On “Google Identity Provider details” choose DOWNLOAD METADATA and upload the file to Roster.",
        "On “Service provider details” paste the ACS URL and Entity ID; leave “Signed response” unchecked (Roster accepts the signed assertion).",
        "Add the attribute mapping, then turn the app ON for your users."],
      metadata: "Google Identity Provider details → DOWNLOAD METADATA" },
    oidc: { fields: { redirectUri: "Authorized redirect URIs" }, issuer: "https://accounts.google.com",
      steps: ["Google Cloud console → APIs & Services → Credentials → Create credentials → OAuth client ID → Web application.", "Paste Roster's redirect URI into “Authorized redirect URIs”; copy Client ID and Client secret.",
        "Roster only accepts accounts of your verified Workspace domains (the hd claim)."] } },
  { id: "onelogin", label: "OneLogin", kinds: ["saml", "oidc"],
    saml: { fields: { acsUrl: "ACS (Consumer) URL", spEntityId: "Audience (EntityID)" },
      send: "NameID: Email. Parameters: email, firstName, lastName (check “Include in SAML assertion”).",
      steps: ["Applications → Add App → “SAML Custom Connector (Advanced)”.", "Configuration: paste the SP entity ID into “Audience (EntityID)”, the ACS URL into “ACS (Consumer) URL” and “ACS (Consumer) URL Validator”; “SAML signature element”: Assertion.",
        "Set “SAML Signature Algorithm” to SHA-256 (OneLogin's default is SHA-1, which Roster refuses).", "SSO tab: copy the “Issuer URL” (metadata) into Roster."],
      metadata: "SSO tab → Issuer URL" },
    oidc: { fields: { redirectUri: "Redirect URI's" }, issuer: "https://<subdomain>.onelogin.com/oidc/2",
      steps: ["Applications → Add App → OpenId Connect (OIDC).", "Configuration → “Redirect URI's”: paste Roster's redirect URI.", "SSO tab: copy Client ID and Client Secret; Token Endpoint authentication: Basic."] },
    sha256Setting: "In OneLogin: the application's Configuration tab → “SAML Signature Algorithm” → SHA-256, then Save." },
  { id: "jumpcloud", label: "JumpCloud", kinds: ["saml"],
    saml: { fields: { acsUrl: "ACS URLs", spEntityId: "SP Entity ID" },
      send: "SAMLSubject NameID: email; NameID format: unspecified is fine. Attributes: email, firstName, lastName.",
      steps: ["SSO Applications → + Add New Application → Custom Application (SAML).", "Paste the SP entity ID into “SP Entity ID” and the ACS URL into “ACS URLs”; set “IdP Entity ID” to any unique value.",
        "Leave “Sign Assertion” selected and “Signature Algorithm” RSA-SHA256.", "Save, then Export Metadata and upload it to Roster."],
      metadata: "the application → Export Metadata" },
    sha256Setting: "In JumpCloud: the SSO application → “Signature Algorithm” → RSA-SHA256." },
  { id: "adfs", label: "AD FS", kinds: ["saml"],
    saml: { fields: { acsUrl: "Relying party SAML 2.0 SSO service URL", spEntityId: "Relying party trust identifier", metadataUrl: "Federation metadata address" },
      send: `Claim rules: “Send LDAP Attributes as Claims”: E-Mail-Addresses → E-Mail Address, Given-Name → Given Name, Surname → Surname, Display-Name → Name; then “Transform an Incoming Claim”: E-Mail Address → Name ID (Email).`,
      steps: ["AD FS Management → Relying Party Trusts → Add Relying Party Trust → Claims aware.", "“Import data about the relying party published online”: paste Roster's SP metadata URL (it carries Roster's request-signing certificate, which AD FS requires).",
        "Edit Claim Issuance Policy and add the rules above.", "Roster's IdP metadata URL: https://<your AD FS host>/FederationMetadata/2007-06/FederationMetadata.xml"],
      metadata: "https://<AD FS host>/FederationMetadata/2007-06/FederationMetadata.xml" },
    sha256Setting: "In AD FS: the relying party trust → Properties → Advanced → “Secure hash algorithm” → SHA-256." },
  { id: "keycloak", label: "Keycloak", kinds: ["saml", "oidc"],
    saml: { fields: { acsUrl: "Assertion Consumer Service POST Binding URL", spEntityId: "Client ID" },
      send: "Client scopes → <client>-dedicated → Add mapper → By configuration → “User Property” mappers for email, firstName, lastName (or the X500 email / givenName / surname predefined mappers).",
      steps: ["Clients → Create client → Client type SAML; Client ID = Roster's SP entity ID.", "Settings: “Valid redirect URIs” and “Assertion Consumer Service POST Binding URL” = Roster's ACS URL; “Name ID format”: email.",
        "Keys tab: “Client signature required” stays ON: import Roster's SP certificate from its metadata URL.", "Roster's IdP metadata URL: https://<host>/realms/<realm>/protocol/saml/descriptor"],
      metadata: "https://<host>/realms/<realm>/protocol/saml/descriptor" },
    oidc: { fields: { redirectUri: "Valid redirect URIs" }, issuer: "https://<host>/realms/<realm>",
      steps: ["Clients → Create client → OpenID Connect; “Client authentication” ON.", "Paste Roster's redirect URI into “Valid redirect URIs”.", "Credentials tab: copy the Client secret."] },
    sha256Setting: "In Keycloak: Clients → the client → Signature and Encryption → “Signature algorithm” → RSA_SHA256." },
  { id: "pingfederate", label: "PingFederate", kinds: ["saml"],
    saml: { fields: { acsUrl: "Assertion Consumer Service URL (Endpoint URL, binding POST)", spEntityId: "Partner's Entity ID (Connection ID)" },
      send: "Attribute Contract: SAML_SUBJECT (unspecified, the username or email) plus email, firstName, lastName.",
      steps: ["SP Connections → Create Connection → Browser SSO → SAML 2.0.", "General Info: “Partner's Entity ID (Connection ID)” = Roster's SP entity ID (or import Roster's metadata URL).",
        "Assertion Creation → Attribute Contract: add email, firstName, lastName.", "Protocol Settings → Assertion Consumer Service URL: binding POST, Endpoint URL = Roster's ACS URL.", "Export the connection's metadata and upload it to Roster."],
      metadata: "SP Connection → Export Metadata" },
    sha256Setting: "In PingFederate: the SP connection → Credentials → Digital Signature Settings → “Signing Algorithm” → RSA SHA256." },
  { id: "auth0", label: "Auth0", kinds: ["oidc", "saml"],
    saml: { fields: { acsUrl: "Application Callback URL", spEntityId: "audience (in the add-on Settings)" },
      send: `Add-on Settings: {"audience": "<Roster's SP entity ID>", "signatureAlgorithm": "rsa-sha256", "digestAlgorithm": "sha256"}. The default ${X}/emailaddress, name, givenname and surname claims are enough.`,
      steps: ["Applications → Create Application → Regular Web Application.", "Addons → SAML2 Web App: paste the ACS URL into “Application Callback URL” and the settings above.",
        "Usage tab: copy the “Identity Provider Metadata” URL into Roster."],
      metadata: "SAML2 Web App → Usage → Identity Provider Metadata" },
    oidc: { fields: { redirectUri: "Allowed Callback URLs" }, issuer: "https://<tenant>.auth0.com/",
      steps: ["Applications → Create Application → Regular Web Application.", "Settings → “Allowed Callback URLs”: paste Roster's redirect URI.", "Copy Domain (issuer https://<domain>/), Client ID and Client Secret."] },
    sha256Setting: "In Auth0: Applications → the application → Addons → SAML2 Web App → Settings: set \"signatureAlgorithm\": \"rsa-sha256\" and \"digestAlgorithm\": \"sha256\", then Save." },
  { id: "other_saml", label: "Other SAML", kinds: ["saml"],
    saml: { fields: { acsUrl: "Assertion Consumer Service (ACS) URL", spEntityId: "SP Entity ID / Audience" },
      send: "An email as NameID or an attribute named email; names as givenname/surname or firstName/lastName. Sign the Response or the Assertion with RSA-SHA256.",
      steps: ["Create a SAML 2.0 application in your IdP with Roster's ACS URL and SP entity ID (or import Roster's SP metadata URL).", "Give Roster the IdP's metadata URL or file."],
      metadata: "your IdP's SAML metadata" } },
  { id: "other_oidc", label: "Other OIDC", kinds: ["oidc"],
    oidc: { fields: { redirectUri: "Redirect URI" }, issuer: "your provider's issuer URL (its /.well-known/openid-configuration must be reachable)",
      steps: ["Register a confidential web client with Roster's redirect URI, code flow.", "Give Roster the issuer, Client ID and Client secret; scopes openid email profile are requested."] } },
];

export const PROVIDER_IDS = PROVIDER_GUIDES.map((g) => g.id) as [ProviderId, ...ProviderId[]];

export function providerGuide(id: string | undefined | null): ProviderGuide | undefined {
  return PROVIDER_GUIDES.find((g) => g.id === id);
}
