/** Opens the configured database, runs pending migrations, and says how to close it again. */
import { Client } from "pg";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { createDataSource } from "./data-source";
import { openEmbedded } from "./embedded";

export interface OpenDatabase {
  ds: DataSource;
  embedded: boolean;
  close(): Promise<void>;
}

/** pg_advisory_lock key held while migrating: "roster" in ASCII. */
export const MIGRATION_LOCK_KEY = 0x726f73746572;

/**
 * Instances starting together on one PostgreSQL migrate one at a time: each takes a session
 * advisory lock on its own connection first (TypeORM's CREATE EXTENSION and CREATE TABLE
 * "migrations" race otherwise: duplicate key in pg_type), and finds the work done by the first.
 * Migrations run without the statement timeout of normal queries.
 */
export async function migrateUnderLock(url: string): Promise<void> {
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    const ds = createDataSource({ url, poolSize: 1 });
    await ds.initialize();
    try {
      await ds.runMigrations({ transaction: "each" });
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.end(); // ends the session, which releases the lock
  }
}

export async function openDatabase(config: Config, opts: { migrate?: boolean } = {}): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    if (opts.migrate !== false) await migrateUnderLock(config.databaseUrl);
    const ds = createDataSource({ url: config.databaseUrl, statementTimeoutMs: config.dbStatementTimeoutMs, poolSize: config.dbPoolSize });
    await ds.initialize();
    return { ds, embedded: false, close: () => ds.destroy() };
  }
  const embedded = await openEmbedded(config.dataDir);
  const ds = createDataSource({ pglite: embedded.db });
  try {
    await ds.initialize();
    if (opts.migrate !== false) await ds.runMigrations({ transaction: "each" });
  } catch (err) {
    await embedded.close();
    throw err;
  }
  return {
    ds, embedded: true,
    close: async () => {
      await ds.destroy();
      await embedded.close();
    },
  };
}
