/**
 * `npm run bench:scim`: SCIM over HTTP against PostgreSQL, 20 concurrent keep-alive connections
 * like a busy IdP, next to the same operations as plain `pg` queries (the floor: the SQL a
 * minimal handler would issue, measured in the same run). A benchmark, not a test: it prints a
 * table, the issue-14 targets marked met / not met, and one JSON line. Creates and drops its
 * own database; traffic only to 127.0.0.1.
 *
 * Workloads: POST /Users, GET filter userName eq, GET a page of 100 at a random startIndex,
 * PATCH active=false, and a group PATCH adding 100 members.
 *
 * Modes (environment):
 * - BENCH_RATE_LIMIT=<count/window> (e.g. 1000000/1m): the shipped per-token limiter
 *   (SharedRateLimiter over PostgreSQL) on with that limit, to show it is not what bounds the
 *   figures; by default it is off so that the server is measured.
 * - BENCH_LARGE=1: afterwards, grows the org to BENCH_LARGE_USERS (default 100,000) members and
 *   adds 50 other orgs of 1,000, then measures lookup, PATCH and random-startIndex paging again
 *   and checks each keeps within 1.5x of its figure at BENCH_USERS (takes a few minutes more).
 *
 * The Roster server runs in its own process (bench/scim-server.ts, forked), as deployed: the
 * load generator and the raw-`pg` floor stay here, so they do not compete with the server for
 * its event loop, and the RSS reported is the server process's peak (VmHWM). For each phase the
 * table also gives the CPU spent per operation by the server process and by the PostgreSQL
 * backends of the bench database, which tells what bounds a figure on this machine.
 *
 * - BENCH_PEER=<file>: a peer's results (its JSON line, same workloads, run in the same sitting,
 *   e.g. Ory Polis): prints Roster's rate as a multiple of the peer's against issue 14's.
 *
 * BENCH_ONLY=post,lookup,page,patch,group (comma-separated) runs only those workloads (POST always
 * runs: it creates the users the others use); the targets are then checked for those only.
 * BENCH_USERS (default 10000) scales the run; BENCH_PROFILE_DIR=dir writes a V8 CPU profile of
 * the server for each SCIM phase (dir/<phase>.cpuprofile); BENCH_LOG_LEVEL sets the server's log
 * level (default silent).
 */
import http from "node:http";
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Client, Pool } from "pg";
import type { ParentMessage, ServerMessage } from "./scim-server";

const CONCURRENCY = 20;
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const LOOKUPS = Math.min(USERS, 5_000);
const PATCHES = Math.min(USERS, 5_000);
const PAGES = Number(process.env.BENCH_PAGES ?? 1_500);
const LARGE = process.env.BENCH_LARGE === "1";
const LARGE_USERS = Number(process.env.BENCH_LARGE_USERS ?? 100_000);
const RATE_LIMIT = process.env.BENCH_RATE_LIMIT;
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((w) => w.trim().toLowerCase())) : null;
const runs = (workload: string) => !ONLY || ONLY.has(workload);
const GROUPS = 5; // each: 1,000 members in PATCHes of 100
const BASE_DB = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

interface Stats { n: number; seconds: number; rps: number; p50: number; p99: number; errors: number; serverCpuMs: number; pgCpuMs: number }

function stats(lat: number[], seconds: number, errors: number, cpu: { server: number; pg: number }): Stats {
  const s = [...lat].sort((a, b) => a - b);
  const pct = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return { n: lat.length, seconds, rps: lat.length / seconds, p50: pct(0.5), p99: pct(0.99), errors,
    serverCpuMs: cpu.server / lat.length, pgCpuMs: cpu.pg / lat.length };
}

/** CPU time (ms) of one process from /proc/<pid>/stat (utime + stime); 0 once it is gone. */
const TICK_MS = 10; // USER_HZ is 100 on Linux
function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * CPU time of the PostgreSQL backends serving the bench database (their process title names
 * it: "postgres: [cluster: ]user <db> host(port) …"), i.e. the server's pool and the floor's
 * pool, not other databases' sessions on the same cluster nor the background processes
 * (autovacuum included).
 * Pools close idle connections, so a phase samples every backend it sees (every 100 ms) and
 * adds up each one's growth since the phase began (or since it appeared).
 */
let benchDb = "";
const notPostgres = new Set<string>(); // PIDs whose command is not PostgreSQL's: not read again
function backendCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || notPostgres.has(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      // Skipping the rest of the machine's processes keeps the meter's own CPU (it shares the
      // cores it measures) small; a backend not yet named ("…/bin/postgres -D …") is read again.
      if (!cmd.includes("postgres")) notPostgres.add(d);
      // Client backends only ("… user db host(port) state"): autovacuum workers also name the
      // database, and counting them charged whichever phase ran when they did.
      if (cmd.startsWith("postgres: ") && cmd.split(" ").includes(benchDb) && /\d\(\d+\)|\[local\]/.test(cmd)) out.set(Number(d), cpuOf(Number(d)));
    } catch { /* gone */ }
  }
  return out;
}

function postgresMeter(): { stop(): number } {
  const start = backendCpu();
  const last = new Map(start);
  const sample = () => { for (const [pid, ms] of backendCpu()) if (ms > 0) last.set(pid, ms); };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      let total = 0;
      for (const [pid, ms] of last) total += ms - (start.get(pid) ?? 0);
      return total;
    },
  };
}

let serverPid = 0;

/** Runs job(i) for i < n on `CONCURRENCY` workers; latency per call in ms. */
async function load(n: number, job: (i: number) => Promise<boolean>): Promise<Stats> {
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const cpu0 = cpuOf(serverPid);
  const pg = postgresMeter();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < n; i = next++) {
      const s = performance.now();
      if (!(await job(i))) errors++;
      lat.push(performance.now() - s);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  return stats(lat, seconds, errors, { server: cpuOf(serverPid) - cpu0, pg: pg.stop() });
}

/** The forked server and a request/response over its IPC channel. */
let child: ChildProcess | undefined;
let nextMsg = 0;
type Command = ParentMessage extends infer M ? (M extends ParentMessage ? Omit<M, "id"> : never) : never;
function command(msg: Command): Promise<void> {
  const id = ++nextMsg;
  return new Promise((ok, fail) => {
    const onMsg = (m: ServerMessage) => {
      if (m.type === "done" && m.id === id) {
        child!.off("message", onMsg);
        ok();
      }
    };
    child!.on("message", onMsg);
    child!.send({ ...msg, id } as ParentMessage, (err) => err && fail(err));
  });
}

function startServer(url: string): Promise<Extract<ServerMessage, { type: "ready" }>> {
  child = fork(path.join(__dirname, "scim-server.ts"), [], {
    execArgv: ["--import", "tsx"], env: { ...process.env, BENCH_DATABASE_URL: url, ...(RATE_LIMIT ? { BENCH_RATE_LIMIT: RATE_LIMIT } : {}) }, stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  serverPid = child.pid!;
  return new Promise((ok, fail) => {
    child!.once("exit", (code) => fail(new Error(`the bench server exited (${code}) before it was ready`)));
    child!.once("message", (m: ServerMessage) => (m.type === "ready" ? ok(m) : fail(new Error("unexpected message"))));
  });
}

/** Resident set of the server process: current (VmRSS) and peak (VmHWM), in bytes. */
function serverRss(): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${serverPid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** Runs one SCIM phase, under a CPU profile of the server when BENCH_PROFILE_DIR is set. */
async function profiled<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return fn();
  mkdirSync(PROFILE_DIR, { recursive: true });
  await command({ cmd: "profile-start" });
  try {
    return await fn();
  } finally {
    await command({ cmd: "profile-stop", file: path.resolve(PROFILE_DIR, `${phase.replace(/[^a-z0-9]+/gi, "-")}.cpuprofile`) });
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let port = 0;
let serverPool = 0;
let token = "";
function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({ host: "127.0.0.1", port, method, path: `/scim/v2${path}`, agent, headers: {
      Authorization: `Bearer ${token}`, Accept: "application/scim+json",
      ...(data ? { "Content-Type": "application/scim+json", "Content-Length": data.length } : {}),
    } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on("error", reject);
    req.end(data);
  });
}

/** A reproducible pseudo-random sequence (mulberry32), so runs page through the same startIndexes. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The SQL a minimal handler issues for each workload, run by the floor against the raw org.
 * It mirrors what Roster's handlers issue (scim/users.service.ts), minus HTTP, auth, mapping,
 * audit and the member rules, so the ratio is the price of everything Roster adds.
 */
const RAW = {
  create: `WITH u AS (INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id)
    INSERT INTO memberships (org_id, user_id, role, source, scim_user_name, external_id, scim_attributes)
    SELECT $3, u.id, 'member', 'scim', $1, $4, $5 FROM u`,
  lookup: `SELECT id, scim_user_name, external_id, status, scim_attributes, created_at, updated_at FROM memberships
    WHERE org_id = $1 AND scim_user_name IS NOT NULL AND lower(scim_user_name) = $2 ORDER BY scim_pos LIMIT 100`,
  // Seek to the position (memberships.scim_pos), skipping the freed positions below it; the total
  // is the maintained count: the statement Roster's list issues (scim/users.service.ts listAllUsers).
  page: `SELECT c.scim_users AS total, p.* FROM org_member_counts c LEFT JOIN LATERAL (
      SELECT id, scim_user_name, external_id, status, scim_attributes, created_at, updated_at FROM memberships m
       WHERE m.org_id = $1 AND m.scim_pos IS NOT NULL AND m.scim_pos >= $2 ORDER BY m.scim_pos LIMIT 100
      OFFSET CASE WHEN c.scim_gaps = 0 THEN 0 ELSE (SELECT count(*) FROM scim_position_gaps g WHERE g.org_id = $1 AND g.pos < $2) END) p ON true
    WHERE c.org_id = $1`,
  patch: `UPDATE memberships SET status = 'suspended', updated_at = now() WHERE id = $1`,
};

/**
 * BENCH_PEER=<file>: the JSON line a peer's run of the same workloads printed (its `results`:
 * { "POST /Users": { rps }, ... }), e.g. Ory Polis measured beside Roster (README: Benchmark).
 * The report then gives Roster's rate as a multiple of the peer's, against issue 14's multiples.
 */
const PEER_MULTIPLES: Record<string, number> = { "POST /Users": 2, "GET userName eq": 1.2, "GET page of 100": 2, "PATCH active=false": 1.2 };
const PEER: { label: string; results: Record<string, { rps: number }> } | null = (() => {
  const file = process.env.BENCH_PEER;
  if (!file) return null;
  const line = readFileSync(file, "utf8").split("\n").reverse().find((l) => l.trim().startsWith("{") && l.includes('"results"'));
  if (!line) throw new Error(`BENCH_PEER: no JSON line with "results" in ${file}`);
  const j = JSON.parse(line) as { bench?: string; server?: string; results: Record<string, { rps: number }> };
  return { label: [j.bench ?? "peer", j.server].filter(Boolean).join(" "), results: j.results };
})();

/** The issue's absolute targets (issue 14): rate, p99 and, for pages, PostgreSQL CPU per page. */
const TARGETS: Record<string, { rps: number; p99: number; pgCpuMs?: number }> = {
  "POST /Users": { rps: 650, p99: 100 },
  "GET userName eq": { rps: 1250, p99: 100 },
  "GET page of 100": { rps: 150, p99: 250, pgCpuMs: 5 },
  "PATCH active=false": { rps: 850, p99: 100 },
};

const userBody = (i: number) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  userName: `user${i}@bench.test`, externalId: `ext-${i}`, active: true, displayName: `User ${i}`,
  name: { givenName: "User", familyName: String(i) }, emails: [{ primary: true, type: "work", value: `user${i}@bench.test` }],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Bench" },
});

const PATCH_INACTIVE = { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "active", value: false }] };

interface Ctx { pool: Pool; scimOrg: string; rawOrg: string; size: number }

/** Lookup, random page and PATCH (the three the 100k check repeats), on `size` users named user<i> / raw<i>. */
async function readAndPatch(c: Ctx, label: string, scimIds: string[], rawIds: string[]): Promise<Record<string, { scim: Stats; raw: Stats }>> {
  const rows: Record<string, { scim: Stats; raw: Stats }> = {};
  const pick = (i: number) => (i * 7919) % c.size;
  if (runs("lookup")) rows["GET userName eq"] = {
    raw: await load(LOOKUPS, async (i) => {
      await c.pool.query(RAW.lookup, [c.rawOrg, `raw${pick(i)}@bench.test`]);
      return true;
    }),
    scim: await profiled(`${label}lookup`, () => load(LOOKUPS, async (i) => {
      const r = await call("GET", `/Users?filter=${encodeURIComponent(`userName eq "USER${pick(i)}@bench.test"`)}`);
      return r.status === 200 && r.json.totalResults === 1;
    })),
  };
  const starts = (seed: number) => { const r = prng(seed); return Array.from({ length: PAGES }, () => 1 + Math.floor(r() * (c.size - 100))); };
  const rawStarts = starts(14);
  const scimStarts = starts(14);
  if (runs("page")) rows["GET page of 100"] = {
    raw: await load(PAGES, async (i) => {
      await c.pool.query(RAW.page, [c.rawOrg, rawStarts[i]]);
      return true;
    }),
    scim: await profiled(`${label}page`, () => load(PAGES, async (i) => {
      const r = await call("GET", `/Users?startIndex=${scimStarts[i]}&count=100`);
      return r.status === 200 && r.json.Resources.length === 100 && r.json.totalResults === c.size
        && r.json.Resources[0].userName === expectedAt(scimStarts[i]);
    })),
  };
  const n = Math.min(PATCHES, scimIds.length, rawIds.length);
  if (runs("patch")) rows["PATCH active=false"] = {
    raw: await load(n, async (i) => {
      await c.pool.query(RAW.patch, [rawIds[i]]);
      return true;
    }),
    scim: await profiled(`${label}patch`, () => load(n, async (i) => {
      const r = await call("PATCH", `/Users/${scimIds[i]}`, PATCH_INACTIVE);
      return r.status === 204;
    })),
  };
  return rows;
}

/** The userName at a 1-based position of the default order: users are created in index order. */
let expectedAt = (startIndex: number): string => `user${startIndex - 1}@bench.test`;

/**
 * Grows both orgs to `total` users the way POST would leave them (account, IdP-managed
 * membership with its SCIM attributes, member.added event), and adds 50 orgs of 1,000 members,
 * in set-based SQL: the 100k check measures reads and PATCH at that size, not the seeding.
 */
async function grow(pool: Pool, orgs: { org: string; prefix: string }[], from: number, total: number): Promise<void> {
  for (const { org, prefix } of orgs) {
    for (let lo = from; lo < total; lo += 10_000) {
      const hi = Math.min(total, lo + 10_000);
      await pool.query(`WITH s AS (SELECT g AS i FROM generate_series($2::int, $3::int - 1) g),
          u AS (INSERT INTO users (email, name) SELECT '${prefix}' || i || '@bench.test', 'User ' || i FROM s RETURNING id, email, name),
          m AS (INSERT INTO memberships (org_id, user_id, role, source, scim_user_name, external_id, scim_attributes)
                SELECT $1, u.id, 'member', 'scim', u.email, 'ext-' || substring(u.email from '[0-9]+'),
                       jsonb_build_object('displayName', u.name, 'emails', jsonb_build_array(jsonb_build_object('value', u.email, 'primary', true)))
                  FROM u ORDER BY substring(u.email from '[0-9]+')::int RETURNING id, user_id)
        INSERT INTO audit_events (org_id, action, actor, target, metadata)
        SELECT $1, 'member.added', '{"type":"scim"}'::jsonb, jsonb_build_object('type', 'member', 'id', m.id), '{"role":"member","source":"scim"}'::jsonb FROM m`,
      [org, lo, hi]);
    }
  }
}

async function otherOrgs(pool: Pool, n: number, size: number): Promise<void> {
  for (let o = 0; o < n; o++) {
    const [{ id }] = (await pool.query(`INSERT INTO organizations (name, plan) VALUES ($1, 'enterprise') RETURNING id`, [`other-${o}`])).rows;
    await grow(pool, [{ org: id, prefix: `o${o}-` }], 0, size);
  }
}

async function main(): Promise<void> {
  const dbName = `roster_bench_${randomBytes(4).toString("hex")}`;
  benchDb = dbName;
  const adminUrl = new URL(BASE_DB);
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(BASE_DB);
  url.pathname = `/${dbName}`;
  let peakRss = 0;
  let rssTimer: NodeJS.Timeout | undefined;
  const pool = new Pool({ connectionString: url.toString(), max: CONCURRENCY });
  // pool.end() resolves before the backends are gone, so DROP … WITH (FORCE) may still terminate one.
  pool.on("error", () => undefined);
  try {
    const ready = await startServer(url.toString());
    port = ready.port;
    token = ready.token;
    serverPool = ready.pool;
    const { scimOrg, rawOrg } = ready;
    rssTimer = setInterval(() => { peakRss = Math.max(peakRss, serverRss().rss); }, 200);
    const c: Ctx = { pool, scimOrg, rawOrg, size: USERS };

    // 1. create (in index order, so position i+1 of the default order is user<i>)
    const ids: string[] = new Array(USERS);
    const rows: Record<string, { scim: Stats; raw: Stats }> = {};
    const rawCreate = await load(USERS, async (i) => {
      await pool.query(RAW.create, [`raw${i}@bench.test`, `User ${i}`, rawOrg, `ext-${i}`, JSON.stringify(userBody(i))]);
      return true;
    });
    // Creation order is what the default (created) order pages by; concurrent POSTs land out of
    // index order, so pages are checked against the order the server assigned.
    const scimCreate = await profiled("create", () => load(USERS, async (i) => {
      const r = await call("POST", "/Users", userBody(i));
      ids[i] = r.json?.id;
      return r.status === 201;
    }));
    rows["POST /Users"] = { scim: scimCreate, raw: rawCreate };
    const order = await listAll();
    expectedAt = (s) => order[s - 1];
    const rawIds: string[] = (await pool.query(`SELECT id FROM memberships WHERE org_id = $1 AND scim_user_name IS NOT NULL ORDER BY created_at`, [rawOrg])).rows.map((r) => r.id);
    Object.assign(rows, await readAndPatch(c, "", ids, rawIds));

    // 5. add 1,000 members to a group in PATCHes of 100 (GROUPS groups, so the rate has enough samples)
    const scimGroups: string[] = [];
    if (runs("group")) for (let g = 0; g < GROUPS; g++) scimGroups.push((await call("POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `Group ${g}` })).json.id);
    const rawGroups: string[] = [];
    if (runs("group")) for (let g = 0; g < GROUPS; g++) rawGroups.push((await pool.query(`INSERT INTO scim_groups (org_id, display_name) VALUES ($1, $2) RETURNING id`, [rawOrg, `Group ${g}`])).rows[0].id);
    const from = USERS >= 3000 ? 2000 : 0; // small runs (BENCH_USERS) add whom they have
    const batch = (list: string[], j: number) => list.slice((j % 10) * 100 + from, (j % 10) * 100 + from + 100);
    if (runs("group")) rows["group PATCH +100 members"] = {
      raw: await load(GROUPS * 10, async (j) => {
        await pool.query(`INSERT INTO scim_group_members (group_id, membership_id, org_id) SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING`,
          [rawGroups[Math.floor(j / 10)], batch(rawIds, j), rawOrg]);
        return true;
      }),
      scim: await profiled("group-patch", () => load(GROUPS * 10, async (j) => {
        const r = await call("PATCH", `/Groups/${scimGroups[Math.floor(j / 10)]}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "add", path: "members", value: batch(ids, j).map((value) => ({ value })) }] });
        return r.status === 204;
      })),
    };
    const [{ n: inGroups }] = (await pool.query(`SELECT count(*)::int AS n FROM scim_group_members WHERE org_id = $1`, [scimOrg])).rows;

    // 6. the 100k check: the same org grown tenfold next to 50 orgs of 1,000
    let large: Record<string, { scim: Stats; raw: Stats }> | undefined;
    if (LARGE) {
      const t0 = performance.now();
      await grow(pool, [{ org: scimOrg, prefix: "user" }, { org: rawOrg, prefix: "raw" }], USERS, LARGE_USERS);
      await otherOrgs(pool, 50, 1_000);
      await pool.query("VACUUM ANALYZE memberships");
      await pool.query("VACUUM ANALYZE users");
      console.error(`seeded ${LARGE_USERS} users per bench org and 50 orgs of 1,000 in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      const fresh = async (org: string) => (await pool.query(`SELECT id FROM memberships WHERE org_id = $1 AND status = 'active' AND scim_user_name IS NOT NULL ORDER BY random() LIMIT $2`, [org, PATCHES])).rows.map((r) => r.id);
      const scimFresh = await fresh(scimOrg);
      const rawFresh = await fresh(rawOrg);
      const all = await listAll();
      expectedAt = (s) => all[s - 1];
      // That first list numbered the 90,000 seeded users (one UPDATE of each): vacuum again, as
      // autovacuum would have in a directory that grew over time, so that the reads below do not
      // pay for setting the new row versions' hint bits (PG CPU per page 2.9 -> 8 ms otherwise).
      await pool.query("VACUUM ANALYZE memberships");
      large = await readAndPatch({ ...c, size: LARGE_USERS }, "large-", scimFresh, rawFresh);
    }

    // report
    const fmt = (x: number, d = 1) => x.toFixed(d).padStart(9);
    const version = (await pool.query("SHOW server_version")).rows[0].server_version;
    const lines = [`SCIM benchmark: ${USERS} users, ${CONCURRENCY} concurrent connections, PostgreSQL ${version}, server pool ${serverPool} (DB_POOL_SIZE), rate limiter ${RATE_LIMIT ? `on (${RATE_LIMIT} per token)` : "off"}`];
    const table = (title: string, set: Record<string, { scim: Stats; raw: Stats }>) => {
      lines.push(title, `${"operation".padEnd(26)}${"SCIM req/s".padStart(11)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"raw ops/s".padStart(11)}${"raw p50".padStart(9)}${"raw p99".padStart(9)}${"ratio".padStart(8)}${"errors".padStart(8)}`
        + `  | CPU ms/op: ${"server".padStart(6)}${"pg".padStart(6)}${"raw pg".padStart(8)}`);
      for (const [name, { scim, raw }] of Object.entries(set)) {
        const ratio = scim.rps / raw.rps;
        lines.push(`${name.padEnd(26)}${fmt(scim.rps, 0).padStart(11)}${fmt(scim.p50)}${fmt(scim.p99)}${fmt(raw.rps, 0).padStart(11)}${fmt(raw.p50)}${fmt(raw.p99)}${fmt(ratio, 2).slice(1).padStart(8)}${String(scim.errors).padStart(8)}`
          + `  |            ${scim.serverCpuMs.toFixed(2).padStart(6)}${scim.pgCpuMs.toFixed(2).padStart(6)}${raw.pgCpuMs.toFixed(2).padStart(8)}`);
      }
    };
    table("", rows);
    const json: Record<string, unknown> = { results: Object.fromEntries(Object.entries(rows).map(([k, { scim, raw }]) => [k, { scim: round(scim), raw: round(raw), ratio: Number((scim.rps / raw.rps).toFixed(3)) }])) };
    // The issue's absolute rates are its multiples of Polis on the machine it was measured on; on
    // another machine the multiples of a peer run in the same sitting (BENCH_PEER) are the test.
    lines.push(`targets (issue 14, absolute: Polis's multiples on the issue's machine${PEER ? "; the same-sitting multiples below decide here" : "; elsewhere compare with BENCH_PEER"}):`);
    const met: Record<string, boolean> = {};
    for (const [name, t] of Object.entries(TARGETS)) {
      if (!rows[name]) continue;
      const s = rows[name].scim;
      const ok = s.errors === 0 && s.rps >= t.rps && s.p99 <= t.p99 && (t.pgCpuMs === undefined || s.pgCpuMs <= t.pgCpuMs);
      met[name] = ok;
      lines.push(`  ${name.padEnd(22)} ${s.rps.toFixed(0).padStart(6)}/s (>= ${t.rps})  p99 ${s.p99.toFixed(1).padStart(6)} ms (<= ${t.p99})`
        + `${t.pgCpuMs !== undefined ? `  PG CPU ${s.pgCpuMs.toFixed(2)} ms/page (<= ${t.pgCpuMs})` : ""}  ratio to raw pg ${(s.rps / rows[name].raw.rps).toFixed(2)}  ${ok ? "MET" : "NOT MET"}`);
    }
    json.targets = met;
    if (PEER) {
      // Issue 14 states its targets as multiples of Ory Polis's rates on the same machine; the
      // absolute figures above came from the machine the issue was measured on.
      lines.push(`against ${PEER.label} (measured in the same sitting; issue 14 wants these multiples):`);
      const vsPeer: Record<string, unknown> = {};
      for (const [name, want] of Object.entries(PEER_MULTIPLES)) {
        const peer = PEER.results[name];
        if (!rows[name] || !peer) continue;
        const x = rows[name].scim.rps / peer.rps;
        vsPeer[name] = { peerRps: Math.round(peer.rps), ratio: Number(x.toFixed(2)), want, met: x >= want };
        lines.push(`  ${name.padEnd(22)} ${rows[name].scim.rps.toFixed(0).padStart(6)}/s vs ${peer.rps.toFixed(0).padStart(5)}/s  x${x.toFixed(2)} (>= x${want})  ${x >= want ? "MET" : "NOT MET"}`);
      }
      json.peer = { label: PEER.label, results: vsPeer };
    }
    if (large) {
      table(`\n${LARGE_USERS} users in the org (+ 50 orgs of 1,000): must keep within 1.5x of the ${USERS}-user figures`, large);
      const scaling: Record<string, unknown> = {};
      for (const [name, { scim }] of Object.entries(large)) {
        const base = rows[name]!.scim;
        const slow = base.rps / scim.rps;
        const p50 = scim.p50 / base.p50;
        const ok = scim.errors === 0 && slow <= 1.5 && p50 <= 1.5;
        scaling[name] = { rps: Math.round(scim.rps), p50: Number(scim.p50.toFixed(2)), p99: Number(scim.p99.toFixed(2)), pgCpuMsPerOp: Number(scim.pgCpuMs.toFixed(3)), rateRatio: Number(slow.toFixed(2)), p50Ratio: Number(p50.toFixed(2)), met: ok };
        lines.push(`  ${name.padEnd(22)} ${base.rps.toFixed(0)}/s -> ${scim.rps.toFixed(0)}/s (x${slow.toFixed(2)} slower), p50 x${p50.toFixed(2)}, PG CPU ${base.pgCpuMs.toFixed(2)} -> ${scim.pgCpuMs.toFixed(2)} ms  ${ok ? "MET" : "NOT MET"}`);
      }
      json.large = { users: LARGE_USERS, results: scaling };
    }
    const { hwm } = serverRss();
    const peak = Math.max(peakRss, hwm);
    lines.push(`group members added: ${inGroups} (expected ${GROUPS * Math.min(1000, USERS - from)}); server process peak RSS (VmHWM): ${(peak / 1048576).toFixed(0)} MB; bench process RSS: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
    console.log(lines.join("\n"));
    console.log(JSON.stringify({ bench: "scim", users: USERS, concurrency: CONCURRENCY, pool: serverPool, rateLimit: RATE_LIMIT ?? null, ...json, groupMembersAdded: inGroups, serverPeakRssMb: Math.round(peak / 1048576) }));
  } finally {
    clearInterval(rssTimer);
    agent.destroy();
    if (child && child.exitCode === null) {
      await Promise.race([command({ cmd: "shutdown" }), new Promise((ok) => setTimeout(ok, 5000))]);
      if (child.exitCode === null) child.kill();
    }
    await pool.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

/** Every userName of the SCIM org in the server's default order, read through SCIM (pages of 1,000). */
async function listAll(): Promise<string[]> {
  const out: string[] = [];
  for (let s = 1; ; s += 1000) {
    const r = await call("GET", `/Users?startIndex=${s}&count=1000&attributes=userName`);
    for (const u of r.json.Resources) out.push(u.userName);
    if (r.json.Resources.length < 1000) return out;
  }
}

function round(s: Stats) {
  return { n: s.n, rps: Math.round(s.rps), p50: Number(s.p50.toFixed(2)), p99: Number(s.p99.toFixed(2)), errors: s.errors,
    serverCpuMsPerOp: Number(s.serverCpuMs.toFixed(3)), pgCpuMsPerOp: Number(s.pgCpuMs.toFixed(3)) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
