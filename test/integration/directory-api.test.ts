/**
 * /api/orgs/:orgId/directories: Enterprise only, Owners create/change/delete, Admins read,
 * credentials encrypted and never returned, bad input explained, tenants isolated, and the
 * schedule runs each directory once per interval.
 */
import { startTestApp, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, type OrgFixture } from "../support/actors";
import { connectDirectory, type DirectoryFixture } from "../support/google-directory";
import { startDirectoryScheduler } from "../../directory/scheduler";
import type { ApiClient } from "../support/app";

let t: TestApp;
let fx: DirectoryFixture;
let admin: ApiClient;
let member: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  fx = await connectDirectory(t, {
    setup: (g, d) => g.addUser(`u1@${d}`),
    beforeConnect: async (o: OrgFixture) => {
      admin = (await addMemberViaInvite(t, o, `adm.${Date.now()}@example.test`, "admin")).client;
      member = (await addMemberViaInvite(t, o, `mem.${Date.now()}@example.test`, "member")).client;
    },
  });
});
afterAll(async () => {
  await fx.google.stop();
  await t.close();
});

const base = () => `/api/orgs/${fx.orgId}/directories`;

it("never returns the key; stores it only encrypted", async () => {
  const r = await admin.get(base());
  expect(r.status).toBe(200);
  expect(r.body.directories).toHaveLength(1);
  expect(r.body.directories[0]).toMatchObject({ id: fx.directoryId, type: "google", credential: "service_account", serviceAccountEmail: fx.key.client_email, apiRoot: fx.google.apiRoot });
  const text = JSON.stringify(r.body) + JSON.stringify((await admin.get(`${base()}/${fx.directoryId}`)).body);
  expect(text).not.toMatch(/PRIVATE KEY|secret/i);
  const [row] = await t.deps.ds.query(`SELECT secret_encrypted, config::text AS config FROM directories WHERE id = $1`, [fx.directoryId]);
  expect(row.secret_encrypted).toMatch(/^v1\./);
  expect(row.secret_encrypted + row.config).not.toContain("PRIVATE KEY");
});

it("Admins read and may sync; only Owners create, change, delete; Members see nothing", async () => {
  expect((await admin.post(base(), { type: "google", serviceAccountKey: fx.key, adminEmail: fx.email("admin") })).body.error.code).toBe("directory.owner_required");
  expect((await admin.patch(`${base()}/${fx.directoryId}`, { intervalMinutes: 5 })).status).toBe(403);
  expect((await admin.delete(`${base()}/${fx.directoryId}`)).status).toBe(403);
  t.deps.httpsAgent = fx.google.agent();
  expect((await admin.post(`${base()}/${fx.directoryId}/sync`)).body.status).toBe("applied");
  expect((await member.get(base())).status).toBe(403);
  const p = await fx.owner.patch(`${base()}/${fx.directoryId}`, { intervalMinutes: 30, orgUnits: ["/Sales"] });
  expect(p.body).toMatchObject({ intervalMinutes: 30, orgUnits: ["/Sales"] });
});

it("bad input gets a clear error and changes nothing", async () => {
  const other = await createOrg(t, "enterprise");
  const bad = async (body: Record<string, unknown>) => (await other.owner.post(`/api/orgs/${other.orgId}/directories`, body)).body.error;
  expect((await bad({ type: "google", serviceAccountKey: "{not json", adminEmail: "a@b.test" })).fields[0]).toEqual({ field: "serviceAccountKey", message: expect.stringMatching(/not JSON/) });
  expect((await bad({ type: "google", serviceAccountKey: { ...fx.key, type: "authorized_user" }, adminEmail: "a@b.test" })).fields[0].field).toBe("serviceAccountKey.type");
  expect((await bad({ type: "google", serviceAccountKey: fx.key, adminEmail: "a@b.test", apiRoot: "http://127.0.0.1:1" })).fields[0].field).toBe("apiRoot");
  expect((await bad({ type: "google", serviceAccountKey: { ...fx.key, token_uri: "http://evil.test/token" }, adminEmail: "a@b.test" })).fields[0].field).toBe("serviceAccountKey.token_uri");
  expect((await other.owner.get(`/api/orgs/${other.orgId}/directories`)).body.directories).toEqual([]);
  expect((await other.owner.get(`/api/orgs/${other.orgId}/directories/${fx.directoryId}`)).status).toBe(404);
  expect((await other.owner.post(`/api/orgs/${other.orgId}/directories/${fx.directoryId}/sync`)).status).toBe(404);
});

it("is Enterprise only", async () => {
  const pro = await createOrg(t, "pro");
  const r = await pro.owner.post(`/api/orgs/${pro.orgId}/directories`, { type: "google", serviceAccountKey: fx.key, adminEmail: "a@b.test" });
  expect(r.status).toBe(403);
  expect(r.body.error.code).toBe("plan.enterprise_required");
});

it("an Owner can verify the org's pending domains from Google's own (verified) domain list", async () => {
  const extra = `extra-${Date.now().toString(36)}.test`;
  const other = `unlisted-${Date.now().toString(36)}.test`;
  for (const domain of [extra, other]) expect((await fx.owner.post(`/api/orgs/${fx.orgId}/domains`, { domain })).status).toBe(201);
  fx.google.domains.push({ domainName: extra, verified: true, isPrimary: false }, { domainName: other, verified: false, isPrimary: false });
  expect((await admin.post(`${base()}/${fx.directoryId}/verify-domains`)).status).toBe(403);
  t.deps.httpsAgent = fx.google.agent();
  const r = await fx.owner.post(`${base()}/${fx.directoryId}/verify-domains`);
  expect(r.body).toMatchObject({ verified: expect.any(Array) });
  expect(r.body.verified.map((d: { domain: string }) => d.domain)).toEqual([extra]);
  expect(r.body.notListed).toEqual([other]);
  const [ev] = await t.deps.ds.query(`SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'org_domain.verified' AND target->>'name' = $2`, [fx.orgId, extra]);
  expect(ev.metadata.method).toBe("google_workspace");
});

it("the schedule syncs each directory once per interval", async () => {
  t.deps.httpsAgent = fx.google.agent();
  await t.deps.ds.query(`UPDATE directories SET next_sync_at = $2 WHERE id = $1`, [fx.directoryId, t.clock.now()]);
  const a = startDirectoryScheduler(t.deps, { autostart: false, instance: "a" });
  const b = startDirectoryScheduler(t.deps, { autostart: false, instance: "b" });
  const ran = await Promise.all([a.tick(), b.tick()]);
  expect(ran[0] + ran[1]).toBe(1);
  expect(await a.tick()).toBe(0);
  const [{ next }] = await t.deps.ds.query(`SELECT next_sync_at AS next FROM directories WHERE id = $1`, [fx.directoryId]);
  expect(new Date(next).getTime() - t.clock.now().getTime()).toBeGreaterThan(29 * 60_000); // intervalMinutes is 30 now
  await t.deps.ds.query(`UPDATE directories SET next_sync_at = now() - interval '1 second' WHERE id = $1`, [fx.directoryId]);
  expect(await b.tick()).toBe(1);
  const rows = await t.deps.ds.query(`SELECT status FROM directory_syncs WHERE directory_id = $1 AND trigger = 'schedule'`, [fx.directoryId]);
  expect(rows).toEqual([{ status: "applied" }, { status: "applied" }]);
  await a.stop();
  await b.stop();
});

it("deleting the directory keeps its members (they become manual again)", async () => {
  const before = (await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1`, [fx.orgId]))[0].n;
  expect((await fx.owner.delete(`${base()}/${fx.directoryId}`)).status).toBe(204);
  expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1`, [fx.orgId]))[0].n).toBe(before);
  const [ev] = await t.deps.ds.query(`SELECT action FROM audit_events WHERE org_id = $1 AND action = 'directory.deleted'`, [fx.orgId]);
  expect(ev).toBeDefined();
});
