/**
 * First-run setup, the org switcher and Settings → SSO / SCIM in a real browser: the setup link
 * creates the first (Enterprise) org and its Owner; SSO connections, domains, require-SSO, SCIM
 * tokens (shown once) and group mappings are managed from the page; other plans see the offer.
 */
import type { Page } from "playwright-core";
import { screenshot, startBrowserApp, watchConsole, type BrowserApp } from "./browser-support";
import { setupLink } from "../../src/ui/setup";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { addDomain } from "../../sso/domains.service";
import { SYSTEM_CTX } from "../../src/context";
import { Membership, Organization, ScimToken } from "../../entities";
import { PASSWORD } from "../support/actors";
import { IsNull } from "typeorm";
import { pageRequest } from "../support/app";
import { TestOidcProvider } from "../support/oidc-provider";

let b: BrowserApp;
let page: Page;
let problems: string[];
let orgId: string;
let op: TestOidcProvider;
const ownerEmail = "olive@globex.example";

beforeAll(async () => {
  b = await startBrowserApp({ configure: (c) => { c.ssoAllowInsecureLoopbackIssuers = true; } });
  op = await TestOidcProvider.listen();
  ({ page } = await b.newPage());
  problems = watchConsole(page);
}, 60_000);
afterAll(async () => {
  await op?.stop();
  await b?.close();
});

it("first-run setup creates the first organization and its Owner, once", async () => {
  await page.goto("/");
  await page.waitForURL("**/setup");
  await page.getByText("Open the setup link printed in the server log").waitFor();

  await page.goto(setupLink(b.t.deps).replace(b.baseUrl, ""));
  await page.getByLabel("Organization name").fill("Globex");
  await page.getByLabel("Plan").selectOption("enterprise");
  await page.getByLabel("Your name").fill("Olive Owner");
  await page.getByLabel("Your email").fill(ownerEmail);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create organization" }).click();
  await page.locator(".field-error", { hasText: "at least 10 characters" }).waitFor();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create organization" }).click();
  await page.waitForURL("**/settings/members");
  await page.getByRole("heading", { name: "Members", exact: true }).waitFor();
  const org = await b.t.deps.ds.getRepository(Organization).findOneByOrFail({ name: "Globex" });
  orgId = org.id;
  expect(org.plan).toBe("enterprise");

  await pageRequest(b.t.app).post("/api/setup").send({
    token: setupLink(b.t.deps).split("token=")[1], orgName: "Second", plan: "free", name: "X", email: "x@example.test", password: PASSWORD,
  }).expect(409);
  await page.goto("/setup");
  await page.getByText("Roster is already set up.").waitFor();
});

it("switches between organizations and shows other plans what Enterprise offers", async () => {
  const { org } = await createOrgWithOwner(b.t.deps, SYSTEM_CTX, { name: "Initech", plan: "pro", ownerEmail, ownerName: "Olive Owner" });
  await page.goto(`/orgs/${orgId}/settings/sso`);
  await page.getByRole("combobox", { name: "Organization" }).selectOption(org.id);
  await page.waitForURL(`**/orgs/${org.id}/settings/sso`);
  await page.getByRole("heading", { name: "Single sign-on and SCIM are part of the Enterprise plan" }).waitFor();
  await page.goto("/app");
  await page.getByRole("link", { name: "Globex" }).click();
  await page.waitForURL(`**/orgs/${orgId}`);
});

it("creates an OIDC connection with Roster's values first, tests it in a new window, enables it and requires SSO", async () => {
  await addDomain(b.t.deps, SYSTEM_CTX, orgId, "globex-sso.example", { verified: true });
  await page.goto(`/orgs/${orgId}/settings/sso`);
  await page.getByRole("button", { name: "Add connection" }).click();
  const add = page.getByRole("dialog", { name: "Add SSO connection" });
  await add.getByLabel("Identity provider").selectOption("okta");
  await add.getByLabel("Protocol").selectOption("oidc");
  await add.getByLabel("Name").fill("Globex IdP");
  await add.getByRole("button", { name: "Continue" }).click();
  await add.waitFor({ state: "detached" });
  // Roster's value first, with the provider's own name for the field
  const card = page.getByRole("article", { name: "Globex IdP connection" });
  await card.waitFor();
  const id = await card.getAttribute("data-connection-id");
  expect(await card.getByRole("textbox", { name: "Redirect URI" }).inputValue()).toBe(`${b.baseUrl}/sso/oidc/${id}/callback`);
  await card.getByText("In Okta: “Sign-in redirect URIs”.").waitFor();
  expect(await card.getByRole("button", { name: "Test connection" }).isDisabled()).toBe(true);

  await card.getByRole("button", { name: "Enter OIDC settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Okta details for Globex IdP" });
  await dialog.getByLabel("Issuer URL").fill("ftp://nope");
  await dialog.getByLabel("Client ID").fill("roster");
  await dialog.getByLabel("Client secret").fill("s3cret-s3cret-s3cret");
  await dialog.getByRole("button", { name: "Save" }).click();
  const error = dialog.locator(".field-error").first();
  await error.waitFor(); // next to its field, in words: the label, never the API's field name
  expect(await error.textContent()).toMatch(/^Issuer URL /);
  await dialog.getByLabel("Issuer URL").fill(op.issuer);
  await dialog.getByLabel("Create accounts on first sign-in (just-in-time)").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });
  expect(await card.textContent()).toContain("Stored (encrypted, never shown)");
  expect(await card.textContent()).not.toContain("s3cret");
  expect(await card.textContent()).toContain("Not tested");
  await op.start([{ clientId: "roster", clientSecret: "s3cret-s3cret-s3cret", redirectUris: [`${b.baseUrl}/sso/oidc/${id}/callback`] }]);

  // Test connection: a real sign-in in a new window, nothing created
  const members = await b.t.deps.ds.getRepository(Membership).countBy({ orgId });
  op.accounts.set("idp-tess", { email: "tess@globex-sso.example", email_verified: true, name: "Tess Tester" });
  op.loginAs = "idp-tess";
  const [popup] = await Promise.all([page.waitForEvent("popup"), card.getByRole("button", { name: "Test connection" }).click()]);
  await popup.getByRole("heading", { name: "Test sign-in succeeded" }).waitFor();
  expect(await popup.locator("main").textContent()).toContain("Roster would sign in Tess Tester (tess@globex-sso.example) as Member");
  expect(await popup.locator("main").textContent()).toContain("tess@globex-sso.example");
  await screenshot(popup, "sso-test-report.png", { fullPage: true });
  await popup.close();
  expect(await b.t.deps.ds.getRepository(Membership).countBy({ orgId })).toBe(members);
  await page.reload();
  await card.getByText(/Last test .*: Roster would sign in Tess Tester/).waitFor();

  await card.getByRole("button", { name: "Enable" }).click();
  await card.getByText("Enabled", { exact: true }).waitFor();

  await page.getByLabel("Add a domain").fill("globex.example");
  await page.getByRole("button", { name: "Add domain" }).click();
  const row = page.locator("tr[data-domain='globex.example']");
  await row.getByText("Not verified").waitFor();
  expect(await row.textContent()).toContain("_roster-verification.globex.example");

  // Require SSO asks for confirmation and says whom it affects
  // (the switch turns on only once confirmed)
  await page.getByRole("switch", { name: "Require single sign-on" }).click();
  const confirm = page.getByRole("dialog", { name: "Require single sign-on?" });
  await confirm.getByText("0 members will have to sign in with SSO from their next request.").waitFor();
  await confirm.getByRole("button", { name: "Require SSO" }).click();
  await page.getByRole("status").filter({ hasText: "Single sign-on is now required." }).waitFor();
  await page.reload();
  expect(await page.getByRole("switch", { name: "Require single sign-on" }).isChecked()).toBe(true);
  await page.getByRole("switch", { name: "Require single sign-on" }).uncheck();
  await page.getByRole("status").filter({ hasText: "Password sign-in is allowed again." }).waitFor();

  await card.getByRole("button", { name: "Disable" }).click();
  await page.getByRole("article", { name: "Globex IdP connection" }).getByText("Disabled", { exact: true }).waitFor();
  expect(problems).toEqual([]);
});

it("creates a SCIM token shown once, maps a group to a role, and revokes the token", async () => {
  await page.goto(`/orgs/${orgId}/settings/sso`);
  expect(await page.getByRole("textbox", { name: "SCIM base URL" }).inputValue()).toBe(`${b.baseUrl}/scim/v2`);
  await page.getByLabel("New token name").fill("Okta");
  await page.getByRole("button", { name: "Create token" }).click();
  // The first token turns SCIM on: the page says what changes and asks first (issue 13).
  const turnOn = page.getByRole("dialog", { name: "Turn on SCIM provisioning?" });
  await turnOn.getByText("hands invitations and manual role changes to your identity provider").waitFor();
  await turnOn.getByRole("button", { name: "Cancel" }).click();
  await turnOn.waitFor({ state: "detached" });
  expect(await b.t.deps.ds.getRepository(ScimToken).countBy({ orgId })).toBe(0);
  await page.getByRole("button", { name: "Create token" }).click();
  await turnOn.getByRole("button", { name: "Turn on SCIM" }).click();
  const token = await page.getByLabel("New SCIM token").inputValue();
  const res = await page.request.get("/scim/v2/Users", { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);

  // A person pushed by the IdP is marked as managed on the Members page, without manual controls,
  // and the Invite button gives way to a notice.
  const pushed = await page.request.post("/scim/v2/Users", {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "pat@globex.example", active: true,
      name: { givenName: "Pat", familyName: "Lee" }, emails: [{ value: "pat@globex.example", type: "work", primary: true }] },
  });
  expect(pushed.status()).toBe(201);
  await page.goto(`/orgs/${orgId}/settings/members`);
  const patRow = page.locator("tr", { hasText: "pat@globex.example" });
  await patRow.getByText("Managed by your identity provider").waitFor();
  expect(await patRow.getByRole("button").count()).toBe(0); // no role picker, no trash icon
  await page.getByText("managed by your identity provider (SCIM)").waitFor();
  expect(await page.getByRole("button", { name: "Invite member" }).count()).toBe(0);
  await page.goto(`/orgs/${orgId}/settings/sso`);
  await page.locator("tr[data-token-id]", { hasText: "Okta" }).waitFor();
  await page.locator("tr[data-token-id]", { hasText: "Okta" }).waitFor();
  expect(await page.getByLabel("New SCIM token").count()).toBe(0); // shown once
  expect(await page.content()).not.toContain(token);

  await page.getByLabel("Group name").fill("Globex Admins");
  await page.getByRole("combobox", { name: "Role" }).selectOption("admin");
  await page.getByRole("button", { name: "Add mapping" }).click();
  await page.locator("tr", { hasText: "Globex Admins" }).locator(".pill", { hasText: "Admin" }).waitFor();

  await page.getByRole("button", { name: "Revoke Okta" }).click();
  await page.getByRole("dialog", { name: "Revoke Okta?" }).getByRole("button", { name: "Revoke token" }).click();
  await page.locator("tr[data-token-id]", { hasText: "Okta" }).getByText("Revoked").waitFor();
  await screenshot(page, "sso-settings.png", { fullPage: true });
  expect(await b.t.deps.ds.getRepository(ScimToken).countBy({ orgId, revokedAt: IsNull() })).toBe(0);
  expect(problems).toEqual([]);
});

it("signs a new person in through the OIDC provider from Continue with SSO", async () => {
  await page.goto(`/orgs/${orgId}/settings/sso`);
  await page.getByRole("article", { name: "Globex IdP connection" }).getByRole("button", { name: "Enable" }).click();
  await page.getByRole("article", { name: "Globex IdP connection" }).getByText("Enabled", { exact: true }).waitFor();

  const { page: visitor } = await b.newPage();
  const visitorProblems = watchConsole(visitor);
  await visitor.goto("/login");
  await visitor.getByLabel("Email").fill("someone@elsewhere.example");
  await visitor.getByLabel("Email").blur();
  await visitor.getByLabel("Email").fill("sam@globex-sso.example");
  const sso = visitor.getByRole("link", { name: "Continue with SSO" });
  await sso.waitFor();
  expect(await sso.getAttribute("href")).toMatch(/^\/sso\/oidc\/[0-9a-f-]+\/login\?returnTo=%2Fapp$/);

  op.accounts.set("idp-sam", { email: "sam@globex-sso.example", email_verified: true, name: "Sam Sso" });
  op.loginAs = "idp-sam";
  await sso.click();
  await visitor.waitForURL(`**/orgs/${orgId}`);
  await visitor.locator("#your-role .pill", { hasText: "Member" }).waitFor();
  expect(await visitor.getByRole("heading", { name: "Globex" }).textContent()).toBe("Globex");
  expect(visitorProblems).toEqual([]);

  await visitor.getByRole("button", { name: "Sign out" }).click();
  await visitor.waitForURL("**/login");
  await visitor.getByLabel("Email").fill("someone@elsewhere.example");
  await sso.waitFor({ state: "hidden" });
});
