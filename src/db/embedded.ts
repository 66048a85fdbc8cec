/**
 * The embedded default: PGlite persisted under DATA_DIR, owned by exactly one process.
 * A lock file holds the owner's pid; a second process (say, the CLI while the server runs)
 * must go through the owner instead of opening the files (see src/cli/control-socket.ts).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { PGlite } from "@electric-sql/pglite";

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
 * initdb grows PGlite's WebAssembly memory to ~0.85 GB, and WebAssembly memory never shrinks. A
 * short-lived child process initialises a fresh directory, so the server itself only ever opens
 * an initialised one and idles under 400 MB (measured: 378 MB RSS; 0.85 GB when it ran initdb).
 */
function initialiseInChild(pgdata: string): Promise<void> {
  const script = `process.umask(0o077); require(${JSON.stringify(require.resolve("@electric-sql/pglite"))}).PGlite.create({ dataDir: ${JSON.stringify(pgdata)} })
    .then((db) => db.close()).then(() => process.exit(0), (e) => { console.error(e && e.message); process.exit(1); });`;
  return new Promise((ok, fail) => {
    execFile(process.execPath, ["-e", script], { timeout: 180_000 }, (err, _out, stderr) =>
      err ? fail(new Error(`initialising the embedded database failed: ${stderr.trim() || err.message}`)) : ok());
  });
}

export async function openEmbedded(dataDir: string): Promise<{ db: PGlite; close: () => Promise<void> }> {
  const owner = embeddedOwner(dataDir);
  if (owner) throw new EmbeddedDatabaseBusyError(owner, dataDir);
  secureDataDir(dataDir);
  mkdirSync(join(dataDir, "pgdata"), { recursive: true });
  writeFileSync(lockFile(dataDir), String(process.pid));
  const pgdata = join(dataDir, "pgdata");
  if (readdirSync(pgdata).length === 0) await initialiseInChild(pgdata);
  secureDataDir(dataDir);
  const db = await PGlite.create({ dataDir: pgdata });
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
