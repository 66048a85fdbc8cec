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
