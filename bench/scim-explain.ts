/**
 * `npx tsx bench/scim-explain.ts`: EXPLAIN (ANALYZE, BUFFERS) of the statements the SCIM hot
 * paths issue, on a scratch PostgreSQL database (DATABASE_URL's server) holding one org of
 * BENCH_USERS (default 100,000) SCIM users with 500 removed (gaps below the renumbering bound)
 * next to 50 orgs of 1,000. The statements are the services' own: each service runs against a
 * stand-in whose query() explains the statement inside a transaction that is rolled back.
 * Prints which index serves which query; a diagnostic, not a test.
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { EntityManager, QueryRunner } from "typeorm";
import { createDataSource } from "../src/db/data-source";
import { sqlText, type PreparedQuery } from "../src/db/prepared";
import { orgMemberCount } from "../src/members/member.search";
import type { Deps } from "../src/context";
import { createIdpMembers, replaceIdpMembers } from "../src/members/member.bulk";
import { listUsers, USER_ORDER_DEFAULT } from "../scim/users.service";

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const BASE_DB = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function seed(qr: QueryRunner, orgId: string, prefix: string, n: number): Promise<void> {
  for (let lo = 0; lo < n; lo += 20_000) {
    await qr.query(`WITH u AS (INSERT INTO users (email, name) SELECT '${prefix}' || g || '@bench.test', 'User ' || g FROM generate_series($2::int, $3::int - 1) g RETURNING id, email, name)
      INSERT INTO memberships (org_id, user_id, role, source, scim_user_name, external_id, scim_attributes)
      SELECT $1, u.id, 'member', 'scim', u.email, 'ext-' || u.email, jsonb_build_object('displayName', u.name) FROM u ORDER BY substring(u.email from '[0-9]+')::int`,
    [orgId, lo, Math.min(n, lo + 20_000)]);
  }
}

async function main(): Promise<void> {
  const dbName = `roster_explain_${randomBytes(4).toString("hex")}`;
  const admin = new Client({ connectionString: BASE_DB });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(BASE_DB);
  url.pathname = `/${dbName}`;
  const ds = createDataSource({ url: url.toString(), poolSize: 2 });
  try {
    await ds.initialize();
    await ds.runMigrations();
    const qr = ds.createQueryRunner();
    const org = async (name: string) => (await qr.query(`INSERT INTO organizations (name, plan) VALUES ($1, 'enterprise') RETURNING id`, [name]))[0].id as string;
    const orgId = await org("big");
    await seed(qr, orgId, "user", USERS);
    for (let o = 0; o < 50; o++) await seed(qr, await org(`other-${o}`), `o${o}-`, 1_000);
    await qr.query(`SELECT assign_scim_positions(id) FROM organizations`); // as their first SCIM list would
    await qr.query(`DELETE FROM memberships WHERE id IN (SELECT id FROM memberships WHERE org_id = $1 ORDER BY random() LIMIT 500)`, [orgId]);
    await qr.query(`VACUUM ANALYZE`);

    const out: Array<[string, string]> = [];
    const explaining = (title: string) => ({
      async query(sql: string | PreparedQuery, params?: unknown[]): Promise<unknown[]> {
        await qr.startTransaction();
        try {
          const plan: Array<{ "QUERY PLAN": string }> = await qr.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${sqlText(sql)}`, params);
          out.push([title, plan.map((r) => r["QUERY PLAN"]).join("\n")]);
        } finally {
          await qr.rollbackTransaction();
        }
        return [];
      },
    });
    const deps = (title: string) => ({ ds: explaining(title) }) as unknown as Deps;
    const sc = { orgId, tokenId: "t", ctx: { actor: { type: "scim" as const, id: "t", name: "bench" } } };
    const [{ id: target }] = await qr.query(`SELECT id FROM memberships WHERE org_id = $1 AND scim_pos IS NOT NULL ORDER BY scim_pos OFFSET $2 LIMIT 1`, [orgId, Math.floor(USERS * 0.6)]);
    const [current] = await qr.query(`SELECT id, role, status, scim_role AS "scimRole", scim_user_name AS "scimUserName", external_id AS "externalId", scim_attributes AS "scimAttributes" FROM memberships WHERE id = $1`, [target]);

    const at = Math.floor(USERS * 0.73);
    await listUsers(deps(`GET /Users?startIndex=${at}&count=100 (page by position, total from the counter)`), sc, undefined, { startIndex: at, count: 100 }, USER_ORDER_DEFAULT);
    await listUsers(deps(`GET /Users?filter=userName eq "USER${at}@bench.test"`), sc, [{ userName: ["eq", `USER${at}@bench.test`] }], { startIndex: 1, count: 100 }, USER_ORDER_DEFAULT);
    await createIdpMembers(explaining("POST /Users (set-based create, one statement)") as unknown as EntityManager, sc.ctx, orgId, [{
      userName: "fresh@bench.test", externalId: "x", attributes: { displayName: "Fresh" }, scimRole: null, role: "member", active: true, email: "fresh@bench.test", name: "Fresh" }], "scim");
    await replaceIdpMembers(explaining("PATCH active=false (set-based compare-and-set replace)") as unknown as EntityManager, sc.ctx, orgId, [{
      current, next: { userName: current.scimUserName, externalId: current.externalId, attributes: current.scimAttributes, active: false } }], "scim");
    await orgMemberCount(explaining("Members API first page: total from the org's tallies") as unknown as EntityManager, orgId).catch(() => undefined); // the explainer returns no rows
    // What the page cost before (issue 14): OFFSET over creation order plus a count over the org.
    await explaining(`before: ORDER BY created_at, id OFFSET ${at - 1} (for comparison)`).query(`SELECT id, scim_user_name, external_id, status, scim_attributes, created_at, updated_at
      FROM memberships m WHERE m.org_id = $1 AND m.scim_user_name IS NOT NULL ORDER BY created_at, id LIMIT 100 OFFSET ${at - 1}`, [orgId]);
    await explaining("before: count(*) for totalResults (for comparison)").query(`SELECT count(*) FROM memberships m WHERE m.org_id = $1 AND m.scim_user_name IS NOT NULL`, [orgId]);
    await qr.release();
    console.log(`EXPLAIN (ANALYZE, BUFFERS): ${USERS} SCIM users in one org (500 removed), 50 orgs of 1,000\n`);
    for (const [title, plan] of out) console.log(`== ${title}\n${plan}\n`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
