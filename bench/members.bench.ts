/**
 * `npm run bench:members`: the Members page list at scale. One org with BENCH_MEMBERS members
 * (default "10000,100000": each size in turn, on its own PostgreSQL database from DATABASE_URL,
 * default the local server) and 1% as many pending invitations; then, through HTTP as the page
 * calls it, the median and p95 of 20 requests for: first page per sort, a page deep in the list
 * (cursor), a search, and the old unpaged list (up to 10,000 only). A benchmark, not a test.
 */
import "reflect-metadata";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { createApp } from "../src/app";
import { mountFeatures } from "../src/features";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { Outbox } from "../src/mail/outbox";
import { systemClock, SYSTEM_CTX, type Deps } from "../src/context";
import { createDataSource } from "../src/db/data-source";
import { createOrgWithOwner } from "../src/orgs/org.service";
import { ApiClient } from "../test/support/app";

const BASE_DB = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PASSWORD = "bench password 0123456789";
const SIZES = (process.env.BENCH_MEMBERS ?? "10000,100000").split(",").map(Number);
const RUNS = 20;

async function timed(run: () => Promise<{ status: number }>): Promise<{ median: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await run();
    ms.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  }
  ms.sort((a, b) => a - b);
  return { median: Math.round(ms[Math.floor(RUNS / 2)] * 10) / 10, p95: Math.round(ms[Math.floor(RUNS * 0.95)] * 10) / 10 };
}

/** A fresh database, migrated, and the app as a deployment builds it; an Owner signed in through HTTP. */
async function start(): Promise<{ deps: Deps; owner: ApiClient; orgId: string; close(): Promise<void> }> {
  const name = `roster_bench_members_${randomBytes(3).toString("hex")}`;
  const admin = new Client({ connectionString: BASE_DB });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(BASE_DB);
  url.pathname = `/${name}`;
  const ds = createDataSource({ url: url.toString(), poolSize: 10 });
  await ds.initialize();
  await ds.runMigrations();
  const config = loadConfig({ BASE_URL: "http://127.0.0.1:3999", DATABASE_URL: url.toString(), SESSION_SECRET: "bench-secret-0123456789abcdef0123456789", LOG_LEVEL: "silent", DATA_DIR: "/tmp/roster-bench" });
  const deps: Deps = { config, ds, logger: createLogger("silent"), clock: systemClock, outbox: new Outbox() };
  const app = createApp(deps, { mount: (a) => mountFeatures(a, deps) });
  const { org } = await createOrgWithOwner(deps, SYSTEM_CTX, { name: "Bench", plan: "pro", ownerEmail: "owner@bench-org.test", ownerPassword: PASSWORD, ownerName: "Owner" });
  const owner = new ApiClient(app);
  const r = await owner.post("/api/auth/signin", { email: "owner@bench-org.test", password: PASSWORD });
  if (r.status !== 200) throw new Error(`sign-in: ${r.status} ${JSON.stringify(r.body)}`);
  return {
    deps, owner, orgId: org.id,
    close: async () => {
      await ds.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function bench(size: number): Promise<Record<string, unknown>> {
  const t = await start();
  const fx = { orgId: t.orgId, owner: t.owner };
  try {
    const t0 = performance.now();
    // Realistic spread: names, emails, roles, half never active.
    await t.deps.ds.query(`INSERT INTO users (email, name) SELECT 'person' || g || '@bench.test', 'Person ' || md5(g::text) FROM generate_series(1, $1) g`, [size]);
    await t.deps.ds.query(`INSERT INTO memberships (org_id, user_id, role, source, last_active_at)
      SELECT $1, u.id, CASE WHEN random() < 0.02 THEN 'admin' ELSE 'member' END, 'invite',
             CASE WHEN random() < 0.5 THEN now() - random() * interval '90 days' END
        FROM users u WHERE u.email LIKE '%@bench.test'`, [fx.orgId]);
    await t.deps.ds.query(`INSERT INTO invitations (org_id, email, role, token_hash, expires_at, last_sent_at)
      SELECT $1, 'invitee' || g || '@bench.test', 'member', md5(g::text), now() + interval '7 days', now() FROM generate_series(1, $2) g`, [fx.orgId, Math.ceil(size / 100)]);
    await t.deps.ds.query("ANALYZE");
    const seeded = Math.round(performance.now() - t0);
    const m = `/api/orgs/${fx.orgId}/members`;
    // A cursor half way down the name order.
    let deep = (await fx.owner.get(`${m}?sort=name&limit=200`)).body.nextCursor as string;
    for (let i = 0; i < Math.min(20, size / 400); i++) deep = (await fx.owner.get(`${m}?sort=name&limit=200&cursor=${deep}`)).body.nextCursor;
    const out: Record<string, unknown> = { members: size, seedMs: seeded };
    out["name, first page of 25"] = await timed(() => fx.owner.get(`${m}?sort=name&limit=25`));
    out["role, first page of 25"] = await timed(() => fx.owner.get(`${m}?sort=role&limit=25`));
    out["lastActive, first page of 25"] = await timed(() => fx.owner.get(`${m}?sort=lastActive&limit=25`));
    out["name, page after a deep cursor"] = await timed(() => fx.owner.get(`${m}?sort=name&limit=25&cursor=${deep}`));
    out["search 'person 1ab' (name or email)"] = await timed(() => fx.owner.get(`${m}?query=${encodeURIComponent("person 1ab")}&limit=25`));
    out["search one email"] = await timed(() => fx.owner.get(`${m}?query=person4242@bench.test&limit=25`));
    out["invitations, first page of 25"] = await timed(() => fx.owner.get(`/api/orgs/${fx.orgId}/invitations?limit=25`));
    if (size <= 10_000) out["old unpaged list (every member)"] = await timed(() => fx.owner.get(m));
    return out;
  } finally {
    await t.close();
  }
}

async function main(): Promise<void> {
  for (const size of SIZES) {
    const r = await bench(size);
    console.log(`\n${r.members} members (seeded in ${r.seedMs} ms); ms over ${RUNS} requests`);
    for (const [k, v] of Object.entries(r)) if (typeof v === "object") console.log(`  ${k.padEnd(40)} median ${String((v as { median: number }).median).padStart(7)}  p95 ${String((v as { p95: number }).p95).padStart(7)}`);
    console.log(JSON.stringify(r));
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
