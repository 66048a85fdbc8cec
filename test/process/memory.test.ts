/**
 * The embedded default fits a 512 MB container on its very first start: an empty DATA_DIR is
 * filled from the build-time template (no PGlite initdb, whose WebAssembly memory never shrinks).
 * Measured with the kernel's own peak (VmHWM) of every process in the server's tree, so a spike
 * between two polls is not missed.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makePgdataTemplate, pgdataTemplatePath } from "../../src/db/embedded";

const ROOT = resolve(__dirname, "../..");
const MB = 1024 * 1024;

function status(pid: number): { hwm: number; rss: number; ppid: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number((new RegExp(`${k}:\\s+(\\d+)`).exec(s) ?? ["", "0"])[1]) * 1024;
    return { hwm: kb("VmHWM"), rss: kb("VmRSS"), ppid: kb("PPid") / 1024 };
  } catch {
    return null;
  }
}

/** Highest VmHWM seen per pid of root's process tree. */
function sampleTree(root: number, seen: Map<number, number>): void {
  const all = new Map<number, { hwm: number; ppid: number }>();
  for (const d of readdirSync("/proc")) if (/^\d+$/.test(d)) { const s = status(Number(d)); if (s) all.set(Number(d), s); }
  const walk = (pid: number): void => {
    const s = all.get(pid);
    if (!s) return;
    seen.set(pid, Math.max(seen.get(pid) ?? 0, s.hwm));
    for (const [p, c] of all) if (c.ppid === pid) walk(p);
  };
  walk(root);
}

const dataDir = mkdtempSync(join(tmpdir(), "roster-mem-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts the server on DATA_DIR, waits until it listens and a little more; returns its tree's peak and idle RSS. */
async function startAndMeasure(dir: string): Promise<{ treePeak: number; processes: number; idle: number }> {
  // tsx's loader in the server's own process: one node process, as `node dist/src/server.js` runs
  // (tsx adds ~60 MB of its own to what the compiled server uses).
  const proc = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/server.ts")], {
    cwd: ROOT, env: { ...process.env, DATA_DIR: dir, PORT: "0", DATABASE_URL: "", SMTP_URL: "", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout!.on("data", (c) => (output += c));
  proc.stderr!.on("data", (c) => (output += c));
  const seen = new Map<number, number>();
  const poll = setInterval(() => sampleTree(proc.pid!, seen), 25);
  try {
    const deadline = Date.now() + 100_000;
    while (!/listening on port/.test(output) && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(output).toMatch(/listening on port/);
    await new Promise((r) => setTimeout(r, 2000));
    sampleTree(proc.pid!, seen);
    const peaks = [...seen.values()];
    return { treePeak: peaks.reduce((a, b) => a + b, 0), processes: peaks.length, idle: status(proc.pid!)!.rss };
  } finally {
    clearInterval(poll);
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
  }
}

it("peaks under 512 MB (whole process tree) on a first start with an empty DATA_DIR, and idles under 400 MB after", async () => {
  await makePgdataTemplate(); // what the Dockerfile and `npm start` do at build time
  expect(existsSync(pgdataTemplatePath())).toBe(true);
  const first = await startAndMeasure(join(dataDir, "d"));
  const later = await startAndMeasure(join(dataDir, "d"));
  process.stdout.write(`first start: tree peak ≤ ${(first.treePeak / MB).toFixed(0)} MB over ${first.processes} processes, idle ${(first.idle / MB).toFixed(0)} MB; `
    + `later start: peak ≤ ${(later.treePeak / MB).toFixed(0)} MB, idle ${(later.idle / MB).toFixed(0)} MB (under tsx)\n`);
  // Each process's own kernel-recorded peak, summed: an upper bound of the tree's peak.
  expect(first.treePeak).toBeLessThan(512 * MB);
  expect(later.treePeak).toBeLessThan(512 * MB);
  expect(later.idle).toBeLessThan(400 * MB);
}, 240_000);
