/**
 * Stale mail is cancelled, not sent; mail to one person leaves in the order it was written, also
 * with two dispatchers (two instances) and a slow relay. Real SMTP (test/support/smtp.ts). The
 * app's own dispatcher is stopped while the changes are made, so "before it left" is certain.
 */
import { startTestApp, ApiClient, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, PASSWORD, tokenFromOutbox, uniqueEmail, type OrgFixture } from "../support/actors";
import { MailDispatcher } from "../../src/mail/dispatcher";
import { EmailMessage } from "../../entities";
import { invitationEmail } from "../../src/mail/templates";

let t: TestApp;
let fx: OrgFixture;
let base: string;
beforeAll(async () => {
  t = await startTestApp({ smtp: true });
  await t.dispatcher!.stop(); // each test delivers with dispatchers of its own
  fx = await createOrg(t, "pro", "Mailco");
  base = `/api/orgs/${fx.orgId}`;
}, 60_000);
afterAll(() => t.close());

const rowsTo = (to: string) => t.deps.ds.getRepository(EmailMessage).find({ where: { to }, order: { seq: "ASC" } });
const dispatcher = (opts: { leaseSeconds?: number } = {}) => new MailDispatcher(t.deps.ds, t.deps.outbox, t.deps.logger,
  { smtpUrl: t.deps.config.smtpUrl!, from: "x@roster.test", pollMs: 100, ...opts });

/** Delivers everything due with one dispatcher, then stops it. */
async function deliver(): Promise<void> {
  const d = dispatcher();
  d.start();
  await d.kick();
  await d.stop();
}

describe("stale mail is cancelled", () => {
  it("an invitation revoked before its email left: cancelled with a reason, never sent", async () => {
    const email = uniqueEmail("revoked");
    const inv = (await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201)).body.invitation;
    await fx.owner.post(`${base}/invitations/${inv.id}/revoke`).expect(204);
    await deliver();
    expect((await rowsTo(email)).map((r) => [r.status, r.cancelReason])).toEqual([["cancelled", "invitation revoked"]]);
    expect(t.mail!.to(email)).toHaveLength(0);
  });

  it("a resend before the first email left: only the newest link is sent, and it works", async () => {
    const email = uniqueEmail("resent");
    const inv = (await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201)).body.invitation;
    await fx.owner.post(`${base}/invitations/${inv.id}/resend`).expect(200);
    await deliver();
    expect((await rowsTo(email)).map((r) => [r.kind, r.status, r.cancelReason])).toEqual([
      ["invitation", "cancelled", "superseded by a newer invitation.resent email"],
      ["invitation.resent", "sent", null],
    ]);
    const got = t.mail!.to(email);
    expect(got).toHaveLength(1);
    const token = /\/invitations\/([A-Za-z0-9_-]+)/.exec(got[0].text)![1];
    await new ApiClient(t.app).post(`/api/invitations/${token}/accept`, { name: "Resent", password: PASSWORD }).expect(201);
  });

  it("an invitation used before its email left (link shared from the outbox log): cancelled", async () => {
    const email = uniqueEmail("used");
    await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
    const token = await tokenFromOutbox(t, email);
    await new ApiClient(t.app).post(`/api/invitations/${token}/accept`, { name: "Quick", password: PASSWORD }).expect(201);
    await deliver();
    expect((await rowsTo(email)).map((r) => [r.status, r.cancelReason])).toEqual([["cancelled", "invitation already accepted"]]);
    expect(t.mail!.to(email)).toHaveLength(0);
  });

  it("a role-change email superseded by a later change: only the latest is sent", async () => {
    const email = uniqueEmail("roles");
    const { memberId } = await addMemberViaInvite(t, fx, email);
    await t.deps.ds.query(`UPDATE email_messages SET status = 'sent' WHERE to_address = $1`, [email]); // the invitation, out of the way
    await fx.owner.patch(`${base}/members/${memberId}`, { role: "admin" }).expect(200);
    await fx.owner.patch(`${base}/members/${memberId}`, { role: "member" }).expect(200);
    await fx.owner.patch(`${base}/members/${memberId}`, { role: "owner" }).expect(200);
    await deliver();
    const roleRows = (await rowsTo(email)).filter((r) => r.kind === "member.role_changed");
    expect(roleRows.map((r) => [r.status, r.supersedeKey])).toEqual([
      ["cancelled", `role:${memberId}`], ["cancelled", `role:${memberId}`], ["sent", `role:${memberId}`],
    ]);
    expect(t.mail!.to(email).map((m) => m.subject)).toEqual(["Your role in Mailco is now Owner"]);
  });

  it("access edits, suspend → restore and removal: only what is still true when the mail leaves is sent", async () => {
    const bot = (await fx.owner.post(`${base}/chatbots`, { name: `Stale ${Date.now()}` }).expect(201)).body.chatbot;
    const email = uniqueEmail("access");
    const { memberId } = await addMemberViaInvite(t, fx, email);
    await t.deps.ds.query(`UPDATE email_messages SET status = 'sent' WHERE to_address = $1`, [email]);
    await fx.owner.patch(`${base}/members/${memberId}`, { chatbotScope: "selected", chatbotPermissions: [{ chatbotId: bot.id, access: "view" }] }).expect(200);
    await fx.owner.patch(`${base}/members/${memberId}`, { chatbotScope: "all", chatbotPermissions: [] }).expect(200);
    // Suspended and restored before the suspension email left: the person hears of neither.
    await fx.owner.post(`${base}/members/${memberId}/suspend`).expect(200);
    await fx.owner.post(`${base}/members/${memberId}/restore`).expect(200);
    await deliver();
    expect(t.mail!.to(email).map((m) => m.subject)).toEqual([`Your chatbot access in Mailco changed`]);
    expect(t.mail!.to(email)[0].text).toMatch(/every chatbot/);
    const rows = (await rowsTo(email)).filter((r) => r.status !== "sent");
    expect(rows.map((r) => [r.kind, r.status])).toEqual([["member.access_changed", "cancelled"], ["member.suspended", "cancelled"]]);

    // A role change still waiting when the member is removed is cancelled; the removal email goes.
    await fx.owner.patch(`${base}/members/${memberId}`, { role: "admin" }).expect(200);
    await fx.owner.delete(`${base}/members/${memberId}`).expect(204);
    await deliver();
    const last = (await rowsTo(email)).slice(-2);
    expect(last.map((r) => [r.kind, r.status, r.cancelReason])).toEqual([["member.role_changed", "cancelled", "member removed"], ["member.removed", "sent", null]]);
  });

  it("never cancels a message a dispatcher is sending (its lease is live): it has already left", async () => {
    const email = uniqueEmail("inflight");
    const inv = (await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201)).body.invitation;
    await t.deps.ds.query(`UPDATE email_messages SET status = 'sending', lease_token = gen_random_uuid(), locked_until = now() + interval '1 minute' WHERE to_address = $1`, [email]);
    await fx.owner.post(`${base}/invitations/${inv.id}/revoke`).expect(204);
    expect((await rowsTo(email)).map((r) => r.status)).toEqual(["sending"]);
    await t.deps.ds.query(`UPDATE email_messages SET status = 'sent', lease_token = NULL, locked_until = NULL WHERE to_address = $1`, [email]);
  });
});

describe("order per recipient", () => {
  const mail = (subject: string) => ({ ...invitationEmail({ orgName: "Mailco", inviterName: "Olive", role: "member", link: "http://roster.test/x", expiresAt: new Date() }), subject });

  it("two dispatchers and a slow first message deliver one person's mail in the order it was written, each once", async () => {
    const person = uniqueEmail("ordered");
    const others = [uniqueEmail("other"), uniqueEmail("other")];
    for (let i = 1; i <= 6; i++) {
      // Separate transactions, as separate changes would be; others' mail interleaved.
      await t.deps.ds.transaction(async (tx) => {
        await t.deps.outbox.enqueue(tx, null, person, mail(`update ${i}`));
        await t.deps.outbox.enqueue(tx, null, others[i % 2], mail(`other ${i}`));
      });
    }
    // The first message is slow: a second dispatcher would overtake it with the rest.
    t.mail!.delayOf = (m) => (m.subject === "update 1" ? 800 : 50);
    const ds = [dispatcher({ leaseSeconds: 5 }), dispatcher({ leaseSeconds: 5 })];
    ds.forEach((d) => d.start());
    try {
      await t.mail!.waitFor(() => t.mail!.to(person).length === 6, 30_000);
      await t.mail!.waitFor(() => others.every((o) => t.mail!.to(o).length === 3), 30_000);
    } finally {
      await Promise.all(ds.map((d) => d.stop()));
      t.mail!.delayOf = undefined;
    }
    expect(t.mail!.to(person).map((m) => m.subject)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `update ${i}`));
    expect((await rowsTo(person)).map((r) => r.status)).toEqual(Array(6).fill("sent"));
  }, 60_000);

  it("a message waiting to retry holds back later mail to the same person, not to others", async () => {
    const person = uniqueEmail("held");
    const other = uniqueEmail("free");
    await t.deps.ds.transaction((tx) => t.deps.outbox.enqueue(tx, null, person, mail("first")));
    t.mail!.refuse = "451 try later";
    await deliver(); // "first" fails once and waits for its retry
    t.mail!.refuse = undefined;
    await t.deps.ds.transaction(async (tx) => {
      await t.deps.outbox.enqueue(tx, null, person, mail("second"));
      await t.deps.outbox.enqueue(tx, null, other, mail("unrelated"));
    });
    await deliver();
    expect(t.mail!.to(person)).toHaveLength(0);
    expect(t.mail!.to(other)).toHaveLength(1);
    await t.deps.ds.query(`UPDATE email_messages SET next_attempt_at = now() WHERE to_address = $1`, [person]);
    await deliver();
    expect(t.mail!.to(person).map((m) => m.subject)).toEqual(["first", "second"]);
  });

  it("a cancelled message does not hold back the next one", async () => {
    const email = uniqueEmail("unblocked");
    const inv = (await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201)).body.invitation;
    await t.deps.ds.transaction((tx) => t.deps.outbox.enqueue(tx, null, email, mail("after the invitation")));
    await fx.owner.post(`${base}/invitations/${inv.id}/revoke`).expect(204);
    await deliver();
    expect(t.mail!.to(email).map((m) => m.subject)).toEqual(["after the invitation"]);
  });
});
