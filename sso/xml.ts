/**
 * Parsing untrusted XML (IdP metadata, SAML responses) for our own checks. DTDs are refused
 * before parsing (no entity expansion, no external entities), and any parser warning is an
 * error, so a document that xmldom would "repair" is rejected instead of read differently.
 */
import { DOMParser } from "@xmldom/xmldom";

export const SAML_NS = {
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  dsig: "http://www.w3.org/2000/09/xmldsig#",
} as const;

export class XmlRejected extends Error {}

/** DOCTYPE (and with it ENTITY declarations) has no place in SAML messages or metadata. */
export function hasDoctype(xml: string): boolean {
  return /<!DOCTYPE|<!ENTITY/i.test(xml);
}

export function parseXml(xml: string): Document {
  if (hasDoctype(xml)) throw new XmlRejected("XML with a DOCTYPE or entity declaration");
  const fail = (msg: string) => {
    throw new XmlRejected(`malformed XML: ${String(msg).split("\n")[0]}`);
  };
  const doc = new DOMParser({ locator: {}, errorHandler: { warning: fail, error: fail, fatalError: fail } })
    .parseFromString(xml, "text/xml");
  if (!doc?.documentElement) throw new XmlRejected("no root element");
  return doc as unknown as Document;
}

/** Direct children of `el` with this namespace and local name (never descendants: no wrapping tricks). */
export function children(el: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName) out.push(n as Element);
  }
  return out;
}

export function child(el: Element, ns: string, localName: string): Element | undefined {
  return children(el, ns, localName)[0];
}

export function text(el: Element | undefined): string | undefined {
  return el?.textContent?.trim() || undefined;
}
