/**
 * Property test over the SCIM filter grammar: random trees of comparisons joined by and/or/not,
 * value paths and sub-attributes, with hostile attribute names and values. Every filter is either
 * translated to SQL of bounded size or refused with a 400 (invalidFilter / tooMany), never another
 * error, and each answer takes well under 100 ms, whatever the shape.
 */
import fc from "fast-check";
import { Params, USER_ATTRS, GROUP_ATTRS, filterSql, parseFilter } from "../../scim/filter";
import { FILTER_LIMITS, assertFilterWithinLimits } from "../../scim/filter-limits";
import { ScimError } from "../../scim/errors";
import { matchesFilter } from "../../scim/user-patch";

const ATTRS = ["userName", "displayName", "title", "externalId", "id", "active", "emails", "emails.value", "emails.type",
  "name.givenName", "meta.created", "meta.lastModified", "members.value", "constructor", "__proto__", "name.constructor",
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "nope.nope"];
const OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Sw"];
const value = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.constantFrom("true", "false", "null", "42", "\"2024-01-01T00:00:00Z\"", "\"0000-01-01T00:00:00Z\"", "\"\\u0000\""),
);
const comparison = fc.oneof(
  fc.tuple(fc.constantFrom(...ATTRS), fc.constantFrom(...OPS), value).map(([a, o, v]) => `${a} ${o} ${v}`),
  fc.constantFrom(...ATTRS).map((a) => `${a} pr`),
);

const { tree } = fc.letrec<{ tree: string }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    comparison,
    fc.tuple(tie("tree"), fc.constantFrom("and", "or", "AND"), tie("tree")).map(([a, j, b]) => `${a} ${j} ${b}`),
    tie("tree").map((t) => `(${t})`),
    tie("tree").map((t) => `not (${t})`),
    fc.tuple(fc.constantFrom("emails", "addresses", "members"), tie("tree")).map(([a, t]) => `${a}[${t}]`),
  ),
}));
/** Wide shapes: groups of alternatives joined by and, the shape that used to expand exponentially. */
const wide = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), comparison)
  .map(([groups, alts, c]) => Array.from({ length: groups }, () => `(${Array.from({ length: alts }, () => c).join(" or ")})`).join(" and "));
/** Plus text that is not a filter at all. */
const anything = fc.oneof(tree, wide, fc.string({ maxLength: 60 }), fc.string({ maxLength: 3000 }).map((s) => `userName eq "${s}"`));

function translate(text: string): { ok: true; sql: string; params: number } | { ok: false; status: number } {
  try {
    const p = new Params(["org"]);
    const sql = filterSql(parseFilter(text)!, text.includes("members") ? GROUP_ATTRS : USER_ATTRS, p);
    return { ok: true, sql, params: p.values.length };
  } catch (err) {
    if (err instanceof ScimError) return { ok: false, status: err.status };
    throw err;
  }
}

it("translates or refuses every filter with a 400, in bounded time and size", () => {
  let slowest = 0;
  let accepted = 0;
  fc.assert(fc.property(anything, (text) => {
    const start = performance.now();
    const r = translate(text);
    const ms = performance.now() - start;
    slowest = Math.max(slowest, ms);
    expect(ms).toBeLessThan(100);
    if (r.ok) {
      accepted++;
      expect(r.params).toBeLessThanOrEqual(1 + FILTER_LIMITS.comparisons * FILTER_LIMITS.branches);
      expect(r.sql.length).toBeLessThan(2_000_000);
    } else {
      expect(r.status).toBe(400);
    }
  }), { numRuns: 600, seed: 11 });
  process.stdout.write(`filter fuzz: ${accepted}/600 accepted, slowest ${slowest.toFixed(1)} ms\n`);
  expect(accepted).toBeGreaterThan(50);
});

it("refuses the exponential shapes of the report before expanding them", () => {
  const blowUp = Array.from({ length: 16 }, () => "(userName pr or title pr)").join(" and ");
  const params = Array.from({ length: 13 }, (_, i) => `(userName eq "a${i}" or title eq "b${i}")`).join(" and ");
  for (const text of [blowUp, params, "(".repeat(5000) + "userName pr" + ")".repeat(5000), "x".repeat(100_000)]) {
    const start = performance.now();
    expect(translate(text)).toEqual({ ok: false, status: 400 });
    expect(performance.now() - start).toBeLessThan(100);
  }
  expect(() => assertFilterWithinLimits(blowUp)).toThrow(/too complex/);
});

it("bounds PATCH value-path filters the same way", () => {
  const blowUp = Array.from({ length: 16 }, () => "(type pr or value pr)").join(" and ");
  expect(() => matchesFilter({ type: "work", value: "x" }, blowUp)).toThrow(ScimError);
  fc.assert(fc.property(anything, (text) => {
    const start = performance.now();
    try {
      matchesFilter({ type: "work", value: "a@b.c", primary: true }, text);
    } catch (err) {
      expect(err).toBeInstanceOf(ScimError);
      expect((err as ScimError).status).toBe(400);
    }
    expect(performance.now() - start).toBeLessThan(100);
  }), { numRuns: 300, seed: 7 });
});
