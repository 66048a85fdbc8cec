/** Pure parts of the Google directory sync: nested groups, the hold rule, Retry-After, the JWT assertion, the plan. */
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { flatten } from "../../directory/google/snapshot";
import { DEFAULT_RETRY, waitMs } from "../../directory/google/api";
import { signAssertion } from "../../directory/google/token";
import { holdReason, planSync, type PlanInput } from "../../directory/plan";

it("flattens nested groups (cycles included) and CUSTOMER members", () => {
  const g = flatten([
    { id: "a", email: "a@x", name: "A", members: [{ type: "USER", id: "u1" }, { type: "GROUP", id: "b" }] },
    { id: "b", email: "b@x", name: "B", members: [{ type: "USER", id: "u2" }, { type: "GROUP", id: "a" }] },
    { id: "c", email: "c@x", name: "C", members: [{ type: "CUSTOMER", id: "C01" }] },
  ], ["u1", "u2", "u3"]);
  expect([...g[0].userIds].sort()).toEqual(["u1", "u2"]);
  expect([...g[2].userIds].sort()).toEqual(["u1", "u2", "u3"]);
});

it("holds above max(5, 10%) of the managed members", () => {
  const plan = (remove: number, suspend: number) => ({ remove: Array(remove).fill("m"), suspend: Array(suspend).fill("m") }) as never;
  expect(holdReason(plan(3, 2), 10)).toBeNull();
  expect(holdReason(plan(4, 2), 10)).toMatch(/remove 4 and suspend 2 of 10/);
  expect(holdReason(plan(100, 0), 1000)).toBeNull();
  expect(holdReason(plan(101, 0), 1000)).not.toBeNull();
});

it("waits as Retry-After says (seconds or date), else backs off exponentially", () => {
  const a = (h?: string) => ({ status: 429, headers: h === undefined ? {} : { "retry-after": h }, json: null });
  expect(waitMs(a("3"), 0, DEFAULT_RETRY, 0)).toBe(3000);
  expect(waitMs(a(new Date(10_000).toUTCString()), 0, DEFAULT_RETRY, 4_000)).toBe(6000);
  expect(waitMs(a(), 2, DEFAULT_RETRY, 0)).toBeGreaterThanOrEqual(DEFAULT_RETRY.baseMs * 4);
});

it("signs the JWT-bearer assertion as RFC 7523 and Google want it", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  const jwt = signAssertion({ client_email: "sa@p.iam.gserviceaccount.com", private_key: privateKey, private_key_id: "kid1", token_uri: "https://t.test/token" }, "admin@x.test", 1_700_000_000_000);
  const [h, c, s] = jwt.split(".");
  expect(JSON.parse(Buffer.from(h, "base64url").toString())).toEqual({ alg: "RS256", typ: "JWT", kid: "kid1" });
  const claims = JSON.parse(Buffer.from(c, "base64url").toString());
  expect(claims).toMatchObject({ iss: "sa@p.iam.gserviceaccount.com", sub: "admin@x.test", aud: "https://t.test/token", iat: 1_700_000_000, exp: 1_700_003_600 });
  expect(claims.scope.split(" ")).toHaveLength(4);
  expect(verify("sha256", Buffer.from(`${h}.${c}`), createPublicKey(publicKey), Buffer.from(s, "base64url"))).toBe(true);
});

it("never touches an Owner's role, caps mapped Owner at Admin, and removes only managed members", () => {
  const u = (id: string, email: string) => ({ id, email, givenName: "G", familyName: "F", fullName: "G F", suspended: false });
  const input: PlanInput = {
    users: [u("1", "o@x.test"), u("2", "n@x.test")],
    groups: [{ id: "g", email: "g@x.test", name: "G", directMembers: 2, userIds: new Set(["1", "2"]) }],
    accounts: new Map([["o@x.test", { kind: "existing", userId: "uo" }], ["n@x.test", { kind: "new" }]]),
    members: [
      { membershipId: "mo", userId: "uo", role: "owner", status: "active", attributes: { displayName: "G F", name: { givenName: "G", familyName: "F", formatted: "G F" } }, scimUserName: null, managed: { googleId: "1", email: "o@x.test", baseRole: "owner" } },
      { membershipId: "mm", userId: "um", role: "member", status: "active", attributes: null, scimUserName: null, managed: null },
      { membershipId: "mg", userId: "ug", role: "member", status: "active", attributes: null, scimUserName: null, managed: { googleId: "9", email: "gone@x.test", baseRole: "member" } },
    ],
    mappings: [{ groupName: "G@x.test", role: "owner", grants: [] }],
    grants: new Map(), knownGroups: [],
  };
  const p = planSync(input);
  expect(p.roles).toEqual([]);
  expect(p.create).toEqual([expect.objectContaining({ role: "admin", userId: null })]);
  expect(p.remove).toEqual(["mg"]);
  expect(p.unchanged).toBe(1);
});

it("matches managed members by Google id first; a new user outside the verified domains is planned pending; Owners kept without authority", () => {
  const u = (id: string, email: string, suspended = false) => ({ id, email, givenName: "G", familyName: "F", fullName: "G F", suspended });
  const attrs = { displayName: "G F", name: { givenName: "G", familyName: "F", formatted: "G F" } };
  const input: PlanInput = {
    users: [u("1", "p@out.test"), u("2", "new@out.test"), u("3", "o@x.test", true)],
    groups: [],
    accounts: new Map([["p@out.test", { kind: "pending" }], ["new@out.test", { kind: "pending" }], ["o@x.test", { kind: "existing", userId: "uo" }]]),
    members: [
      { membershipId: "mp", userId: "placeholder", role: "member", status: "active", attributes: attrs, scimUserName: null, managed: { googleId: "1", email: "p@out.test", baseRole: "member" } },
      { membershipId: "mo", userId: "uo", role: "owner", status: "active", attributes: attrs, scimUserName: null, managed: { googleId: "3", email: "o@x.test", baseRole: "owner" } },
      { membershipId: "mo2", userId: "uo2", role: "owner", status: "active", attributes: attrs, scimUserName: null, managed: { googleId: "9", email: "gone@x.test", baseRole: "owner" } },
    ],
    mappings: [], grants: new Map(), knownGroups: [],
  };
  const p = planSync(input);
  expect(p.pending).toEqual([expect.objectContaining({ user: expect.objectContaining({ id: "2" }), role: "member", status: "active" })]);
  expect(p.create).toEqual([]);
  expect(p.skipped).toEqual([]);
  expect(p.suspend).toEqual([]);
  expect(p.remove).toEqual([]);
  expect(p.ownersKept.sort()).toEqual(["mo", "mo2"]);
  const withAuthority = planSync({ ...input, ownerAuthority: true });
  expect(withAuthority.suspend).toEqual(["mo"]);
  expect(withAuthority.remove).toEqual(["mo2"]);
  expect(withAuthority.ownersKept).toEqual([]);
});
