/**
 * The Members page's `total` comes from per-org tallies kept by triggers (migration MemberTallies),
 * not from a count over the org (issue 14). It must stay exactly count(*) whatever writes the
 * memberships (manual invite, SCIM one by one and in parallel, the set-based writes directory sync
 * uses, removals one by one and in bulk, an account deleted, an org deleted), the migration must
 * count the members already there, and, on PostgreSQL, two transactions adding members to the same
 * org must not wait for each other (one counter row per org would serialise an IdP's parallel POSTs).
 */
import { Client } from "pg";
import { startTestApp, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, uniqueEmail, type OrgFixture } from "../support/actors";
import { entraUser, scimOrg, type ScimOrg } from "../support/scim";
import { Organization } from "../../entities";
import { SYSTEM_CTX } from "../../src/context";
import { findOrCreateUser } from "../../src/accounts/users";
import { addMembersBulk, removeMembersBulk } from "../../src/members/member.bulk";
import { MemberTallies1764500000000 } from "../../entities/migrations/1764500000000-MemberTallies";

let t: TestApp;
let a: ScimOrg;
let b: ScimOrg;
beforeAll(async () => {
  t = await startTestApp();
  a = await scimOrg(t, "Tally");
  b = await scimOrg(t, "Other");
}, 60_000);
afterAll(() => t.close());

async function real(orgId: string): Promise<number> {
  return (await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1`, [orgId]))[0].n;
}

/** The Members API's total for the org, checked against count(*) of its memberships. */
async function expectTotal(fx: OrgFixture, n: number): Promise<void> {
  expect(await real(fx.orgId)).toBe(n);
  const r = await fx.owner.get(`/api/orgs/${fx.orgId}/members?limit=5`).expect(200);
  expect(r.body.total).toBe(n);
}

it("counts every way a member joins and leaves", async () => {
  // By hand (an org without SCIM): invited, accepted, removed.
  const m = await createOrg(t, "pro", "Manual");
  await expectTotal(m, 1); // the Owner
  const { memberId } = await addMemberViaInvite(t, m, uniqueEmail("invited"));
  await addMemberViaInvite(t, m, uniqueEmail("stays"));
  await expectTotal(m, 3);
  await m.owner.delete(`/api/orgs/${m.orgId}/members/${memberId}`).expect(204);
  await expectTotal(m, 2);

  await expectTotal(a, 1);

  const posted = await Promise.all(Array.from({ length: 15 }, (_, i) => a.scim.post("/Users", entraUser(`t${i}@tally.test`))));
  expect(posted.map((r) => r.status)).toEqual(Array(15).fill(201));
  await a.scim.post("/Users", entraUser("T3@tally.test")).expect(409); // a refused create counts nothing
  await expectTotal(a, 16);
  await b.scim.post("/Users", entraUser("b0@other.test")).expect(201);
  await expectTotal(b, 2);

  // Set-based writes (what directory sync and SCIM bulk use), in one transaction with a rollback after.
  const org = await t.deps.ds.getRepository(Organization).findOneByOrFail({ id: a.orgId });
  const added = await t.deps.ds.transaction(async (tx) => {
    const users = [];
    for (let i = 0; i < 40; i++) users.push((await findOrCreateUser(tx, `bulk${i}@tally.test`, `Bulk ${i}`)).user);
    return addMembersBulk(tx, SYSTEM_CTX, org, users.map((u) => ({ userId: u.id, role: "member" as const, status: "active" as const, attributes: {} })), "directory");
  });
  expect(added.size).toBe(40);
  await expectTotal(a, 56);
  await expect(t.deps.ds.transaction(async (tx) => {
    await removeMembersBulk(t.deps, tx, SYSTEM_CTX, org, [...added.values()].slice(0, 10), "directory");
    throw new Error("roll back");
  })).rejects.toThrow("roll back");
  await expectTotal(a, 56);
  await t.deps.ds.transaction((tx) => removeMembersBulk(t.deps, tx, SYSTEM_CTX, org, [...added.values()].slice(0, 25), "directory"));
  await expectTotal(a, 31);

  await a.scim.delete(`/Users/${posted[0].body.id}`).expect(204);
  await expectTotal(a, 30);
  // An account deleted takes its memberships with it (cascade).
  await t.deps.ds.query(`DELETE FROM users WHERE email = 'bulk30@tally.test'`);
  await expectTotal(a, 29);
  await expectTotal(b, 2);
});

it("is exact for a search too, and a later page does not count again", async () => {
  const r = await a.owner.get(`/api/orgs/${a.orgId}/members?query=bulk&limit=3`).expect(200);
  expect(r.body.total).toBe(14); // bulk25..bulk39 less bulk30
  const next = await a.owner.get(`/api/orgs/${a.orgId}/members?limit=5&cursor=${encodeURIComponent(r.body.nextCursor)}`).expect(200);
  expect(next.body).not.toHaveProperty("total");
});

it("deletes an org with its members and its tallies", async () => {
  const c = await scimOrg(t, "Doomed");
  await c.scim.post("/Users", entraUser("d0@doomed.test")).expect(201);
  await t.deps.ds.query(`DELETE FROM organizations WHERE id = $1`, [c.orgId]);
  expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM org_member_tallies WHERE org_id = $1`, [c.orgId]))[0].n).toBe(0);
  await expectTotal(a, 29);
});

it("the migration counts the members already there, and its down leaves the counts it found", async () => {
  const before = await t.deps.ds.query(`SELECT org_id, sum(members)::int AS n FROM org_member_tallies GROUP BY org_id ORDER BY org_id`);
  await t.deps.ds.transaction(async (tx) => {
    const q = tx.queryRunner!;
    await new MemberTallies1764500000000().down(q);
    await new MemberTallies1764500000000().up(q);
  });
  const after = await t.deps.ds.query(`SELECT org_id, sum(members)::int AS n FROM org_member_tallies GROUP BY org_id ORDER BY org_id`);
  expect(after).toEqual(before);
  const slots = await t.deps.ds.query(`SELECT count(*)::int AS n FROM org_member_tallies WHERE org_id = $1`, [a.orgId]);
  expect(slots[0].n).toBe(1); // one row per org after the backfill
  await a.scim.post("/Users", entraUser("after@tally.test")).expect(201);
  await expectTotal(a, 30);
});

const pgOnly = process.env.DATABASE_URL ? it : it.skip;
pgOnly("two transactions adding members to one org do not wait for each other (PostgreSQL)", async () => {
  // Two connections whose backends write different slots (pid % 64), as a pool's connections nearly always do.
  const opened: Client[] = [];
  const clients: Client[] = [];
  const slots = new Set<number>();
  while (clients.length < 2) {
    const c = new Client({ connectionString: t.db.url });
    await c.connect();
    opened.push(c);
    const slot = (await c.query(`SELECT pg_backend_pid() % 64 AS s`)).rows[0].s;
    if (!slots.has(slot)) { slots.add(slot); clients.push(c); }
  }
  try {
    // Two pool connections, like two parallel SCIM POSTs: each holds its insert open while the other inserts.
    const add = async (c: Client, email: string) => {
      const [{ id }] = (await c.query(`INSERT INTO users (email, name) VALUES ($1, 'Parallel') RETURNING id`, [email])).rows;
      await c.query(`INSERT INTO memberships (org_id, user_id, role, source) VALUES ($1, $2, 'member', 'scim')`, [a.orgId, id]);
    };
    for (const c of clients) await c.query(`BEGIN; SET LOCAL lock_timeout = '2s'`);
    await add(clients[0], uniqueEmail("first"));
    await add(clients[1], uniqueEmail("second")); // would wait for the first's commit on a shared counter row
    for (const c of clients) await c.query("COMMIT");
    await expectTotal(a, 32);
  } finally {
    await Promise.all(opened.map((c) => c.end()));
  }
});
