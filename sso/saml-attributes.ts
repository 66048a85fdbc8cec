/**
 * Attributes of a verified SAML assertion with both their Name and FriendlyName (node-saml's
 * profile keeps only Name; Keycloak and Shibboleth-style IdPs put the readable name in
 * FriendlyName next to an `urn:oid:` Name). Read only from the assertion node-saml verified.
 */
import type { Profile } from "@node-saml/node-saml";
import { child, children, parseXml, SAML_NS } from "./xml";

export interface SamlAttribute {
  name: string;
  friendlyName: string | null;
  values: string[];
}

export function attributesFromAssertion(assertionXml: string): SamlAttribute[] {
  const assertion = parseXml(assertionXml).documentElement;
  const out: SamlAttribute[] = [];
  for (const statement of children(assertion, SAML_NS.assertion, "AttributeStatement")) {
    for (const a of children(statement, SAML_NS.assertion, "Attribute")) {
      const values = children(a, SAML_NS.assertion, "AttributeValue")
        .map((v) => v.textContent?.trim() ?? "").filter((v) => v !== "");
      out.push({ name: a.getAttribute("Name") ?? "", friendlyName: a.getAttribute("FriendlyName") || null, values });
    }
  }
  return out;
}

/** For profiles without assertion XML (unit tests, node-saml's own shape). */
export function attributesFromProfile(p: Profile): SamlAttribute[] {
  const attrs = (p.attributes ?? {}) as Record<string, unknown>;
  return Object.entries(attrs).map(([name, v]) => ({
    name, friendlyName: null,
    values: (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string" && x.trim() !== "").map((x) => x.trim()),
  }));
}

export function samlAttributes(p: Profile): SamlAttribute[] {
  const xml = p.getAssertionXml?.();
  return xml ? attributesFromAssertion(xml) : attributesFromProfile(p);
}

/** Values of the first listed name present (by Name or FriendlyName, case-insensitive) with a value. */
export function pick(attrs: SamlAttribute[], names: readonly string[]): string[] {
  for (const n of names) {
    const want = n.toLowerCase();
    const hit = attrs.find((a) => a.values.length > 0 && (a.name.toLowerCase() === want || a.friendlyName?.toLowerCase() === want));
    if (hit) return hit.values;
  }
  return [];
}

/** The NameID as the assertion states it (for the Test connection report). */
export function nameIdOf(assertionXml: string): { value: string; format: string | null } | null {
  const assertion = parseXml(assertionXml).documentElement;
  const subject = child(assertion, SAML_NS.assertion, "Subject");
  const n = subject ? child(subject, SAML_NS.assertion, "NameID") : undefined;
  return n ? { value: n.textContent ?? "", format: n.getAttribute("Format") || null } : null;
}
