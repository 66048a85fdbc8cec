/**
 * What identity providers send, made acceptable before scimmy's strict input coercion
 * (idp-behaviors.md §6): `null` means unassigned, booleans may arrive as "True"/"False",
 * read-only attributes (id, meta, groups) and the placeholder `password` are ignored, and
 * unknown schema URIs (e.g. Microsoft's ADSCIM Group) must not fail the request.
 */
export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** "True"/"False" (any case) → booleans; anything else unchanged. */
export function boolish(v: unknown): unknown {
  if (typeof v === "string" && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === "true";
  return v;
}

const BOOLEAN_KEYS = new Set(["active", "primary"]);

/** Drops nulls (recursively) and turns boolean-ish strings into booleans for boolean attributes. */
export function clean(v: unknown, key = ""): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map((x) => clean(x, key));
  if (isObject(v)) {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null || x === undefined) continue;
      out[k] = clean(x, k);
    }
    return out;
  }
  return BOOLEAN_KEYS.has(key.toLowerCase()) ? boolish(v) : v;
}

const IGNORED = new Set(["id", "meta", "groups", "password", "schemas"]);

/** The body as scimmy should see it: cleaned, read-only parts removed, `schemas` limited to the ones we know. */
export function prepareBody(body: unknown, knownSchemas: string[]): Json {
  if (!isObject(body)) return body as Json;
  const cleaned = clean(body) as Json;
  const known = new Map(knownSchemas.map((s) => [s.toLowerCase(), s]));
  const out: Json = { schemas: [knownSchemas[0]] };
  for (const [k, v] of Object.entries(cleaned)) {
    if (IGNORED.has(k.toLowerCase())) continue;
    const urn = known.get(k.toLowerCase());
    if (urn) {
      if (isObject(v)) {
        out[urn] = v;
        (out.schemas as string[]).push(urn);
      }
      continue;
    }
    if (k.toLowerCase().startsWith("urn:")) continue;
    out[k] = v;
  }
  return out;
}
