/**
 * The server side of `npm run bench:scim`, forked by scim.bench.ts into its own process so that
 * the Roster server does not share a thread (or an RSS figure) with the load generator. It builds
 * the app as a deployment does (createApp + features on a migrated PostgreSQL DataSource sized
 * and timed by the config: pool of DB_POOL_SIZE, default 10, and statement_timeout), creates the two benchmark orgs and a SCIM token, listens on 127.0.0.1:0 and reports
 * { port, token, scimOrg, rawOrg } over IPC. The SCIM rate limit is off so that the server, not
 * the limiter, is measured, unless BENCH_RATE_LIMIT (count/window) turns the shipped limiter on.
 *
 * IPC commands from the parent: { cmd: "profile-start" } / { cmd: "profile-stop", file } record
 * a V8 CPU profile of one phase (node:inspector, like --cpu-prof but per phase), and
 * { cmd: "shutdown" } closes the server and the pool and exits.
 */
import "reflect-metadata";
import http from "node:http";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import type { AddressInfo } from "node:net";
import { createApp } from "../src/app";
import { mountFeatures } from "../src/features";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { Outbox } from "../src/mail/outbox";
import { systemClock, SYSTEM_CTX, type Deps } from "../src/context";
import { openDatabase } from "../src/db/open";
import { createOrgWithOwner } from "../src/orgs/org.service";
import { createScimToken } from "../src/scim-tokens/scim-token.service";
import { addDomain } from "../sso/domains.service";
import { RateLimiter } from "../src/http/rate-limit";

export type ServerMessage = { type: "ready"; port: number; token: string; scimOrg: string; rawOrg: string; pool: number } | { type: "done"; id: number };
export type ParentMessage = { id: number; cmd: "profile-start" } | { id: number; cmd: "profile-stop"; file: string } | { id: number; cmd: "shutdown" };

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url || !process.send) throw new Error("scim-server.ts is forked by scim.bench.ts (needs BENCH_DATABASE_URL and an IPC channel)");
  const server = http.createServer();
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await new Promise((ok) => server.once("listening", ok));
  const port = (server.address() as AddressInfo).port;
  const level = process.env.BENCH_LOG_LEVEL ?? "silent";
  const rateLimit = process.env.BENCH_RATE_LIMIT;
  const config = loadConfig({ BASE_URL: `http://127.0.0.1:${port}`, DATABASE_URL: url, SESSION_SECRET: "bench-secret-0123456789abcdef0123456789", LOG_LEVEL: level, DATA_DIR: "/tmp/roster-bench",
    ...(process.env.DB_POOL_SIZE ? { DB_POOL_SIZE: process.env.DB_POOL_SIZE } : {}), ...(rateLimit ? { RATE_LIMIT_SCIM_PER_TOKEN: rateLimit } : {}) });
  const { ds } = await openDatabase(config); // migrated, pooled and timed as server.ts opens it
  const deps: Deps = { config, ds, logger: createLogger(level), clock: systemClock, outbox: new Outbox() };
  const app = createApp(deps, { mount: (a) => mountFeatures(a, deps) });
  if (!rateLimit) app.locals.scimLimits = { perToken: null, failedAuthPerIp: new RateLimiter(60, 60_000) };
  server.on("request", app);

  const mk = async (name: string) => (await createOrgWithOwner(deps, SYSTEM_CTX, { name, plan: "enterprise", ownerEmail: `owner@${name}.test` })).org.id;
  const scimOrg = await mk("scim");
  const rawOrg = await mk("raw");
  const token = (await createScimToken(deps, SYSTEM_CTX, scimOrg, "bench")).token;
  // The org owns bench.test, so its IdP links and creates accounts (docs/security.md); with
  // BENCH_UNVERIFIED_DOMAIN=1 every POST makes a pending membership and a join email instead.
  if (process.env.BENCH_UNVERIFIED_DOMAIN !== "1") await addDomain(deps, SYSTEM_CTX, scimOrg, "bench.test", { verified: true });

  const session = new Session();
  const post = <T>(method: string, params?: object) => new Promise<T>((ok, fail) => {
    session.post(method, params ?? {}, (err, res) => (err ? fail(err) : ok(res as T)));
  });
  process.on("message", (msg: ParentMessage) => {
    const done = () => process.send!({ type: "done", id: msg.id } satisfies ServerMessage);
    if (msg.cmd === "profile-start") {
      session.connect();
      post("Profiler.enable").then(() => post("Profiler.setSamplingInterval", { interval: 200 })).then(() => post("Profiler.start")).then(done);
    } else if (msg.cmd === "profile-stop") {
      post<{ profile: unknown }>("Profiler.stop").then(({ profile }) => {
        writeFileSync(msg.file, JSON.stringify(profile));
        session.disconnect();
        done();
      });
    } else if (msg.cmd === "shutdown") {
      server.closeAllConnections();
      server.close();
      ds.destroy().finally(() => process.send!({ type: "done", id: msg.id } satisfies ServerMessage, () => process.exit(0)));
    }
  });
  process.send({ type: "ready", port, token, scimOrg, rawOrg, pool: config.dbPoolSize } satisfies ServerMessage);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
