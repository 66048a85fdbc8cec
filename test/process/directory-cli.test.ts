/**
 * `roster directory …` through the real CLI process on the embedded database, against the https
 * Google emulator. The CLI trusts the emulator only through NODE_EXTRA_CA_CERTS (the production
 * path): without it the sync fails on the certificate, with nothing applied.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { GoogleEmulator } from "../support/google-emulator";

const ROOT = resolve(__dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const dataDir = mkdtempSync(join(tmpdir(), "roster-dir-cli-"));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent", DATABASE_URL: "", SMTP_URL: "", NODE_EXTRA_CA_CERTS: "" };
const DOMAIN = "cli-dir.test";
let google: GoogleEmulator;

/** Async (not spawnSync): the emulator lives in this process and must keep answering. */
function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; json: any; stderr: string }> {
  return new Promise((ok) => {
    execFile(TSX, [join(ROOT, "src/cli/main.ts"), ...args, "--json"], { env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 90_000 }, (err, stdout, stderr) => {
      ok({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, json: stdout.trim() ? JSON.parse(stdout) : null, stderr: stderr.trim() });
    });
  });
}

beforeAll(async () => {
  google = await GoogleEmulator.start();
  google.addUser(`admin@${DOMAIN}`, { isAdmin: true });
  google.addUser(`ann.lee@${DOMAIN}`, { orgUnitPath: "/Sales" });
  google.addUser(`ben.ng@${DOMAIN}`, { orgUnitPath: "/Ops" });
});
afterAll(async () => {
  await google.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it("create, sync, list, confirm and delete a Google directory", async () => {
  const org = await cli(["org", "create", "--name", "Cli Co", "--plan", "enterprise", "--owner-email", `owner@${DOMAIN}`, "--owner-password", "a long enough password"]);
  expect(org.code).toBe(0);
  const orgId = org.json.org.id;
  expect((await cli(["org", "domain", "add", "--org", orgId, "--domain", DOMAIN, "--verified"])).code).toBe(0);
  const keyFile = join(dataDir, "key.json");
  writeFileSync(keyFile, JSON.stringify(await google.serviceAccount()));

  const created = await cli(["directory", "google", "create", "--org", orgId, "--service-account-file", keyFile, "--admin-email", `admin@${DOMAIN}`,
    "--api-root", google.apiRoot, "--org-unit", "/Sales", "--interval-minutes", "15"]);
  expect(created).toMatchObject({ code: 0, json: { type: "google", status: "active" } });
  expect(Object.keys(created.json).sort()).toEqual(["id", "status", "type"]);
  const id = created.json.id;

  const untrusted = await cli(["directory", "sync", "--id", id]);
  expect(untrusted.json).toMatchObject({ status: "failed", users: { created: 0 } });
  expect(untrusted.json.error).toMatch(/certificate/i);

  const s = await cli(["directory", "sync", "--id", id], { NODE_EXTRA_CA_CERTS: google.caFile });
  expect(s.code).toBe(0);
  expect(s.json).toMatchObject({ status: "applied", users: { seen: 1, created: 1, updated: 0, suspended: 0, restored: 0, removed: 0, unchanged: 0 }, groups: { seen: 0, created: 0, updated: 0, removed: 0 } });

  const list = await cli(["directory", "list", "--org", orgId]);
  expect(list.json.directories[0]).toMatchObject({ id, type: "google", orgUnits: ["/Sales"], lastSync: { status: "applied" } });
  expect(JSON.stringify(list.json)).not.toContain("PRIVATE KEY");

  const confirm = await cli(["directory", "confirm", "--id", id]);
  expect(confirm.code).toBe(1);
  expect(confirm.stderr).toMatch(/no held sync/);

  expect(await cli(["directory", "delete", "--id", id])).toMatchObject({ code: 0, json: { id, deleted: true } });
  expect((await cli(["directory", "list", "--org", orgId])).json).toEqual({ directories: [] });
  expect((await cli(["directory", "sync", "--id", "nope"])).code).toBe(2);
}, 240_000);
