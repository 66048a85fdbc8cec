/**
 * The real processes, as an operator runs them: `npm start`'s server on the embedded database in
 * a fresh DATA_DIR, the `roster` CLI beside it (through the server's control socket), readiness,
 * bad input, and a graceful SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const dataDir = mkdtempSync(join(tmpdir(), "roster-proc-"));
chmodSync(dataDir, 0o755); // as an older version left it: the server must close it to others
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "info", PORT: "0", DATABASE_URL: "", SMTP_URL: "" };

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(TSX, [join(ROOT, "src/cli/main.ts"), ...args], { env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

let server: ChildProcess;
let port = 0;
let output = "";

beforeAll(async () => {
  server = spawn(TSX, [join(ROOT, "src/server.ts")], { env, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.on("data", (d) => (output += d));
  server.stderr!.on("data", (d) => (output += d));
  // A fresh DATA_DIR is initialised first (a child process, ~15 s on a loaded 2-core machine).
  const deadline = Date.now() + 110_000;
  while (!port && Date.now() < deadline) {
    const m = /"port":(\d+)/.exec(output);
    if (m) port = Number(m[1]);
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!port) throw new Error(`server did not start:\n${output}`);
}, 120_000);

afterAll(() => {
  if (server.exitCode === null) server.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

it("starts on the embedded database, says how to create the first org, and is ready", async () => {
  expect(output).toContain("org create");
  // The setup link on a line of its own that a terminal makes clickable, never inside a JSON log line.
  expect(output).toMatch(/^ {2}http:\/\/\S+\/setup\?token=[A-Za-z0-9_-]+$/m);
  expect(output.split("\n").filter((l) => l.startsWith("{") && l.includes("setup?token="))).toEqual([]);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(ready.status).toBe(200);
  expect(existsSync(join(dataDir, "session-secret"))).toBe(true);
});

it("keeps DATA_DIR and every file in it private to the server's OS user, control socket included", () => {
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  const open: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if ((statSync(p).mode & 0o077) !== 0 && !e.isSymbolicLink()) open.push(`${p} ${(statSync(p).mode & 0o777).toString(8)}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dataDir);
  expect(open).toEqual([]);
  expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(["roster.sock", "pgdata", "session-secret"]));
});

it("runs the CLI beside the running server: org, SCIM token, outbox", () => {
  const org = cli(["org", "create", "--name", "Acme", "--plan", "enterprise", "--owner-email", "owner@acme.test", "--owner-password", "long enough pw", "--json"]);
  expect(org.stderr).toBe("");
  const created = JSON.parse(org.stdout);
  expect(created).toEqual({ org: { id: expect.any(String), name: "Acme", plan: "enterprise" }, owner: { id: expect.any(String), email: "owner@acme.test" } });
  const tok = JSON.parse(cli(["scim-token", "create", "--org", created.org.id, "--name", "okta", "--json"]).stdout);
  expect(tok).toEqual({ id: expect.any(String), token: expect.stringMatching(/^rst_[A-Za-z0-9_-]{43}$/) });
  const list = JSON.parse(cli(["scim-token", "list", "--org", created.org.id, "--json"]).stdout);
  expect(list.tokens).toEqual([expect.objectContaining({ id: tok.id, name: "okta", revokedAt: null })]);
  expect(JSON.stringify(list)).not.toContain(tok.token);
  expect(cli(["scim-token", "revoke", "--id", tok.id]).code).toBe(0);
  expect(JSON.parse(cli(["mail", "list", "--json"]).stdout)).toEqual({ messages: expect.any(Array) });
});

it("gives an Owner created without a password a way to get one that the README promises", async () => {
  const org = cli(["org", "create", "--name", "NoPw", "--plan", "free", "--owner-email", "nopw@acme.test"]);
  expect(org.stdout).toContain("roster user set-password --email nopw@acme.test");
  const signup = await fetch(`http://127.0.0.1:${port}/api/auth/signup`, { method: "POST", headers: { "content-type": "application/json", "sec-fetch-site": "same-origin" },
    body: JSON.stringify({ email: "nopw@acme.test", password: "attacker pw 123", name: "Mallory" }) });
  expect(signup.status).toBe(409); // nobody else can claim the Owner by signing up first
  const set = cli(["user", "set-password", "--email", "nopw@acme.test", "--password", "owner's own pw", "--json"]);
  expect(JSON.parse(set.stdout)).toEqual({ user: { id: expect.any(String), email: "nopw@acme.test" }, signedOut: false });
  const signin = await fetch(`http://127.0.0.1:${port}/api/auth/signin`, { method: "POST", headers: { "content-type": "application/json", "sec-fetch-site": "same-origin" },
    body: JSON.stringify({ email: "nopw@acme.test", password: "owner's own pw" }) });
  expect(signin.status).toBe(200);
  expect(cli(["user", "set-password", "--email", "nobody@acme.test", "--password", "whatever long"]).stderr).toMatch(/User not found/);
});

it("answers bad input with one line on stderr and a non-zero exit", () => {
  const cases: Array<[string[], RegExp]> = [
    [["org", "create", "--name", "X", "--plan", "gold", "--owner-email", "a@b.co"], /--plan: /],
    [["org", "create", "--plan", "free", "--owner-email", "a@b.co"], /missing required flag --name/],
    [["scim-token", "create", "--org", "00000000-0000-4000-8000-000000000000"], /Organization not found/],
    [["scim-token", "create", "--org", "nope"], /--org must be an organization id/],
    [["frobnicate"], /unknown command/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
  }
  const badEnv = cli(["mail", "list"], { PORT: "lots" });
  expect(badEnv.code).toBe(2);
  expect(badEnv.stderr).toMatch(/^roster: Invalid configuration: PORT/);
});

it("prints usage for --help (exit 0), and refuses a non-number for a numeric flag (exit 2)", () => {
  const all = cli(["--help"]);
  expect([all.code, all.stderr]).toEqual([0, ""]);
  expect(all.stdout).toMatch(/^Usage: roster <command>/);
  expect(all.stdout).toContain("roster org create --name NAME --plan free|pro|enterprise");
  expect(all.stdout).toContain("roster directory google create");
  const one = cli(["scim-token", "create", "--help"]);
  expect([one.code, one.stderr]).toEqual([0, ""]);
  expect(one.stdout).toBe("Usage:\n  roster scim-token create --org ORG_ID [--name NAME] [--json]\n\nCreate a SCIM bearer token (shown only once).");
  const group = cli(["sso", "--help"]);
  expect(group.code).toBe(0);
  expect(group.stdout).toContain("roster sso saml create");
  expect(group.stdout).not.toContain("roster org create");
  for (const args of [["mail", "list", "--limit", "ten"], ["mail", "list", "--limit", "1.5"], ["mail", "list", "--limit", "0"]]) {
    const r = cli(args);
    expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
    expect(r.stderr).toMatch(/^roster: --limit must be a whole number from 1 to 1000, got ".*"$/);
  }
});

it("says there is no database at DATA_DIR instead of opening a new empty one and answering \"not found\"", () => {
  const elsewhere = mkdtempSync(join(tmpdir(), "roster-elsewhere-"));
  try {
    const r = cli(["scim-token", "list", "--org", "00000000-0000-4000-8000-000000000000"], { DATA_DIR: join(elsewhere, "data") });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`roster: there is no Roster database in ${join(elsewhere, "data")} (DATA_DIR). Set DATA_DIR to the server's data directory, or DATABASE_URL; \`roster migrate\` creates a new one here.`);
    expect(existsSync(join(elsewhere, "data", "pgdata"))).toBe(false);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

it("refuses a second server on the same embedded data directory with one clear line", () => {
  const r = spawnSync(TSX, [join(ROOT, "src/server.ts")], { env, encoding: "utf8", timeout: 60_000 });
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toMatch(/^roster: the embedded database in .* is in use by process \d+$/);
});

it("stops with one line when the database is unreachable at start", () => {
  const r = spawnSync(TSX, [join(ROOT, "src/server.ts")], { env: { ...env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
    SESSION_SECRET: "x".repeat(32) }, encoding: "utf8", timeout: 60_000 });
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toMatch(/^roster: cannot open the database at DATABASE_URL: .*ECONNREFUSED/);
});

it("refuses to start on PostgreSQL without SESSION_SECRET, with one line", () => {
  const r = spawnSync(TSX, [join(ROOT, "src/server.ts")], { env: { ...env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none", SESSION_SECRET: "" },
    encoding: "utf8", timeout: 60_000 });
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toMatch(/^roster: Invalid configuration: SESSION_SECRET: required when DATABASE_URL is set[^\n]*$/);
});

it("shuts down cleanly on SIGTERM", async () => {
  const exited = new Promise<number | null>((ok) => server.on("exit", (code) => ok(code)));
  server.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(output).toContain("stopped cleanly");
  expect(existsSync(join(dataDir, "pglite.lock"))).toBe(false);
});
