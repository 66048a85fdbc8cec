/** Test setup through the real interfaces: orgs via the service the CLI uses, people via the HTTP API. */
import type { TestApp } from "./app";
import { ApiClient } from "./app";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX } from "../../src/context";
import type { Plan } from "../../entities";

export const PASSWORD = "correct horse battery staple";
let seq = 0;
export const uniqueEmail = (prefix: string): string => `${prefix}.${Date.now().toString(36)}${++seq}@example.test`;

export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<ApiClient> {
  const c = new ApiClient(t.app);
  const r = await c.post("/api/auth/signin", { email, password });
  if (r.status !== 200) throw new Error(`sign-in of ${email} failed: ${r.status} ${JSON.stringify(r.body)}`);
  c.csrf = r.body.csrfToken;
  return c;
}

export async function signUp(t: TestApp, email: string, name = "Test Person"): Promise<ApiClient> {
  const c = new ApiClient(t.app);
  const r = await c.post("/api/auth/signup", { email, password: PASSWORD, name });
  if (r.status !== 201) throw new Error(`sign-up of ${email} failed: ${r.status} ${JSON.stringify(r.body)}`);
  c.csrf = r.body.csrfToken;
  return c;
}

export interface OrgFixture {
  orgId: string;
  ownerEmail: string;
  owner: ApiClient;
}

export async function createOrg(t: TestApp, plan: Plan = "pro", name = "Acme"): Promise<OrgFixture> {
  const ownerEmail = uniqueEmail("owner");
  const { org } = await createOrgWithOwner(t.deps, SYSTEM_CTX, { name, plan, ownerEmail, ownerPassword: PASSWORD, ownerName: "Olive Owner" });
  return { orgId: org.id, ownerEmail, owner: await signIn(t, ownerEmail) };
}

/** Invites `email` with `role` and accepts as a new account; returns the new member's client and member id. */
export async function addMemberViaInvite(t: TestApp, fx: OrgFixture, email: string, role: "owner" | "admin" | "member" = "member",
  chatbotPermissions?: Array<{ chatbotId: string; access: string }>): Promise<{ client: ApiClient; memberId: string }> {
  const inv = await fx.owner.post(`/api/orgs/${fx.orgId}/invitations`, { email, role, chatbotPermissions });
  if (inv.status !== 201) throw new Error(`invite failed: ${inv.status} ${JSON.stringify(inv.body)}`);
  const token = await tokenFromOutbox(t, email);
  const client = new ApiClient(t.app);
  const acc = await client.post(`/api/invitations/${token}/accept`, { name: email.split("@")[0], password: PASSWORD });
  if (acc.status !== 201) throw new Error(`accept failed: ${acc.status} ${JSON.stringify(acc.body)}`);
  client.csrf = acc.body.csrfToken;
  return { client, memberId: acc.body.membership.id };
}

/** The newest invitation link sent to `email`, read from the outbox (tests without SMTP). */
export async function tokenFromOutbox(t: TestApp, email: string): Promise<string> {
  const [row] = await t.deps.ds.query(
    `SELECT body_text FROM email_messages WHERE lower(to_address) = lower($1) AND kind LIKE 'invitation%' ORDER BY created_at DESC LIMIT 1`, [email]);
  const m = /\/invitations\/([A-Za-z0-9_-]+)/.exec(row?.body_text ?? "");
  if (!m) throw new Error(`no invitation email for ${email}`);
  return m[1];
}

/** The token of the newest `/join/…` or `/sso-link/…` link emailed to `email` (outbox, tests without SMTP). */
export async function linkTokenFromOutbox(t: TestApp, email: string, path: "join" | "sso-link"): Promise<string> {
  const [row] = await t.deps.ds.query(
    `SELECT body_text FROM email_messages WHERE lower(to_address) = lower($1) AND body_text LIKE $2 ORDER BY created_at DESC LIMIT 1`, [email, `%/${path}/%`]);
  const m = new RegExp(`/${path}/([A-Za-z0-9_-]+)`).exec(row?.body_text ?? "");
  if (!m) throw new Error(`no ${path} email for ${email}`);
  return m[1];
}
