import { Client } from "pg";
import { adminUrl } from "./pg-url";

export default async function globalTeardown(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const template = process.env.ROSTER_TEST_TEMPLATE_DB;
  if (!url || !template) return;
  const admin = new Client({ connectionString: adminUrl(url) });
  await admin.connect();
  const leftovers = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`roster_t_${process.env.ROSTER_TEST_RUN}%`]);
  for (const r of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin.end();
}
