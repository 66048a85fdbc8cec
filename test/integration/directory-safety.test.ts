/**
 * A bad sync never loses people: Google errors and dead tokens abort with nothing applied, mass
 * removals are held until an Owner confirms, the last Owner is kept (refusal audited, rest
 * applied), 429 waits for Retry-After, and two instances never run one directory's sync at once.
 */
import { DataSource } from "typeorm";
import { startTestApp, type TestApp } from "../support/app";
import { connectDirectory, type DirectoryFixture } from "../support/google-directory";
import { addMemberViaInvite, type OrgFixture } from "../support/actors";
import type { ApiClient } from "../support/app";
import { runSync } from "../../directory/sync.service";
import { SYSTEM_CTX } from "../../src/context";
import { createDataSource } from "../../src/db/data-source";

let t: TestApp;
const fixtures: DirectoryFixture[] = [];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  for (const f of fixtures) await f.google.stop();
  await t.close();
});

async function org(people: string[], beforeConnect?: (fx: OrgFixture) => Promise<void>): Promise<DirectoryFixture> {
  const fx = await connectDirectory(t, { setup: (g, d) => people.forEach((p) => g.addUser(`${p}@${d}`)), beforeConnect });
  fixtures.push(fx);
  return fx;
}

const memberCount = async (orgId: string) => (await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1`, [orgId]))[0].n;

it("a 503 that outlasts the retries in the middle of a sync aborts it with nothing applied, and says so", async () => {
  const fx = await org(["a1", "a2", "a3"]);
  await fx.sync();
  const before = await memberCount(fx.orgId);
  fx.google.deleteUser(fx.email("a1"));
  fx.google.addUser(fx.email("a4"));
  fx.google.addGroup(fx.email("g1"), "G1", [fx.email("a2")]);
  fx.google.fail("/admin/directory/v1/groups/", 503, "backendError", { times: 100, retryAfter: 0 });
  const s = await fx.sync();
  expect(s.status).toBe("failed");
  expect(s.error).toMatch(/did not answer .* after retries .*Nothing was applied/);
  expect(await memberCount(fx.orgId)).toBe(before);
  const retried = fx.google.requests.filter((r) => r.includes("/groups/") && r.includes("/members")).length;
  expect(retried).toBe(5);
  const [ev] = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'directory.sync_failed'`, [fx.orgId]);
  expect(ev.metadata.code).toBe("directory.unavailable");
  fx.google.faults.length = 0;
  const ok = await fx.sync();
  expect(ok.status).toBe("applied");
  expect(ok.users).toMatchObject({ created: 1, removed: 1 });
});

it("429 is retried after Retry-After, and the sync then applies", async () => {
  const fx = await org(["r1"]);
  fx.google.fail("/admin/directory/v1/users", 429, "rateLimitExceeded", { retryAfter: 1 });
  const started = Date.now();
  const s = await fx.sync();
  expect(s.status).toBe("applied");
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  expect(s.users.created).toBe(2);
});

it("a 503 from the token endpoint is retried too", async () => {
  const fx = await org(["tk1"]);
  fx.google.fail("/token", 503, "backendError", { retryAfter: 0, times: 2 });
  const s = await fx.sync();
  expect(s.status).toBe("applied");
  expect(fx.google.tokenGrants.filter((g) => g.ok)).toHaveLength(1);
});

it("a token that stops working (key deleted, delegation removed) aborts with nothing removed", async () => {
  const fx = await org(["k1", "k2"]);
  await fx.sync();
  const before = await memberCount(fx.orgId);
  fx.google.revokeServiceAccount(fx.key.client_email);
  const s = await fx.sync();
  expect(s.status).toBe("failed");
  expect(s.error).toMatch(/Google refused the service account .*Invalid JWT Signature/);
  expect(await memberCount(fx.orgId)).toBe(before);
  const list = await fx.owner.get(`/api/orgs/${fx.orgId}/directories/${fx.directoryId}`);
  expect(list.body).toMatchObject({ status: "error", lastSync: { status: "failed", errorCode: "directory.auth_failed" } });
});

it("delegation without every directory scope: unauthorized_client, explained", async () => {
  const fx = await org(["s1"]);
  const partial = await fx.google.serviceAccount(["https://www.googleapis.com/auth/admin.directory.user.readonly"]);
  await t.deps.ds.query(`DELETE FROM directories WHERE id = $1`, [fx.directoryId]);
  const r = await fx.owner.post(`/api/orgs/${fx.orgId}/directories`, { type: "google", serviceAccountKey: partial, adminEmail: fx.email("admin"), apiRoot: fx.google.apiRoot });
  const s = (await fx.owner.post(`/api/orgs/${fx.orgId}/directories/${r.body.id}/sync`)).body;
  expect(s.status).toBe("failed");
  expect(s.error).toMatch(/domain-wide delegation is missing/);
});

it("a sync that would remove 60% is held (Owners emailed, audited), then applied when an Owner confirms", async () => {
  const people = Array.from({ length: 9 }, (_, i) => `p${i}`);
  let admin: ApiClient | undefined;
  const fx = await org(people, async (o) => {
    admin = (await addMemberViaInvite(t, o, `adm.${Date.now()}@example.test`, "admin")).client;
  });
  await fx.sync();
  for (const p of people.slice(0, 6)) fx.google.deleteUser(fx.email(p));
  const before = await memberCount(fx.orgId);
  const s = await fx.sync();
  expect(s.status).toBe("held");
  expect(s.held).toMatchObject({ wouldRemove: 6, wouldSuspend: 0 });
  expect(await memberCount(fx.orgId)).toBe(before);
  const [mail] = await t.deps.ds.query(`SELECT subject FROM email_messages WHERE org_id = $1 AND kind = 'directory.sync_held' AND to_address = $2`, [fx.orgId, fx.ownerEmail]);
  expect(mail.subject).toMatch(/held/);
  const [ev] = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'directory.sync_held'`, [fx.orgId]);
  expect(ev.metadata.wouldRemove).toBe(6);

  expect((await admin!.post(`/api/orgs/${fx.orgId}/directories/${fx.directoryId}/confirm`)).status).toBe(403);
  const c = await fx.owner.post(`/api/orgs/${fx.orgId}/directories/${fx.directoryId}/confirm`);
  expect(c.status).toBe(200);
  expect(c.body).toMatchObject({ status: "applied", users: { removed: 6 } });
  expect(await memberCount(fx.orgId)).toBe(before - 6);
  const history = (await fx.owner.get(`/api/orgs/${fx.orgId}/directories/${fx.directoryId}/syncs`)).body.syncs;
  expect(history.map((h: { status: string }) => h.status).slice(0, 2)).toEqual(["applied", "confirmed"]);
  expect((await fx.owner.post(`/api/orgs/${fx.orgId}/directories/${fx.directoryId}/confirm`)).status).toBe(409);
});

it("with IdP-managed Owners on, the last Owner deleted in Google is kept (refusal audited) while the rest applies", async () => {
  const fx = await org(["o1", "o2"]);
  // The org lets its IdP manage Owners, so only the last-Owner rule keeps this one (directory-trust.test.ts: without it).
  await fx.owner.patch(`/api/orgs/${fx.orgId}/provisioning-settings`, { idpManagedOwners: true }).expect(200);
  const ownerLocal = fx.ownerEmail.split("@")[0];
  await t.deps.ds.query(`UPDATE users SET email = $1 WHERE lower(email) = lower($2)`, [fx.email(ownerLocal), fx.ownerEmail]);
  fx.google.addUser(fx.email(ownerLocal));
  const first = await fx.sync();
  expect(first.users.updated).toBe(1); // the Owner is adopted, keeps Owner
  fx.google.deleteUser(fx.email(ownerLocal));
  fx.google.deleteUser(fx.email("o1"));
  const s = await fx.sync();
  expect(s.status).toBe("applied");
  expect(s.users.removed).toBe(1);
  expect(s.refused).toHaveLength(1);
  const [owner] = await t.deps.ds.query(`SELECT m.role, m.status FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2`, [fx.orgId, fx.email(ownerLocal)]);
  expect(owner).toMatchObject({ role: "owner", status: "active" });
  const [refusal] = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'member.change_refused'`, [fx.orgId]);
  expect(refusal.metadata).toMatchObject({ reason: "member.last_owner", via: "directory" });
  const gone = await t.deps.ds.query(`SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2`, [fx.orgId, fx.email("o1")]);
  expect(gone).toHaveLength(0);
});

it("two instances press Sync now together: exactly one runs, the other is told a sync is running", async () => {
  const fx = await org(["c1", "c2", "c3"]);
  let ds2: DataSource = t.deps.ds;
  if (t.db.url) {
    ds2 = createDataSource({ url: t.db.url, poolSize: 2 });
    await ds2.initialize();
  }
  fx.google.latencyMs = 150;
  try {
    const results = await Promise.allSettled([
      fx.owner.post(`/api/orgs/${fx.orgId}/directories/${fx.directoryId}/sync`),
      new Promise((ok) => setTimeout(ok, 50)).then(() => runSync({ ...t.deps, ds: ds2 }, SYSTEM_CTX, fx.directoryId, { trigger: "manual", instance: "instance-b" })),
    ]);
    // Whichever claims the lease first runs; the other is refused, never queued behind it.
    const a = results[0].status === "fulfilled" ? results[0].value : null;
    const httpRan = a?.status === 200;
    expect(a?.status).toBe(httpRan ? 200 : 409);
    if (!httpRan) expect(a?.body.error.code).toBe("directory.sync_running");
    expect(results[1]).toMatchObject(httpRan ? { status: "rejected", reason: { code: "directory.sync_running" } } : { status: "fulfilled", value: { status: "applied" } });
  } finally {
    fx.google.latencyMs = 0;
    if (ds2 !== t.deps.ds) await ds2.destroy();
  }
  const syncs = await t.deps.ds.query(`SELECT status FROM directory_syncs WHERE directory_id = $1`, [fx.directoryId]);
  expect(syncs).toEqual([{ status: "applied" }]);
  expect(await memberCount(fx.orgId)).toBe(1 + 4);
});

it("a crashed sync (lease expired, record left running) is retried and applied once", async () => {
  const fx = await org(["x1"]);
  await t.deps.ds.query(`UPDATE directories SET lease_owner = 'dead-instance', lease_expires_at = now() - interval '1 minute' WHERE id = $1`, [fx.directoryId]);
  await t.deps.ds.query(`INSERT INTO directory_syncs (directory_id, org_id, status, trigger) VALUES ($1, $2, 'running', 'schedule')`, [fx.directoryId, fx.orgId]);
  const s = await fx.sync();
  expect(s.status).toBe("applied");
  const rows = await t.deps.ds.query(`SELECT status, error_code FROM directory_syncs WHERE directory_id = $1 ORDER BY started_at`, [fx.directoryId]);
  expect(rows).toEqual([{ status: "failed", error_code: "directory.interrupted" }, { status: "applied", error_code: null }]);
  expect((await fx.sync()).users.created).toBe(0);
});
