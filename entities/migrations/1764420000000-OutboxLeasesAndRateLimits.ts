import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Outbox: a lease token per claim (every update after a send is conditional on it) and the error
 * of every attempt. Rate limits: fixed-window counters shared by every instance on the database.
 */
export class OutboxLeasesAndRateLimits1764420000000 implements MigrationInterface {
  name = "OutboxLeasesAndRateLimits1764420000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "email_messages" ADD "lease_token" uuid`);
    await q.query(`ALTER TABLE "email_messages" ADD "attempt_errors" jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`CREATE UNLOGGED TABLE "rate_limits" (
      "key" varchar(400) PRIMARY KEY, "count" integer NOT NULL, "reset_at" timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX "idx_rate_limits_reset_at" ON "rate_limits" ("reset_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "rate_limits"`);
    await q.query(`ALTER TABLE "email_messages" DROP COLUMN "attempt_errors"`);
    await q.query(`ALTER TABLE "email_messages" DROP COLUMN "lease_token"`);
  }
}
