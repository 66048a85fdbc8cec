/**
 * coerceUser runs scimmy's schema definition coerce instead of building a SCIMMY.Schemas.User
 * instance (which coerces every attribute twice, a fifth of a SCIM write's server CPU): the result
 * must be what the instance gives, key order aside (it is stored as jsonb), and the same bodies
 * must be refused with the same message. Edge cases: empty and null values, empty complex values
 * inside the enterprise extension (the instance drops them), URN-prefixed attributes, bad types.
 */
import { SCIMMY, CORE_USER, ENTERPRISE_USER, declareResources } from "../../scim/scimmy";
import { prepareBody } from "../../scim/normalize";
import { coerceUser } from "../../scim/user-mapping";

const E = ENTERPRISE_USER;
const BODIES: Array<Record<string, unknown>> = [
  { userName: "a@b.test", externalId: "x", active: true, displayName: "A B", name: { givenName: "A", familyName: "B" },
    emails: [{ primary: true, type: "work", value: "a@b.test" }], [E]: { department: "Bench", manager: { value: "m1" } } },
  { userName: "a", [E]: {} }, { userName: "a", [E]: { department: null } }, { userName: "a", [E]: { department: "" } },
  { userName: "a", [E]: { manager: { value: "" } } }, { userName: "a", [E]: { manager: {} } }, { userName: "a", [E]: { manager: {}, department: "D" } },
  { userName: "a", [E]: { manager: "id" } }, { userName: "a", [`${E}:department`]: "X" }, { userName: "a", name: {} }, { userName: "a", name: { givenName: null } },
  { userName: "a", emails: [] }, { userName: "a", emails: [{}] }, { userName: "a", addresses: [{}] },
  { userName: "a", emails: [{ value: "b@c.d", primary: true }, { value: "c@c.d", primary: true }] },
  { userName: "a", schemas: ["urn:bogus"] }, { userName: "a", roles: [{ value: "admin" }], x509Certificates: [{ value: "x" }] },
  { userName: "a", meta: { created: "x" }, id: "abc", password: "secret", groups: [{ value: "g" }] },
  { userName: "a", phoneNumbers: [{ value: "1", type: "bogus" }] }, { userName: "a", profileUrl: "not a url" },
  // refused
  { userName: "" }, {}, { userName: 5 }, { userName: "a", active: "yes" }, { userName: "a", emails: "x" }, { userName: "a", name: [{ givenName: "x" }] },
  { userName: "a", [E]: { department: 5 } }, { userName: "a", [E]: { manager: 5 } },
];

const canon = (x: unknown): unknown => (Array.isArray(x) ? x.map(canon)
  : x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, canon((x as Record<string, unknown>)[k])])) : x);
const outcome = (f: () => unknown) => {
  try {
    return { value: canon(JSON.parse(JSON.stringify(f()))) };
  } catch (err) {
    return { refused: (err as Error).message };
  }
};

describe("coerceUser gives what a scimmy User instance gives", () => {
  beforeAll(() => declareResources());

  it.each(BODIES.map((b) => [JSON.stringify(b), b]))("%s", (_name, body) => {
    const instance = outcome(() => new SCIMMY.Schemas.User(prepareBody(structuredClone(body), [CORE_USER, E]), "in"));
    expect(outcome(() => coerceUser(structuredClone(body)))).toEqual(instance);
  });
});
