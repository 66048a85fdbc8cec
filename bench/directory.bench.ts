/**
 * `npm run bench:directory`: a Google Workspace directory of 10,000 users (20 pages of 500) and
 * 50 groups, served by the https emulator (test/support/google-emulator.ts) in this process, and
 * Roster in a forked process (bench/directory-server.ts) on its own PostgreSQL database. Phases:
 * first sync, a re-sync with no change (must write no member rows), a re-sync after 100 changes.
 * Prints a table and one JSON line; the RSS figure is the Roster process's peak (VmHWM).
 * BENCH_USERS scales the directory (default 10000). A benchmark, not a test.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { GoogleEmulator } from "../test/support/google-emulator";

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const GROUPS = 50;
const BASE_DB = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DOMAIN = "bench-dir.test";

interface Synced { type: "synced"; result: { status: string; users: Record<string, number>; groups: Record<string, number>; error?: string }; seconds: number; writes: Record<string, number>; peakRssMb: number }

function request<T>(child: ChildProcess, msg: object, type: string): Promise<T> {
  return new Promise((ok, fail) => {
    const on = (m: { type: string }) => { if (m.type === type) { child.off("message", on); ok(m as T); } };
    child.on("message", on);
    child.once("exit", (code) => fail(new Error(`server exited (${code})`)));
    child.send(msg);
  });
}

function populate(g: GoogleEmulator): void {
  g.addUser(`admin@${DOMAIN}`, { isAdmin: true });
  for (let i = 0; i < USERS - 1; i++) g.addUser(`user${String(i).padStart(5, "0")}@${DOMAIN}`, { orgUnitPath: i % 2 ? "/Sales" : "/Eng" });
  const users = [...g.users.values()];
  for (let k = 0; k < GROUPS; k++) {
    const grp = g.addGroup(`team${k}@${DOMAIN}`, `Team ${k}`);
    for (let i = k; i < users.length; i += GROUPS) grp.members.push({ type: "USER", id: users[i].id, email: users[i].primaryEmail, role: "MEMBER" });
  }
}

/** 100 changes: 30 renames, 20 suspensions, 20 deletions, 20 new people, 10 group moves. */
function change(g: GoogleEmulator): void {
  const users = [...g.users.values()].filter((u) => !u.isAdmin);
  users.slice(0, 30).forEach((u) => { u.name = { ...u.name, familyName: "Renamed", fullName: `${u.name.givenName} Renamed` }; });
  users.slice(30, 50).forEach((u) => { u.suspended = true; });
  users.slice(50, 70).forEach((u) => g.deleteUser(u.primaryEmail));
  for (let i = 0; i < 20; i++) g.addUser(`new${i}@${DOMAIN}`);
  users.slice(70, 80).forEach((u) => { g.group(`team0@${DOMAIN}`).members.push({ type: "USER", id: u.id, email: u.primaryEmail, role: "MEMBER" }); });
}

async function main(): Promise<void> {
  const google = await GoogleEmulator.start();
  populate(google);
  const key = await google.serviceAccount();
  const dbName = `roster_bench_dir_${randomBytes(3).toString("hex")}`;
  const admin = new Client({ connectionString: BASE_DB });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(BASE_DB);
  url.pathname = `/${dbName}`;
  const child = fork(path.join(__dirname, "directory-server.ts"), [], {
    execArgv: ["--import", "tsx"], env: { ...process.env, BENCH_DATABASE_URL: url.toString(), NODE_EXTRA_CA_CERTS: google.caFile },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    await new Promise((ok) => child.once("message", ok));
    await request(child, { cmd: "setup", key, apiRoot: google.apiRoot, domain: DOMAIN }, "ready");
    const rows: Array<[string, Synced]> = [];
    rows.push(["first sync", await request<Synced>(child, { cmd: "sync" }, "synced")]);
    rows.push(["re-sync, no change", await request<Synced>(child, { cmd: "sync" }, "synced")]);
    change(google);
    rows.push(["re-sync, 100 changes", await request<Synced>(child, { cmd: "sync" }, "synced")]);
    const member = (w: Record<string, number>) => Object.entries(w).filter(([t]) => t !== "audit_events").reduce((s, [, n]) => s + n, 0);
    console.log(`\nGoogle directory: ${USERS} users in ${Math.ceil(USERS / 500)} pages of 500, ${GROUPS} groups; Roster on PostgreSQL in its own process\n`);
    console.log("| phase | status | seconds | users created/updated/suspended/removed/unchanged | member-table rows written | audit events | Roster peak RSS (MB) |");
    console.log("| --- | --- | ---: | --- | ---: | ---: | ---: |");
    for (const [name, s] of rows) {
      const u = s.result.users;
      console.log(`| ${name} | ${s.result.status} | ${s.seconds.toFixed(2)} | ${u.created}/${u.updated}/${u.suspended}/${u.removed}/${u.unchanged} | ${member(s.writes)} | ${s.writes.audit_events ?? 0} | ${s.peakRssMb.toFixed(0)} |`);
    }
    console.log(JSON.stringify({ users: USERS, groups: GROUPS, phases: rows.map(([name, s]) => ({ name, status: s.result.status, seconds: s.seconds, writes: s.writes, peakRssMb: s.peakRssMb, error: s.result.error })) }));
    await request(child, { cmd: "shutdown" }, "never").catch(() => undefined);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await google.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
