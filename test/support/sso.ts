/** Shared helpers for the SSO integration tests: orgs, signed-in admins, side-effect counters. */
import request from "supertest";
import { AuditEvent, Membership, Session, User, UserIdentity } from "../../entities";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX } from "../../src/context";
import type { Plan } from "../../entities";
import type { TestApp } from "./app";
import { PASSWORD, signIn as signedIn } from "./actors";

export { PASSWORD, signIn as signedIn } from "./actors";

export async function orgWithOwner(t: TestApp, name: string, ownerEmail: string, plan: Plan = "enterprise") {
  const { org } = await createOrgWithOwner(t.deps, SYSTEM_CTX, { name, plan, ownerEmail, ownerPassword: PASSWORD });
  return { org, owner: await signedIn(t, ownerEmail) };
}

/** Rows that a refused sign-in must not create. */
export async function sideEffects(t: TestApp) {
  const ds = t.deps.ds;
  return {
    users: await ds.getRepository(User).count(),
    memberships: await ds.getRepository(Membership).count(),
    identities: await ds.getRepository(UserIdentity).count(),
    sessions: await ds.getRepository(Session).count(),
  };
}

export async function refusals(t: TestApp, reason: string): Promise<AuditEvent[]> {
  return t.deps.ds.getRepository(AuditEvent).createQueryBuilder("a")
    .where("a.action = 'auth.sso_refused' AND a.metadata ->> 'reason' = :reason", { reason }).getMany();
}

/** Asserts a refusal page naming `reason`, one more audit event for it, and no side effects. */
export async function expectRefused(t: TestApp, reason: string, act: () => Promise<request.Response>): Promise<request.Response> {
  const before = await sideEffects(t);
  const audited = (await refusals(t, reason)).length;
  const res = await act();
  if (res.status < 400 || !String(res.text).includes(reason)) {
    const last = await t.deps.ds.getRepository(AuditEvent).find({ where: { action: "auth.sso_refused" }, order: { createdAt: "DESC" }, take: 1 });
    throw new Error(`expected refusal ${reason}, got ${res.status}: ${String(res.text).match(/<code>([^<]+)<\/code>/)?.[1] ?? res.text?.slice(0, 200)}`
      + ` (last refusal detail: ${JSON.stringify(last[0]?.metadata)})`);
  }
  expect(res.headers["set-cookie"]?.toString() ?? "").not.toMatch(/roster_session=[^;]/);
  expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
  expect(await sideEffects(t)).toEqual(before);
  expect((await refusals(t, reason)).length).toBe(audited + 1);
  return res;
}

/**
 * An SSO sign-in for an email outside the org's verified domains: refused with "check your email",
 * no session, no identity link; what it leaves is one pending membership (on a placeholder account)
 * and one join email to that address.
 */
export async function expectPendingJoin(t: TestApp, email: string, act: () => Promise<request.Response>): Promise<void> {
  const before = await sideEffects(t);
  const mails = Number((await t.deps.ds.query(`SELECT count(*)::int AS n FROM email_messages WHERE lower(to_address) = lower($1)`, [email]))[0].n);
  const res = await act();
  expect(res.status).toBe(403);
  expect(res.text).toContain("sso.join_pending");
  expect(res.headers["set-cookie"]?.toString() ?? "").not.toMatch(/roster_session=[^;]/);
  expect(await sideEffects(t)).toEqual({ ...before, users: before.users + 1, memberships: before.memberships + 1 });
  const pending = await t.deps.ds.query(`SELECT 1 FROM memberships WHERE lower(pending_email) = lower($1)`, [email]);
  expect(pending.length).toBeGreaterThan(0);
  expect(Number((await t.deps.ds.query(`SELECT count(*)::int AS n FROM email_messages WHERE lower(to_address) = lower($1)`, [email]))[0].n)).toBe(mails + 1);
}
