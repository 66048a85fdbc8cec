/**
 * Settings → Members in a real browser (Debian Chromium via playwright-core) against the real
 * server and a real SMTP server: invite with a chatbot scope, accept from the emailed link in a
 * second browser, role change (keyboard and mouse, always confirmed) seen on the teammate's next
 * page load, edit access, suspend/restore, bulk invite, search and paging, removal (conversation
 * back in the queue), audit log; resend, revoke, an expired link, a Member without the Invite
 * button, transfer of ownership, and the page at 390 px.
 */
import type { Page } from "playwright-core";
import { startBrowserApp, screenshot, watchConsole, type BrowserApp, signInThroughPage, rowOf } from "./browser-support";
import { linkIn } from "../support/smtp";
import { ApiClient } from "../support/app";
import { PASSWORD, signIn as apiSignIn, tokenFromOutbox, uniqueEmail, type OrgFixture } from "../support/actors";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX } from "../../src/context";
import { Organization } from "../../entities";
import { addMember } from "../../src/members/member.service";
import { findOrCreateUser } from "../../src/accounts/users";

// Each step waits at most 10 s; the flows with several emails need more than jest's default in all
// on a loaded machine (2 cores shared with other test runs).
jest.setTimeout(60_000);

let b: BrowserApp;
let fx: OrgFixture;
let owner: Page;
let teammate: Page;
let problems: string[];
let base: string;
let salesBot: { id: string };
const tessEmail = "tess@acme-support.example";
let tessMemberId: string;

beforeAll(async () => {
  b = await startBrowserApp();
  const ownerEmail = "olive@acme-support.example";
  const { org } = await createOrgWithOwner(b.t.deps, SYSTEM_CTX, { name: "Acme Support", plan: "pro", ownerEmail, ownerPassword: PASSWORD, ownerName: "Olive Owner" });
  fx = { orgId: org.id, ownerEmail, owner: await apiSignIn(b.t, ownerEmail) };
  base = `/api/orgs/${fx.orgId}`;
  // A colleague who is already there and an invitation still pending, as in a real org.
  await fx.owner.post(`${base}/invitations`, { email: "sam@acme-support.example", role: "admin" }).expect(201);
  await new ApiClient(b.t.app).post(`/api/invitations/${await tokenFromOutbox(b.t, "sam@acme-support.example")}/accept`, { name: "Sam Rivera", password: PASSWORD }).expect(201);
  await fx.owner.post(`${base}/invitations`, { email: "noah@acme-support.example", role: "member" }).expect(201);
  salesBot = (await fx.owner.post(`${base}/chatbots`, { name: "Sales bot" }).expect(201)).body.chatbot;
  await fx.owner.post(`${base}/chatbots`, { name: "Support bot" }).expect(201);
  owner = (await b.newPage()).page;
  teammate = (await b.newPage()).page;
  problems = [...watchConsole(owner), ...watchConsole(teammate)];
}, 60_000);
afterAll(() => b?.close());

const membersUrl = () => `/orgs/${fx.orgId}/settings/members`;

const signIn = (page: Page, email: string, password?: string) => signInThroughPage(page, email, fx.orgId, password);

it("shows a field error for a wrong password, then signs the owner in", async () => {
  await owner.goto("/");
  await owner.waitForURL("**/login");
  await owner.getByLabel("Email").fill(fx.ownerEmail);
  await owner.getByLabel("Password").fill("not the password");
  await owner.getByRole("button", { name: "Sign in" }).click();
  await owner.getByRole("alert").filter({ hasText: "Wrong email or password." }).waitFor();
  await owner.getByLabel("Password").fill(PASSWORD);
  await owner.getByRole("button", { name: "Sign in" }).click();
  await owner.waitForURL(`**/orgs/${fx.orgId}`);
  await owner.getByRole("heading", { name: "Acme Support" }).waitFor();
  expect(await owner.locator("#your-role .pill").textContent()).toBe("Owner");
});

it("invites a teammate with a chatbot scope from the modal", async () => {
  await owner.getByRole("link", { name: "Members" }).click();
  await owner.waitForURL(`**${membersUrl()}`);
  await owner.getByRole("button", { name: "Invite member" }).click();
  const dialog = owner.getByRole("dialog", { name: "Invite member" });
  await dialog.waitFor();
  expect(await owner.evaluate(() => document.activeElement?.id)).toBe("invite-email"); // focus moved in
  await owner.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  expect(await owner.evaluate(() => document.activeElement?.id)).toBe("invite-button"); // and back

  await owner.getByRole("button", { name: "Invite member" }).click();
  await dialog.getByLabel("Email").fill(fx.ownerEmail);
  await dialog.getByRole("button", { name: "Send" }).click();
  await dialog.locator(".field-error", { hasText: "already a member" }).waitFor(); // next to the field, not raw JSON

  await dialog.getByLabel("Email").fill(tessEmail);
  expect(await dialog.getByLabel("Role").locator("option").allTextContents()).toEqual(["Member", "Admin", "Owner"]);
  expect(await dialog.getByRole("radio", { name: /^All chatbots/ }).isChecked()).toBe(true); // today's meaning kept as the default
  expect(await dialog.getByRole("checkbox", { name: "Sales bot" }).isVisible()).toBe(false);
  await dialog.getByRole("radio", { name: /^Only selected chatbots/ }).check();
  await dialog.getByRole("checkbox", { name: "Sales bot" }).check();
  await dialog.getByLabel("Access to Sales bot").selectOption("reply");
  await screenshot(owner, "invite-modal.png");
  await dialog.getByRole("button", { name: "Send" }).click();
  await dialog.waitFor({ state: "detached" });
  const row = rowOf(owner, tessEmail);
  await row.waitFor();
  expect(await row.locator("td").nth(2).textContent()).toBe("Olive Owner");
  expect(await row.getByRole("button", { name: `Resend invitation to ${tessEmail}` }).isVisible()).toBe(true);
});

it("the teammate follows the emailed link, creates the account and lands in the org", async () => {
  const mail = await b.t.mail!.waitFor((m) => m.to === tessEmail);
  const link = linkIn(mail.text, "/invitations/");
  expect(link.startsWith(`${b.baseUrl}/invitations/`)).toBe(true);
  const res = await teammate.goto(link);
  expect(res?.headers()["referrer-policy"]).toBe("no-referrer");
  await teammate.getByText("Olive Owner invited you to join Acme Support as Member.").waitFor();
  await teammate.getByLabel("Your name").fill("Tess Teammate");
  await teammate.getByLabel("Password").fill("short");
  await teammate.getByRole("button", { name: "Create account and join" }).click();
  await teammate.locator(".field-error", { hasText: "at least 10 characters" }).waitFor();
  await teammate.getByLabel("Password").fill(PASSWORD);
  await teammate.getByRole("button", { name: "Create account and join" }).click();
  await teammate.waitForURL(`**/orgs/${fx.orgId}`);
  await teammate.getByRole("heading", { name: "Acme Support" }).waitFor();
  expect(await teammate.locator("#your-role .pill").textContent()).toBe("Member");
  expect(await teammate.getByRole("link", { name: "Members" }).count()).toBe(0);
  expect(await teammate.locator("section", { hasText: "Your chatbots" }).locator("li").allTextContents()).toEqual(["Sales bot · Reply"]);
});

it("a Member cannot see the Invite button", async () => {
  await teammate.goto(membersUrl());
  await teammate.getByText("Your role does not let you see or manage the members").waitFor();
  expect(await teammate.getByRole("button", { name: "Invite member" }).count()).toBe(0);
});

it("the owner sees the teammate in Active members, with the chatbot scope", async () => {
  await owner.reload();
  const row = rowOf(owner, tessEmail);
  await row.waitFor();
  tessMemberId = (await row.getAttribute("data-member-id"))!;
  expect(await row.locator("td").nth(0).textContent()).toContain("Tess Teammate");
  expect(await row.locator("td").nth(4).textContent()).toBe("Sales bot · reply");
  expect(await row.locator("time").getAttribute("title")).toBeTruthy(); // exact time on hover
  expect(await owner.locator("section", { hasText: "Pending invitations" }).getByText(tessEmail).count()).toBe(0);
  // The sole Owner is not offered "Leave"; an Admin's scope reads "All chatbots".
  expect(await owner.getByRole("button", { name: "Leave Acme Support" }).count()).toBe(0);
  expect(await rowOf(owner, "sam@acme-support.example").locator("td").nth(4).textContent()).toBe("All chatbots");
  await screenshot(owner, "members.png");
});

const memberRole = async (email: string) =>
  ((await fx.owner.get(`${base}/members?query=${encodeURIComponent(email)}`).expect(200)).body.members[0].role as string);
const focusedRowId = (page: Page) => page.evaluate(() => document.activeElement?.closest("tr")?.getAttribute("data-member-id") ?? null);

it("keyboard: moving through the roles changes nothing; Enter on the chosen role confirms; focus returns to the row", async () => {
  const row = rowOf(owner, tessEmail);
  await row.getByRole("button", { name: /Role of Tess Teammate: Member/ }).focus();
  await owner.keyboard.press("Enter");
  const dialog = owner.getByRole("dialog", { name: "Change the role of Tess Teammate" });
  await dialog.waitFor();
  expect(await owner.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe("member"); // focus on the current role
  await owner.keyboard.press("ArrowDown");
  expect(await dialog.getByRole("radio", { name: /^Admin/ }).isChecked()).toBe(true);
  await dialog.getByText("As Admin, Tess Teammate will be able to:").waitFor();
  expect(await dialog.textContent()).toContain("invite, suspend and remove members");
  expect(await memberRole(tessEmail)).toBe("member"); // ArrowDown alone changed nothing
  await owner.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  expect(await memberRole(tessEmail)).toBe("member");
  expect(await focusedRowId(owner)).toBe(tessMemberId);

  await owner.keyboard.press("Enter");
  await dialog.waitFor();
  await owner.keyboard.press("ArrowDown");
  await owner.keyboard.press("Enter");
  await owner.getByRole("status").filter({ hasText: "Tess Teammate is now Admin." }).waitFor();
  await dialog.waitFor({ state: "detached" });
  expect(await memberRole(tessEmail)).toBe("admin");
  expect(await focusedRowId(owner)).toBe(tessMemberId);
  expect(await owner.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toMatch(/Role of Tess Teammate: Admin/);
});

it("mouse: picks a role and confirms it; a demotion says what is lost", async () => {
  const sam = rowOf(owner, "sam@acme-support.example");
  await sam.getByRole("button", { name: /Role of Sam Rivera: Admin/ }).click();
  const dialog = owner.getByRole("dialog", { name: "Change the role of Sam Rivera" });
  await dialog.getByRole("radio", { name: /^Member/ }).click();
  await dialog.getByText("Sam Rivera will lose what Admins can do beyond Member.").waitFor();
  await screenshot(owner, "members-role-dialog.png");
  await dialog.getByRole("button", { name: "Change role" }).click();
  await owner.getByRole("status").filter({ hasText: "Sam Rivera is now Member." }).waitFor();
  expect(await memberRole("sam@acme-support.example")).toBe("member");
  expect(await focusedRowId(owner)).toBe(await rowOf(owner, "sam@acme-support.example").getAttribute("data-member-id"));
});

it("edits a Member's chatbot access; they get an email; Owners and Admins are not offered it", async () => {
  expect(await rowOf(owner, tessEmail).getByRole("button", { name: /Edit access of/ }).count()).toBe(0); // Tess is Admin now
  const sam = rowOf(owner, "sam@acme-support.example");
  const samId = (await sam.getAttribute("data-member-id"))!;
  await sam.getByRole("button", { name: "Edit access of Sam Rivera" }).click();
  const dialog = owner.getByRole("dialog", { name: "Chatbot access of Sam Rivera" });
  await dialog.getByRole("radio", { name: /^Only selected chatbots/ }).check();
  await dialog.getByRole("checkbox", { name: "Support bot" }).check();
  await dialog.getByLabel("Access to Support bot").selectOption("view");
  await screenshot(owner, "members-access-dialog.png");
  await dialog.getByRole("button", { name: "Save access" }).click();
  await owner.getByRole("status").filter({ hasText: "Chatbot access of Sam Rivera saved." }).waitFor();
  expect(await rowOf(owner, "sam@acme-support.example").locator("td").nth(4).textContent()).toBe("Support bot · view");
  expect(await focusedRowId(owner)).toBe(samId);
  const mail = await b.t.mail!.waitFor((m) => m.to === "sam@acme-support.example" && m.subject.includes("chatbot access"));
  expect(mail.text).toContain("Support bot (view)");

  // None ticked = no chatbot, and the page says so.
  await rowOf(owner, "sam@acme-support.example").getByRole("button", { name: "Edit access of Sam Rivera" }).click();
  await dialog.getByRole("checkbox", { name: "Support bot" }).uncheck();
  await dialog.getByRole("button", { name: "Save access" }).click();
  await dialog.waitFor({ state: "detached" });
  await rowOf(owner, "sam@acme-support.example").locator("td", { hasText: "No chatbots" }).waitFor();
});

it("suspends and restores a member by hand", async () => {
  await rowOf(owner, "sam@acme-support.example").getByRole("button", { name: "Suspend Sam Rivera" }).click();
  const dialog = owner.getByRole("dialog", { name: "Suspend Sam Rivera?" });
  expect(await dialog.textContent()).toContain("Their role and chatbot access are kept");
  await dialog.getByRole("button", { name: "Suspend member" }).click();
  await owner.getByRole("status").filter({ hasText: "Sam Rivera is suspended." }).waitFor();
  await rowOf(owner, "sam@acme-support.example").getByText("Suspended").waitFor();
  expect(await owner.evaluate(() => document.activeElement?.textContent)).toBe("Restore");
  // The suspension email has left before the restore (a restore while it waits cancels it and sends
  // nothing: outbox-stale.test.ts), so the person hears of both.
  await b.t.mail!.waitFor((m) => m.to === "sam@acme-support.example" && m.subject.includes("is suspended"));
  await owner.keyboard.press("Enter");
  await owner.getByRole("dialog", { name: "Restore Sam Rivera?" }).getByRole("button", { name: "Restore member" }).click();
  await owner.getByRole("status").filter({ hasText: "Sam Rivera is restored." }).waitFor();
  expect(await rowOf(owner, "sam@acme-support.example").getByText("Suspended").count()).toBe(0);
  await b.t.mail!.waitFor((m) => m.to === "sam@acme-support.example" && m.subject.includes("is restored"));
});

it("the teammate's next page load shows the new permissions", async () => {
  await teammate.goto(`/orgs/${fx.orgId}`);
  await teammate.locator("#your-role .pill", { hasText: "Admin" }).waitFor();
  expect(await teammate.locator("#permissions [data-permission='members.invite']").count()).toBe(1);
  await teammate.getByRole("link", { name: "Members" }).click();
  await teammate.getByRole("button", { name: "Invite member" }).waitFor();
});

it("removes the teammate after a confirmation; their conversation goes back to the queue", async () => {
  const conv = (await fx.owner.post(`${base}/chatbots/${salesBot.id}/conversations`, { subject: "Refund?" }).expect(201)).body.conversation;
  await fx.owner.post(`${base}/conversations/${conv.id}/assign`, { memberId: tessMemberId }).expect(200);

  await owner.reload();
  await rowOf(owner, tessEmail).getByRole("button", { name: "Remove Tess Teammate" }).click();
  const dialog = owner.getByRole("dialog", { name: "Remove Tess Teammate?" });
  expect(await dialog.textContent()).toContain("Conversations assigned to them return to the queue, and their chatbot permissions are revoked.");
  await dialog.getByRole("button", { name: "Remove member" }).click();
  await owner.getByRole("status").filter({ hasText: "Tess Teammate was removed." }).waitFor();
  expect(await rowOf(owner, tessEmail).count()).toBe(0);

  const queued = (await fx.owner.get(`${base}/conversations?status=queued`).expect(200)).body.conversations;
  expect(queued).toEqual([expect.objectContaining({ id: conv.id, assigneeMemberId: null })]);
  await teammate.goto(`/orgs/${fx.orgId}`);
  await teammate.getByRole("alert").filter({ hasText: "You no longer have access to Acme Support." }).waitFor(); // issue 13: says so by name
});

it("the audit log shows each step, newest first, and filters", async () => {
  await owner.getByRole("link", { name: "Audit log" }).click();
  await owner.waitForURL(`**/orgs/${fx.orgId}/audit`);
  const actions = owner.locator("tbody tr td[data-label='Action'] code");
  await actions.first().waitFor();
  const listed = await actions.allTextContents();
  const order = ["member.removed", "conversation.assigned", "member.role_changed", "invitation.accepted", "invitation.created"];
  const positions = order.map((a) => listed.indexOf(a));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((x, y) => x - y)).toEqual(positions);
  // Two role changes now (Tess up, Sam down): the promotion reads "Member → Admin".
  expect(await rowOf(owner, "member.role_changed").filter({ hasText: "Member → Admin" }).count()).toBe(1);

  await owner.getByLabel("Action").fill("member.removed");
  await owner.getByRole("button", { name: "Filter" }).click();
  await owner.waitForURL(/action=member.removed/);
  await owner.locator("section[aria-label='Events']:not([aria-busy])").waitFor();
  expect(await actions.allTextContents()).toEqual(["member.removed"]);
});

it("invites several people at once and shows a result per address", async () => {
  const a = uniqueEmail("bulk-a");
  const c = uniqueEmail("bulk-c");
  await owner.goto(membersUrl());
  await owner.getByRole("button", { name: "Invite several" }).click();
  const dialog = owner.getByRole("dialog", { name: "Invite several people" });
  await dialog.getByLabel("Email addresses").fill(`${a}, not-an-email\n${c}\n${fx.ownerEmail}`);
  await dialog.getByLabel("Role").selectOption("member");
  await dialog.getByRole("button", { name: "Send invitations" }).click();
  await dialog.getByText("2 sent, 2 not sent.").waitFor();
  const items = await dialog.locator(".bulk-list li").allTextContents();
  expect(items).toEqual([`${a} — invited`, "not-an-email — This is not a valid email address.", `${c} — invited`,
    `${fx.ownerEmail} — ${fx.ownerEmail} is already a member of this organization.`]);
  expect(await dialog.getByLabel("Email addresses").inputValue()).toBe(`not-an-email\n${fx.ownerEmail}`);
  await screenshot(owner, "members-bulk-invite.png");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await rowOf(owner, a).waitFor();
  await b.t.mail!.waitFor((m) => m.to === c);
});

it("resends and revokes pending invitations", async () => {
  const email = uniqueEmail("rita");
  await owner.goto(membersUrl());
  await owner.getByRole("button", { name: "Invite member" }).click();
  const dialog = owner.getByRole("dialog", { name: "Invite member" });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Role").selectOption("admin");
  await dialog.getByRole("button", { name: "Send" }).click();
  const firstLink = linkIn((await b.t.mail!.waitFor((m) => m.to === email)).text, "/invitations/");

  await rowOf(owner, email).getByRole("button", { name: `Resend invitation to ${email}` }).click();
  await owner.getByRole("status").filter({ hasText: `Invitation sent again to ${email}.` }).waitFor();
  await rowOf(owner, email).getByText("2 times").waitFor();
  await b.t.mail!.waitFor(() => b.t.mail!.to(email).length === 2);
  const secondLink = linkIn(b.t.mail!.to(email)[1].text, "/invitations/");
  expect(secondLink).not.toBe(firstLink);

  await teammate.goto(firstLink);
  await teammate.getByRole("heading", { name: "This invitation was replaced by a newer one" }).waitFor(); // issue 13: dead links say why
  await teammate.goto(secondLink);
  await teammate.getByText("Olive Owner invited you to join Acme Support as Admin.").waitFor();

  await rowOf(owner, email).getByRole("button", { name: `Revoke invitation to ${email}` }).click();
  await owner.getByRole("dialog", { name: `Revoke the invitation to ${email}?` }).getByRole("button", { name: "Revoke invitation" }).click();
  await owner.getByRole("status").filter({ hasText: "was revoked" }).waitFor();
  expect(await rowOf(owner, email).count()).toBe(0);
  await teammate.reload();
  await teammate.getByRole("heading", { name: "This invitation was withdrawn" }).waitFor(); // issue 13: dead links say why
  expect(await teammate.textContent("main")).toContain("Ask them for a fresh invite if you still need access.");
});

it("an expired link shows a clear page and the owner can invite again", async () => {
  const email = uniqueEmail("eve");
  await fx.owner.post(`${base}/invitations`, { email, role: "member", chatbotPermissions: [{ chatbotId: salesBot.id, access: "view" }] }).expect(201);
  const link = linkIn((await b.t.mail!.waitFor((m) => m.to === email)).text, "/invitations/");
  b.t.clock.advance(8 * 24 * 3600 * 1000);

  await teammate.goto(link);
  await teammate.getByRole("heading", { name: "This invitation has expired" }).waitFor(); // issue 13: dead links say why

  await owner.goto(membersUrl());
  const row = rowOf(owner, email);
  await row.getByText("Expired").waitFor();
  expect(await row.getByRole("button", { name: `Resend invitation to ${email}` }).count()).toBe(0);
  await row.getByRole("button", { name: `Invite ${email} again` }).click();
  const dialog = owner.getByRole("dialog", { name: "Invite member" });
  expect(await dialog.getByLabel("Email").inputValue()).toBe(email);
  expect(await dialog.getByRole("checkbox", { name: "Sales bot" }).isChecked()).toBe(true);
  expect(await dialog.getByLabel("Access to Sales bot").inputValue()).toBe("view");
  await dialog.getByRole("button", { name: "Send" }).click();
  await owner.getByRole("status").filter({ hasText: `Invitation sent to ${email}.` }).waitFor();
  expect(await rowOf(owner, email).getByText("Expired").count()).toBe(0);
  await b.t.mail!.waitFor(() => b.t.mail!.to(email).length === 2);
  await teammate.goto(linkIn(b.t.mail!.to(email)[1].text, "/invitations/"));
  await teammate.getByText("invited you to join Acme Support as Member.").waitFor();
});

it("works on a phone-sized screen and without CSP violations or page errors", async () => {
  const { page } = await b.newPage({ width: 390, height: 844 });
  const phoneProblems = watchConsole(page);
  await signIn(page, fx.ownerEmail);
  await page.goto(membersUrl());
  await page.getByRole("button", { name: "Invite member" }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole("button", { name: "Invite several" }).click();
  await page.getByRole("dialog", { name: "Invite several people" }).waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await page.keyboard.press("Escape");
  await screenshot(page, "members-phone.png", { fullPage: false });
  expect([...problems, ...phoneProblems]).toEqual([]);
});

it("transfers ownership after a confirmation: the other member becomes Owner, the old Owner Admin", async () => {
  await owner.goto(membersUrl());
  const sam = rowOf(owner, "sam@acme-support.example");
  await sam.getByRole("button", { name: "Transfer ownership to Sam Rivera" }).click();
  const dialog = owner.getByRole("dialog", { name: "Transfer ownership to Sam Rivera?" });
  expect(await dialog.textContent()).toContain("you become an Admin");
  await screenshot(owner, "members-transfer-dialog.png");
  await dialog.getByRole("button", { name: "Transfer ownership" }).click();
  await owner.getByRole("status").filter({ hasText: "Sam Rivera is now the Owner. You are an Admin." }).waitFor();
  expect(await memberRole("sam@acme-support.example")).toBe("owner");
  expect(await memberRole(fx.ownerEmail)).toBe("admin");
  // Now an Admin: no Owner controls, and "Leave" is offered since Olive is no longer the sole Owner.
  expect(await owner.getByRole("button", { name: /Transfer ownership to/ }).count()).toBe(0);
  await owner.getByRole("button", { name: "Leave Acme Support" }).waitFor();
  await b.t.mail!.waitFor((m) => m.to === "sam@acme-support.example" && m.subject.includes("is now Owner"));
});

it("searches on the server and pages with Load more", async () => {
  const org = await b.t.deps.ds.getRepository(Organization).findOneByOrFail({ id: fx.orgId });
  await b.t.deps.ds.transaction(async (tx) => {
    for (let i = 0; i < 30; i++) {
      const { user } = await findOrCreateUser(tx, `crew${String(i).padStart(2, "0")}@acme-support.example`, `Crew ${String(i).padStart(2, "0")}`);
      await addMember(tx, SYSTEM_CTX, org, { user, role: "member", source: "invite" });
    }
  });
  await owner.reload();
  await owner.getByLabel("Search members and invitations").fill("crew");
  await owner.locator("#members-h", { hasText: "Matching members" }).waitFor();
  expect(await owner.locator("#members-list tbody tr").count()).toBe(25);
  await owner.getByRole("button", { name: "Load more (25 of 30 shown)" }).click();
  await owner.locator("#members-list tbody tr").nth(29).waitFor();
  expect(await owner.getByRole("button", { name: /Load more/ }).count()).toBe(0);
  // Later pages carry no total: the heading keeps the first page's count.
  expect(await owner.locator("#members-h .count").textContent()).toBe("30");
  await owner.getByLabel("Search members and invitations").fill("nobody-like-this");
  await owner.getByText("No one matches “nobody-like-this”.", { exact: false }).waitFor();
  await owner.getByLabel("Search members and invitations").fill("");
  await owner.locator("#members-h", { hasText: /^Members/ }).waitFor();
  await owner.getByLabel("Sort members by").selectOption("role");
  await owner.waitForFunction(() => document.querySelector("#members-list tbody tr td[data-label='Role']")?.textContent === "Owner");
});
