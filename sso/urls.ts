/** Per-connection endpoints, built from BASE_URL (the only source of our own origin). */
export function samlUrls(baseUrl: string, id: string) {
  const metadataUrl = `${baseUrl}/sso/saml/${id}/metadata`;
  // The SP entity ID is the metadata URL: one entity ID per connection, so an assertion whose
  // Audience names another org's SP is refused by node-saml's audience check.
  return { spEntityId: metadataUrl, metadataUrl, acsUrl: `${baseUrl}/sso/saml/${id}/acs`, loginPath: `/sso/saml/${id}/login` };
}

export function oidcUrls(baseUrl: string, id: string) {
  return { redirectUri: `${baseUrl}/sso/oidc/${id}/callback`, loginPath: `/sso/oidc/${id}/login` };
}

export function loginPath(kind: "saml" | "oidc", id: string): string {
  return `/sso/${kind}/${id}/login`;
}
