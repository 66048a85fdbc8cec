/**
 * Queuing an email is part of the caller's transaction: the change and its email are stored
 * together or not at all. Delivery happens after commit (mail/dispatcher.ts). `notify` wakes the
 * dispatcher so a message goes out at once rather than at the next poll.
 */
import { EventEmitter } from "node:events";
import type { EntityManager } from "typeorm";
import { EmailMessage } from "../../entities";
import type { RenderedEmail } from "./templates";

export class Outbox extends EventEmitter {
  async enqueue(tx: EntityManager, orgId: string | null, to: string, email: RenderedEmail): Promise<void> {
    // next_attempt_at defaults to now() in the database.
    await tx.getRepository(EmailMessage).insert({
      orgId, to, kind: email.kind, subject: email.subject, text: email.text, html: email.html, status: "pending",
    });
    // Listeners run after the current tick; the dispatcher re-reads the table, so a rolled-back
    // message is never sent.
    setImmediate(() => this.emit("queued"));
  }
}
