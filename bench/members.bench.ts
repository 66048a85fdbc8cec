/**
 * `npm run bench:members`: the Members page list at scale. One org with BENCH_MEMBERS members
 * (default "10000,100000": each size in turn, on its own PostgreSQL database from DATABASE_URL,
 * default the local server) and 1% as many pending invitations; then, through HTTP as the page
 * calls it, the median and p95 of 20 requests for: first page per sort, a page deep in the list
 * (cursor), a search, and the old unpaged list (up to 10,000 only). A benchmark, not a test.
 */
import { performance } from "node:perf_hooks";
import { startTestApp } from "../test/support/app";
import { createOrg } from "../test/support/actors";

process.env.DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/postgres";
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

async function bench(size: number): Promise<Record<string, unknown>> {
  const t = await startTestApp();
  try {
    const fx = await createOrg(t, "pro", "Bench");
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
