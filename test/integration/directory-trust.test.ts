/**
 * The directory sync and the trust boundaries (issue 9): a Google user whose email is outside the
 * org's verified domains gets a membership that waits for the person (one join email, the org sees
 * only Google's name, not in the person's /api/me), like SCIM POST and SSO JIT. Google then
 * manages that membership like any other (matched by its Google id). A directory never speaks
 * for an Owner unless the org turned on "IdP-managed Owners"; the last-Owner rule holds on top.
 */
import { ApiClient, startTestApp, type TestApp } from "../support/app";
import { PASSWORD, signUp } from "../support/actors";
import { connectDirectory, type DirectoryFixture } from "../support/google-directory";
import { linkIn } from "../support/smtp";

let t: TestApp;
const emus: DirectoryFixture[] = [];
let seq = 0;
const outsider = (local: string) => `${local}.${Date.now().toString(36)}${++seq}@outside.test`;

beforeAll(async () => { t = await startTestApp({ smtp: true }); });
afterAll(async () => {
  for (const e of emus) await e.google.stop();
  await t.close();
});

async function directory(setup: Parameters<typeof connectDirectory>[1] = {}): Promise<DirectoryFixture> {
  const fx = await connectDirectory(t, setup);
  emus.push(fx);
  return fx;
}
const joinMails = async (email: string) => Number((await t.deps.ds.query(
  `SELECT count(*)::int AS n FROM email_messages WHERE lower(to_address) = lower($1) AND kind = 'member.join_link'`, [email]))[0].n);
async function memberOf(fx: DirectoryFixture, email: string): Promise<any> {
  const r = await fx.owner.get(`/api/orgs/${fx.orgId}/members`).expect(200);
  return r.body.members.find((m: { email: string }) => m.email === email);
}
async function writes(orgId: string): Promise<{ audit: number; mail: number; users: number; members: number }> {
  const [r] = await t.deps.ds.query(`SELECT (SELECT count(*)::int FROM audit_events WHERE org_id = $1) AS audit,
    (SELECT count(*)::int FROM email_messages WHERE org_id = $1) AS mail, (SELECT count(*)::int FROM users) AS users,
    (SELECT count(*)::int FROM memberships WHERE org_id = $1) AS members`, [orgId]);
  return r;
}

it("an unverified-domain user: pending member with Google's name, one join email, not in /api/me; the link joins it; a no-change re-sync writes nothing", async () => {
  const email = outsider("pat");
  const fx = await directory({ setup: (g, d) => { g.addUser(`alice@${d}`); g.addUser(email, { givenName: "Pat", familyName: "Google" }); } });
  const person = await signUp(t, email, "Pat Private");
  const s = await fx.sync();
  expect(s.status).toBe("applied");
  expect(s.users).toMatchObject({ seen: 3, created: 3, skipped: 0 });
  expect(s.skipped).toEqual([]);
  const m = await memberOf(fx, email);
  expect(m).toMatchObject({ email, name: "Pat Google", pending: true, userId: null, role: "member", status: "active", managedByIdp: true });
  expect((await fx.owner.get(`/api/orgs/${fx.orgId}/members`).expect(200)).text).not.toContain("Pat Private");
  expect((await person.get("/api/me").expect(200)).body.memberships).toEqual([]);
  const mail = await t.mail!.waitFor((x) => x.to === email && /Join/.test(x.subject));
  expect(await joinMails(email)).toBe(1);
  const [audit] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND action = 'member.join_link_sent' AND target->>'id' = $2`, [fx.orgId, m.id]);
  expect(audit.n).toBe(1);

  const before = await writes(fx.orgId);
  const again = await fx.sync();
  expect(again.users).toMatchObject({ seen: 3, created: 0, updated: 0, unchanged: 3, skipped: 0 });
  expect(await writes(fx.orgId)).toEqual({ ...before, audit: before.audit + 1 });
  expect(await joinMails(email)).toBe(1);

  const token = new URL(linkIn(mail.text, "/join/")).pathname.split("/").pop()!;
  await person.post(`/api/joins/${token}/accept`).expect(201);
  expect((await person.get("/api/me").expect(200)).body.memberships.map((x: any) => x.orgId)).toEqual([fx.orgId]);
  expect(await memberOf(fx, email)).toMatchObject({ id: m.id, pending: false, name: "Pat Private" });

  // After joining, the membership is the person's and Google still manages it (matched by its Google id).
  const after = await writes(fx.orgId);
  const third = await fx.sync();
  expect(third.users).toMatchObject({ created: 0, updated: 0, removed: 0, unchanged: 3 });
  expect(await writes(fx.orgId)).toEqual({ ...after, audit: after.audit + 1 });
  fx.google.user(email).suspended = true;
  expect((await fx.sync()).users).toMatchObject({ suspended: 1, created: 0 });
  expect(await memberOf(fx, email)).toMatchObject({ id: m.id, status: "suspended" });
  fx.google.deleteUser(email);
  expect((await fx.sync()).users).toMatchObject({ removed: 1, created: 0 });
  expect(await memberOf(fx, email)).toBeUndefined();
  expect((await person.get("/api/me").expect(200)).body.memberships).toEqual([]);
});

it("a pending member follows Google: rename updates what the org sees, suspend and remove apply; no mail to the placeholder, no placeholder left", async () => {
  const email = outsider("sam");
  const fx = await directory({ setup: (g, d) => { g.addUser(`alice@${d}`); g.addUser(email, { givenName: "Sam", familyName: "Old" }); } });
  await fx.sync();
  const m = await memberOf(fx, email);
  expect(m).toMatchObject({ pending: true, name: "Sam Old" });
  const g = fx.google;
  g.user(email).name = { givenName: "Sam", familyName: "New", fullName: "Sam New" };
  expect((await fx.sync()).users).toMatchObject({ updated: 1, created: 0 });
  expect(await memberOf(fx, email)).toMatchObject({ id: m.id, pending: true, name: "Sam New" });
  const [attrs] = await t.deps.ds.query(`SELECT scim_attributes AS a FROM memberships WHERE id = $1`, [m.id]);
  expect(attrs.a.displayName).toBe("Sam New");

  g.user(email).suspended = true;
  expect((await fx.sync()).users).toMatchObject({ suspended: 1 });
  expect(await memberOf(fx, email)).toMatchObject({ id: m.id, pending: true, status: "suspended" });
  g.user(email).suspended = false;
  expect((await fx.sync()).users).toMatchObject({ restored: 1 });

  g.deleteUser(email);
  expect((await fx.sync()).users).toMatchObject({ removed: 1 });
  expect(await memberOf(fx, email)).toBeUndefined();
  const mails = await t.deps.ds.query(`SELECT to_address, kind FROM email_messages WHERE org_id = $1 AND (to_address LIKE '%.invalid' OR lower(to_address) = lower($2))`, [fx.orgId, email]);
  expect(mails).toEqual([{ to_address: email, kind: "member.join_link" }]);
  const [left] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM users u WHERE u.email LIKE '%@pending.roster.invalid'
    AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)`);
  expect(left.n).toBe(0);
  const [removed] = await t.deps.ds.query(`SELECT target FROM audit_events WHERE org_id = $1 AND action = 'member.removed' AND target->>'id' = $2`, [fx.orgId, m.id]);
  expect(removed.target.email).toBe(email);
});

it("a person without an account creates it from the directory's join link", async () => {
  const email = outsider("new");
  const fx = await directory({ setup: (g) => { g.addUser(email); } });
  await fx.sync();
  const mail = await t.mail!.waitFor((x) => x.to === email && /Join/.test(x.subject));
  const token = new URL(linkIn(mail.text, "/join/")).pathname.split("/").pop()!;
  const visitor = new ApiClient(t.app);
  const r = await visitor.post(`/api/joins/${token}/accept`, { name: "New Person", password: PASSWORD }).expect(201);
  visitor.csrf = r.body.csrfToken;
  expect((await visitor.get("/api/me").expect(200)).body.memberships.map((x: any) => x.orgId)).toEqual([fx.orgId]);
});

async function ownerInGoogle(fx: DirectoryFixture): Promise<string> {
  const local = fx.ownerEmail.split("@")[0];
  await t.deps.ds.query(`UPDATE users SET email = $1 WHERE lower(email) = lower($2)`, [fx.email(local), fx.ownerEmail]);
  fx.google.addUser(fx.email(local));
  return fx.email(local);
}
const roleOf = async (fx: DirectoryFixture, email: string) => (await t.deps.ds.query(
  `SELECT m.role, m.status FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND lower(u.email) = lower($2)`, [fx.orgId, email]))[0];

it("without “IdP-managed Owners” a directory never suspends or removes an Owner (refusal audited), even when another Owner remains", async () => {
  const fx = await directory({ setup: (g, d) => { g.addUser(`second@${d}`); } });
  const ownerEmail = await ownerInGoogle(fx);
  await fx.sync();
  await t.deps.ds.query(`UPDATE memberships m SET role = 'owner' FROM users u WHERE u.id = m.user_id AND m.org_id = $1 AND u.email = $2`, [fx.orgId, fx.email("second")]);
  fx.google.user(ownerEmail).suspended = true;
  let s = await fx.sync();
  expect(s.users.suspended).toBe(0);
  expect(s.refused).toEqual([expect.objectContaining({ reason: "member.idp_owner_refused" })]);
  expect(await roleOf(fx, ownerEmail)).toEqual({ role: "owner", status: "active" });
  fx.google.deleteUser(ownerEmail);
  s = await fx.sync();
  expect(s.users.removed).toBe(0);
  expect(await roleOf(fx, ownerEmail)).toEqual({ role: "owner", status: "active" });
  const refusals = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'member.change_refused'`, [fx.orgId]);
  expect(refusals.length).toBeGreaterThanOrEqual(2);
  expect(refusals[0].metadata).toMatchObject({ reason: "member.idp_owner_refused", via: "directory" });
});

it("with “IdP-managed Owners” a directory may remove an Owner, but never the last one", async () => {
  const fx = await directory({ setup: (g, d) => { g.addUser(`second@${d}`); } });
  await fx.owner.patch(`/api/orgs/${fx.orgId}/provisioning-settings`, { idpManagedOwners: true }).expect(200);
  const ownerEmail = await ownerInGoogle(fx);
  await fx.sync();
  await t.deps.ds.query(`UPDATE memberships m SET role = 'owner' FROM users u WHERE u.id = m.user_id AND m.org_id = $1 AND u.email = $2`, [fx.orgId, fx.email("second")]);
  fx.google.deleteUser(fx.email("second"));
  expect((await fx.sync()).users.removed).toBe(1);
  expect(await roleOf(fx, fx.email("second"))).toBeUndefined();
  fx.google.deleteUser(ownerEmail);
  const s = await fx.sync();
  expect(s.users.removed).toBe(0);
  expect(s.refused).toEqual([expect.objectContaining({ reason: "member.last_owner" })]);
  expect(await roleOf(fx, ownerEmail)).toEqual({ role: "owner", status: "active" });
});
