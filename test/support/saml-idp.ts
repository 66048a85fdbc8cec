/**
 * A SAML IdP for tests: samlify signs responses with a key made by selfsigned in the test run.
 * Every field of the response can be set (issuer, destination, recipient, times, subject
 * confirmation, InResponseTo) so each security case is one option, and `tamper` edits the signed
 * DOM afterwards (signature wrapping, edits after signing).
 */
import { inflateRawSync } from "node:zlib";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import * as samlify from "samlify";
import { generate } from "selfsigned";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";

samlify.setSchemaValidator({ validate: async () => "skipped" });

const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
export const NS = { samlp: "urn:oasis:names:tc:SAML:2.0:protocol", saml: "urn:oasis:names:tc:SAML:2.0:assertion", ds: "http://www.w3.org/2000/09/xmldsig#" };
export const EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

export interface KeyPair {
  key: string;
  cert: string;
}

export async function makeKeyPair(cn = "Test IdP", days = 365): Promise<KeyPair> {
  const notAfterDate = new Date(Date.now() + days * 86_400_000);
  // The key pair comes from node:crypto (native, fast); selfsigned only makes the certificate.
  const keyPair = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  const pems = await generate([{ name: "commonName", value: cn }], { algorithm: "sha256", notAfterDate, keyPair } as never);
  return { key: pems.private, cert: pems.cert };
}

export interface AttributeSpec {
  name: string;
  friendlyName?: string;
  nameFormat?: string;
  values: string[];
}

export const SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
export const SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

export interface ResponseOptions {
  acsUrl: string;
  spEntityId: string;
  nameId: string;
  /** null: a NameID without a Format attribute (AD FS). */
  nameIdFormat?: string | null;
  /** Attributes with FriendlyName/NameFormat, after `attributes`. */
  attributeList?: AttributeSpec[];
  /** Namespace prefixes as the IdP writes them; assertion "" = default namespace (Entra ID, AD FS). */
  prefixes?: { protocol?: string; assertion?: string };
  /** Prefix of the Response signature (Keycloak: "dsig"). */
  signaturePrefix?: string;
  /** Signature algorithm URI (default RSA-SHA256; SHA1 for OneLogin's and Auth0's defaults). */
  signatureAlgorithm?: string;
  inResponseTo?: string | null;
  attributes?: Record<string, string | string[]>;
  issuer?: string;
  responseIssuer?: string | null;
  destination?: string | null;
  recipient?: string;
  audience?: string;
  /** Base time of the response (default: now). */
  now?: Date;
  notBeforeOffsetMs?: number;
  notOnOrAfterOffsetMs?: number;
  scdNotOnOrAfterOffsetMs?: number;
  subjectConfirmation?: "bearer" | "holder-of-key" | "none";
  assertionId?: string;
  statusCode?: string;
  signAssertion?: boolean;
  signResponse?: boolean;
  /** Sign with this key instead of the IdP's (certificate in KeyInfo is this key's). */
  signWith?: KeyPair;
  /** Edit the signed document (XSW, edits after signing); runs after signing. */
  tamper?: (doc: Document) => void;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

export class TestSamlIdp {
  private constructor(readonly entityId: string, readonly keys: KeyPair, readonly ssoUrl: string) {}

  static async create(entityId = "https://idp.example.test/metadata", keys?: KeyPair): Promise<TestSamlIdp> {
    return new TestSamlIdp(entityId, keys ?? (await makeKeyPair()), "https://idp.example.test/sso");
  }

  metadataXml(): string {
    const b64 = this.keys.cert.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(this.entityId)}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="${REDIRECT}" Location="${this.ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** The AuthnRequest the SP redirected to us: its ID, and the RelayState. */
  static parseRedirect(location: string): { id: string; relayState: string | null; xml: string } {
    const u = new URL(location);
    const xml = inflateRawSync(Buffer.from(u.searchParams.get("SAMLRequest")!, "base64")).toString("utf8");
    const id = /\sID="([^"]+)"/.exec(xml)![1];
    return { id, relayState: u.searchParams.get("RelayState"), xml };
  }

  unsignedXml(o: ResponseOptions): string {
    const now = o.now ?? new Date();
    const t = (ms = 0) => new Date(now.getTime() + ms).toISOString();
    const pp = o.prefixes?.protocol ?? "samlp";
    const ap = o.prefixes?.assertion ?? "saml";
    const p = (tag: string) => `${pp}:${tag}`;
    const a = (tag: string) => (ap ? `${ap}:${tag}` : tag);
    // With a default-namespace assertion, elements outside it declare the namespace themselves.
    const aNs = ap ? "" : ` xmlns="${NS.saml}"`;
    const irt = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : "";
    const dest = o.destination === null ? "" : ` Destination="${esc(o.destination ?? o.acsUrl)}"`;
    const respIssuer = o.responseIssuer === null ? "" : `<${a("Issuer")}${aNs}>${esc(o.responseIssuer ?? o.issuer ?? this.entityId)}</${a("Issuer")}>`;
    const method = o.subjectConfirmation === "holder-of-key" ? "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key" : "urn:oasis:names:tc:SAML:2.0:cm:bearer";
    const sc = o.subjectConfirmation === "none" ? "" : `<${a("SubjectConfirmation")} Method="${method}"><${a("SubjectConfirmationData")} NotOnOrAfter="${t(o.scdNotOnOrAfterOffsetMs ?? 300_000)}" Recipient="${esc(o.recipient ?? o.acsUrl)}"${irt}/></${a("SubjectConfirmation")}>`;
    const specs: AttributeSpec[] = [...Object.entries(o.attributes ?? {}).map(([name, v]) => ({ name, values: Array.isArray(v) ? v : [v] })), ...(o.attributeList ?? [])];
    const attrs = specs.map((x) => `<${a("Attribute")} Name="${esc(x.name)}"${x.friendlyName ? ` FriendlyName="${esc(x.friendlyName)}"` : ""}${x.nameFormat ? ` NameFormat="${esc(x.nameFormat)}"` : ""}>${x.values.map((v) => `<${a("AttributeValue")}>${esc(v)}</${a("AttributeValue")}>`).join("")}</${a("Attribute")}>`).join("");
    const aid = o.assertionId ?? `_a${randomUUID()}`;
    const status = o.statusCode ?? "urn:oasis:names:tc:SAML:2.0:status:Success";
    const fmt = o.nameIdFormat === null ? "" : ` Format="${o.nameIdFormat ?? EMAIL_FORMAT}"`;
    const assertionNs = ap ? `xmlns:${ap}="${NS.saml}"` : `xmlns="${NS.saml}"`;
    const assertion = status.endsWith(":Success") ? `<${a("Assertion")} ${assertionNs} ID="${aid}" Version="2.0" IssueInstant="${t()}"><${a("Issuer")}>${esc(o.issuer ?? this.entityId)}</${a("Issuer")}><${a("Subject")}><${a("NameID")}${fmt}>${esc(o.nameId)}</${a("NameID")}>${sc}</${a("Subject")}><${a("Conditions")} NotBefore="${t(o.notBeforeOffsetMs ?? -5_000)}" NotOnOrAfter="${t(o.notOnOrAfterOffsetMs ?? 300_000)}"><${a("AudienceRestriction")}><${a("Audience")}>${esc(o.audience ?? o.spEntityId)}</${a("Audience")}></${a("AudienceRestriction")}></${a("Conditions")}><${a("AuthnStatement")} AuthnInstant="${t()}" SessionIndex="${aid}"><${a("AuthnContext")}><${a("AuthnContextClassRef")}>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</${a("AuthnContextClassRef")}></${a("AuthnContext")}></${a("AuthnStatement")}>${attrs ? `<${a("AttributeStatement")}>${attrs}</${a("AttributeStatement")}>` : ""}</${a("Assertion")}>` : "";
    const rootNs = `xmlns:${pp}="${NS.samlp}"${ap ? ` xmlns:${ap}="${NS.saml}"` : ""}`;
    return `<${p("Response")} ${rootNs} ID="_r${randomUUID()}" Version="2.0" IssueInstant="${t()}"${dest}${irt}>${respIssuer}<${p("Status")}><${p("StatusCode")} Value="${status}"/></${p("Status")}>${assertion}</${p("Response")}>`;
  }

  /** A base64 SAMLResponse, signed by samlify as asked (both signatures by default). */
  async response(o: ResponseOptions): Promise<string> {
    const signAssertion = o.signAssertion ?? true;
    const signResponse = o.signResponse ?? true;
    const raw = this.unsignedXml(o);
    let xml: string;
    if (!signAssertion && !signResponse) xml = raw;
    else {
      const keys = o.signWith ?? this.keys;
      const idp = samlify.IdentityProvider({
        entityID: this.entityId, privateKey: keys.key, signingCert: keys.cert, requestSignatureAlgorithm: o.signatureAlgorithm ?? SHA256,
        singleSignOnService: [{ Binding: REDIRECT, Location: this.ssoUrl }],
        singleLogoutService: [{ Binding: REDIRECT, Location: `${this.ssoUrl}/logout` }],
      });
      const sp = samlify.ServiceProvider({
        entityID: o.spEntityId, assertionConsumerService: [{ Binding: POST, Location: o.acsUrl }],
        wantAssertionsSigned: signAssertion, wantMessageSigned: signResponse,
        ...(o.signaturePrefix ? { signatureConfig: { prefix: o.signaturePrefix, location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: "after" } } } : {}),
      });
      const { context } = await idp.createLoginResponse(sp, { extract: { request: { id: o.inResponseTo ?? "" } } }, "post", { email: o.nameId },
        () => ({ id: "", context: raw }));
      xml = Buffer.from(context, "base64").toString("utf8");
    }
    if (o.tamper) {
      const doc = new DOMParser().parseFromString(xml, "text/xml") as unknown as Document;
      o.tamper(doc);
      xml = new XMLSerializer().serializeToString(doc as never);
    }
    return Buffer.from(xml, "utf8").toString("base64");
  }
}

/** DOM helpers for tampering. */
export function el(doc: Document | Element, ns: string, name: string, i = 0): Element {
  return (doc as Document).getElementsByTagNameNS(ns, name)[i] as Element;
}

export function setNameId(root: Document | Element, value: string): void {
  const n = el(root, NS.saml, "NameID");
  while (n.firstChild) n.removeChild(n.firstChild);
  n.appendChild((n.ownerDocument as Document).createTextNode(value));
}
