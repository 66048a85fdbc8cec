/**
 * The DataSource for TypeORM's own CLI (`npm run migration:generate`). It targets DATABASE_URL;
 * Roster itself builds the same DataSource through src/db/data-source.ts and runs migrations at start.
 */
import { loadConfig } from "./src/config";
import { createDataSource } from "./src/db/data-source";

const config = loadConfig();
if (!config.databaseUrl) {
  throw new Error("Set DATABASE_URL to use the TypeORM CLI (migrations are generated against PostgreSQL).");
}
export default createDataSource({ url: config.databaseUrl });
