/**
 * The Chatbots page, long input, the audit log's filters and CSV export, and the phone layout of
 * every page, in Debian Chromium against the real server: an Owner creates, renames and deletes
 * chatbots and sees who can use each; a Member sees only theirs; nothing is wider than 390 px.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { startBrowserApp, screenshot, watchConsole, type BrowserApp, signInThroughPage, rowOf } from "./browser-support";
import { ApiClient } from "../support/app";
import { PASSWORD, signIn as apiSignIn, tokenFromOutbox, type OrgFixture } from "../support/actors";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX } from "../../src/context";
import { AuditEvent, Chatbot } from "../../entities";

let b: BrowserApp;
let fx: OrgFixture;
let owner: Page;
let member: Page;
let problems: string[];
let base: string;
const memberEmail = "mia@initech.example";
const LONG_NAME = `Customer support for the northern European enterprise accounts and ${"very ".repeat(20)}long tail`.slice(0, 200);
const LONG_EMAIL = `${"l".repeat(64)}@${"sub".repeat(20)}.initech.example`;

beforeAll(async () => {
  b = await startBrowserApp();
  const ownerEmail = "olive@initech.example";
  const { org } = await createOrgWithOwner(b.t.deps, SYSTEM_CTX, { name: "Initech", plan: "enterprise", ownerEmail, ownerPassword: PASSWORD, ownerName: "Olive Owner" });
  fx = { orgId: org.id, ownerEmail, owner: await apiSignIn(b.t, ownerEmail) };
  base = `/api/orgs/${fx.orgId}`;
  const sales = (await fx.owner.post(`${base}/chatbots`, { name: "Sales" }).expect(201)).body.chatbot;
  await fx.owner.post(`${base}/chatbots`, { name: "Internal IT" }).expect(201);
  await fx.owner.post(`${base}/invitations`, { email: memberEmail, role: "member", chatbotPermissions: [{ chatbotId: sales.id, access: "reply" }] }).expect(201);
  await new ApiClient(b.t.app).post(`/api/invitations/${await tokenFromOutbox(b.t, memberEmail)}/accept`, { name: "Mia Member", password: PASSWORD }).expect(201);
  // A person with a very long name and email, as real directories have.
  await fx.owner.post(`${base}/invitations`, { email: LONG_EMAIL, role: "admin" }).expect(201);
  await new ApiClient(b.t.app).post(`/api/invitations/${await tokenFromOutbox(b.t, LONG_EMAIL)}/accept`, { name: "Maximilian Alexander ".repeat(9).trim(), password: PASSWORD }).expect(201);
  owner = (await b.newPage()).page;
  member = (await b.newPage()).page;
  problems = [...watchConsole(owner), ...watchConsole(member)];
}, 90_000);
afterAll(() => b?.close());

/** The page's scroll width, and when it is wider than the window, the elements sticking out (outside scrolling boxes). */
function wideParts(): { width: number; wide: string[] } {
  const width = document.documentElement.scrollWidth;
  const limit = window.innerWidth;
  if (width <= limit) return { width, wide: [] };
  const inScroller = (e: Element) => {
    for (let p = e.parentElement; p; p = p.parentElement) if (/(auto|scroll|hidden)/.test(getComputedStyle(p).overflowX)) return true;
    return false;
  };
  const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > limit + 1 && !inScroller(e))
    .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`);
  return { width, wide };
}

const chatbotsUrl = () => `/orgs/${fx.orgId}/chatbots`;

const signIn = (page: Page, email: string, password?: string) => signInThroughPage(page, email, fx.orgId, password);

it("an empty sign-in form says what is missing, without a request", async () => {
  let posted = 0;
  owner.on("request", (r) => { if (r.url().endsWith("/api/auth/signin")) posted++; });
  await owner.goto("/login");
  await owner.getByRole("button", { name: "Sign in" }).click();
  await owner.locator(".field-error", { hasText: "Email is required" }).waitFor();
  await owner.locator(".field-error", { hasText: "Password is required" }).waitFor();
  expect(await owner.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
  await owner.getByLabel("Email").fill(fx.ownerEmail);
  await owner.getByRole("button", { name: "Sign in" }).click();
  await owner.locator(".field-error", { hasText: "Password is required" }).waitFor();
  expect(await owner.locator(".field-error", { hasText: "Email is required" }).count()).toBe(0);
  expect(posted).toBe(0);
});

it("the Owner creates a chatbot from the Chatbots tab; a taken name and a too long one are explained in words", async () => {
  await signIn(owner, fx.ownerEmail);
  await owner.getByRole("link", { name: "Chatbots" }).click();
  await owner.waitForURL(`**${chatbotsUrl()}`);
  await rowOf(owner, "Sales").waitFor();
  await owner.getByRole("button", { name: "New chatbot" }).click();
  const dialog = owner.getByRole("dialog", { name: "New chatbot" });
  expect(await owner.evaluate(() => document.activeElement?.id)).toBe("chatbot-name");
  await dialog.getByRole("button", { name: "Create chatbot" }).click();
  await dialog.locator(".field-error", { hasText: "Name is required" }).waitFor();
  await dialog.getByLabel("Name").fill("sales");
  await dialog.getByRole("button", { name: "Create chatbot" }).click();
  await dialog.locator(".field-error", { hasText: "A chatbot named “sales” already exists. Choose another name." }).waitFor();
  // The input stops at 200; a request that bypasses it gets the sentence from the server.
  expect(await dialog.getByLabel("Name").getAttribute("maxlength")).toBe("200");
  const tooLong = await owner.evaluate(async (url) => {
    const csrf = (await (await fetch("/api/auth/csrf")).json()).csrfToken;
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ name: "x".repeat(201) }) });
    return (await r.json()).error.message;
  }, `${base}/chatbots`);
  expect(tooLong).toBe("Name can be at most 200 characters.");
  await dialog.getByLabel("Name").fill(LONG_NAME);
  await dialog.getByRole("button", { name: "Create chatbot" }).click();
  await dialog.waitFor({ state: "detached" });
  const long = rowOf(owner, LONG_NAME.slice(0, 40));
  await long.waitFor();
  // Clipped to one line, the whole name on hover, the row no wider than the table.
  expect(await long.locator(".clip").first().getAttribute("title")).toBe(LONG_NAME);
  expect(await owner.evaluate(wideParts)).toEqual({ width: expect.any(Number), wide: [] });
});

it("shows who can use a chatbot: Owners and Admins by role, the Member by their grant", async () => {
  await rowOf(owner, "Sales").getByRole("button", { name: "Who can use Sales" }).click();
  const dialog = owner.getByRole("dialog", { name: "Who can use “Sales”" });
  await dialog.locator("tr", { hasText: "Mia Member" }).getByText("Reply").waitFor();
  expect(await dialog.locator("tr", { hasText: "Olive Owner" }).textContent()).toContain("All chatbots (by role)");
  expect(await dialog.locator("tbody tr").count()).toBe(3);
  await screenshot(owner, "chatbot-access.png");
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.waitFor({ state: "detached" });
  await rowOf(owner, "Internal IT").getByRole("button", { name: "Who can use Internal IT" }).click();
  const it2 = owner.getByRole("dialog", { name: "Who can use “Internal IT”" });
  await it2.locator("tbody tr").first().waitFor();
  expect(await it2.locator("tr", { hasText: "Mia Member" }).count()).toBe(0);
  await owner.keyboard.press("Escape");
});

it("renames a chatbot; the Member sees only theirs, with their access", async () => {
  await rowOf(owner, "Sales").getByRole("button", { name: "Rename Sales" }).click();
  const dialog = owner.getByRole("dialog", { name: "Rename chatbot" });
  expect(await dialog.getByLabel("Name").inputValue()).toBe("Sales");
  await dialog.getByLabel("Name").fill("Sales EMEA");
  await dialog.getByRole("button", { name: "Save name" }).click();
  await rowOf(owner, "Sales EMEA").waitFor();
  await screenshot(owner, "chatbots.png");

  await signIn(member, memberEmail);
  await member.getByRole("link", { name: "Chatbots" }).click();
  await member.getByRole("heading", { name: "Your chatbots" }).waitFor();
  expect(await member.locator("tbody tr").count()).toBe(1);
  expect(await rowOf(member, "Sales EMEA").locator("td").nth(1).textContent()).toBe("Reply");
  expect(await member.getByRole("button", { name: "New chatbot" }).count()).toBe(0);
  expect(await member.getByRole("button", { name: /Rename|Delete/ }).count()).toBe(0);
});

it("deletes a chatbot only after a confirmation; refuses in words when it would widen a member's access", async () => {
  // The member's grant as an IdP group mapping leaves it (stored scope "all", narrowed by the grant):
  // losing the last grant would widen their access, so the deletion is refused.
  await b.t.deps.ds.query(`UPDATE memberships m SET chatbot_scope = 'all' FROM users u
    WHERE u.id = m.user_id AND m.org_id = $1 AND lower(u.email) = lower($2)`, [fx.orgId, memberEmail]);
  await owner.reload();
  await rowOf(owner, "Sales EMEA").getByRole("button", { name: "Delete Sales EMEA" }).click();
  const dialog = owner.getByRole("dialog", { name: "Delete “Sales EMEA”?" });
  await dialog.getByRole("button", { name: "Delete chatbot" }).click();
  await dialog.getByRole("alert").filter({ hasText: "1 member can use only “Sales EMEA”" }).waitFor();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect(await b.t.deps.ds.getRepository(Chatbot).countBy({ orgId: fx.orgId, name: "Sales EMEA" })).toBe(1);

  await rowOf(owner, "Internal IT").getByRole("button", { name: "Delete Internal IT" }).click();
  const d2 = owner.getByRole("dialog", { name: "Delete “Internal IT”?" });
  expect(await d2.textContent()).toContain("This cannot be undone.");
  await d2.getByRole("button", { name: "Delete chatbot" }).click();
  await owner.getByRole("status").filter({ hasText: "Chatbot “Internal IT” deleted." }).waitFor();
  expect(await rowOf(owner, "Internal IT").count()).toBe(0);
  expect(await b.t.deps.ds.getRepository(AuditEvent).countBy({ orgId: fx.orgId, action: "chatbot.deleted" })).toBe(1);
});

it("filters the audit log by the person affected and by dates, and exports the same as CSV", async () => {
  // The list is busy (aria-busy) from the click until the filtered page is shown.
  const filter = async () => {
    await owner.getByRole("button", { name: "Filter" }).click();
    await owner.locator("section[aria-label='Events']:not([aria-busy])").waitFor();
  };
  await owner.goto(`/orgs/${fx.orgId}/audit`);
  await owner.getByLabel("Person affected").fill(memberEmail);
  await filter();
  await owner.waitForURL(/affected=/);
  await owner.locator("tbody tr", { hasText: "invitation.accepted" }).waitFor();
  const actions = await owner.locator("tbody tr td:nth-child(3)").allTextContents();
  expect(actions.length).toBeGreaterThan(0);
  expect(actions).not.toContain("chatbot.created");

  const today = new Date().toISOString().slice(0, 10);
  await owner.getByLabel("From", { exact: true }).fill("2000-01-01");
  await owner.getByLabel("To", { exact: true }).fill("2000-01-31");
  await filter();
  await owner.getByText("No events match.").waitFor();
  await owner.getByLabel("From", { exact: true }).fill(today);
  await owner.getByLabel("To", { exact: true }).fill("2000-01-01");
  await filter();
  await owner.locator(".field-error", { hasText: "To must be on or after the start date" }).waitFor();
  await owner.getByLabel("To", { exact: true }).fill(today);
  await filter();
  await owner.locator("tbody tr", { hasText: "invitation.accepted" }).waitFor();

  const [download] = await Promise.all([owner.waitForEvent("download"), owner.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toBe("\"time\",\"action\",\"actor_type\",\"actor_name\",\"actor_email\",\"actor_id\",\"target_type\",\"target_name\",\"target_email\",\"target_id\",\"details\",\"ip\",\"request_id\"");
  expect(lines.length - 1).toBe(actions.length);
  expect(csv).toContain("invitation.accepted");
  expect(csv).not.toContain("chatbot.created");
});

it("fits every page on a 390 px wide phone, without horizontal scrolling", async () => {
  const { page: phone } = await b.newPage({ width: 390, height: 844 });
  const phoneProblems = watchConsole(phone);
  const overflow = async (url: string, ready: string) => {
    await phone.goto(url);
    await phone.locator(ready).first().waitFor();
    await phone.waitForLoadState("networkidle");
    return phone.evaluate(wideParts);
  };
  const results: Record<string, { width: number; wide: string[] }> = {};
  for (const [url, ready] of [["/login", "#signin-form"], ["/signup", "form"], ["/setup", "main"], ["/invitations/not-a-real-token", "h1"],
    ["/join/not-a-real-token", "h1"], ["/sso-link/not-a-real-token", "h1"]] as const) {
    results[url] = await overflow(url, ready);
  }
  // The SSO / SCIM page as an admin sees it once set up: a connection, a domain, tokens, a mapping.
  await fx.owner.post(`${base}/sso-connections`, { kind: "oidc", name: "Initech Microsoft Entra ID production tenant", issuer: "https://login.microsoftonline.example/7f0c6a1e-3b7d-4c2a-9a51-2d1f0e9b8c47/v2.0", clientId: "roster-production-client-0123456789abcdef", clientSecret: "s3cret" }).expect(201);
  await fx.owner.post(`${base}/domains`, { domain: "initech-subsidiary-with-a-long-name.example" }).expect(201);
  await fx.owner.post(`${base}/scim-tokens`, { name: "Microsoft Entra ID provisioning (production)", confirm: true }).expect(201);
  await fx.owner.post(`${base}/scim-group-mappings`, { groupName: "Initech Customer Support Team Leads EMEA", role: "admin" }).expect(201);
  await signIn(phone, fx.ownerEmail);
  const org = `/orgs/${fx.orgId}`;
  for (const [url, ready] of [["/app", "main h1, main .notice, main li"], [org, "#your-role"], [`${org}/chatbots`, "tbody tr"],
    [`${org}/settings/members`, "tbody tr"], [`${org}/settings/sso`, "#scim-h"], [`${org}/audit`, "tbody tr"]] as const) {
    results[url] = await overflow(url, ready);
    if (url.endsWith("/settings/sso")) await screenshot(phone, "sso-phone.png", { fullPage: true });
  }
  // On failure the message names the page and the elements that stick out.
  expect(Object.entries(results).filter(([, r]) => r.width > 390)).toEqual([]);
  expect(phoneProblems).toEqual([]);
  expect(problems).toEqual([]);
}, 60_000);
