import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Trust boundaries (docs/security.md):
 * - memberships waiting for their person: `pending_email` (where the join link went),
 *   `join_token_hash` (sha256 of that link's token), `join_sent_at`. While pending, the
 *   membership points at a placeholder account under `pending.roster.invalid`.
 * - who made each SCIM token and SSO connection, and their role then (`owner`, `admin`,
 *   `operator` for the CLI, NULL when unknown), so an Owner can review the others.
 * - `sso_link_requests`: an SSO identity waiting for its person to prove the account.
 */
export class TrustBoundaries1764400000000 implements MigrationInterface {
  name = "TrustBoundaries1764400000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memberships ADD COLUMN pending_email varchar(320), ADD COLUMN join_token_hash varchar(64),
      ADD COLUMN join_sent_at timestamptz`);
    await q.query(`CREATE UNIQUE INDEX memberships_join_token_key ON memberships (join_token_hash) WHERE join_token_hash IS NOT NULL`);
    await q.query(`CREATE INDEX memberships_pending_email_idx ON memberships (org_id, lower(pending_email)) WHERE pending_email IS NOT NULL`);
    await q.query(`ALTER TABLE scim_tokens ADD COLUMN created_by_role varchar(20)`);
    await q.query(`ALTER TABLE sso_connections ADD COLUMN created_by_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      ADD COLUMN created_by_role varchar(20)`);
    // Best effort for rows made before: the creator's role in the org now; the CLI as operator.
    await q.query(`UPDATE scim_tokens t SET created_by_role = COALESCE(
        (SELECT m.role FROM memberships m WHERE m.org_id = t.org_id AND m.user_id = t.created_by_user_id),
        CASE WHEN t.created_by_user_id IS NULL THEN 'operator' END)`);
    await q.query(`UPDATE sso_connections c SET created_by_user_id = a.user_id, created_by_role = COALESCE(
        (SELECT m.role FROM memberships m WHERE m.org_id = c.org_id AND m.user_id = a.user_id),
        CASE WHEN a.actor_type = 'system' THEN 'operator' END)
      FROM (SELECT DISTINCT ON (e.target->>'id') e.target->>'id' AS conn_id, e.actor->>'type' AS actor_type,
                   (SELECT u.id FROM users u WHERE u.id::text = e.actor->>'id') AS user_id
              FROM audit_events e WHERE e.action = 'sso_connection.created' ORDER BY e.target->>'id', e.created_at) a
      WHERE a.conn_id = c.id::text`);
    await q.query(`
      CREATE TABLE sso_link_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        subject varchar(512) NOT NULL,
        email varchar(320),
        token_hash varchar(64) NOT NULL UNIQUE,
        jit_role varchar(20) CHECK (jit_role IN ('admin','member')),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sso_link_requests_user_idx ON sso_link_requests (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sso_link_requests`);
    await q.query(`ALTER TABLE sso_connections DROP COLUMN created_by_role, DROP COLUMN created_by_user_id`);
    await q.query(`ALTER TABLE scim_tokens DROP COLUMN created_by_role`);
    await q.query(`DROP INDEX memberships_pending_email_idx`);
    await q.query(`DROP INDEX memberships_join_token_key`);
    await q.query(`ALTER TABLE memberships DROP COLUMN join_sent_at, DROP COLUMN join_token_hash, DROP COLUMN pending_email`);
  }
}
