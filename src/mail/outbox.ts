/**
 * Queuing an email is part of the caller's transaction: the change and its email are stored
 * together or not at all. Delivery happens after commit (mail/dispatcher.ts). `notify` wakes the
 * dispatcher so a message goes out at once rather than at the next poll.
 *
 * Stale mail is cancelled, not sent. A caller names what an email is about with a supersede key
 * (`invitation:<id>`, `role:<membershipId>`): a newer email with the same key cancels the older one
 * while it still waits, and a change that makes the email pointless (an invitation revoked or used)
 * cancels it with `cancel`. Only waiting rows are touched (pending, or a "sending" whose lease
 * lapsed): a message a dispatcher holds is already leaving, and its later updates are conditional
 * on the lease, so a cancellation never races a send into a duplicate.
 */
import { EventEmitter } from "node:events";
import type { EntityManager } from "typeorm";
import { EmailMessage } from "../../entities";
import type { RenderedEmail } from "./templates";

export interface EnqueueOptions {
  /** Cancels any still-waiting email with this key (reason `superseded`), then keys this one. */
  supersedeKey?: string;
}

/** Supersede keys used across the app, one place so writers and cancellers agree. */
export const mailKeys = {
  invitation: (invitationId: string) => `invitation:${invitationId}`,
  role: (membershipId: string) => `role:${membershipId}`,
  access: (membershipId: string) => `access:${membershipId}`,
  /** Suspended / restored: the newer one supersedes the older. */
  status: (membershipId: string) => `status:${membershipId}`,
  /** Every key of mail about one membership: all stale once it is removed. */
  aboutMember: (membershipId: string) => [`role:${membershipId}`, `access:${membershipId}`, `status:${membershipId}`],
  passwordReset: (userId: string) => `password-reset:${userId}`,
};

const WAITING = `(status = 'pending' OR (status = 'sending' AND locked_until < now()))`;

export class Outbox extends EventEmitter {
  async enqueue(tx: EntityManager, orgId: string | null, to: string, email: RenderedEmail, opts: EnqueueOptions = {}): Promise<void> {
    if (opts.supersedeKey) await this.cancel(tx, opts.supersedeKey, `superseded by a newer ${email.kind} email`);
    // next_attempt_at defaults to now() in the database; seq (write order) to the next value.
    await tx.getRepository(EmailMessage).insert({
      orgId, to, kind: email.kind, subject: email.subject, text: email.text, html: email.html, status: "pending",
      supersedeKey: opts.supersedeKey ?? null,
    });
    // Listeners run after the current tick; the dispatcher re-reads the table, so a rolled-back
    // message is never sent.
    setImmediate(() => this.emit("queued"));
  }

  /** Many emails in one INSERT (bulk changes), each optionally keyed like `enqueue`; seq follows the array order. */
  async enqueueMany(tx: EntityManager, orgId: string | null, mails: Array<{ to: string; email: RenderedEmail; supersedeKey?: string }>): Promise<void> {
    if (!mails.length) return;
    const keys = mails.flatMap((m) => (m.supersedeKey ? [m.supersedeKey] : []));
    if (keys.length) {
      await tx.query(`UPDATE email_messages SET status = 'cancelled', cancel_reason = 'superseded by a newer email', cancelled_at = now(),
                             locked_until = NULL, lease_token = NULL
                       WHERE supersede_key = ANY($1::text[]) AND ${WAITING}`, [keys]);
    }
    await tx.query(`INSERT INTO email_messages (org_id, to_address, kind, subject, body_text, body_html, status, supersede_key)
      SELECT $1, t.to, t.kind, t.subject, t.text, t.html, 'pending', t.key
        FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS ("to" text, kind text, subject text, text text, html text, key text))
             WITH ORDINALITY AS t("to", kind, subject, text, html, key, n) ORDER BY n`,
    [orgId, JSON.stringify(mails.map((m) => ({ to: m.to, ...m.email, key: m.supersedeKey ?? null })))]);
    setImmediate(() => this.emit("queued"));
  }

  /** Cancels every still-waiting email with `key`; returns how many. Part of the caller's transaction. */
  async cancel(tx: EntityManager, key: string, reason: string): Promise<number> {
    return this.cancelMany(tx, [key], reason);
  }

  /** `cancel` for several keys in one statement (bulk removals). */
  async cancelMany(tx: EntityManager, keys: string[], reason: string): Promise<number> {
    if (keys.length === 0) return 0;
    const [, n]: [unknown, number] = await tx.query(
      `UPDATE email_messages SET status = 'cancelled', cancel_reason = $2, cancelled_at = now(), locked_until = NULL, lease_token = NULL
        WHERE supersede_key = ANY($1::text[]) AND ${WAITING}`, [keys, reason.slice(0, 200)]);
    // A cancelled head of a recipient's queue unblocks the next message to them.
    if (n > 0) setImmediate(() => this.emit("queued"));
    return n;
  }

}
