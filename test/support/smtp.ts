/** A real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives, parsed. */
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export class MailCatcher {
  readonly messages: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private waiters: Array<() => void> = [];
  /** When set, the server refuses every message with this SMTP error (an outage). */
  refuse: string | undefined;
  /** When set, the server waits this long before answering each message (a slow relay). */
  delayMs = 0;
  /** When set, overrides delayMs per message (e.g. one slow message among fast ones). */
  delayOf: ((mail: { to: string; subject: string }) => number) | undefined;

  async start(): Promise<string> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(async (mail) => {
          const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
          const delay = this.delayOf ? this.delayOf({ to: to?.value[0]?.address ?? "", subject: mail.subject ?? "" }) : this.delayMs;
          if (delay) await new Promise((ok) => setTimeout(ok, delay));
          if (this.refuse) return callback(Object.assign(new Error(this.refuse), { responseCode: 451 }));
          this.messages.push({
            to: to?.value[0]?.address ?? "", subject: mail.subject ?? "", text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "", messageId: mail.messageId ?? "",
          });
          this.waiters.splice(0).forEach((w) => w());
          callback();
        }, callback);
      },
    });
    await new Promise<void>((ok) => this.server!.listen(0, "127.0.0.1", ok));
    const port = (this.server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${port}?ignoreTLS=true`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((ok) => this.server?.close(() => ok()) ?? ok());
  }

  /** Waits for a message matching `pred` (default: any) and returns it. */
  async waitFor(pred: (m: ReceivedMail) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching email within ${timeoutMs} ms; got: ${this.messages.map((m) => `${m.to}: ${m.subject}`).join(" | ") || "none"}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(t); ok(); });
      });
    }
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.toLowerCase() === address.toLowerCase());
  }
}

export function linkIn(text: string, pathPrefix: string): string {
  const m = text.match(new RegExp(`https?://[^\\s"<>]*${pathPrefix.replace(/\//g, "\\/")}[^\\s"<>]*`));
  if (!m) throw new Error(`no ${pathPrefix} link in: ${text}`);
  return m[0];
}
