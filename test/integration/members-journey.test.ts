/**
 * The Members page, end to end through HTTP with a real SMTP server: invite with a chatbot scope,
 * follow the emailed link, accept, change the role (emailed), assign a conversation, remove
 * (conversation back in the queue, grants gone, access refused), audit log, re-invite.
 */
import { startTestApp, ApiClient, type TestApp } from "../support/app";
import { linkIn } from "../support/smtp";
import { createOrg, PASSWORD, uniqueEmail, type OrgFixture } from "../support/actors";
import { ChatbotPermission } from "../../entities";

let t: TestApp;
let fx: OrgFixture;
beforeAll(async () => {
  t = await startTestApp({ smtp: true });
  fx = await createOrg(t, "pro", "Acme Support");
});
afterAll(() => t.close());

it("runs the whole Members journey", async () => {
  const base = `/api/orgs/${fx.orgId}`;
  const bot = (await fx.owner.post(`${base}/chatbots`, { name: "Sales bot" }).expect(201)).body.chatbot;
  const otherBot = (await fx.owner.post(`${base}/chatbots`, { name: "Support bot" }).expect(201)).body.chatbot;

  // 1. Invite with a per-chatbot permission; the email arrives over SMTP.
  const email = uniqueEmail("tess");
  const inv = await fx.owner.post(`${base}/invitations`, { email, role: "member", chatbotPermissions: [{ chatbotId: bot.id, access: "reply" }] }).expect(201);
  expect(inv.body.invitation).toMatchObject({ email, role: "member", status: "pending", sendCount: 1, chatbotPermissions: [{ chatbotId: bot.id, access: "reply" }] });
  const mail = await t.mail!.waitFor((m) => m.to === email);
  expect(mail.subject).toBe("You're invited to join Acme Support");
  expect(mail.html).toContain("Accept invitation");
  const link = linkIn(mail.text, "/invitations/");
  expect(link.startsWith("http://roster.test/invitations/")).toBe(true);
  const token = link.split("/invitations/")[1];
  expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(32);

  const listed = await fx.owner.get(`${base}/invitations`).expect(200);
  expect(listed.body.invitations).toEqual([expect.objectContaining({ email, status: "pending", invitedBy: expect.objectContaining({ name: "Olive Owner" }) })]);

  // 2. The invitee opens the link (no sign-in) and accepts by creating the account.
  const tess = new ApiClient(t.app);
  const described = await tess.get(`/api/invitations/${token}`).expect(200);
  expect(described.body.invitation).toEqual({ orgName: "Acme Support", inviterName: "Olive Owner", role: "member", email });
  const accepted = await tess.post(`/api/invitations/${token}/accept`, { name: "Tess Teammate", password: PASSWORD }).expect(201);
  tess.csrf = accepted.body.csrfToken;
  const memberId = accepted.body.membership.id;
  const me = await tess.get("/api/me").expect(200);
  expect(me.body.memberships).toEqual([expect.objectContaining({ orgId: fx.orgId, orgName: "Acme Support", role: "member",
    chatbotPermissions: [{ chatbotId: bot.id, access: "reply" }] })]);
  expect(me.body.user.emailVerified).toBe(true);
  await tess.post(`/api/invitations/${token}/accept`, {}).expect(410); // works once
  expect((await fx.owner.get(`${base}/invitations`)).body.invitations).toEqual([]);

  // The scope is real: Tess sees only the Sales bot.
  expect((await tess.get(`${base}/chatbots`).expect(200)).body.chatbots.map((b: { id: string }) => b.id)).toEqual([bot.id]);
  await tess.post(`${base}/chatbots/${otherBot.id}/conversations`, { subject: "hidden" }).expect(404);
  await tess.get(`${base}/members`).expect(403);

  // 3. The owner sees Tess among the active members.
  const members = (await fx.owner.get(`${base}/members`).expect(200)).body.members;
  expect(members).toEqual(expect.arrayContaining([expect.objectContaining({ id: memberId, email, name: "Tess Teammate", role: "member",
    chatbotPermissions: [{ chatbotId: bot.id, access: "reply" }] })]));

  // 4. Role change applies at once and is emailed.
  const patched = await fx.owner.patch(`${base}/members/${memberId}`, { role: "admin" }).expect(200);
  expect(patched.body.member.role).toBe("admin");
  await tess.get(`${base}/members`).expect(200); // the very next request sees the new permissions
  const roleMail = await t.mail!.waitFor((m) => m.to === email && /role/i.test(m.subject));
  expect(roleMail.subject).toBe("Your role in Acme Support is now Admin");
  expect(roleMail.text).toContain("from Member to Admin");

  // 5. A conversation is assigned to Tess, then Tess is removed.
  const conv = (await fx.owner.post(`${base}/chatbots/${bot.id}/conversations`, { subject: "Refund?" }).expect(201)).body.conversation;
  const assigned = await fx.owner.post(`${base}/conversations/${conv.id}/assign`, { memberId }).expect(200);
  expect(assigned.body.conversation).toMatchObject({ status: "assigned", assigneeMemberId: memberId });
  expect((await fx.owner.get(`${base}/conversations?status=assigned`)).body.conversations.map((c: { id: string }) => c.id)).toEqual([conv.id]);

  await fx.owner.delete(`${base}/members/${memberId}`).expect(204);
  const queued = (await fx.owner.get(`${base}/conversations?status=queued`).expect(200)).body.conversations;
  expect(queued).toEqual([expect.objectContaining({ id: conv.id, status: "queued", assigneeMemberId: null })]);
  expect(await t.deps.ds.getRepository(ChatbotPermission).countBy({ membershipId: memberId })).toBe(0);
  expect((await tess.get(`${base}/chatbots`).expect(403)).body.error.code).toBe("org.access_removed"); // access ends at once, and says so
  expect((await tess.get("/api/me")).body.memberships).toEqual([]);
  const removedMail = await t.mail!.waitFor((m) => m.to === email && /removed/i.test(m.subject));
  expect(removedMail.subject).toBe("You were removed from Acme Support");

  // 6. The audit log tells the story, newest first, naming Tess as she was.
  const audit = (await fx.owner.get(`${base}/audit-events`).expect(200)).body.events;
  const actions = audit.map((e: { action: string }) => e.action);
  expect(actions.indexOf("member.removed")).toBeLessThan(actions.indexOf("member.role_changed"));
  expect(actions).toEqual(expect.arrayContaining(["invitation.created", "invitation.accepted", "member.added", "member.role_changed", "conversation.assigned", "member.removed"]));
  const removed = audit.find((e: { action: string }) => e.action === "member.removed");
  expect(removed.target).toMatchObject({ email, name: "Tess Teammate" });
  expect(removed.metadata).toMatchObject({ conversationsRequeued: 1, grantsRevoked: 1, role: "admin" });
  const roleEvent = audit.find((e: { action: string }) => e.action === "member.role_changed");
  expect(roleEvent.metadata).toMatchObject({ oldRole: "member", newRole: "admin" });
  const accept = audit.find((e: { action: string }) => e.action === "invitation.accepted");
  expect(accept.actor).toMatchObject({ type: "user", email, name: "Tess Teammate" });

  // 7. Re-inviting later works, and Tess (now with a verified account) accepts while signed in.
  await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
  const again = await t.mail!.waitFor((m) => m.to === email && m.text.includes("/invitations/") && m.messageId !== mail.messageId);
  const token2 = linkIn(again.text, "/invitations/").split("/invitations/")[1];
  const anonymous = new ApiClient(t.app);
  const needSignIn = await anonymous.post(`/api/invitations/${token2}/accept`, { name: "X", password: PASSWORD }).expect(401);
  expect(needSignIn.body.error.code).toBe("invitation.sign_in_required");
  await tess.post(`/api/invitations/${token2}/accept`, {}).expect(201);
  expect((await tess.get("/api/me")).body.memberships).toEqual([expect.objectContaining({ orgId: fx.orgId, role: "member", chatbotPermissions: [] })]);
});
