/**
 * The outbox under contention: several dispatchers (as several instances) on one database and a
 * slow SMTP relay send every message exactly once; every failed attempt's error is kept; a relay
 * that never greets is given up on by the SMTP timeouts instead of holding the message.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { startTestApp, type TestApp } from "../support/app";
import { MailDispatcher, SMTP_TIMEOUTS } from "../../src/mail/dispatcher";
import { EmailMessage } from "../../entities";
import { invitationEmail } from "../../src/mail/templates";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ smtp: true });
  await t.dispatcher!.stop(); // the test runs its own dispatchers
});
afterAll(() => t.close());

const email = (n: string) => invitationEmail({ orgName: "Mailco", inviterName: "Olive", role: "member",
  link: `http://roster.test/invitations/${n}`, expiresAt: new Date() });

async function enqueue(prefix: string, n: number): Promise<string[]> {
  const to = Array.from({ length: n }, (_, i) => `${prefix}${i}@mail.test`);
  await t.deps.ds.transaction(async (tx) => {
    for (const a of to) await t.deps.outbox.enqueue(tx, null, a, email(a));
  });
  return to;
}

it("sends each message once with three dispatchers, a slow relay and leases shorter than the whole batch", async () => {
  const mail = t.mail!;
  mail.delayMs = 400;
  const to = await enqueue("slow", 9);
  // Lease 1 s; nine sends take ~3.6 s: a batch claimed up front would lapse and be sent again.
  const ds = [0, 1, 2].map(() => new MailDispatcher(t.deps.ds, t.deps.outbox, t.deps.logger,
    { smtpUrl: t.deps.config.smtpUrl!, from: "x@roster.test", leaseSeconds: 1, pollMs: 100 }));
  ds.forEach((d) => d.start());
  try {
    for (const a of to) await mail.waitFor((m) => m.to === a, 20_000);
    await new Promise((ok) => setTimeout(ok, 1500)); // time for any lapsed lease to be re-sent
  } finally {
    await Promise.all(ds.map((d) => d.stop()));
    mail.delayMs = 0;
  }
  expect(to.map((a) => mail.to(a).length)).toEqual(to.map(() => 1));
  const rows = await t.deps.ds.getRepository(EmailMessage).find({ where: to.map((a) => ({ to: a })) });
  expect(rows.map((r) => [r.status, r.attempts, r.leaseToken])).toEqual(rows.map(() => ["sent", 1, null]));
});

it("keeps the error of every failed attempt, not just the last", async () => {
  const mail = t.mail!;
  const d = new MailDispatcher(t.deps.ds, t.deps.outbox, t.deps.logger, { smtpUrl: t.deps.config.smtpUrl!, from: "x@roster.test", pollMs: 60_000 });
  const [to] = await enqueue("flaky", 1);
  d.start();
  const repo = t.deps.ds.getRepository(EmailMessage);
  for (const reason of ["451 first outage", "452 second outage"]) {
    mail.refuse = reason;
    await t.deps.ds.query(`UPDATE email_messages SET next_attempt_at = now() WHERE to_address = $1`, [to]);
    await d.kick();
  }
  mail.refuse = undefined;
  await t.deps.ds.query(`UPDATE email_messages SET next_attempt_at = now() WHERE to_address = $1`, [to]);
  await d.kick();
  await d.stop();
  const row = await repo.findOneByOrFail({ to });
  expect(row.status).toBe("sent");
  expect(row.attempts).toBe(3);
  expect(row.attemptErrors).toEqual([
    { at: expect.any(String), attempt: 1, error: expect.stringMatching(/first outage/) },
    { at: expect.any(String), attempt: 2, error: expect.stringMatching(/second outage/) },
  ]);
  expect(mail.to(to)).toHaveLength(1);
});

it("gives up on a relay that accepts the connection but never greets, and records why", async () => {
  expect(SMTP_TIMEOUTS.greetingTimeout).toBeLessThanOrEqual(10_000);
  const sockets: Socket[] = [];
  const mute: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((ok) => mute.listen(0, "127.0.0.1", ok));
  const port = (mute.address() as AddressInfo).port;
  const d = new MailDispatcher(t.deps.ds, t.deps.outbox, t.deps.logger,
    { smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true&greetingTimeout=300`, from: "x@roster.test", pollMs: 60_000 });
  const [to] = await enqueue("mute", 1);
  d.start();
  try {
    await d.kick();
  } finally {
    await d.stop();
    sockets.forEach((s) => s.destroy());
    mute.close();
  }
  const row = await t.deps.ds.getRepository(EmailMessage).findOneByOrFail({ to });
  expect(row.status).toBe("pending");
  expect(row.attemptErrors[0].error).toMatch(/greeting/i);
});
