/**
 * Without SMTP_URL the outbox keeps mail and logs each new message with its links, once: a
 * restarted process counts what is still waiting instead of printing every open invitation link
 * again.
 */
import { startTestApp, type TestApp } from "../support/app";
import { createOrg, uniqueEmail } from "../support/actors";
import { MailDispatcher } from "../../src/mail/dispatcher";
import { createLogger } from "../../src/logger";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function dispatcher(lines: Array<Record<string, unknown>>): Promise<MailDispatcher> {
  const logger = createLogger("info", { write: (l: string) => void lines.push(JSON.parse(l)) });
  const d = new MailDispatcher(t.deps.ds, t.deps.outbox, logger, { from: "roster@example.test", pollMs: 60_000 });
  d.start();
  await d.kick();
  return d;
}

it("logs a new invitation's link once, and a restart only counts the waiting mail", async () => {
  const fx = await createOrg(t);
  const first: Array<Record<string, unknown>> = [];
  const a = await dispatcher(first);
  const email = uniqueEmail("invitee");
  expect((await fx.owner.post(`/api/orgs/${fx.orgId}/invitations`, { email, role: "member" })).status).toBe(201);
  await a.kick();
  await a.stop();
  const logged = first.filter((l) => l.to === email);
  expect(logged).toHaveLength(1);
  expect(logged[0].links).toEqual([expect.stringMatching(/\/invitations\/[A-Za-z0-9_-]+$/)]);

  const restart: Array<Record<string, unknown>> = [];
  const b = await dispatcher(restart);
  await b.kick();
  await b.stop();
  expect(restart).toEqual([expect.objectContaining({ pending: expect.any(Number),
    msg: "emails are waiting in the outbox (no SMTP_URL set); `roster mail list` shows them" })]);
  expect(restart[0].pending).toBeGreaterThanOrEqual(1);
  expect(JSON.stringify(restart)).not.toContain("/invitations/");
});
