/**
 * Google Workspace pull provisioning against the https Directory API emulator: users and groups
 * become members with mapped roles; renames, suspensions, archives, deletions, moves and group
 * changes show up at the next sync; a no-change sync writes nothing but one audit event.
 */
import { startTestApp, type TestApp } from "../support/app";
import { connectDirectory, type DirectoryFixture } from "../support/google-directory";
import { saveMapping } from "../../scim/mappings.service";
import { SYSTEM_CTX } from "../../src/context";

let t: TestApp;
let fx: DirectoryFixture;
const emus: DirectoryFixture[] = [];

beforeAll(async () => {
  t = await startTestApp();
  fx = await connectDirectory(t, { body: { orgUnits: ["/Staff"] }, setup: (g, d) => {
    g.addUser(`alice.smith@${d}`, { orgUnitPath: "/Staff" });
    g.addUser(`bob.jones@${d}`, { orgUnitPath: "/Staff/Sales" });
    g.addUser(`carol.white@${d}`, { orgUnitPath: "/Staff" });
    g.addUser(`dan.brown@${d}`, { orgUnitPath: "/Staff" });
    g.addUser(`erin.black@${d}`, { orgUnitPath: "/Staff", suspended: true });
    g.addUser(`outsider@${d}`, { orgUnitPath: "/Contractors" });
    g.addGroup(`eng@${d}`, "Engineering", [`alice.smith@${d}`]);
    g.addGroup(`leads@${d}`, "Leads", [`eng@${d}`]);
  } });
  emus.push(fx);
  await saveMapping(t.deps, SYSTEM_CTX, fx.orgId, { groupName: `leads@${fx.domain}`, role: "admin" });
});
afterAll(async () => {
  for (const e of emus) await e.google.stop();
  await t.close();
});

async function members(orgId = fx.orgId): Promise<Map<string, { role: string; status: string; source: string; name: unknown; managedByIdp: boolean }>> {
  const r = await fx.owner.get(`/api/orgs/${orgId}/members`);
  expect(r.status).toBe(200);
  const rows: Array<{ id: string; email: string; role: string; status: string; source: string; managedByIdp: boolean }> = r.body.members;
  const attrs: Array<{ id: string; a: { displayName?: string } | null }> = await t.deps.ds.query(`SELECT id, scim_attributes AS a FROM memberships WHERE org_id = $1`, [orgId]);
  const byId = new Map(attrs.map((x) => [x.id, x.a]));
  return new Map(rows.map((m) => [m.email, { role: m.role, status: m.status, source: m.source, managedByIdp: m.managedByIdp, name: byId.get(m.id)?.displayName }]));
}

async function writeCounts(orgId: string): Promise<{ audit: number; mail: number; users: number }> {
  const [a] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1`, [orgId]);
  const [m] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM email_messages WHERE org_id = $1`, [orgId]);
  const [u] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM users`);
  return { audit: a.n, mail: m.n, users: u.n };
}

it("first sync: users of the org units (sub-units included) become members; nested group maps to Admin; others untouched", async () => {
  const s = await fx.sync();
  expect(s.status).toBe("applied");
  expect(s.users).toMatchObject({ seen: 5, created: 5, suspended: 0, removed: 0 });
  expect(s.groups).toMatchObject({ seen: 2, created: 2 });
  const m = await members();
  expect(m.get(fx.email("alice.smith"))).toMatchObject({ role: "admin", status: "active", source: "scim", managedByIdp: true, name: "alice smith" });
  expect(m.get(fx.email("bob.jones"))).toMatchObject({ role: "member", status: "active" });
  expect(m.get(fx.email("erin.black"))).toMatchObject({ status: "suspended" });
  expect(m.has(fx.email("outsider"))).toBe(false);
  expect(m.get(fx.ownerEmail)).toMatchObject({ role: "owner", status: "active" });
});

it("a sync with no change writes nothing but one directory.synced event", async () => {
  const before = await writeCounts(fx.orgId);
  const s = await fx.sync();
  expect(s.users).toMatchObject({ seen: 5, created: 0, updated: 0, suspended: 0, restored: 0, removed: 0, unchanged: 5 });
  const after = await writeCounts(fx.orgId);
  expect(after).toEqual({ ...before, audit: before.audit + 1 });
  const [last] = await t.deps.ds.query(`SELECT action FROM audit_events WHERE org_id = $1 ORDER BY created_at DESC LIMIT 1`, [fx.orgId]);
  expect(last.action).toBe("directory.synced");
});

it("rename, suspend, unsuspend, archive, delete and move out of the org unit show up at the next sync", async () => {
  const g = fx.google;
  g.user(fx.email("alice.smith")).name = { givenName: "Alice", familyName: "Smythe", fullName: "Alice Smythe" };
  g.user(fx.email("bob.jones")).suspended = true;
  g.user(fx.email("erin.black")).suspended = false;
  g.user(fx.email("carol.white")).archived = true;
  g.deleteUser(fx.email("dan.brown"));
  const s = await fx.sync();
  expect(s.users).toMatchObject({ updated: 1, suspended: 2, restored: 1, removed: 1 });
  let m = await members();
  expect(m.get(fx.email("alice.smith"))?.name).toBe("Alice Smythe");
  expect(m.get(fx.email("bob.jones"))?.status).toBe("suspended");
  expect(m.get(fx.email("erin.black"))?.status).toBe("active");
  expect(m.get(fx.email("carol.white"))?.status).toBe("suspended");
  expect(m.has(fx.email("dan.brown"))).toBe(false);
  const [removedMail] = await t.deps.ds.query(`SELECT subject FROM email_messages WHERE to_address = $1`, [fx.email("dan.brown")]);
  expect(removedMail.subject).toMatch(/removed/);

  g.user(fx.email("bob.jones")).suspended = false;
  g.user(fx.email("bob.jones")).orgUnitPath = "/Contractors";
  const s2 = await fx.sync();
  expect(s2.users.removed).toBe(1);
  m = await members();
  expect(m.has(fx.email("bob.jones"))).toBe(false);
});

it("group membership changes raise and lower roles (mapping by group email, nested groups count)", async () => {
  const g = fx.google;
  g.addToGroup(fx.email("eng"), fx.email("erin.black"));
  await fx.sync();
  expect((await members()).get(fx.email("erin.black"))?.role).toBe("admin");
  g.removeFromGroup(fx.email("eng"), fx.email("erin.black"));
  g.removeFromGroup(fx.email("leads"), fx.email("eng"));
  const s = await fx.sync();
  expect(s.users.updated).toBe(2);
  const m = await members();
  expect(m.get(fx.email("erin.black"))?.role).toBe("member");
  expect(m.get(fx.email("alice.smith"))?.role).toBe("member");
  const events = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'member.role_changed'`, [fx.orgId]);
  expect(events.some((e: { metadata: { newRole: string; via: string } }) => e.metadata.newRole === "member" && e.metadata.via === "directory")).toBe(true);
});

it("manual invites and manual role changes are refused for an org with a directory (IdP-managed)", async () => {
  const inv = await fx.owner.post(`/api/orgs/${fx.orgId}/invitations`, { email: fx.email("zed"), role: "member" });
  expect(inv.status).toBeGreaterThanOrEqual(400);
  const list = await fx.owner.get(`/api/orgs/${fx.orgId}/members`);
  const alice = list.body.members.find((x: { email: string }) => x.email === fx.email("alice.smith"));
  const r = await fx.owner.patch(`/api/orgs/${fx.orgId}/members/${alice.id}`, { role: "admin" });
  expect(r.status).toBe(409);
  expect(r.body.error.code).toBe("member.managed_by_idp");
});

it("users outside the org's verified domains get a membership waiting for them: no account of theirs is created or linked", async () => {
  fx.google.addUser("stranger@elsewhere.test", { orgUnitPath: "/Staff" });
  const s = await fx.sync();
  expect(s.users).toMatchObject({ created: 1, skipped: 0 });
  expect(s.skipped).toEqual([]);
  expect((await members()).get("stranger@elsewhere.test")).toMatchObject({ status: "active", managedByIdp: true, name: "stranger Person" });
  const [u] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM users WHERE email = 'stranger@elsewhere.test'`);
  expect(u.n).toBe(0);
  const [m] = await t.deps.ds.query(`SELECT pending_email FROM memberships WHERE org_id = $1 AND pending_email IS NOT NULL`, [fx.orgId]);
  expect(m.pending_email).toBe("stranger@elsewhere.test");
});
