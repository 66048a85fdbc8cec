import type { MigrationInterface, QueryRunner } from "typeorm";

/** Google Workspace directories (pull provisioning), their sync runs, and what they manage. */
export class Directories1764430000000 implements MigrationInterface {
  name = "Directories1764430000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directories (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        type varchar(20) NOT NULL CHECK (type IN ('google')),
        config jsonb NOT NULL,
        secret_encrypted text NOT NULL,
        interval_minutes integer NOT NULL DEFAULT 15 CHECK (interval_minutes BETWEEN 1 AND 1440),
        next_sync_at timestamptz NOT NULL DEFAULT now(),
        lease_owner varchar(100),
        lease_expires_at timestamptz,
        last_sync_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT directories_org_key UNIQUE (org_id)
      )`);
    await q.query(`CREATE INDEX directories_due_idx ON directories (next_sync_at)`);
    await q.query(`
      CREATE TABLE directory_syncs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        directory_id uuid NOT NULL REFERENCES directories(id) ON DELETE CASCADE,
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        status varchar(20) NOT NULL CHECK (status IN ('running','applied','held','failed','discarded','confirmed')),
        trigger varchar(20) NOT NULL CHECK (trigger IN ('schedule','manual','confirm')),
        counts jsonb,
        error_code varchar(60),
        error text,
        held jsonb,
        skipped jsonb NOT NULL DEFAULT '[]'::jsonb,
        refused jsonb NOT NULL DEFAULT '[]'::jsonb,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX directory_syncs_directory_idx ON directory_syncs (directory_id, started_at DESC)`);
    await q.query(`
      CREATE TABLE directory_users (
        membership_id uuid PRIMARY KEY REFERENCES memberships(id) ON DELETE CASCADE,
        directory_id uuid NOT NULL REFERENCES directories(id) ON DELETE CASCADE,
        google_id varchar(64) NOT NULL,
        email varchar(320) NOT NULL,
        base_role varchar(20) NOT NULL CHECK (base_role IN ('owner','admin','member'))
      )`);
    await q.query(`CREATE INDEX directory_users_directory_idx ON directory_users (directory_id)`);
    await q.query(`
      CREATE TABLE directory_groups (
        directory_id uuid NOT NULL REFERENCES directories(id) ON DELETE CASCADE,
        google_id varchar(64) NOT NULL,
        email varchar(320) NOT NULL,
        name varchar(255) NOT NULL,
        member_count integer NOT NULL,
        PRIMARY KEY (directory_id, google_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE directory_groups`);
    await q.query(`DROP TABLE directory_users`);
    await q.query(`DROP TABLE directory_syncs`);
    await q.query(`DROP TABLE directories`);
  }
}
