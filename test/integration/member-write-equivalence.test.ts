/**
 * One write path, two shapes (issue 14): every SCIM scenario run through the single-row member
 * service (provisionMember / writeIdpFields + applyStatus, as the SCIM handlers' general path)
 * in one org, and through the set-based operations (createIdpMembers / replaceIdpMembers, what
 * the SCIM fast path and bulk callers use; all creates in one call) in a twin org, must leave
 * the same membership rows, accounts, conversations, audit events and emails.
 */
import type { EntityManager } from "typeorm";
import { startTestApp, type TestApp } from "../support/app";
import { createOrg } from "../support/actors";
import { SYSTEM_CTX, type Ctx } from "../../src/context";
import { addDomain } from "../../sso/domains.service";
import { applyRemoval, applyRoleChange, applyStatus, findMember, lockOrg } from "../../src/members/member.service";
import { changeRolesBulk, createIdpMembers, removeMembersBulk, replaceIdpMembers, writeIdpFields, type IdpMemberInput } from "../../src/members/member.bulk";
import { provisionMember } from "../../src/members/provision";
import { insertUser } from "../../src/accounts/users";
import type { Membership, ScimUserAttributes } from "../../entities";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const IDP: Ctx = { actor: { type: "scim", id: "00000000-0000-4000-8000-000000000001", name: "Equivalence IdP" }, ip: "203.0.113.9", requestId: "req-eq" };

interface Twin { orgId: string; tag: string }

async function twin(tag: string): Promise<Twin> {
  const { orgId } = await createOrg(t, "enterprise", `Eq ${tag}`);
  await addDomain(t.deps, SYSTEM_CTX, orgId, `${tag}.test`, { verified: true });
  await insertUser(t.deps.ds.manager, { email: `linked@${tag}.test`, name: "Linked Person" });
  const [{ id: botId }] = await t.deps.ds.query(`INSERT INTO chatbots (org_id, name) VALUES ($1, 'Help') RETURNING id`, [orgId]);
  await t.deps.ds.query(`DELETE FROM audit_events WHERE org_id = $1`, [orgId]); // setup noise
  return Object.assign({ orgId, tag }, { botId }) as Twin & { botId: string };
}

const attrs = (n: string): ScimUserAttributes => ({ displayName: `Person ${n}`, name: { givenName: "Person", familyName: n }, emails: [{ value: `${n}@x.test`, primary: true }] });

/** The create scenarios, for an org's domain: new account, suspended, existing account, no email, an account already a SCIM user here. */
function creates(tag: string): IdpMemberInput[] {
  const base = (n: string, email: string | null, extra: Partial<IdpMemberInput> = {}): IdpMemberInput => ({
    userName: `${n}@${tag}.test`, externalId: `ext-${n}`, attributes: attrs(n), scimRole: null, role: "member", active: true,
    email, name: `Person ${n}`, auditMetadata: { userName: `${n}@${tag}.test` }, ...extra });
  return [
    base("new", `new@${tag}.test`),
    base("asleep", `asleep@${tag}.test`, { active: false }),
    base("linked", `linked@${tag}.test`),
    base("noemail", null),
    base("admin", `admin@${tag}.test`, { scimRole: "admin", role: "admin" }),
    base("again", `new@${tag}.test`), // the account of "new" is already a SCIM user here: an inert account of its own
  ];
}

async function singleRowCreate(tx: EntityManager, orgId: string, i: IdpMemberInput): Promise<void> {
  const org = await lockOrg(tx, orgId);
  const [here] = i.email ? await tx.query(`SELECT m.id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND lower(u.email) = $2`, [orgId, i.email]) : [];
  await provisionMember(t.deps, tx, IDP, org, {
    email: here ? null : i.email, name: i.name, role: i.role, source: "scim",
    scim: { userName: i.userName, externalId: i.externalId, attributes: i.attributes, active: i.active, scimRole: i.scimRole },
    auditMetadata: i.auditMetadata,
  }, "scim");
}

/** Inside a transaction, pass it: PGlite has one connection, so a read outside it would wait forever. */
const memberByName = async (orgId: string, userName: string, db: EntityManager = t.deps.ds.manager): Promise<Membership> => {
  const [{ id }] = await db.query(`SELECT id FROM memberships WHERE org_id = $1 AND scim_user_name = $2`, [orgId, userName]);
  return findMember(db, orgId, id);
};

interface Replace { userName: string; active: boolean; displayName?: string }

async function singleRowReplace(orgId: string, r: Replace): Promise<void> {
  await t.deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const m = await memberByName(orgId, r.userName, tx);
    await writeIdpFields(tx, m, { userName: m.scimUserName!, externalId: m.externalId, attributes: { ...m.scimAttributes, displayName: r.displayName ?? m.scimAttributes?.displayName }, scimRole: m.scimRole });
    await applyStatus(t.deps, tx, IDP, org, m, r.active ? "active" : "suspended", "scim");
  });
}

async function setReplace(orgId: string, rs: Replace[]): Promise<void> {
  const changes = await Promise.all(rs.map(async (r) => {
    const m = await memberByName(orgId, r.userName);
    return { current: m, next: { userName: m.scimUserName!, externalId: m.externalId, attributes: { ...m.scimAttributes, displayName: r.displayName ?? m.scimAttributes?.displayName }, active: r.active } };
  }));
  const rows = await replaceIdpMembers(t.deps.ds.manager, IDP, orgId, changes, "scim");
  expect(rows).toHaveLength(rs.length);
}

/** What an org's state looks like with ids, times and the org's tag taken out. */
async function state(o: Twin) {
  const clean = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(o.tag, "TAG")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(@(?:scim|pending)\.roster\.invalid)/g, "UUID$1"));
  const members = await t.deps.ds.query(`SELECT m.role, m.status, m.source, m.scim_user_name, m.external_id, m.scim_attributes, m.scim_role,
      m.pending_email, u.email, u.name, u.email_verified, (SELECT count(*)::int FROM conversations c WHERE c.assignee_membership_id = m.id) AS assigned
    FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.scim_user_name IS NOT NULL ORDER BY m.scim_user_name`, [o.orgId]);
  const ids: Array<{ id: string; scim_user_name: string }> = await t.deps.ds.query(`SELECT id, scim_user_name FROM memberships WHERE org_id = $1`, [o.orgId]);
  const nameOf = new Map(ids.map((r) => [r.id, r.scim_user_name]));
  const events = (await t.deps.ds.query(`SELECT action, actor, target, metadata, ip, request_id FROM audit_events WHERE org_id = $1`, [o.orgId]))
    .map((e: { target: { id?: string } | null }) => ({ ...e, target: e.target && { ...e.target, id: nameOf.get(e.target.id ?? "") ?? (e.target.id ? "removed" : e.target.id) } }))
    .sort((a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const emails = await t.deps.ds.query(`SELECT to_address, kind, subject FROM email_messages WHERE org_id = $1 ORDER BY to_address, kind`, [o.orgId]);
  const queue = await t.deps.ds.query(`SELECT status, count(*)::int AS n FROM conversations WHERE org_id = $1 GROUP BY status ORDER BY status`, [o.orgId]);
  await t.deps.ds.query(`SELECT assign_scim_positions($1)`, [o.orgId]); // as the next SCIM list would
  const counts = await t.deps.ds.query(`SELECT scim_users, scim_gaps FROM org_member_counts WHERE org_id = $1`, [o.orgId]);
  return clean({ members, events, emails, queue, counts });
}

it("creates, replaces, suspends and restores the same way one at a time and as a set", async () => {
  const one = await twin("single");
  const set = await twin("setbased");

  // Creates: one transaction per member vs one statement for all of them.
  for (const i of creates(one.tag)) await t.deps.ds.transaction((tx) => singleRowCreate(tx, one.orgId, i));
  const outcomes = await createIdpMembers(t.deps.ds.manager, IDP, set.orgId, creates(set.tag).slice(0, 5), "scim");
  expect(outcomes.map((o) => o.outcome)).toEqual(Array(5).fill("created"));
  // "again" needs "new" to exist first (a set's inputs have distinct emails).
  expect((await createIdpMembers(t.deps.ds.manager, IDP, set.orgId, creates(set.tag).slice(5), "scim")).map((o) => o.outcome)).toEqual(["created"]);
  expect(await state(set)).toEqual(await state(one));

  // Conversations assigned to two members, then: a rename, suspensions (requeue), a restore.
  for (const o of [one, set] as Array<Twin & { botId?: string }>) {
    const { botId } = o as Twin & { botId: string };
    for (const n of ["new", "admin", "admin"]) {
      const m = await memberByName(o.orgId, `${n}@${o.tag}.test`);
      await t.deps.ds.query(`INSERT INTO conversations (org_id, chatbot_id, subject, status, assignee_membership_id) VALUES ($1, $2, 'Help', 'assigned', $3)`, [o.orgId, botId, m.id]);
    }
  }
  const replaces = (tag: string): Replace[] => [
    { userName: `new@${tag}.test`, active: false },
    { userName: `admin@${tag}.test`, active: false, displayName: "Renamed Admin" },
    { userName: `asleep@${tag}.test`, active: true },
    { userName: `linked@${tag}.test`, active: true, displayName: "Linked Renamed" },
  ];
  for (const r of replaces(one.tag)) await singleRowReplace(one.orgId, r);
  await setReplace(set.orgId, replaces(set.tag));
  const after = await state(one);
  expect(await state(set)).toEqual(after);
  expect(after.queue).toEqual([{ status: "queued", n: 3 }]);
  expect(after.events.filter((e: { action: string }) => e.action === "member.suspended").map((e: { metadata: unknown }) => e.metadata))
    .toEqual(expect.arrayContaining([{ via: "scim", role: "admin", conversationsRequeued: 2 }, { via: "scim", role: "member", conversationsRequeued: 1 }]));
});

it("a pending member (address outside the verified domains) is suspended the same way: its event names the address it waits for", async () => {
  const outcomes: string[] = [];
  const twins = [await twin("pend1"), await twin("pend2")];
  for (const o of twins) {
    const [r] = await createIdpMembers(t.deps.ds.manager, IDP, o.orgId, [{ ...creates(o.tag)[0], userName: `p@${o.tag}.test`, email: `p@elsewhere-${o.tag}.test` }], "scim");
    outcomes.push(r.outcome);
    await t.deps.ds.transaction(async (tx) => {
      const org = await lockOrg(tx, o.orgId);
      await provisionMember(t.deps, tx, IDP, org, { email: `p@elsewhere-${o.tag}.test`, name: "P", role: "member", source: "scim",
        scim: { userName: `p@${o.tag}.test`, externalId: null, attributes: {}, active: true, scimRole: null }, auditMetadata: { userName: `p@${o.tag}.test` } }, "scim");
    });
  }
  expect(outcomes).toEqual(["pending", "pending"]); // nothing written: the join link is provisionMember's
  await singleRowReplace(twins[0].orgId, { userName: `p@${twins[0].tag}.test`, active: false });
  await setReplace(twins[1].orgId, [{ userName: `p@${twins[1].tag}.test`, active: false }]);
  const [a, b] = [await state(twins[0]), await state(twins[1])];
  expect(b).toEqual(a);
  expect(a.events.find((e: { action: string }) => e.action === "member.suspended").target.email).toBe("p@elsewhere-TAG.test");
});

it("re-roles and removes the same way one at a time and as a set, emails included", async () => {
  const one = await twin("rr1");
  const set = await twin("rr2");
  for (const o of [one, set]) await createIdpMembers(t.deps.ds.manager, IDP, o.orgId, creates(o.tag).slice(0, 5), "scim");
  await t.deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, one.orgId);
    await applyRoleChange(t.deps, tx, IDP, org, await memberByName(one.orgId, `new@${one.tag}.test`, tx), "admin", "scim");
    await applyRoleChange(t.deps, tx, IDP, org, await memberByName(one.orgId, `admin@${one.tag}.test`, tx), "member", "scim");
    await applyRemoval(t.deps, tx, IDP, org, await memberByName(one.orgId, `linked@${one.tag}.test`, tx), "scim");
    await applyRemoval(t.deps, tx, IDP, org, await memberByName(one.orgId, `noemail@${one.tag}.test`, tx), "scim");
  });
  await t.deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, set.orgId);
    const id = async (n: string) => (await memberByName(set.orgId, `${n}@${set.tag}.test`, tx)).id;
    expect(await changeRolesBulk(t.deps, tx, IDP, org, [{ id: await id("new"), role: "admin" }, { id: await id("admin"), role: "member" }], "scim")).toEqual([]);
    expect(await removeMembersBulk(t.deps, tx, IDP, org, [await id("linked"), await id("noemail")], "scim")).toEqual([]);
  });
  const a = await state(one);
  expect(await state(set)).toEqual(a);
  expect(a.emails.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(["member.role_changed", "member.removed"]));
});
