import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

export type EmailStatus = "pending" | "sending" | "sent" | "failed" | "cancelled";

/** The outbox: a row is written in the caller's transaction and delivered after commit. */
@Entity({ name: "email_messages" })
export class EmailMessage {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id", nullable: true }) orgId: string | null;
  @Column({ type: "varchar", length: 320, name: "to_address" }) to: string;
  @Column({ type: "varchar", length: 300 }) subject: string;
  @Column({ type: "text", name: "body_text" }) text: string;
  @Column({ type: "text", name: "body_html" }) html: string;
  @Column({ type: "varchar", length: 40 }) kind: string;
  @Column({ type: "varchar", length: 20, default: "pending" }) status: EmailStatus;
  @Column({ type: "integer", default: 0 }) attempts: number;
  @Column({ type: "text", name: "last_error", nullable: true }) lastError: string | null;
  @Column({ type: "timestamptz", name: "next_attempt_at" }) nextAttemptAt: Date;
  /** While a dispatcher holds the row; a crashed sender's claim lapses after this. */
  @Column({ type: "timestamptz", name: "locked_until", nullable: true }) lockedUntil: Date | null;
  /** The claim that holds the row: every update after a send must still hold it. */
  @Column({ type: "uuid", name: "lease_token", nullable: true }) leaseToken: string | null;
  /** One entry per failed attempt, oldest first: { at, attempt, error }. */
  @Column({ type: "jsonb", name: "attempt_errors", default: () => "'[]'::jsonb" }) attemptErrors: Array<{ at: string; attempt: number; error: string }>;
  @Column({ type: "timestamptz", name: "sent_at", nullable: true }) sentAt: Date | null;
  /** Write order (bigserial): mail to one address leaves in this order. */
  @Column({ type: "bigint", insert: false, update: false }) seq: string;
  /** A newer email with the same key cancels this one while it is still waiting (e.g. `invitation:<id>`, `role:<membershipId>`). */
  @Column({ type: "varchar", length: 200, name: "supersede_key", nullable: true }) supersedeKey: string | null;
  /** Why a `cancelled` message was never sent. */
  @Column({ type: "varchar", length: 200, name: "cancel_reason", nullable: true }) cancelReason: string | null;
  @Column({ type: "timestamptz", name: "cancelled_at", nullable: true }) cancelledAt: Date | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
