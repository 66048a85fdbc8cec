#!/usr/bin/env node
/**
 * `npm run bench:memory`: RSS of the embedded-database server's whole process tree (the server
 * and any child it starts), polled from /proc every 25 ms, on a first start with an empty
 * DATA_DIR (with the build-time template, then without it) and on a later start. Prints MB.
 * Linux only. Uses the compiled server (dist/).
 */
const { spawn } = require("node:child_process");
const { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const ROOT = join(__dirname, "..");
const IDLE_MS = Number(process.env.IDLE_MS ?? 5000);

function statusOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => Number((new RegExp(`${k}:\\s+(\\d+)`).exec(s) ?? [0, 0])[1]);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024, ppid: kb("PPid") };
  } catch {
    return null;
  }
}

/** The process and its descendants, found through /proc/<pid>/status PPid. */
function tree(root) {
  const all = new Map();
  for (const d of readdirSync("/proc")) if (/^\d+$/.test(d)) { const s = statusOf(Number(d)); if (s) all.set(Number(d), s); }
  const out = new Map();
  const walk = (pid) => { const s = all.get(pid); if (!s) return; out.set(pid, s); for (const [p, c] of all) if (c.ppid === pid) walk(p); };
  walk(root);
  return out;
}

async function run(dataDir, label) {
  const started = Date.now();
  const proc = spawn(process.execPath, [join(ROOT, "dist/src/server.js")], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: "0", DATABASE_URL: "", LOG_LEVEL: "info", BASE_URL: "http://127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.on("data", (c) => (output += c));
  proc.stderr.on("data", (c) => (output += c));
  const hwm = new Map(); // pid -> highest VmHWM seen (catches peaks between polls)
  let peakTree = 0;
  let readyAt = null;
  const sample = () => {
    const t = tree(proc.pid);
    let sum = 0;
    for (const [pid, s] of t) { sum += s.rss; hwm.set(pid, Math.max(hwm.get(pid) ?? 0, s.hwm)); }
    peakTree = Math.max(peakTree, sum);
    return sum;
  };
  const poll = setInterval(sample, 25);
  await new Promise((ok, fail) => {
    const check = setInterval(() => {
      if (/listening on port/.test(output)) { clearInterval(check); readyAt = Date.now(); ok(); }
      else if (proc.exitCode !== null) { clearInterval(check); fail(new Error(`server exited:\n${output}`)); }
    }, 20);
  });
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idle = sample();
  clearInterval(poll);
  proc.kill("SIGTERM");
  await new Promise((r) => proc.once("exit", r));
  const hwmMax = Math.max(...hwm.values());
  const hwmSum = [...hwm.values()].reduce((a, b) => a + b, 0);
  console.log(`${label.padEnd(34)} ready ${((readyAt - started) / 1000).toFixed(1).padStart(5)} s   peak tree ${peakTree.toFixed(0).padStart(4)} MB (polled), max process VmHWM ${hwmMax.toFixed(0).padStart(4)} MB (sum ${hwmSum.toFixed(0)})   idle ${idle.toFixed(0).padStart(4)} MB`);
  return { peakTree, hwmMax, hwmSum, idle };
}

(async () => {
  const template = readdirSync(join(ROOT, "dist")).find((f) => /^pgdata-pglite-.*\.tgz$/.test(f));
  const dir = mkdtempSync(join(tmpdir(), "roster-mem-"));
  try {
    if (template) await run(join(dir, "a"), "first start (template)");
    else console.log("no template in dist/ (npm run build:pgdata): skipping the first start with it");
    await run(join(dir, "a"), "later start");
    if (template) renameSync(join(ROOT, "dist", template), join(ROOT, "dist", `${template}.aside`));
    try {
      await run(join(dir, "b"), "first start (initdb in a child)");
    } finally {
      if (template) renameSync(join(ROOT, "dist", `${template}.aside`), join(ROOT, "dist", template));
    }
    await run(join(dir, "b"), "later start (initdb-made dir)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((e) => { console.error(e); process.exit(1); });
