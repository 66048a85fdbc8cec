/**
 * The Roster side of `npm run bench:directory`, forked by directory.bench.ts so that its RSS is
 * its own (the emulator lives in the parent). A deployment's wiring on a migrated PostgreSQL
 * DataSource; it trusts the emulator only through NODE_EXTRA_CA_CERTS (set by the parent), as
 * production would a private CA. IPC: { cmd: "setup", key, apiRoot, domain } creates the org,
 * its verified domain and the directory; { cmd: "sync" } runs one sync and answers the result,
 * the elapsed time, rows written per table and the peak RSS so far; { cmd: "shutdown" }.
 */
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { Outbox } from "../src/mail/outbox";
import { systemClock, SYSTEM_CTX, type Deps } from "../src/context";
import { createDataSource } from "../src/db/data-source";
import { createOrgWithOwner } from "../src/orgs/org.service";
import { addDomain } from "../sso/domains.service";
import { saveMapping } from "../scim/mappings.service";
import { createDirectory } from "../directory/directory.service";
import { runSync } from "../directory/sync.service";

const TABLES = ["users", "memberships", "chatbot_permissions", "conversations", "email_messages", "audit_events", "directory_users", "directory_groups"];

const peakRssMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024;

async function writes(deps: Deps): Promise<Record<string, number>> {
  // PostgreSQL 15+ flushes an idle backend's table statistics within PGSTAT_IDLE_INTERVAL (10 s).
  await new Promise((ok) => setTimeout(ok, 11_000));
  const rows: Array<{ relname: string; n: string }> = await deps.ds.query(
    `SELECT relname, (n_tup_ins + n_tup_upd + n_tup_del)::bigint AS n FROM pg_stat_user_tables WHERE relname = ANY($1::text[])`, [TABLES]);
  return Object.fromEntries(rows.map((r) => [r.relname, Number(r.n)]));
}

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url || !process.send) throw new Error("directory-server.ts is forked by directory.bench.ts");
  const ds = createDataSource({ url, poolSize: 10 });
  await ds.initialize();
  await ds.runMigrations();
  const config = loadConfig({ BASE_URL: "http://127.0.0.1:1", DATABASE_URL: url, SESSION_SECRET: "bench-secret-0123456789abcdef0123456789", LOG_LEVEL: "silent", DATA_DIR: "/tmp/roster-bench" });
  const deps: Deps = { config, ds, logger: createLogger("warn"), clock: systemClock, outbox: new Outbox() };
  let directoryId = "";
  process.on("message", (msg: { cmd: string; key?: Record<string, string>; apiRoot?: string; domain?: string }) => {
    void (async () => {
      if (msg.cmd === "setup") {
        const { org } = await createOrgWithOwner(deps, SYSTEM_CTX, { name: "Bench", plan: "enterprise", ownerEmail: `owner@${msg.domain}` });
        await addDomain(deps, SYSTEM_CTX, org.id, msg.domain!, { verified: true });
        for (let g = 0; g < 5; g++) await saveMapping(deps, SYSTEM_CTX, org.id, { groupName: `team${g}@${msg.domain}`, role: "admin" });
        directoryId = (await createDirectory(deps, SYSTEM_CTX, org.id, { type: "google", serviceAccountKey: msg.key, adminEmail: `admin@${msg.domain}`, apiRoot: msg.apiRoot })).id;
        process.send!({ type: "ready" });
      } else if (msg.cmd === "sync") {
        const before = await writes(deps);
        const t0 = performance.now();
        const result = await runSync(deps, SYSTEM_CTX, directoryId, { trigger: "manual", instance: "bench" });
        const seconds = (performance.now() - t0) / 1000;
        const after = await writes(deps);
        const delta = Object.fromEntries(TABLES.map((t) => [t, (after[t] ?? 0) - (before[t] ?? 0)]));
        process.send!({ type: "synced", result, seconds, writes: delta, peakRssMb: peakRssMb() });
      } else if (msg.cmd === "shutdown") {
        await ds.destroy();
        process.exit(0);
      }
    })().catch((err) => { console.error(err); process.exit(1); });
  });
  process.send({ type: "started" });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
