/**
 * The embedded default: PGlite persisted under DATA_DIR, owned by exactly one process.
 * A lock file holds the owner's pid; a second process (say, the CLI while the server runs)
 * must go through the owner instead of opening the files (see src/cli/control-socket.ts).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execFile } from "node:child_process";
import { PGlite } from "@electric-sql/pglite";
import { projectRoot } from "../project-root";

export function lockFile(dataDir: string): string {
  return join(dataDir, "pglite.lock");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid of another live process holding the embedded database, if any. */
export function embeddedOwner(dataDir: string): number | null {
  const file = lockFile(dataDir);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid !== process.pid && alive(pid) ? pid : null;
}

/** Whether DATA_DIR holds a database (opening one that does not would create it). */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return existsSync(join(dataDir, "pgdata", "PG_VERSION"));
}

export class EmbeddedDatabaseBusyError extends Error {
  constructor(readonly pid: number, dataDir: string) {
    super(`the embedded database in ${dataDir} is in use by process ${pid}`);
  }
}

/**
 * DATA_DIR holds password hashes (in the WAL), the session secret and the control socket: only
 * this OS user may enter it. The directory is made 0700 (also when an older version left it
 * 0755), files from before are made 0600, and the umask keeps new files private.
 */
export function secureDataDir(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        chmodSync(p, 0o700);
        walk(p);
      } else if (e.isFile()) chmodSync(p, 0o600);
    }
  };
  walk(dataDir);
}

/**
 * PostgreSQL's defaults size buffers for a server with many connections; PGlite is one session.
 * 16 MB of shared buffers instead of 128 MB is what takes a later start from ~290 MB to ~170 MB
 * RSS (PGlite's WebAssembly memory only grows). Given at every start, so data directories made
 * before (whose postgresql.conf says 128MB) shrink too.
 */
const SETTINGS = ["-c", "shared_buffers=16MB", "-c", "max_connections=10"];
const START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

/**
 * PGlite's own initdb peaks at ~0.7 GB (a second PostgreSQL instance, a 128 MB copy of its heap,
 * the initdb module), and WebAssembly memory never shrinks. A data directory made once, at build
 * time (`npm run build:pgdata`, run by the Dockerfile and `npm start`), is loaded instead: a first
 * start then peaks near a later one. Its name carries PGlite's version: another version's
 * directory might not open.
 */
export function pgdataTemplatePath(): string {
  const manifest = join(dirname(require.resolve("@electric-sql/pglite")), "..", "package.json");
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  return join(projectRoot(), "dist", `pgdata-pglite-${version}.tgz`);
}

/** Initialises a fresh directory in a process of its own, so its memory is given back when it exits. */
function initialiseInChild(pgdata: string, out?: string): Promise<void> {
  const script = `process.umask(0o077); require(${JSON.stringify(require.resolve("@electric-sql/pglite"))}).PGlite.create({ dataDir: ${JSON.stringify(pgdata)}, initDbStartParams: ${JSON.stringify(SETTINGS)} })
    .then(async (db) => { ${out ? `require("node:fs").writeFileSync(${JSON.stringify(out)}, Buffer.from(await (await db.dumpDataDir("gzip")).arrayBuffer()));` : ""} await db.close(); })
    .then(() => process.exit(0), (e) => { console.error(e && e.message); process.exit(1); });`;
  return new Promise((ok, fail) => {
    execFile(process.execPath, ["-e", script], { timeout: 180_000 }, (err, _out, stderr) =>
      err ? fail(new Error(`initialising the embedded database failed: ${stderr.trim() || err.message}`)) : ok());
  });
}

/** Makes the template (a fresh, empty data directory as a tarball) unless it exists. */
export async function makePgdataTemplate(file = pgdataTemplatePath()): Promise<boolean> {
  if (existsSync(file)) return false;
  const scratch = mkdtempSync(join(tmpdir(), "roster-pgdata-"));
  try {
    await initialiseInChild(join(scratch, "pgdata"), `${file}.partial`);
    chmodSync(`${file}.partial`, 0o644); // an empty database; read by the user the server runs as
    renameSync(`${file}.partial`, file);
    return true;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function openFresh(pgdata: string): Promise<PGlite> {
  const template = pgdataTemplatePath();
  if (existsSync(template)) {
    return PGlite.create({ dataDir: pgdata, startParams: START_PARAMS, loadDataDir: new Blob([readFileSync(template)]) });
  }
  await initialiseInChild(pgdata);
  return PGlite.create({ dataDir: pgdata, startParams: START_PARAMS });
}

export async function openEmbedded(dataDir: string): Promise<{ db: PGlite; close: () => Promise<void> }> {
  const owner = embeddedOwner(dataDir);
  if (owner) throw new EmbeddedDatabaseBusyError(owner, dataDir);
  secureDataDir(dataDir);
  mkdirSync(join(dataDir, "pgdata"), { recursive: true });
  writeFileSync(lockFile(dataDir), String(process.pid));
  const pgdata = join(dataDir, "pgdata");
  const db = readdirSync(pgdata).length === 0
    ? await openFresh(pgdata)
    : await PGlite.create({ dataDir: pgdata, startParams: START_PARAMS });
  // PGlite writes some files (initdb's, pg_internal.init) with explicit modes rather than through
  // the umask: tighten again once open. The 0700 directory keeps others out either way.
  secureDataDir(dataDir);
  return {
    db,
    close: async () => {
      await db.close();
      rmSync(lockFile(dataDir), { force: true });
    },
  };
}
