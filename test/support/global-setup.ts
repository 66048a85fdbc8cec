/**
 * Migrates once per test run. PostgreSQL (DATABASE_URL set): a throw-away template database that
 * each test file clones (CREATE DATABASE … TEMPLATE). Embedded: a migrated PGlite snapshot that
 * each test file loads. Either way, files never see each other's rows.
 */
import "reflect-metadata";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { PGlite } from "@electric-sql/pglite";
import { createDataSource } from "../../src/db/data-source";
import { adminUrl, withDatabase } from "./pg-url";

export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  process.env.ROSTER_TEST_RUN = runId;
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `roster_tpl_${runId}`;
    const admin = new Client({ connectionString: adminUrl(url) });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${template}`);
    await admin.end();
    const ds = createDataSource({ url: withDatabase(url, template), poolSize: 1 });
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    process.env.ROSTER_TEST_TEMPLATE_DB = template;
    return;
  }
  const db = await PGlite.create();
  const ds = createDataSource({ pglite: db });
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
  const dump = await db.dumpDataDir("none");
  await db.close();
  const dir = mkdtempSync(join(tmpdir(), "roster-test-"));
  const file = join(dir, "migrated.tar");
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env.ROSTER_TEST_PGLITE_SNAPSHOT = file;
}
