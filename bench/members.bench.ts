/**
 * `npm run bench:members`: the Members page list at scale. One org with BENCH_MEMBERS members
 * (default "10000,100000": each size in turn, on its own PostgreSQL database from DATABASE_URL,
 * default the local server), 1% as many pending invitations, and 50 other orgs of 1,000 members;
 * then, through HTTP as the page calls it, the median and p95 of 20 requests for: first page per
 * sort and direction, pages deep in the list (cursor), searches, invitations, and the old unpaged
 * list (up to 10,000 only). Then issue 14's scaling rule: each request's largest-size median
 * against its smallest-size median, met when ≤ 1.5×. BENCH_EXPLAIN=1 prints EXPLAIN (ANALYZE,
 * BUFFERS) of every page query at the largest size. A benchmark, not a test.
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
import { encodeCursor } from "../src/db/keyset";

const BASE_DB = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PASSWORD = "bench password 0123456789";
const SIZES = (process.env.BENCH_MEMBERS ?? "10000,100000").split(",").map(Number);
const RUNS = 20;
const RULE = 1.5;
const OTHER_ORGS = 50;
const OTHER_ORG_MEMBERS = 1000;

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

/** Every SQL statement the app sends while `run` runs, for EXPLAIN. */
async function statementsOf(deps: Deps, run: () => Promise<unknown>): Promise<Array<[string, unknown[]]>> {
  const seen: Array<[string, unknown[]]> = [];
  const manager = deps.ds.manager; // the page queries go through it (DataSource.query does too)
  const original = manager.query.bind(manager);
  manager.query = (async (sql: string, params?: unknown[]) => { seen.push([sql, params ?? []]); return original(sql, params); }) as typeof manager.query;
  try {
    await run();
  } finally {
    manager.query = original as typeof manager.query;
  }
  return seen;
}

async function explain(t: { deps: Deps; owner: ApiClient }, label: string, path: string): Promise<void> {
  const sqls = await statementsOf(t.deps, () => t.owner.get(path));
  for (const [sql, params] of sqls.filter(([q]) => /FROM (memberships|invitations) [mi]\b/.test(q))) {
    const plan: Array<Record<string, string>> = await t.deps.ds.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    console.log(`\n-- ${label}: ${sql.replace(/\s+/g, " ").slice(0, 160)}…\n${plan.map((r) => Object.values(r)[0]).join("\n")}`);
  }
}

interface Prepared { size: number; seedMs: number; t: Awaited<ReturnType<typeof start>>; requests: Array<[string, string]> }

/** One size: its own database and app, seeded; the requests to time, by label. */
async function prepare(size: number): Promise<Prepared> {
  const t = await start();
  const fx = { orgId: t.orgId, owner: t.owner };
  try {
    const t0 = performance.now();
    // 50 other orgs of 1,000 members: the indexes must pick this org's rows, not scan everyone's.
    await t.deps.ds.query(`INSERT INTO organizations (name, plan) SELECT 'Other ' || g, 'pro' FROM generate_series(1, $1) g`, [OTHER_ORGS]);
    await t.deps.ds.query(`INSERT INTO users (email, name) SELECT 'other' || g || '@others.test', 'Other ' || md5(g::text) FROM generate_series(1, $1) g`, [OTHER_ORGS * OTHER_ORG_MEMBERS]);
    await t.deps.ds.query(`INSERT INTO memberships (org_id, user_id, role, source, last_active_at)
      SELECT o.id, u.id, 'member', 'invite', CASE WHEN random() < 0.5 THEN now() - random() * interval '90 days' END
        FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM organizations WHERE name LIKE 'Other %') o
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE email LIKE '%@others.test') u ON u.n / $1 = o.n`, [OTHER_ORG_MEMBERS]);
    // Realistic spread: names, emails, roles, half never active.
    await t.deps.ds.query(`INSERT INTO users (email, name) SELECT 'person' || g || '@bench.test', 'Person ' || md5(g::text) FROM generate_series(1, $1) g`, [size]);
    await t.deps.ds.query(`INSERT INTO memberships (org_id, user_id, role, source, last_active_at)
      SELECT $1, u.id, CASE WHEN random() < 0.02 THEN 'admin' ELSE 'member' END, 'invite',
             CASE WHEN random() < 0.5 THEN now() - random() * interval '90 days' END
        FROM users u WHERE u.email LIKE '%@bench.test'`, [fx.orgId]);
    await t.deps.ds.query(`INSERT INTO invitations (org_id, email, role, token_hash, expires_at, last_sent_at)
      SELECT $1, 'invitee' || g || '@bench.test', 'member', md5(g::text), now() + interval '7 days', now() FROM generate_series(1, $2) g`, [fx.orgId, Math.ceil(size / 100)]);
    await t.deps.ds.query("VACUUM ANALYZE"); // as autovacuum leaves a settled table (index-only scans)
    const seeded = Math.round(performance.now() - t0);
    const m = `/api/orgs/${fx.orgId}/members`;
    // Cursors half way down each order: the row at size/2, encoded as the page encodes its last row.
    const deepOf = async (keys: string, order: string) => {
      const [row] = await t.deps.ds.query(`SELECT ${keys}, id::text FROM memberships m WHERE org_id = $1 ORDER BY ${order} OFFSET $2 LIMIT 1`, [fx.orgId, Math.floor(size / 2)]);
      return encodeCursor(Object.values(row as Record<string, string>));
    };
    const deep = await deepOf("sort_name", "sort_name, id");
    const rank = "(CASE role WHEN 'owner' THEN 1 WHEN 'admin' THEN 2 ELSE 3 END)";
    const deepRole = await deepOf(`${rank}::text, sort_name`, `${rank}, sort_name, id`);
    const active = "COALESCE(last_active_at, '0001-01-01T00:00:00Z'::timestamptz)";
    const deepActive = await deepOf(`${active}::text`, `${active}, id`);
    const requests: Array<[string, string]> = [];
    for (const sort of ["name", "-name", "role", "-role", "lastActive", "-lastActive"]) requests.push([`${sort}, first page of 25`, `${m}?sort=${sort}&limit=25`]);
    requests.push(
      ["name, page after a deep cursor", `${m}?sort=name&limit=25&cursor=${deep}`],
      ["search 'person 1ab' (start of a name)", `${m}?query=${encodeURIComponent("person 1ab")}&limit=25`],
      ["search 'person42' (start of emails)", `${m}?query=person42&limit=25`],
      ["search one email", `${m}?query=person4242@bench.test&limit=25`],
      ["invitations, first page of 25", `/api/orgs/${fx.orgId}/invitations?limit=25`],
      ["invitations by email, first page of 25", `/api/orgs/${fx.orgId}/invitations?sort=email&limit=25`],
      ["role, page after a deep cursor", `${m}?sort=role&limit=25&cursor=${deepRole}`],
      ["-lastActive, page after a deep cursor", `${m}?sort=-lastActive&limit=25&cursor=${deepActive}`],
    );
    if (size <= 10_000) requests.push(["old unpaged list (every member)", m]);
    return { size, seedMs: seeded, t, requests };
  } catch (err) {
    await t.close();
    throw err;
  }
}

async function once(t: Prepared["t"], path: string): Promise<number> {
  const t0 = performance.now();
  const r = await t.owner.get(path);
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`HTTP ${r.status} for ${path}`);
  return ms;
}

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10, p95: Math.round(sorted[Math.floor(sorted.length * 0.95)] * 10) / 10 };
};

async function main(): Promise<void> {
  const sizes: Prepared[] = [];
  try {
    for (const size of SIZES) sizes.push(await prepare(size));
    // Interleaved: run i of a request at every size before run i+1, so the machine's load (shared,
    // it swings) falls on each size alike and the ratios compare like with like.
    const results = sizes.map(() => new Map<string, { median: number; p95: number }>());
    for (const [label] of sizes[0].requests) {
      const ms = sizes.map(() => [] as number[]);
      for (let run = 0; run < RUNS; run++) {
        for (const [i, p] of sizes.entries()) {
          const path = p.requests.find(([l]) => l === label)?.[1];
          if (path) ms[i].push(await once(p.t, path));
        }
      }
      for (const [i] of sizes.entries()) if (ms[i].length) results[i].set(label, stats(ms[i]));
    }
    for (const [i, p] of sizes.entries()) {
      console.log(`\n${p.size} members (+ ${OTHER_ORGS} orgs of ${OTHER_ORG_MEMBERS}; seeded in ${p.seedMs} ms); ms over ${RUNS} requests`);
      for (const [k, v] of results[i]) console.log(`  ${k.padEnd(42)} median ${String(v.median).padStart(7)}  p95 ${String(v.p95).padStart(7)}`);
      console.log(JSON.stringify({ members: p.size, ...Object.fromEntries(results[i]) }));
    }
    if (sizes.length >= 2) {
      const [small, large] = [results[0], results[results.length - 1]];
      console.log(`\nScaling rule (issue 14): median at ${sizes[sizes.length - 1].size} ÷ median at ${sizes[0].size} ≤ ${RULE}`);
      let met = true;
      for (const [k, v] of large) {
        const base = small.get(k);
        if (!base) continue;
        const ratio = v.median / base.median;
        met &&= ratio <= RULE;
        console.log(`  ${k.padEnd(42)} ${String(base.median).padStart(7)} → ${String(v.median).padStart(7)}  ×${ratio.toFixed(2)}  ${ratio <= RULE ? "met" : "NOT MET"}`);
      }
      console.log(met ? "All requests within the rule." : "Some requests break the rule (above).");
    }
    if (process.env.BENCH_EXPLAIN === "1") {
      const largest = sizes[sizes.length - 1];
      for (const [label, path] of largest.requests) await explain(largest.t, label, path);
    }
  } finally {
    for (const p of sizes) await p.t.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
