/**
 * Delivers the outbox. One message is claimed at a time (FOR UPDATE SKIP LOCKED) with a lease:
 * `locked_until` plus a fresh `lease_token`. The lease is renewed while the SMTP exchange runs,
 * and every update after the send is conditional on the token, so a message is sent once, even
 * by several instances and a slow SMTP server. If the process dies between the server's
 * acceptance and the commit, the lease lapses and the message goes out at most once more, with
 * the same Message-ID (receivers can drop it). SMTP connection, greeting and socket timeouts
 * bound a send. Failures back off exponentially up to MAX_ATTEMPTS, keeping every attempt's
 * error. Without SMTP_URL messages stay in the outbox and are logged.
 *
 * Mail to one address leaves in the order it was written (`seq`): a message is only claimed when
 * no earlier message to the same address is still waiting or being sent, which holds across
 * instances because the check reads the rows another dispatcher has claimed ("sending") or not
 * yet committed as sent. A retrying message therefore holds back later mail to its address until
 * it is sent, fails for good, or is cancelled (outbox.ts: stale mail is cancelled, not sent).
 */
import { randomUUID } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import type { DataSource } from "typeorm";
import type { Logger } from "../logger";
import type { Outbox } from "./outbox";

export const MAX_ATTEMPTS = 8;
/** Each attempt's lease; renewed every LEASE_SECONDS / 4 while the SMTP exchange runs. */
export const LEASE_SECONDS = 60;
/** nodemailer's defaults are 2 min / 30 s / 10 min; a stuck server must not hold a message that long. */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Seconds before attempt n+1: 5 s, 10 s, 20 s … capped at one hour. */
export function backoffSeconds(attempts: number): number {
  return Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));
}

interface ClaimedRow {
  id: string; to_address: string; subject: string; body_text: string; body_html: string; attempts: number; lease_token: string;
}

export interface DispatcherOptions {
  smtpUrl?: string;
  from: string;
  pollMs?: number;
  /** Lease per attempt (default LEASE_SECONDS); tests shorten it to make a lapse observable. */
  leaseSeconds?: number;
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
    // Timeouts given in the URL (?socketTimeout=…) win over ours.
    this.transport = opts.smtpUrl ? nodemailer.createTransport({ ...SMTP_TIMEOUTS, url: opts.smtpUrl }) : undefined;
  }

  private get leaseSeconds(): number {
    return this.opts.leaseSeconds ?? LEASE_SECONDS;
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
    while (!this.stopped) {
      const row = await this.claimOne();
      if (!row) return;
      await this.deliver(row);
    }
  }

  private async claimOne(): Promise<ClaimedRow | undefined> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [ClaimedRow[], number] = await this.ds.query(
      `UPDATE email_messages SET status = 'sending', attempts = attempts + 1, lease_token = $2,
              locked_until = now() + $1::int * interval '1 second'
        WHERE id = (SELECT e.id FROM email_messages e
                     WHERE e.status IN ('pending', 'sending') AND e.next_attempt_at <= now()
                       AND (e.locked_until IS NULL OR e.locked_until < now())
                       AND NOT EXISTS (SELECT 1 FROM email_messages b
                                        WHERE lower(b.to_address) = lower(e.to_address) AND b.seq < e.seq
                                          AND b.status IN ('pending', 'sending'))
                     ORDER BY e.next_attempt_at, e.seq LIMIT 1 FOR UPDATE OF e SKIP LOCKED)
      RETURNING id, to_address, subject, body_text, body_html, attempts, lease_token`,
      [this.leaseSeconds, randomUUID()],
    );
    return rows[0];
  }

  /** Extends the lease while a send runs; a renewal that finds the lease gone is logged, not fatal. */
  private renewWhileSending(row: ClaimedRow): () => void {
    const timer = setInterval(() => {
      this.ds.query(`UPDATE email_messages SET locked_until = now() + $3::int * interval '1 second'
                      WHERE id = $1 AND lease_token = $2`, [row.id, row.lease_token, this.leaseSeconds])
        .catch((err) => this.logger.warn({ err, emailId: row.id }, "could not renew the outbox lease"));
    }, (this.leaseSeconds * 1000) / 4);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const stopRenewing = this.renewWhileSending(row);
    let error: Error | undefined;
    try {
      await this.transport!.sendMail({
        from: this.opts.from, to: row.to_address, subject: row.subject, text: row.body_text, html: row.body_html,
        messageId: `<${row.id}@roster>`,
      });
    } catch (err) {
      error = err as Error;
    } finally {
      stopRenewing();
    }
    if (!error) {
      const [, held]: [unknown, number] = await this.ds.query(
        `UPDATE email_messages SET status = 'sent', sent_at = now(), locked_until = NULL, lease_token = NULL, last_error = NULL
          WHERE id = $1 AND lease_token = $2`, [row.id, row.lease_token]);
      if (held === 0) this.logger.warn({ emailId: row.id }, "email sent, but its lease had passed to another sender");
      else this.logger.info({ emailId: row.id, to: row.to_address }, "email sent");
      return;
    }
    const failed = row.attempts >= MAX_ATTEMPTS;
    const message = String(error.message).slice(0, 1000);
    await this.ds.query(
      `UPDATE email_messages SET status = $3, locked_until = NULL, lease_token = NULL, last_error = $4,
              attempt_errors = attempt_errors || jsonb_build_array(jsonb_build_object('at', now(), 'attempt', attempts, 'error', $4::text)),
              next_attempt_at = now() + $5::int * interval '1 second'
        WHERE id = $1 AND lease_token = $2`,
      [row.id, row.lease_token, failed ? "failed" : "pending", message, backoffSeconds(row.attempts)],
    );
    this.logger.warn({ emailId: row.id, attempts: row.attempts, err: message },
      failed ? "email failed for good" : "email delivery failed; will retry");
  }

  /**
   * No SMTP_URL: leave messages pending (they go out once SMTP is configured) and log each new one
   * with its links. What was pending before this process started was logged by an earlier one:
   * the first pass only counts it, so a restart does not print every open invitation link again.
   */
  private async logNew(): Promise<void> {
    if (this.loggedUpTo.getTime() === 0) {
      const [r]: Array<{ n: number; last: Date | null }> = await this.ds.query(
        `SELECT count(*)::int AS n, max(created_at) AS last FROM email_messages WHERE status = 'pending'`);
      if (r.n > 0) this.logger.info({ pending: r.n }, "emails are waiting in the outbox (no SMTP_URL set); `roster mail list` shows them");
      this.loggedUpTo = r.last ? new Date(r.last) : new Date(1);
      return;
    }
    const rows: Array<{ id: string; to_address: string; subject: string; body_text: string; created_at: Date }> =
      await this.ds.query(
        `SELECT id, to_address, subject, body_text, created_at FROM email_messages
          WHERE status = 'pending' AND date_trunc('milliseconds', created_at) > $1 ORDER BY created_at LIMIT 100`,
        [this.loggedUpTo],
      );
    // Compared in milliseconds: PostgreSQL keeps microseconds, a JS Date does not, and a row whose
    // created_at was rounded down into loggedUpTo would otherwise be logged again at every pass.
    for (const r of rows) {
      const links = r.body_text.match(/https?:\/\/\S+/g) ?? [];
      this.logger.info({ emailId: r.id, to: r.to_address, subject: r.subject, links },
        "email kept in the outbox (no SMTP_URL set)");
      this.loggedUpTo = new Date(r.created_at);
    }
  }
}
