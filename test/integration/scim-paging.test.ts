/**
 * SCIM /Users paging by position (issue 14): every page at any startIndex is the slice of the
 * creation order, before and after removals and the renumbering they make due (done by the next list); totalResults is
 * the maintained count plus the users not yet positioned, which matches count(*); positions stay
 * dense under concurrent and refused creates; deleting an org is not blocked by the bookkeeping.
 */
import { startTestApp, type TestApp } from "../support/app";
import { entraUser, scimOrg, type ScimOrg } from "../support/scim";

let t: TestApp;
let a: ScimOrg;
let order: Array<{ id: string; userName: string }> = [];
beforeAll(async () => {
  t = await startTestApp();
  a = await scimOrg(t, "Pager");
  for (let i = 0; i < 230; i++) {
    const r = await a.scim.post("/Users", entraUser(`p${String(i).padStart(3, "0")}@pager.test`));
    if (r.status !== 201) throw new Error(`POST ${r.status}`);
    order.push({ id: r.body.id, userName: r.body.userName });
  }
}, 180_000);
afterAll(() => t.close());

async function expectPages(starts: number[], count = 17): Promise<void> {
  for (const s of starts) {
    const r = await a.scim.get(`/Users?startIndex=${s}&count=${count}&attributes=userName`).expect(200);
    expect(r.body.totalResults).toBe(order.length);
    expect(r.body.startIndex).toBe(s);
    expect(r.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(order.slice(s - 1, s - 1 + count).map((u) => u.userName));
  }
}

const everyStart = () => [1, 2, ...Array.from({ length: 25 }, (_, i) => 1 + i * 9), order.length - 16, order.length, order.length + 1, order.length + 50];

async function counts(orgId: string) {
  const [row] = await t.deps.ds.query(`SELECT c.scim_users, c.scim_gaps, c.next_scim_pos::int AS next,
      (SELECT count(*)::int FROM memberships m WHERE m.org_id = c.org_id AND m.scim_user_name IS NOT NULL) AS real_scim,
      (SELECT count(*)::int FROM scim_position_gaps g WHERE g.org_id = c.org_id) AS gap_rows,
      (SELECT count(DISTINCT scim_pos)::int FROM memberships m WHERE m.org_id = c.org_id AND m.scim_pos IS NOT NULL) AS distinct_pos,
      (SELECT max(scim_pos)::int FROM memberships m WHERE m.org_id = c.org_id) AS max_pos
    FROM org_member_counts c WHERE c.org_id = $1`, [orgId]);
  return row;
}

it("pages at any startIndex in creation order, with the exact total", async () => {
  expect((await counts(a.orgId)).distinct_pos).toBe(0); // POSTs took no position
  const first = await a.scim.get(`/Users?count=0`).expect(200);
  expect(first.body.totalResults).toBe(230);
  await expectPages(everyStart());
  await expectPages([1, 100, 200], 100);
  const r = await a.scim.get(`/Users?count=0`).expect(200);
  expect(r.body.totalResults).toBe(230);
  expect(r.body.Resources).toEqual([]);
});

it("keeps the counts exact and positions dense (refused and concurrent creates leave no hole)", async () => {
  await a.scim.post("/Users", entraUser(order[5].userName.toUpperCase())).expect(409);
  const parallel = await Promise.all(Array.from({ length: 12 }, (_, i) => a.scim.post("/Users", entraUser(`q${i}@pager.test`))));
  expect(parallel.map((r) => r.status)).toEqual(Array(12).fill(201));
  const listed = await a.scim.get(`/Users?startIndex=231&count=50&attributes=userName`).expect(200);
  expect(listed.body.totalResults).toBe(242);
  order.push(...listed.body.Resources.map((u: { id: string; userName: string }) => ({ id: u.id, userName: u.userName })));
  expect(order).toHaveLength(242);
  // Creates take no position (no lock shared by parallel POSTs): the list above numbered them.
  const c = await counts(a.orgId);
  expect(c).toMatchObject({ scim_users: 242, real_scim: 242, scim_gaps: 0, gap_rows: 0, next: 243, distinct_pos: 242, max_pos: 242 });
});

it("skips only the freed positions after removals, then renumbers once they outgrow the bound", async () => {
  // 40 removals: below the bound (100), so they stay gaps.
  const gone = order.filter((_, i) => i % 6 === 1).slice(0, 40);
  for (const u of gone) await a.scim.delete(`/Users/${u.id}`).expect(204);
  order = order.filter((u) => !gone.includes(u));
  expect(await counts(a.orgId)).toMatchObject({ scim_users: 202, scim_gaps: 40, gap_rows: 40 });
  await expectPages(everyStart());
  // 70 more: past the bound, the org is due; the next list renumbers it (not the removal: the
  // renumbering grows with the org, scim-paging-timeout.test.ts) and the gaps are gone.
  const more = order.filter((_, i) => i % 2 === 0).slice(0, 70);
  for (const u of more) await a.scim.delete(`/Users/${u.id}`).expect(204);
  order = order.filter((u) => !more.includes(u));
  expect(await counts(a.orgId)).toMatchObject({ scim_users: 132, scim_gaps: 110, gap_rows: 110 });
  expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM scim_positions_due WHERE org_id = $1`, [a.orgId]))[0].n).toBe(1);
  await expectPages(everyStart());
  const c = await counts(a.orgId);
  expect(c).toMatchObject({ scim_users: 132, scim_gaps: 0, gap_rows: 0, next: 133, distinct_pos: 132, max_pos: 132 });
  expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM scim_positions_due WHERE org_id = $1`, [a.orgId]))[0].n).toBe(0);
  await expectPages(everyStart());
  // New users still go to the end.
  const r = await a.scim.post("/Users", entraUser("last@pager.test")).expect(201);
  order.push({ id: r.body.id, userName: r.body.userName });
  await expectPages([order.length - 3, 1]);
});

it("sorts and filters as before, with the maintained total", async () => {
  const r = await a.scim.get(`/Users?sortBy=userName&sortOrder=descending&startIndex=2&count=3&attributes=userName`).expect(200);
  const sorted = order.map((u) => u.userName.toLowerCase()).sort().reverse();
  expect(r.body.totalResults).toBe(order.length);
  expect(r.body.Resources.map((u: { userName: string }) => u.userName.toLowerCase())).toEqual(sorted.slice(1, 4));
  const f = await a.scim.get(`/Users?filter=${encodeURIComponent('userName sw "q"')}&count=5`).expect(200);
  expect(f.body.totalResults).toBe(order.filter((u) => u.userName.startsWith("q")).length);
});

it("deletes an org with its members and their bookkeeping", async () => {
  const b = await scimOrg(t, "Doomed");
  for (let i = 0; i < 3; i++) await b.scim.post("/Users", entraUser(`d${i}@doomed.test`)).expect(201);
  const [{ id }] = await t.deps.ds.query(`SELECT id FROM memberships WHERE org_id = $1 AND scim_user_name IS NOT NULL LIMIT 1`, [b.orgId]);
  await b.scim.delete(`/Users/${id}`).expect(204);
  await t.deps.ds.query(`DELETE FROM organizations WHERE id = $1`, [b.orgId]);
  for (const table of ["org_member_counts", "scim_position_gaps", "scim_positions_due", "memberships"]) {
    expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1`, [b.orgId]))[0].n).toBe(0);
  }
});
