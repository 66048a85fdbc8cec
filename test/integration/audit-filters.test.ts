/**
 * Audit log: filter by the person affected and by a time range; CSV export with the same
 * filters, streamed across many pages, safe to open in a spreadsheet; cursors that do not skip
 * events sharing one timestamp (one transaction writes many).
 */
import { startTestApp, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, uniqueEmail, type OrgFixture } from "../support/actors";
import { recordAudit } from "../../src/audit/audit-log";
import { SYSTEM_CTX } from "../../src/context";

let t: TestApp;
let fx: OrgFixture;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  fx = await createOrg(t, "pro");
  base = `/api/orgs/${fx.orgId}/audit-events`;
});
afterAll(() => t.close());

/** Parses the CSV this app writes (every cell quoted, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\"" && text[i + 1] === "\"") { cell += "\""; i++; } else if (c === "\"") quoted = false; else cell += c;
    } else if (c === "\"") quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; } else if (c === "\r" && text[i + 1] === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; i++; } else cell += c;
  }
  return rows;
}

it("filters by the person affected (email or member id), including events that name them only by id", async () => {
  const email = uniqueEmail("affected");
  const m = await addMemberViaInvite(t, fx, email, "member");
  await fx.owner.patch(`/api/orgs/${fx.orgId}/members/${m.memberId}`, { role: "admin" }).expect(200);
  await t.deps.ds.transaction((tx) => recordAudit(tx, SYSTEM_CTX, { orgId: fx.orgId, action: "member.change_refused", target: { type: "member", id: m.memberId } }));
  const byEmail = (await fx.owner.get(`${base}?affected=${encodeURIComponent(email.toUpperCase())}`).expect(200)).body.events;
  const actions = byEmail.map((e: { action: string }) => e.action);
  expect(actions).toEqual(expect.arrayContaining(["invitation.created", "invitation.accepted", "member.role_changed", "member.change_refused"]));
  expect(byEmail.every((e: { action: string }) => e.action !== "org.created")).toBe(true);
  const byId = (await fx.owner.get(`${base}?affected=${m.memberId}`).expect(200)).body.events.map((e: { action: string }) => e.action);
  expect(byId).toEqual(expect.arrayContaining(["member.role_changed", "member.change_refused", "invitation.accepted"]));
  expect((await fx.owner.get(`${base}?affected=nobody@example.test`).expect(200)).body.events).toEqual([]);
});

it("filters by a time range: from inclusive, to exclusive, days or instants; refuses an end before the start in words", async () => {
  const now = Date.now();
  const all = (await fx.owner.get(`${base}?limit=200`).expect(200)).body.events.length;
  expect(all).toBeGreaterThan(0);
  expect((await fx.owner.get(`${base}?from=${new Date(now + 3600_000).toISOString()}`).expect(200)).body.events).toEqual([]);
  expect((await fx.owner.get(`${base}?to=2000-01-01`).expect(200)).body.events).toEqual([]);
  expect((await fx.owner.get(`${base}?from=2000-01-01&to=${new Date(now + 3600_000).toISOString()}&limit=200`).expect(200)).body.events.length).toBe(all);
  const bad = await fx.owner.get(`${base}?from=2026-02-02&to=2026-01-01`).expect(400);
  expect(bad.body.error.message).toBe("End date must be after the start date.");
  const garbage = await fx.owner.get(`${base}?from=yesterday`).expect(400);
  expect(garbage.body.error.message).toBe("Start date must be a date like 2026-11-30 or a date and time like 2026-11-30T09:00:00Z.");
  await fx.owner.get(`${base}?from=2026-02-30`).expect(400);
});

it("pages through many events written in one transaction without skipping or repeating any", async () => {
  const other = await createOrg(t, "pro", "Bulkco");
  await t.deps.ds.transaction(async (tx) => {
    for (let i = 0; i < 23; i++) await recordAudit(tx, SYSTEM_CTX, { orgId: other.orgId, action: "bulk.test", metadata: { i } });
  });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { events: Array<{ id: string }>; nextCursor: string | null } = (await other.owner.get(`/api/orgs/${other.orgId}/audit-events?action=bulk.test&limit=5${cursor ? `&cursor=${cursor}` : ""}`).expect(200)).body;
    seen.push(...page.events.map((e: { id: string }) => e.id));
    cursor = page.nextCursor;
  } while (cursor);
  expect(seen).toHaveLength(23);
  expect(new Set(seen).size).toBe(23);
});

it("exports every matching event as CSV over many pages, formula cells defused, only with audit.read", async () => {
  const o = await createOrg(t, "pro", "Csvco");
  await t.deps.ds.transaction(async (tx) => {
    for (let i = 0; i < 1203; i++) {
      await recordAudit(tx, { actor: { type: "user", id: null, name: i === 0 ? "=HYPERLINK(\"http://evil.test\",\"x\")" : `User ${i}`, email: `u${i}@x.test` } },
        { orgId: o.orgId, action: "csv.test", target: { type: "member", name: "@SUM(1+1)", email: "+cmd@x.test" }, metadata: { note: "a \"quoted\", value" } });
    }
  });
  const r = await o.owner.get(`/api/orgs/${o.orgId}/audit-events/export.csv?action=csv.test`).buffer(true).parse((res, cb) => {
    let s = ""; res.setEncoding("utf8"); res.on("data", (c: string) => { s += c; }); res.on("end", () => cb(null, s));
  }).expect(200);
  expect(r.headers["content-type"]).toMatch(/^text\/csv/);
  expect(r.headers["content-disposition"]).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
  const rows = parseCsv(r.body as string);
  expect(rows[0]).toEqual(["time", "action", "actor_type", "actor_name", "actor_email", "actor_id", "target_type", "target_name", "target_email", "target_id", "details", "ip", "request_id"]);
  expect(rows).toHaveLength(1 + 1203);
  const evil = rows.find((row) => row[3]!.includes("HYPERLINK"))!;
  expect(evil[3]).toBe("'=HYPERLINK(\"http://evil.test\",\"x\")");
  expect(evil[7]).toBe("'@SUM(1+1)");
  expect(evil[8]).toBe("'+cmd@x.test");
  expect(JSON.parse(evil[10]!)).toEqual({ note: "a \"quoted\", value" });
  expect(rows.slice(1).every((row) => !/^[=+\-@]/.test(row.join("")))).toBe(true);

  await o.owner.get(`/api/orgs/${o.orgId}/audit-events/export.csv?from=nope`).expect(400);
  const member = await addMemberViaInvite(t, o, uniqueEmail("csvmember"), "member");
  await member.client.get(`/api/orgs/${o.orgId}/audit-events/export.csv`).expect(403);
  await fx.owner.get(`/api/orgs/${o.orgId}/audit-events/export.csv`).expect(404);
});
