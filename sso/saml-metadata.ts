/**
 * Reads what Roster needs from an IdP's SAML metadata XML: entity ID, the HTTP-Redirect SSO
 * endpoint and the signing certificates. Nothing is fetched; the admin uploads the file.
 */
import { ValidationError } from "../src/errors";
import { children, parseXml, SAML_NS, text, XmlRejected } from "./xml";
import { toPem } from "./certificates";

const REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

export interface IdpMetadata {
  idpEntityId: string;
  idpSsoUrl: string;
  idpCerts: string[];
}

function invalid(message: string): ValidationError {
  return new ValidationError([{ field: "idpMetadataXml", message }]);
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  let doc: Document;
  try {
    doc = parseXml(xml);
  } catch (err) {
    throw invalid(err instanceof XmlRejected ? err.message : "is not valid XML");
  }
  let entity: Element = doc.documentElement;
  if (entity.namespaceURI === SAML_NS.metadata && entity.localName === "EntitiesDescriptor") {
    const all = children(entity, SAML_NS.metadata, "EntityDescriptor");
    if (all.length !== 1) throw invalid("must describe exactly one IdP entity");
    entity = all[0];
  }
  if (entity.namespaceURI !== SAML_NS.metadata || entity.localName !== "EntityDescriptor") throw invalid("has no EntityDescriptor");
  const idpEntityId = entity.getAttribute("entityID")?.trim();
  if (!idpEntityId) throw invalid("has no entityID");
  const idp = children(entity, SAML_NS.metadata, "IDPSSODescriptor")[0];
  if (!idp) throw invalid("has no IDPSSODescriptor");
  const sso = children(idp, SAML_NS.metadata, "SingleSignOnService").find((s) => s.getAttribute("Binding") === REDIRECT_BINDING);
  const idpSsoUrl = sso?.getAttribute("Location")?.trim();
  if (!idpSsoUrl) throw invalid("has no SingleSignOnService with the HTTP-Redirect binding");
  const certs: string[] = [];
  for (const kd of children(idp, SAML_NS.metadata, "KeyDescriptor")) {
    const use = kd.getAttribute("use");
    if (use && use !== "signing") continue;
    for (const ki of children(kd, SAML_NS.dsig, "KeyInfo")) {
      for (const xd of children(ki, SAML_NS.dsig, "X509Data")) {
        for (const c of children(xd, SAML_NS.dsig, "X509Certificate")) {
          const b64 = text(c);
          if (b64) certs.push(toPem(b64, "idpMetadataXml"));
        }
      }
    }
  }
  if (certs.length === 0) throw invalid("has no signing certificate");
  return { idpEntityId, idpSsoUrl, idpCerts: [...new Set(certs)] };
}
