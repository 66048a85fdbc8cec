/** SCIM /Groups: Entra and Okta group flows, membership in SQL, big groups, isolation, concurrent PATCHes. */
import { randomUUID } from "node:crypto";
import { startTestApp, type TestApp } from "../support/app";
import { CORE_GROUP, entraUser, expectScimError, scimOrg, type ScimOrg } from "../support/scim";

let t: TestApp;
let a: ScimOrg;
beforeAll(async () => {
  t = await startTestApp();
  a = await scimOrg(t, "Groupco");
});
afterAll(() => t.close());

const newUser = async (o: ScimOrg, userName: string) => {
  const r = await o.scim.post("/Users", entraUser(userName));
  if (r.status !== 201) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
};
const newGroup = async (o: ScimOrg, displayName: string, members: string[] = []) => {
  const r = await o.scim.post("/Groups", { schemas: [CORE_GROUP], displayName, members: members.map((value) => ({ value })) });
  if (r.status !== 201) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
};
const memberIds = async (o: ScimOrg, gid: string) => ((await o.scim.get(`/Groups/${gid}`).expect(200)).body.members ?? []).map((m: any) => m.value).sort();
const q = (f: string) => encodeURIComponent(f);

describe("Entra ID group flow", () => {
  it("creates, finds, renames, adds and removes members (both styles), checks membership by query, deletes", async () => {
    const [u1, u2, u3] = [await newUser(a, "g1@corp.test"), await newUser(a, "g2@corp.test"), await newUser(a, "g3@corp.test")];
    expect((await a.scim.get(`/Groups?excludedAttributes=members&filter=${q('displayName eq "Sales"')}`).expect(200)).body.totalResults).toBe(0);
    const c = await a.scim.post("/Groups", {
      schemas: [CORE_GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
      externalId: "e-sales", displayName: "Sales", meta: { resourceType: "Group" },
    }).expect(201);
    const gid = c.body.id;
    expect(c.headers.location).toBe(`http://roster.test/scim/v2/Groups/${gid}`);
    expect(c.body).toMatchObject({ schemas: [CORE_GROUP], displayName: "Sales", externalId: "e-sales", members: [] });
    const g = await a.scim.get(`/Groups/${gid}?excludedAttributes=members`).expect(200);
    expect(g.body.members).toBeUndefined();
    await a.scim.patchOps(`/Groups/${gid}`, { op: "Replace", path: "displayName", value: "Sales EMEA" }).expect(204);
    await a.scim.patchOps(`/Groups/${gid}`, { op: "Add", path: "members", value: [{ value: u1, $ref: null }, { value: u2 }, { value: u3 }] }).expect(204);
    expect(await memberIds(a, gid)).toEqual([u1, u2, u3].sort());
    await a.scim.patchOps(`/Groups/${gid}`, { op: "Remove", path: "members", value: [{ value: u1 }] }).expect(204);
    await a.scim.patchOps(`/Groups/${gid}`, { op: "Remove", path: `members[value eq "${u2}"]` }).expect(204);
    expect(await memberIds(a, gid)).toEqual([u3]);
    const isIn = async (u: string) => (await a.scim.get(`/Groups?excludedAttributes=members&filter=${q(`id eq "${gid}" and members[value eq "${u}"]`)}`).expect(200)).body.totalResults;
    expect(await isIn(u3)).toBe(1);
    expect(await isIn(u1)).toBe(0);
    const f = await a.scim.get(`/Groups?excludedAttributes=members&filter=${q('displayName eq "sales emea"')}`).expect(200);
    expect(f.body.Resources).toEqual([expect.objectContaining({ id: gid, displayName: "Sales EMEA" })]);
    expect(f.body.Resources[0].members).toBeUndefined();
    await a.scim.delete(`/Groups/${gid}`).expect(204);
    expectScimError((await a.scim.get(`/Groups/${gid}`).expect(404)).body, 404);
    await a.scim.get(`/Users/${u3}`).expect(200);
  });
});

describe("Okta group push", () => {
  it("removes and adds in one PATCH, renames path-less with id, replaces members, and PUTs", async () => {
    const [u1, u2, u3] = [await newUser(a, "o1@corp.test"), await newUser(a, "o2@corp.test"), await newUser(a, "o3@corp.test")];
    const gid = await newGroup(a, "Okta Pushed", [u1]);
    await a.scim.patchOps(`/Groups/${gid}`,
      { op: "remove", path: `members[value eq "${u1}"]` },
      { op: "add", path: "members", value: [{ value: u2, display: "o2" }, { value: u3, display: "o3" }] }).expect(204);
    expect(await memberIds(a, gid)).toEqual([u2, u3].sort());
    await a.scim.patchOps(`/Groups/${gid}`, { op: "replace", value: { id: gid, displayName: "Okta Renamed" } }).expect(204);
    await a.scim.patchOps(`/Groups/${gid}`, { op: "replace", path: "members", value: [{ value: u1 }] }).expect(204);
    expect(await memberIds(a, gid)).toEqual([u1]);
    const p = await a.scim.patch(`/Groups/${gid}?excludedAttributes=members`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: [{ value: u2 }] }] }).expect(200);
    expect(p.body).toMatchObject({ id: gid, displayName: "Okta Renamed" });
    expect(p.body.members).toBeUndefined();
    const put = await a.scim.put(`/Groups/${gid}`, { schemas: [CORE_GROUP], id: gid, displayName: "Okta PUT", members: [{ value: u3 }] }).expect(200);
    expect(put.body.members.map((m: any) => m.value)).toEqual([u3]);
    expect(put.body.members[0]).toEqual({ value: u3, display: "o3@corp.test", $ref: `http://roster.test/scim/v2/Users/${u3}`, type: "User" });
    await a.scim.patchOps(`/Groups/${gid}`, { op: "remove", path: "members" }).expect(204);
    expect(await memberIds(a, gid)).toEqual([]);
  });

  it("lists groups with paging and members, and keeps displayName unique case-insensitively", async () => {
    await newGroup(a, "Unique Name");
    const r = await a.scim.post("/Groups", { schemas: [CORE_GROUP], displayName: "unique name" }).expect(409);
    expectScimError(r.body, 409, "uniqueness");
    const other = await newGroup(a, "Another");
    expectScimError((await a.scim.patchOps(`/Groups/${other}`, { op: "replace", path: "displayName", value: "UNIQUE NAME" }).expect(409)).body, 409, "uniqueness");
    const list = await a.scim.get("/Groups?startIndex=1&count=1").expect(200);
    expect(list.body.itemsPerPage).toBe(1);
    expect(list.body.totalResults).toBeGreaterThanOrEqual(2);
    expect(Array.isArray(list.body.Resources[0].members)).toBe(true);
  });

  it("rejects bad member values and removing displayName, never 500", async () => {
    const gid = await newGroup(a, "Strict");
    for (const value of ["string id 1", [{ value: randomUUID() }], [{ value: 5 }]]) {
      const r = await a.scim.patchOps(`/Groups/${gid}`, { op: "add", path: "members", value }).expect(400);
      expectScimError(r.body, 400, "invalidValue");
    }
    expectScimError((await a.scim.patchOps(`/Groups/${gid}`, { op: "remove", path: "displayName" }).expect(400)).body, 400, "mutability");
    expectScimError((await a.scim.post("/Groups", { schemas: [CORE_GROUP] }).expect(400)).body, 400, "invalidValue");
    expectScimError((await a.scim.get(`/Groups?filter=${q('members[display eq "x"]')}`).expect(400)).body, 400, "invalidFilter");
  });
});

describe("tenant isolation (SCIM-04)", () => {
  it("cannot read another org's group nor add another org's user to its own group", async () => {
    const b = await scimOrg(t, "OtherGroups");
    const ub = await newUser(b, "bob@b.test");
    const ga = await newGroup(a, "Isolated");
    const gb = await newGroup(b, "B group", [ub]);
    expect((await b.scim.get(`/Groups/${ga}`)).status).toBe(404);
    expect((await b.scim.patchOps(`/Groups/${ga}`, { op: "add", path: "members", value: [{ value: ub }] })).status).toBe(404);
    expect((await b.scim.delete(`/Groups/${ga}`)).status).toBe(404);
    const r = await a.scim.patchOps(`/Groups/${ga}`, { op: "add", path: "members", value: [{ value: ub }] }).expect(400);
    expectScimError(r.body, 400, "invalidValue");
    expect((await a.scim.post("/Groups", { schemas: [CORE_GROUP], displayName: "Sneaky", members: [{ value: ub }] })).status).toBe(400);
    expect(await memberIds(a, ga)).toEqual([]);
    expect((await a.scim.get(`/Groups?filter=${q(`members[value eq "${ub}"]`)}`).expect(200)).body.totalResults).toBe(0);
    expect((await a.scim.get(`/Groups?filter=${q('displayName eq "B group"')}`).expect(200)).body.totalResults).toBe(0);
    expect(await memberIds(b, gb)).toEqual([ub]);
  });
});

describe("concurrency and size", () => {
  it("parallel PATCHes adding different members to one group lose none", async () => {
    const o = await scimOrg(t, "Parallel");
    const users = [];
    for (let i = 0; i < 12; i++) users.push(await newUser(o, `par${i}@corp.test`));
    const gid = await newGroup(o, "Everyone");
    const rs = await Promise.all(users.map((u) => o.scim.patchOps(`/Groups/${gid}`, { op: "add", path: "members", value: [{ value: u }] })));
    expect(rs.map((r) => r.status)).toEqual(Array(12).fill(204));
    expect(await memberIds(o, gid)).toEqual([...users].sort());
  });

  it("changes one member of a 10,000-member group with a PATCH of that member only", async () => {
    const o = await scimOrg(t, "Big");
    await t.deps.ds.query(`INSERT INTO users (email) SELECT 'big' || i || '@big.test' FROM generate_series(1, 10000) i`);
    await t.deps.ds.query(`INSERT INTO memberships (org_id, user_id, role, source, scim_user_name)
      SELECT $1, u.id, 'member', 'scim', u.email FROM users u WHERE u.email LIKE '%@big.test'`, [o.orgId]);
    const gid = await newGroup(o, "Huge");
    await t.deps.ds.query(`INSERT INTO scim_group_members (group_id, membership_id, org_id) SELECT $1, id, $2 FROM memberships WHERE org_id = $2 AND scim_user_name IS NOT NULL`, [gid, o.orgId]);
    const extra = await newUser(o, "newcomer@corp.test");
    const [{ id: someone }] = await t.deps.ds.query(`SELECT id FROM memberships WHERE org_id = $1 AND scim_user_name = 'big77@big.test'`, [o.orgId]);
    await o.scim.patchOps(`/Groups/${gid}`,
      { op: "add", path: "members", value: [{ value: extra }] },
      { op: "remove", path: `members[value eq "${someone}"]` }).expect(204);
    const has = async (u: string) => (await o.scim.get(`/Groups?excludedAttributes=members&filter=${q(`id eq "${gid}" and members[value eq "${u}"]`)}`).expect(200)).body.totalResults;
    expect(await has(extra)).toBe(1);
    expect(await has(someone)).toBe(0);
    const g = await o.scim.get(`/Groups/${gid}?excludedAttributes=members`).expect(200);
    expect(g.body.members).toBeUndefined();
    const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM scim_group_members WHERE group_id = $1`, [gid]);
    expect(n).toBe(10000);
    const users = await o.scim.get("/Users?startIndex=9990&count=100").expect(200);
    expect(users.body).toMatchObject({ totalResults: 10001, itemsPerPage: 12 });
  });
});
