/**
 * Accounts and dead links in a real browser (Debian Chromium) against the real server and SMTP:
 * "Forgot password?" end to end with the link from the SMTP catcher (every other session ends),
 * a used reset link, "Sign out everywhere" from the account menu, each dead invitation link's
 * message ("Open Acme" for a member), and a removed member's "You no longer have access".
 */
import type { Page } from "playwright-core";
import { startBrowserApp, screenshot, watchConsole, type BrowserApp, signInThroughPage } from "./browser-support";
import { linkIn } from "../support/smtp";
import { ApiClient } from "../support/app";
import { PASSWORD, signIn as apiSignIn, tokenFromOutbox, uniqueEmail, type OrgFixture } from "../support/actors";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX } from "../../src/context";
import { sha256 } from "../../src/auth/tokens";

let b: BrowserApp;
let fx: OrgFixture;
let base: string;
let problems: string[];
const NEW_PASSWORD = "my new remembered passphrase";

beforeAll(async () => {
  b = await startBrowserApp();
  const ownerEmail = "olive@acme.example";
  const { org } = await createOrgWithOwner(b.t.deps, SYSTEM_CTX, { name: "Acme", plan: "pro", ownerEmail, ownerPassword: PASSWORD, ownerName: "Olive Owner" });
  fx = { orgId: org.id, ownerEmail, owner: await apiSignIn(b.t, ownerEmail) };
  base = `/api/orgs/${fx.orgId}`;
  problems = [];
}, 60_000);
afterAll(() => b?.close());
afterEach(() => expect(problems).toEqual([]));

async function page(opts?: { width?: number }): Promise<Page> {
  const p = (await b.newPage(opts)).page;
  problems.push(...watchConsole(p)); // a live array: problems logged later land in it
  p.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text()); });
  return p;
}

/** A member of Acme with a password, made through the invitation API. */
async function member(prefix: string): Promise<{ email: string; memberId: string }> {
  const email = uniqueEmail(prefix);
  await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201);
  const r = await new ApiClient(b.t.app).post(`/api/invitations/${await tokenFromOutbox(b.t, email)}/accept`, { name: "Pat Person", password: PASSWORD }).expect(201);
  return { email, memberId: r.body.membership.id };
}

const signIn = (page: Page, email: string, password?: string) => signInThroughPage(page, email, fx.orgId, password);

it("recovers a forgotten password from the emailed link; other sessions end", async () => {
  const { email } = await member("forgetful");
  const other = await page();
  await signIn(other, email);
  const p = await page();
  await p.goto("/login");
  await p.getByLabel("Email").fill(email);
  await p.getByRole("link", { name: "Forgot password?" }).click();
  await p.waitForURL("**/forgot-password?email=*");
  expect(await p.getByLabel("Email").inputValue()).toBe(email);
  await p.getByRole("button", { name: "Send reset link" }).click();
  await p.getByRole("heading", { name: "Check your email" }).waitFor();
  await p.getByText("If an account uses this email").waitFor();

  const mail = await b.t.mail!.waitFor((m) => m.to === email && m.subject === "Reset your Roster password");
  const link = linkIn(mail.text, "/reset-password#");
  expect(link.startsWith(`${b.baseUrl}/reset-password#`)).toBe(true);
  await p.goto(link);
  await p.getByText(`For the Roster account ${email}.`).waitFor();
  expect(new URL(p.url()).hash).toBe(""); // the token left the address bar
  await p.getByLabel("New password").fill("short");
  await p.getByRole("button", { name: "Save new password" }).click();
  await p.locator(".field-error", { hasText: "at least 10 characters" }).waitFor();
  await p.getByLabel("New password").fill("");
  await screenshot(p, "reset-password.png");
  await p.getByLabel("New password").fill(NEW_PASSWORD);
  await p.getByRole("button", { name: "Save new password" }).click();
  await p.waitForURL("**/login?reset=done*");
  await p.getByText("Your password was changed and every session was signed out.").waitFor();
  expect(await p.getByLabel("Email").inputValue()).toBe(email);
  await p.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(`**/orgs/${fx.orgId}`);

  // The other browser was signed out by the reset.
  await other.reload();
  await other.waitForURL("**/login?returnTo=*");

  // The link works once.
  const again = await page();
  await again.goto(link);
  await again.getByRole("heading", { name: "This link was already used" }).waitFor();
  await again.getByRole("link", { name: "Ask for a new link" }).waitFor();
});

it("signs out everywhere from the account menu", async () => {
  const { email } = await member("everywhere");
  const laptop = await page();
  const phone = await page({ width: 390 });
  await signIn(laptop, email);
  await signIn(phone, email);
  await laptop.getByRole("button", { name: "Sign out everywhere" }).waitFor({ state: "hidden" }); // folded in the menu
  await laptop.locator(".account-menu summary").click();
  await laptop.getByRole("button", { name: "Sign out everywhere" }).click();
  const dialog = laptop.getByRole("dialog", { name: "Sign out everywhere?" });
  await dialog.getByText(`Every browser and device signed in as ${email}`).waitFor();
  await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
  await laptop.waitForURL("**/login?signedOut=everywhere");
  await laptop.getByText("You were signed out on every browser and device.").waitFor();
  await phone.reload();
  await phone.waitForURL("**/login?returnTo=*");
});

describe("dead invitation links say why", () => {
  async function inviteToken(prefix: string): Promise<{ email: string; id: string; token: string }> {
    const email = uniqueEmail(prefix);
    const inv = (await fx.owner.post(`${base}/invitations`, { email, role: "member" }).expect(201)).body.invitation;
    return { email, id: inv.id, token: await tokenFromOutbox(b.t, email) };
  }

  it("used: a signed-in member gets “Open Acme”", async () => {
    const { email, token } = await inviteToken("used");
    await new ApiClient(b.t.app).post(`/api/invitations/${token}/accept`, { name: "Used Link", password: PASSWORD }).expect(201);
    const p = await page();
    await p.goto(`/invitations/${token}`);
    await p.getByRole("heading", { name: "This invitation was already used" }).waitFor();
    expect(await p.getByRole("link", { name: "Open Acme" }).count()).toBe(0); // not signed in: no org named
    await signIn(p, email);
    await p.goto(`/invitations/${token}`);
    await p.getByRole("link", { name: "Open Acme" }).click();
    await p.waitForURL(`**/orgs/${fx.orgId}`);
  });

  it("replaced by a newer invitation", async () => {
    const { id, token } = await inviteToken("replaced");
    await fx.owner.post(`${base}/invitations/${id}/resend`).expect(200);
    const p = await page();
    await p.goto(`/invitations/${token}`);
    await p.getByRole("heading", { name: "This invitation was replaced by a newer one" }).waitFor();
    await p.getByText("Check your inbox for the latest email").waitFor();
  });

  it("revoked", async () => {
    const { id, token } = await inviteToken("revoked");
    await fx.owner.post(`${base}/invitations/${id}/revoke`).expect(204);
    const p = await page();
    await p.goto(`/invitations/${token}`);
    await p.getByRole("heading", { name: "This invitation was withdrawn" }).waitFor();
  });

  it("expired", async () => {
    const { token } = await inviteToken("expired");
    await b.t.deps.ds.query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, [sha256(token)]);
    const p = await page();
    await p.goto(`/invitations/${token}`);
    await p.getByRole("heading", { name: "This invitation has expired" }).waitFor();
    await p.getByText("Ask an administrator of the organization to send it again.").waitFor();
  });
});

it("a removed member sees “You no longer have access to Acme”", async () => {
  const { email, memberId } = await member("removed");
  const p = await page();
  await signIn(p, email);
  await fx.owner.delete(`${base}/members/${memberId}`).expect(204);
  await p.reload();
  await p.getByRole("heading", { name: "You no longer have access to Acme." }).waitFor();
  expect(await p.getByText("Organization not found").count()).toBe(0);
});

it("the account pages and the open account menu fit a 390 px wide phone", async () => {
  const { email } = await member("phone");
  const p = await page({ width: 390 });
  const noSideScroll = async () => expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const path of ["/login", "/forgot-password", "/reset-password#not-a-token"]) {
    await p.goto(path);
    await p.locator("h1").first().waitFor();
    await noSideScroll();
  }
  await p.getByRole("heading", { name: "This link is not valid" }).waitFor();
  await signIn(p, email);
  await p.locator(".account-menu summary").click();
  await p.getByRole("button", { name: "Sign out everywhere" }).waitFor();
  await noSideScroll();
});
