/**
 * The position bookkeeping of a large directory under the request statement_timeout
 * (DB_STATEMENT_TIMEOUT_MS, 5 s by default). Numbering a bulk push of users (the first list
 * after it) and renumbering after many removals grow with the org: at 90,000 users each took
 * 3.5-4.5 s on the bench machine, and `bench:scim` at 100,000 failed its first list. As request
 * queries they would fail with 503 on every retry, for ever: the first list would number the
 * users again and time out again, and the removal that made the org due would renumber it and
 * time out again. Here the server's pool runs with a 100 ms timeout and the org holds 20,000
 * users, so both take longer than that; both must still answer, and the pages stay exact.
 * PostgreSQL only (the embedded PGlite has no statement_timeout).
 */
import { startTestApp, type TestApp } from "../support/app";
import { entraUser, scimOrg, type ScimOrg } from "../support/scim";
import { createDataSource } from "../../src/db/data-source";
import type { DataSource } from "typeorm";

const pgOnly = process.env.DATABASE_URL ? it : it.skip;
const USERS = 20_000;

let t: TestApp;
let a: ScimOrg;
let timed: DataSource | undefined;
beforeAll(async () => {
  t = await startTestApp();
  a = await scimOrg(t, "Bulk");
});
afterAll(async () => {
  await timed?.destroy();
  await t.close();
});

const userName = (i: number) => `b${String(i).padStart(5, "0")}@bulk.test`;

pgOnly("numbers a bulk push and renumbers after many removals, each under a request timeout shorter than the work", async () => {
  // A bulk push as the IdP makes it: SCIM users that no list has numbered yet (the insert
  // trigger marks the org unpositioned), in creation order.
  await t.deps.ds.query(`WITH u AS (INSERT INTO users (email, name) SELECT 'b' || lpad(g::text, 5, '0') || '@bulk.test', 'B ' || g FROM generate_series(0, $2::int - 1) g RETURNING id, email)
    INSERT INTO memberships (org_id, user_id, role, source, scim_user_name, external_id, scim_attributes)
    SELECT $1, u.id, 'member', 'scim', u.email, 'x-' || u.email, '{}'::jsonb FROM u ORDER BY u.email`, [a.orgId, USERS]);
  await t.deps.ds.query(`UPDATE memberships SET created_at = created_at + (substring(scim_user_name from 2 for 5)::int * interval '1 microsecond') WHERE org_id = $1 AND scim_user_name LIKE 'b%@bulk.test'`, [a.orgId]);
  await t.deps.ds.query(`VACUUM ANALYZE memberships`);
  // From here the server's queries run under a 100 ms statement_timeout.
  timed = createDataSource({ url: t.db.url!, statementTimeoutMs: 100, poolSize: 4 });
  await timed.initialize();
  t.deps.ds = timed;

  const first = await a.scim.get(`/Users?startIndex=19990&count=5&attributes=userName`);
  expect(first.status).toBe(200);
  expect(first.body.totalResults).toBe(USERS);
  expect(first.body.Resources.map((u: { userName: string }) => u.userName)).toEqual([19989, 19990, 19991, 19992, 19993].map(userName));

  // 201 removals outgrow the bound (max(100, 1% of the org)): the org is due for renumbering.
  const ids: Array<{ id: string }> = await timed.query(`SELECT id FROM memberships WHERE org_id = $1 AND scim_user_name = ANY($2) ORDER BY scim_user_name`,
    [a.orgId, Array.from({ length: 201 }, (_, i) => userName(i * 10))]);
  for (const { id } of ids) await a.scim.delete(`/Users/${id}`).expect(204);
  const kept = Array.from({ length: USERS }, (_, i) => i).filter((i) => i % 10 !== 0 || i > 2000);
  const page = await a.scim.get(`/Users?startIndex=1800&count=3&attributes=userName`);
  expect(page.status).toBe(200);
  expect(page.body.totalResults).toBe(USERS - 201);
  expect(page.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(kept.slice(1799, 1802).map(userName));
  const [c] = await timed.query(`SELECT scim_gaps, (SELECT count(*)::int FROM scim_positions_due WHERE org_id = $1) AS due FROM org_member_counts WHERE org_id = $1`, [a.orgId]);
  expect(c).toEqual({ scim_gaps: 0, due: 0 });

  // New users still go to the end.
  const late = await a.scim.post("/Users", entraUser("zz-late@bulk.test")).expect(201);
  const last = await a.scim.get(`/Users?startIndex=${USERS - 201 + 1}&count=2&attributes=userName`).expect(200);
  expect(last.body.Resources.map((u: { id: string }) => u.id)).toEqual([late.body.id]);
}, 120_000);
