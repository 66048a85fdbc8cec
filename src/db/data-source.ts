/**
 * The one way Roster builds its TypeORM DataSource: PostgreSQL through DATABASE_URL, otherwise
 * the embedded PGlite. Same entities, same migrations, never `synchronize`.
 */
import "reflect-metadata";
import { DataSource } from "typeorm";
import type { PGlite } from "@electric-sql/pglite";
import { ENTITIES } from "../../entities";
import { MIGRATIONS } from "../../entities/migrations";
import { pgliteDriver } from "./pglite-pool";

export interface DataSourceTarget {
  /** PostgreSQL connection string. */
  url?: string;
  /** An open PGlite instance (embedded mode). */
  pglite?: PGlite;
  poolSize?: number;
  /**
   * PostgreSQL statement_timeout in ms for every query on these connections; the client gives up
   * 1 s later (a frozen server answers nothing, not even the cancellation). Absent: no limit
   * (migrations, tests).
   */
  statementTimeoutMs?: number;
}

export function createDataSource(target: DataSourceTarget): DataSource {
  const common = {
    type: "postgres" as const,
    uuidExtension: "pgcrypto" as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: "migrations",
    synchronize: false,
    logging: false,
  };
  if (target.pglite) {
    return new DataSource({ ...common, driver: pgliteDriver(target.pglite) });
  }
  if (!target.url) throw new Error("createDataSource needs a PostgreSQL url or a PGlite instance");
  return new DataSource({
    ...common,
    url: target.url,
    poolSize: target.poolSize ?? 10,
    extra: {
      // Also bounds the wait for a free pooled connection when all of them are stuck.
      connectionTimeoutMillis: target.statementTimeoutMs ? Math.min(5000, target.statementTimeoutMs + 1000) : 5000,
      keepAlive: true,
      ...(target.statementTimeoutMs ? {
        statement_timeout: target.statementTimeoutMs,
        query_timeout: target.statementTimeoutMs + 1000,
      } : {}),
    },
  });
}
