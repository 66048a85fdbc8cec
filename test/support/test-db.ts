/** A fresh, migrated database for one test file: a clone of the run's template, or a PGlite snapshot. */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Client } from "pg";
import { PGlite } from "@electric-sql/pglite";
import type { DataSource } from "typeorm";
import { createDataSource } from "../../src/db/data-source";
import { adminUrl, withDatabase } from "./pg-url";

export interface TestDatabase {
  ds: DataSource;
  kind: "postgres" | "pglite";
  /** Connection string of this file's database (PostgreSQL only). */
  url?: string;
  close(): Promise<void>;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  const template = process.env.ROSTER_TEST_TEMPLATE_DB;
  if (url && template) {
    const name = `roster_t_${process.env.ROSTER_TEST_RUN}_${randomBytes(4).toString("hex")}`;
    const admin = new Client({ connectionString: adminUrl(url) });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.end();
    const dbUrl = withDatabase(url, name);
    const ds = createDataSource({ url: dbUrl, poolSize: 10 });
    await ds.initialize();
    return {
      ds, kind: "postgres", url: dbUrl,
      close: async () => {
        await ds.destroy();
        const a = new Client({ connectionString: adminUrl(url) });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const snapshot = process.env.ROSTER_TEST_PGLITE_SNAPSHOT;
  if (!snapshot) throw new Error("test global setup did not run");
  const db = await PGlite.create({ loadDataDir: new Blob([readFileSync(snapshot)]) });
  const ds = createDataSource({ pglite: db });
  await ds.initialize();
  return {
    ds, kind: "pglite",
    close: async () => {
      await ds.destroy();
      await db.close();
    },
  };
}
