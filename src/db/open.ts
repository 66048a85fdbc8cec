/** Opens the configured database, runs pending migrations, and says how to close it again. */
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { createDataSource } from "./data-source";
import { openEmbedded } from "./embedded";

export interface OpenDatabase {
  ds: DataSource;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, opts: { migrate?: boolean } = {}): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const ds = createDataSource({ url: config.databaseUrl });
    await ds.initialize();
    if (opts.migrate !== false) await ds.runMigrations({ transaction: "each" });
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
