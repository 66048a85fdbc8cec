/**
 * The embedded default: PGlite persisted under DATA_DIR, owned by exactly one process.
 * A lock file holds the owner's pid; a second process (say, the CLI while the server runs)
 * must go through the owner instead of opening the files (see src/cli/control-socket.ts).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

export async function openEmbedded(dataDir: string): Promise<{ db: PGlite; close: () => Promise<void> }> {
  const owner = embeddedOwner(dataDir);
  if (owner) throw new EmbeddedDatabaseBusyError(owner, dataDir);
  secureDataDir(dataDir);
  mkdirSync(join(dataDir, "pgdata"), { recursive: true });
  writeFileSync(lockFile(dataDir), String(process.pid));
  const db = await PGlite.create({ dataDir: join(dataDir, "pgdata") });
  // A first start unpacks PGlite's initial files with explicit 0666 modes; later files follow the umask.
  secureDataDir(dataDir);
  return {
    db,
    close: async () => {
      await db.close();
      rmSync(lockFile(dataDir), { force: true });
    },
  };
}
