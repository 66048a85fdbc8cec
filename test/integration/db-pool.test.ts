/**
 * DB_POOL_SIZE sizes the PostgreSQL pool the server opens (openDatabase): with 3, six slow
 * queries at once run on exactly three connections (three backends), the rest wait their turn.
 * PostgreSQL only: the embedded PGlite is one session whatever the setting.
 */
import { openTestDatabase, type TestDatabase } from "../support/test-db";
import { loadConfig } from "../../src/config";
import { openDatabase, type OpenDatabase } from "../../src/db/open";

const pgOnly = process.env.DATABASE_URL ? it : it.skip;

describe("DB_POOL_SIZE", () => {
  let db: TestDatabase;
  let opened: OpenDatabase | undefined;
  beforeAll(async () => { db = await openTestDatabase(); });
  afterAll(async () => {
    await opened?.close();
    await db.close();
  });

  pgOnly("the server's pool has that many connections", async () => {
    const config = loadConfig({ DATA_DIR: "/tmp/roster-pool-test", DATABASE_URL: db.url!, SESSION_SECRET: "p".repeat(32), DB_POOL_SIZE: "3" });
    opened = await openDatabase(config, { migrate: false });
    const rows = await Promise.all(Array.from({ length: 6 }, () => opened!.ds.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.2)")));
    expect(new Set(rows.map(([r]) => r.pid)).size).toBe(3);
  });
});
