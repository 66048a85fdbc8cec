import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Password reset links (only a hash of the secret is stored; a newer request or a use ends a link),
 * outbox order and cancellation (a per-row sequence gives "the order they were written" to each
 * recipient; a supersede key lets a newer email, or the change that made it stale, cancel a pending
 * one), and why an invitation link died when a new invitation replaced it.
 */
export class AccountsAndStaleMail1764470000000 implements MigrationInterface {
  name = "AccountsAndStaleMail1764470000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "password_reset_tokens" (
      "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
      "secret_hash" varchar(64) NOT NULL,
      "expires_at" timestamptz NOT NULL,
      "used_at" timestamptz,
      "replaced_at" timestamptz,
      "request_ip" varchar(64),
      "created_at" timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX "password_reset_tokens_user_idx" ON "password_reset_tokens" ("user_id", "created_at")`);
    await q.query(`ALTER TABLE "email_messages" DROP CONSTRAINT "email_messages_status_check"`);
    await q.query(`ALTER TABLE "email_messages" ADD CONSTRAINT "email_messages_status_check" CHECK (status IN ('pending','sending','sent','failed','cancelled'))`);
    await q.query(`ALTER TABLE "email_messages" ADD "seq" bigserial`);
    await q.query(`ALTER TABLE "email_messages" ADD "supersede_key" varchar(200)`);
    await q.query(`ALTER TABLE "email_messages" ADD "cancel_reason" varchar(200)`);
    await q.query(`ALTER TABLE "email_messages" ADD "cancelled_at" timestamptz`);
    await q.query(`CREATE INDEX "email_messages_recipient_order_idx" ON "email_messages" (lower("to_address"), "seq") WHERE status IN ('pending','sending')`);
    await q.query(`CREATE INDEX "email_messages_supersede_idx" ON "email_messages" ("supersede_key") WHERE status IN ('pending','sending')`);
    await q.query(`ALTER TABLE "invitations" ADD "replaced_by_id" uuid`);
    // "You no longer have access to Acme": a removed person is recognised by the removal's audit event.
    await q.query(`CREATE INDEX "audit_events_removed_email_idx" ON "audit_events" ("org_id", lower("target" ->> 'email')) WHERE action = 'member.removed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "audit_events_removed_email_idx"`);
    await q.query(`ALTER TABLE "invitations" DROP COLUMN "replaced_by_id"`);
    await q.query(`DROP INDEX "email_messages_supersede_idx"`);
    await q.query(`DROP INDEX "email_messages_recipient_order_idx"`);
    // The old statuses have no "cancelled": such a message was never sent, which "failed" says too.
    await q.query(`UPDATE "email_messages" SET status = 'failed' WHERE status = 'cancelled'`);
    await q.query(`ALTER TABLE "email_messages" DROP COLUMN "cancelled_at"`);
    await q.query(`ALTER TABLE "email_messages" DROP COLUMN "cancel_reason"`);
    await q.query(`ALTER TABLE "email_messages" DROP COLUMN "supersede_key"`);
    await q.query(`ALTER TABLE "email_messages" DROP COLUMN "seq"`);
    await q.query(`ALTER TABLE "email_messages" DROP CONSTRAINT "email_messages_status_check"`);
    await q.query(`ALTER TABLE "email_messages" ADD CONSTRAINT "email_messages_status_check" CHECK (status IN ('pending','sending','sent','failed'))`);
    await q.query(`DROP TABLE "password_reset_tokens"`);
  }
}
