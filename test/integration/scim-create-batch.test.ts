/**
 * Concurrent POST /Users of one token share a statement (scim/create-batch.ts). Each request
 * must still get exactly what it would alone: its user, its own member.added event (its request
 * id), a 409 for a userName taken by a create in the same burst, a 401 once the token is revoked.
 * The org owns its domain, so these creates take the one-statement path that is batched.
 */
import { startTestApp, type TestApp } from "../support/app";
import { entraUser, expectScimError, scimOrg, type ScimOrg } from "../support/scim";
import { addDomain } from "../../sso/domains.service";
import { revokeScimToken } from "../../src/scim-tokens/scim-token.service";
import { SYSTEM_CTX } from "../../src/context";
import { takeDistinct } from "../../scim/create-batch";
import { MAX_CREATE_BATCH, type IdpMemberInput } from "../../src/members/member.bulk";

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(() => t.close());

async function ownedOrg(name: string, domain: string): Promise<ScimOrg> {
  const o = await scimOrg(t, name);
  await addDomain(t.deps, SYSTEM_CTX, o.orgId, domain, { verified: true });
  await o.scim.get("/Users?count=1").expect(200); // the token is now one this process has authenticated
  return o;
}

it("creates each of 16 parallel users with its own row and its own audit event, sharing statements", async () => {
  const o = await ownedOrg("Burst", "burst.test");
  const names = Array.from({ length: 16 }, (_, i) => `u${i}@burst.test`);
  const rs = await Promise.all(names.map((n) => o.scim.post("/Users", entraUser(n))));
  expect(rs.map((r) => r.status)).toEqual(Array(16).fill(201));
  expect(rs.map((r) => r.body.userName)).toEqual(names);
  const events: Array<{ id: string; request_id: string; email: string }> = await t.deps.ds.query(
    `SELECT target->>'id' AS id, request_id, target->>'email' AS email FROM audit_events WHERE org_id = $1 AND action = 'member.added' AND actor->>'type' = 'scim'`, [o.orgId]);
  expect(events).toHaveLength(16);
  for (const r of rs) {
    const e = events.find((x) => x.id === r.body.id);
    expect(e).toEqual({ id: r.body.id, request_id: r.headers["x-request-id"], email: r.body.userName });
  }
  const rows: Array<{ n: number; stamps: number }> = await t.deps.ds.query(
    `SELECT count(*)::int AS n, count(DISTINCT created_at)::int AS stamps FROM memberships WHERE org_id = $1 AND scim_user_name LIKE '%@burst.test'`, [o.orgId]);
  expect(rows[0].n).toBe(16);
  // One statement, one transaction time: fewer distinct creation times than creates shows they
  // shared. (PGlite is one session: a create there is done before the next request is read.)
  if (t.db.kind === "postgres") expect(rows[0].stamps).toBeLessThan(16);
  const list = await o.scim.get("/Users?count=100&attributes=userName").expect(200);
  expect(list.body.totalResults).toBe(16);
});

it("answers 409 to all but one of parallel creates of one userName (in any case), and creates it once", async () => {
  const o = await ownedOrg("Twice", "twice.test");
  const bodies = ["same@twice.test", "SAME@twice.test", "Same@Twice.test", "other1@twice.test", "same@twice.test", "other2@twice.test"]
    .map((n) => entraUser(n, { emails: [{ primary: true, type: "work", value: n.toLowerCase() }] }));
  const rs = await Promise.all(bodies.map((b) => o.scim.post("/Users", b)));
  const statuses = rs.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(3);
  expect(statuses.filter((s) => s === 409)).toHaveLength(3);
  for (const r of rs.filter((x) => x.status === 409)) expectScimError(r.body, 409, "uniqueness");
  const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1 AND lower(scim_user_name) = 'same@twice.test'`, [o.orgId]);
  expect(n).toBe(1);
});

it("refuses every create of a burst once the token is revoked, and creates none", async () => {
  const o = await ownedOrg("Cut", "cut.test");
  await o.scim.post("/Users", entraUser("first@cut.test")).expect(201);
  await revokeScimToken(t.deps, SYSTEM_CTX, o.tokenId);
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => o.scim.post("/Users", entraUser(`late${i}@cut.test`))));
  expect(rs.map((r) => r.status)).toEqual(Array(8).fill(401));
  const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1 AND scim_user_name LIKE 'late%'`, [o.orgId]);
  expect(n).toBe(0);
});

it("takes distinct userNames and emails, in arrival order, at most a batch", () => {
  const job = (userName: string, email: string | null) => ({ input: { userName, email } as IdpMemberInput, resolve: () => undefined, reject: () => undefined });
  const waiting = [job("a", "a@x"), job("A", "z@x"), job("b", "A@X"), job("c", null), job("d", null)];
  expect(takeDistinct(waiting).map((j) => j.input.userName)).toEqual(["a", "c", "d"]);
  expect(waiting.map((j) => j.input.userName)).toEqual(["A", "b"]);
  const many = Array.from({ length: MAX_CREATE_BATCH + 3 }, (_, i) => job(`n${i}`, `n${i}@x`));
  expect(takeDistinct(many)).toHaveLength(MAX_CREATE_BATCH);
  expect(many).toHaveLength(3);
});
