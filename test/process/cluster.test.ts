/**
 * Three Roster processes on one PostgreSQL, as an operator runs them behind a round-robin
 * balancer: they start together on an empty database (migrations under an advisory lock), share
 * rate limits, send each email once through a slow SMTP relay, answer 503 quickly while the
 * database is frozen (a TCP proxy that stops forwarding), and drain on SIGTERM under keep-alive
 * load without resetting a request. PostgreSQL only (DATABASE_URL): it runs in .ci/run's second pass.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { join, resolve } from "node:path";
import { Client } from "pg";
import { FreezableProxy } from "../support/tcp-proxy";
import { MailCatcher } from "../support/smtp";
import { adminUrl, withDatabase } from "../support/pg-url";
import { createDataSource } from "../../src/db/data-source";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { Outbox } from "../../src/mail/outbox";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX, systemClock } from "../../src/context";

const ROOT = resolve(__dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const PG = process.env.DATABASE_URL;
const describePg = PG ? describe : describe.skip;
const SECRET = "cluster-test-secret-0123456789abcdef0123";
const PASSWORD = "correct horse battery staple";

interface Instance { proc: ChildProcess; port: number; output: string; exited: Promise<number | null> }

function startInstance(env: NodeJS.ProcessEnv): Promise<Instance> {
  // Its own process group: tsx runs the server as a child, and SIGKILL to tsx alone would orphan it.
  const proc = spawn(TSX, [join(ROOT, "src/server.ts")], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const inst: Instance = { proc, port: 0, output: "", exited: new Promise((ok) => proc.on("exit", (code) => ok(code))) };
  proc.stdout!.on("data", (d) => (inst.output += d));
  proc.stderr!.on("data", (d) => (inst.output += d));
  return new Promise((ok, fail) => {
    const deadline = Date.now() + 60_000;
    const poll = setInterval(() => {
      const m = /"port":(\d+)/.exec(inst.output);
      if (m) { clearInterval(poll); inst.port = Number(m[1]); ok(inst); }
      else if (proc.exitCode !== null || Date.now() > deadline) { clearInterval(poll); fail(new Error(`instance did not start:\n${inst.output}`)); }
    }, 100);
  });
}

/** One HTTP request on the given agent; resolves with the status and headers or the socket error code. */
function call(port: number, path: string, opts: { agent?: http.Agent; method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status?: number; headers?: http.IncomingHttpHeaders; body?: string; error?: string }>((ok) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: opts.method ?? "GET", agent: opts.agent, headers: opts.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, body }));
      res.on("error", (e: NodeJS.ErrnoException) => ok({ error: e.code ?? e.message }));
    });
    req.on("error", (e: NodeJS.ErrnoException) => ok({ error: e.code ?? e.message }));
    req.end(opts.body);
  });
}

// As one of Roster's own pages posts it (the CSRF guard refuses writes without Origin or Sec-Fetch-Site).
const json = (body: unknown, extra: Record<string, string> = {}) =>
  ({ method: "POST", headers: { "content-type": "application/json", "sec-fetch-site": "same-origin", ...extra }, body: JSON.stringify(body) });

describePg("three instances on one PostgreSQL", () => {
  const dbName = `roster_cluster_${randomBytes(4).toString("hex")}`;
  const mail = new MailCatcher();
  let proxy: FreezableProxy;
  let nodes: Instance[] = [];
  let orgId = "";
  const ownerEmail = "owner@cluster.test";

  beforeAll(async () => {
    const admin = new Client({ connectionString: adminUrl(PG!) });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const direct = new URL(withDatabase(PG!, dbName));
    proxy = new FreezableProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(direct);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(await proxy.start());
    mail.delayMs = 300;
    const env = { ...process.env, DATABASE_URL: proxied.toString(), SESSION_SECRET: SECRET, SMTP_URL: await mail.start(), PORT: "0",
      LOG_LEVEL: "info", BASE_URL: "http://roster.test", DB_STATEMENT_TIMEOUT_MS: "1000", SHUTDOWN_DRAIN_MS: "4000",
      RATE_LIMIT_SIGNIN_PER_EMAIL: "5/15m", DATA_DIR: "/nonexistent-roster-data" };
    // All three at once on the empty database: the first start's migrations race without the lock.
    nodes = await Promise.all([0, 1, 2].map(() => startInstance(env)));
    const ds = createDataSource({ url: direct.toString(), poolSize: 1 });
    await ds.initialize();
    const config = loadConfig({ DATABASE_URL: direct.toString(), SESSION_SECRET: SECRET, BASE_URL: "http://roster.test" });
    const { org } = await createOrgWithOwner({ config, ds, logger: createLogger("silent"), clock: systemClock, outbox: new Outbox() },
      SYSTEM_CTX, { name: "Cluster", plan: "pro", ownerEmail, ownerPassword: PASSWORD, ownerName: "Olive" });
    orgId = org.id;
    await ds.destroy();
  }, 90_000);

  afterAll(async () => {
    for (const n of nodes) {
      try { process.kill(-n.proc.pid!, "SIGKILL"); } catch { /* the whole group has exited already */ }
    }
    await Promise.all(nodes.map((n) => n.exited));
    await proxy?.stop();
    await mail.stop();
    const admin = new Client({ connectionString: adminUrl(PG!) });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }, 30_000);

  it("all start together on an empty database", async () => {
    for (const n of nodes) expect((await call(n.port, "/readyz")).status).toBe(200);
    expect(nodes.map((n) => n.output).join("")).not.toMatch(/duplicate key|failed to start/);
  });

  it("share sign-in rate limits: five wrong passwords in total, whichever instance answers", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const r = await call(nodes[i % 3].port, "/api/auth/signin", json({ email: ownerEmail, password: "wrong password!" }));
      statuses.push(r.status!);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429]);
  });

  it("sends every invitation once, with three dispatchers and a slow SMTP relay", async () => {
    const admin = new Client({ connectionString: withDatabase(PG!, dbName) });
    await admin.connect();
    await admin.query(`DELETE FROM rate_limits`); // the previous test locked the owner's email
    await admin.end();
    const signin = await call(nodes[0].port, "/api/auth/signin", json({ email: ownerEmail, password: PASSWORD }));
    expect(signin.status).toBe(200);
    const cookie = String(signin.headers!["set-cookie"]![0]).split(";")[0];
    const csrf = JSON.parse(signin.body!).csrfToken as string;
    const to = Array.from({ length: 12 }, (_, i) => `invitee${i}@cluster.test`);
    for (const [i, email] of to.entries()) {
      const r = await call(nodes[i % 3].port, `/api/orgs/${orgId}/invitations`,
        json({ email, role: "member" }, { cookie, "x-csrf-token": csrf }));
      expect(r.status).toBe(201);
    }
    for (const a of to) await mail.waitFor((m) => m.to === a, 30_000);
    await new Promise((ok) => setTimeout(ok, 1000));
    expect(to.map((a) => mail.to(a).length)).toEqual(to.map(() => 1));
  }, 60_000);

  it("answers 503 with Retry-After within the timeouts while the database is frozen", async () => {
    const n = nodes[1];
    proxy.pause();
    try {
      let start = Date.now();
      const ready = await call(n.port, "/readyz");
      expect({ status: ready.status, retryAfter: ready.headers!["retry-after"] }).toEqual({ status: 503, retryAfter: "5" });
      expect(Date.now() - start).toBeLessThan(1000);
      start = Date.now();
      const api = await call(n.port, "/api/auth/signin", json({ email: ownerEmail, password: PASSWORD }));
      expect({ status: api.status, retryAfter: api.headers!["retry-after"] }).toEqual({ status: 503, retryAfter: "5" });
      // statement timeout 1 s + client query timeout 1 s more, plus the process's own work.
      expect(Date.now() - start).toBeLessThan(4000);
      process.stdout.write(`frozen database: readyz and sign-in answered 503 within ${Date.now() - start} ms\n`);
    } finally {
      proxy.resume();
    }
    const deadline = Date.now() + 10_000;
    while ((await call(n.port, "/readyz")).status !== 200 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 200));
    expect((await call(n.port, "/readyz")).status).toBe(200);
  }, 30_000);

  it("drains on SIGTERM under keep-alive and per-request-connection load: no accepted request is reset", async () => {
    const n = nodes[2];
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const results: Array<{ status?: number; error?: string; close?: boolean }> = [];
    // Like a balancer: probe /readyz every 100 ms and stop routing to the instance once it says 503.
    let routed = true;
    const probes: number[] = [];
    const probe = async () => {
      while (routed) {
        const r = await call(n.port, "/readyz");
        probes.push(r.status ?? 0);
        if (r.status !== 200) routed = false;
        else await new Promise((ok) => setTimeout(ok, 100));
      }
    };
    const loop = async (agent: http.Agent | undefined) => {
      while (routed) {
        const r = await call(n.port, "/api/auth/csrf", { agent });
        results.push({ status: r.status, error: r.error, close: r.headers?.connection === "close" });
      }
    };
    const loops = [probe(), ...[0, 1, 2, 3].map(() => loop(keepAlive)), ...[0, 1].map(() => loop(undefined))];
    await new Promise((ok) => setTimeout(ok, 500));
    const started = Date.now();
    n.proc.kill("SIGTERM");
    const code = await n.exited;
    const tookMs = Date.now() - started;
    await Promise.all(loops);
    keepAlive.destroy();
    const ready = { status: probes[probes.length - 1] };
    const errors = results.filter((r) => r.error);
    process.stdout.write(`SIGTERM drain: ${results.filter((r) => r.status === 200).length} answered, ${results.filter((r) => r.close).length} with Connection: close, exit after ${tookMs} ms\n`);
    if (ready.status !== 503 || errors.length) process.stdout.write(`exit ${code}; instance output:\n${n.output.split("\n").filter((l) => !l.includes("request completed")).join("\n").slice(-3000)}\n`);
    expect(ready.status).toBe(503);
    expect(errors).toEqual([]);
    expect(results.some((r) => r.close)).toBe(true);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(n.output).toContain("stopped cleanly");
  }, 30_000);
});
