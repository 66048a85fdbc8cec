/**
 * Delivers the outbox. A message is claimed with FOR UPDATE SKIP LOCKED and a lease
 * (`locked_until`), so several instances never send one message twice; a sender that dies
 * mid-send leaves a lease that lapses, and the message is retried (at-least-once: the stable
 * Message-ID lets receivers drop a duplicate). Failures back off exponentially up to
 * MAX_ATTEMPTS, recording each error. Without SMTP_URL messages stay in the outbox and are logged.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { DataSource } from "typeorm";
import type { Logger } from "../logger";
import type { Outbox } from "./outbox";

export const MAX_ATTEMPTS = 8;
const LEASE_SECONDS = 120;
const BATCH = 20;

/** Seconds before attempt n+1: 5 s, 10 s, 20 s … capped at one hour. */
export function backoffSeconds(attempts: number): number {
  return Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));
}

interface ClaimedRow {
  id: string; to_address: string; subject: string; body_text: string; body_html: string; attempts: number;
}

export interface DispatcherOptions {
  smtpUrl?: string;
  from: string;
  pollMs?: number;
}

export class MailDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly transport: Transporter | undefined;
  private loggedUpTo = new Date(0);

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly opts: DispatcherOptions,
  ) {
    // SMTP_URL carries every transport option nodemailer knows (smtps://, ?ignoreTLS=true, auth).
    this.transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : undefined;
  }

  private readonly onQueued = (): void => void this.kick();

  start(): void {
    this.stopped = false;
    this.outbox.on("queued", this.onQueued);
    const poll = (): void => {
      this.timer = setTimeout(() => void this.kick().finally(() => !this.stopped && poll()), this.opts.pollMs ?? 2000);
      this.timer.unref();
    };
    poll();
    void this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.outbox.off("queued", this.onQueued);
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.transport?.close();
  }

  /** Run a delivery pass now (coalescing concurrent calls); resolves when the outbox is drained of due mail. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          if (this.stopped) break;
          await (this.transport ? this.deliverDue() : this.logNew());
        } while (this.again);
      } catch (err) {
        this.logger.warn({ err }, "outbox pass failed; will retry");
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async deliverDue(): Promise<void> {
    for (;;) {
      // TypeORM answers an UPDATE with [rows, rowCount].
      const [rows]: [ClaimedRow[], number] = await this.ds.query(
        `UPDATE email_messages SET status = 'sending', attempts = attempts + 1,
                locked_until = now() + $1::int * interval '1 second'
          WHERE id IN (SELECT id FROM email_messages
                        WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
                          AND (locked_until IS NULL OR locked_until < now())
                        ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id, to_address, subject, body_text, body_html, attempts`,
        [LEASE_SECONDS, BATCH],
      );
      if (rows.length === 0) return;
      for (const row of rows) await this.deliver(row);
      if (this.stopped) return;
    }
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    try {
      await this.transport!.sendMail({
        from: this.opts.from, to: row.to_address, subject: row.subject, text: row.body_text, html: row.body_html,
        messageId: `<${row.id}@roster>`,
      });
      await this.ds.query(
        `UPDATE email_messages SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1`,
        [row.id],
      );
      this.logger.info({ emailId: row.id, to: row.to_address }, "email sent");
    } catch (err) {
      const failed = row.attempts >= MAX_ATTEMPTS;
      await this.ds.query(
        `UPDATE email_messages SET status = $2, locked_until = NULL, last_error = $3,
                next_attempt_at = now() + $4::int * interval '1 second' WHERE id = $1`,
        [row.id, failed ? "failed" : "pending", String((err as Error).message).slice(0, 1000), backoffSeconds(row.attempts)],
      );
      this.logger.warn({ emailId: row.id, attempts: row.attempts, err: (err as Error).message },
        failed ? "email failed for good" : "email delivery failed; will retry");
    }
  }

  /** No SMTP_URL: leave messages pending (they go out once SMTP is configured) and log each new one with its links. */
  private async logNew(): Promise<void> {
    const rows: Array<{ id: string; to_address: string; subject: string; body_text: string; created_at: Date }> =
      await this.ds.query(
        `SELECT id, to_address, subject, body_text, created_at FROM email_messages
          WHERE status = 'pending' AND created_at > $1 ORDER BY created_at LIMIT 100`,
        [this.loggedUpTo],
      );
    for (const r of rows) {
      const links = r.body_text.match(/https?:\/\/\S+/g) ?? [];
      this.logger.info({ emailId: r.id, to: r.to_address, subject: r.subject, links },
        "email kept in the outbox (no SMTP_URL set)");
      this.loggedUpTo = new Date(r.created_at);
    }
  }
}
