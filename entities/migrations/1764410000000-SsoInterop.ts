import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * SSO interoperability (issue 10):
 * - sso_sp_keys: each SAML connection's own request-signing key pairs; at most one active and
 *   one published-but-not-yet-used ("next") key per connection, private keys encrypted at rest;
 * - sso_connections.tested_at: a sign-in through the connection succeeded (Test connection or a
 *   real one); new connections stay disabled until then, or until an Owner enables them;
 *   last_test: the report of the last Test connection (what the IdP sent, what Roster would do);
 * - sso_connections.metadata_*: IdP metadata fetched by URL (last success, last attempt, last error)
 *   and the certificate fingerprints whose coming expiry was already emailed to the Owners.
 */
export class SsoInterop1764410000000 implements MigrationInterface {
  name = "SsoInterop1764410000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sso_sp_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        status varchar(10) NOT NULL CHECK (status IN ('active','next')),
        certificate text NOT NULL,
        private_key_encrypted text NOT NULL,
        not_after timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX sso_sp_keys_connection_status_key ON sso_sp_keys (connection_id, status)`);
    await q.query(`ALTER TABLE sso_connections ADD COLUMN tested_at timestamptz`);
    await q.query(`ALTER TABLE sso_connections ADD COLUMN last_test jsonb`);
    await q.query(`ALTER TABLE sso_connections ADD COLUMN metadata_fetched_at timestamptz`);
    await q.query(`ALTER TABLE sso_connections ADD COLUMN metadata_checked_at timestamptz`);
    await q.query(`ALTER TABLE sso_connections ADD COLUMN metadata_error text`);
    await q.query(`ALTER TABLE sso_connections ADD COLUMN cert_expiry_notified jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ["cert_expiry_notified", "metadata_error", "metadata_checked_at", "metadata_fetched_at", "last_test", "tested_at"]) {
      await q.query(`ALTER TABLE sso_connections DROP COLUMN IF EXISTS ${c}`);
    }
    await q.query(`DROP TABLE IF EXISTS sso_sp_keys`);
  }
}
