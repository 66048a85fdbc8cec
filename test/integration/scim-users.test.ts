/** SCIM /Users over HTTP: auth, discovery, IdP shapes and quirks, filters and paging in SQL, errors, tenant isolation, concurrency. */
import request from "supertest";
import { startTestApp, type TestApp } from "../support/app";
import { CORE_USER, ENTERPRISE_USER, LIST, ScimClient, entraUser, expectScimError, scimOrg, type ScimOrg } from "../support/scim";
import { RateLimiter } from "../../src/http/rate-limit";
import { revokeScimToken } from "../../src/scim-tokens/scim-token.service";
import { SYSTEM_CTX } from "../../src/context";
import { uniqueEmail } from "../support/actors";
import { COMMANDS } from "../../src/cli/commands";

let t: TestApp;
let a: ScimOrg;
beforeAll(async () => {
  t = await startTestApp();
  a = await scimOrg(t, "Alpha");
});
afterAll(() => t.close());

const post = async (o: ScimOrg, body: Record<string, unknown>) => {
  const r = await o.scim.post("/Users", body);
  if (r.status !== 201) throw new Error(`POST /Users: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, any>;
};

describe("authentication", () => {
  it("answers a missing, wrong or revoked token with the same SCIM 401", async () => {
    const bodies = [];
    for (const auth of [undefined, "Bearer nope", "Basic abc", `Bearer ${a.token}x`]) {
      const req = request(t.app).get("/scim/v2/Users");
      const r = await (auth ? req.set("Authorization", auth) : req).expect(401);
      expect(r.headers["content-type"]).toMatch(/^application\/scim\+json/);
      expectScimError(r.body, 401);
      bodies.push(r.body);
    }
    const extra = await scimOrg(t, "Revoked");
    await revokeScimToken(t.deps, SYSTEM_CTX, extra.tokenId);
    const r = await extra.scim.get("/Users").expect(401);
    expect(new Set([...bodies, r.body].map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it("PUT, PATCH and the userName lookup (whose user is read with the token) refuse a token revoked a moment ago and change nothing", async () => {
    const o = await scimOrg(t, "RevokedWrite");
    const u = await post(o, entraUser("rw@corp.test"));
    await o.scim.patchOps(`/Users/${u.id}`, { op: "replace", path: "displayName", value: "Before" }).expect(204);
    await revokeScimToken(t.deps, SYSTEM_CTX, o.tokenId);
    for (const r of [await o.scim.patchOps(`/Users/${u.id}`, { op: "replace", path: "active", value: false }),
      await o.scim.put(`/Users/${u.id}`, entraUser("rw2@corp.test", { active: false })),
      await o.scim.get(`/Users?filter=${encodeURIComponent('userName eq "rw@corp.test"')}`)]) {
      expect(r.status).toBe(401);
      expectScimError(r.body, 401);
    }
    const [row] = await t.deps.ds.query(`SELECT status, scim_user_name, scim_attributes->>'displayName' AS dn FROM memberships WHERE id = $1`, [u.id]);
    expect(row).toEqual({ status: "active", scim_user_name: "rw@corp.test", dn: "Before" });
  });

  // POST /Users does not read a token this process has already authenticated (scim/auth.ts):
  // the create statement checks it again. Revoked through the service, as another instance would.
  it("POST refuses a token revoked a moment ago, after an earlier request used it, and creates nothing, whatever the body", async () => {
    // The common create (checked in its statement), an Owner and an address outside the org's
    // domains (other paths), a body without userName (an error answer). Each on its own token:
    // the first refusal makes this process forget the token.
    const bodies = [entraUser(uniqueEmail("second")), entraUser(uniqueEmail("boss"), { roles: [{ value: "owner" }] }),
      entraUser("elsewhere@not-verified.test"), { schemas: [CORE_USER], active: true }];
    for (const [i, body] of bodies.entries()) {
      const o = await scimOrg(t, `RevokedCreate${i}`);
      await o.owner.patch(`/api/orgs/${o.orgId}/provisioning-settings`, { idpManagedOwners: true }).expect(200); // the Owner body would pass
      await post(o, entraUser(uniqueEmail("first")));
      const members = async () => (await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1`, [o.orgId]))[0].n;
      const before = await members();
      await revokeScimToken(t.deps, SYSTEM_CTX, o.tokenId);
      const r = await o.scim.post("/Users", body);
      expect([i, r.status, r.body.detail]).toEqual([i, 401, "Missing, invalid or revoked bearer token."]);
      expect(await members()).toBe(before);
    }
  });

  // PUT and PATCH of a user this process created or read are not preceded by a read either.
  it("PUT and PATCH of a user this process knows refuse a token revoked a moment ago and change nothing, whatever the change", async () => {
    const changes: Array<[string, (o: ScimOrg, id: string) => request.Test]> = [
      ["suspend", (o, id) => o.scim.patchOps(`/Users/${id}`, { op: "replace", path: "active", value: false })],
      ["replace", (o, id) => o.scim.put(`/Users/${id}`, entraUser(uniqueEmail("put"), { active: false }))],
      ["rename to a taken userName", (o, id) => o.scim.patchOps(`/Users/${id}`, { op: "replace", path: "userName", value: "taken@corp.test" })],
      ["make Owner", (o, id) => o.scim.patchOps(`/Users/${id}`, { op: "add", path: "roles", value: [{ value: "owner" }] })],
      ["a bad op", (o, id) => o.scim.patchOps(`/Users/${id}`, { op: "remove", path: "nosuch" })],
    ];
    for (const [what, change] of changes) {
      const o = await scimOrg(t, `RevokedReplace ${what}`);
      await o.owner.patch(`/api/orgs/${o.orgId}/provisioning-settings`, { idpManagedOwners: true }).expect(200);
      await post(o, entraUser("taken@corp.test"));
      const u = await post(o, entraUser(uniqueEmail("known")));
      const state = async () => (await t.deps.ds.query(`SELECT status, role, scim_user_name, scim_attributes FROM memberships WHERE id = $1`, [u.id]))[0];
      const before = await state();
      await revokeScimToken(t.deps, SYSTEM_CTX, o.tokenId);
      const r = await change(o, u.id);
      expect([what, r.status, r.body.detail]).toEqual([what, 401, "Missing, invalid or revoked bearer token."]);
      expect(await state()).toEqual(before);
    }
  });

  it("PATCH of a user this process knows keeps what another instance changed since, and answers 404 for one it removed", async () => {
    const o = await scimOrg(t, "TwoInstances");
    const u = await post(o, entraUser(uniqueEmail("shared"), { displayName: "Seen here" }));
    // Another instance's PATCH (same tables, not this process's memory).
    await t.deps.ds.query(`UPDATE memberships SET scim_attributes = scim_attributes || '{"displayName":"Changed there"}', updated_at = now() WHERE id = $1`, [u.id]);
    await o.scim.patchOps(`/Users/${u.id}`, { op: "replace", path: "active", value: false }).expect(204);
    const [row] = await t.deps.ds.query(`SELECT status, scim_attributes->>'displayName' AS dn FROM memberships WHERE id = $1`, [u.id]);
    expect(row).toEqual({ status: "suspended", dn: "Changed there" });
    expect((await o.scim.get(`/Users/${u.id}`).expect(200)).body.displayName).toBe("Changed there");

    const gone = await post(o, entraUser(uniqueEmail("gone")));
    await t.deps.ds.query(`DELETE FROM memberships WHERE id = $1`, [gone.id]);
    expectScimError((await o.scim.patchOps(`/Users/${gone.id}`, { op: "replace", path: "active", value: false }).expect(404)).body, 404);
  });

  it("POST answers 403 once the org has left the Enterprise plan, after an earlier request used the token, and creates nothing", async () => {
    const o = await scimOrg(t, "Downgraded");
    await post(o, entraUser(uniqueEmail("first")));
    await t.deps.ds.query(`UPDATE organizations SET plan = 'pro' WHERE id = $1`, [o.orgId]);
    const r = await o.scim.post("/Users", entraUser(uniqueEmail("second"))).expect(403);
    expectScimError(r.body, 403);
    expect((await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1 AND scim_user_name IS NOT NULL`, [o.orgId]))[0].n).toBe(1);
  });

  it("refuses a token in the query string", async () => {
    await request(t.app).get(`/scim/v2/Users?access_token=${a.token}`).expect(401);
  });

  it("answers 403 for an org that is not on the Enterprise plan", async () => {
    const pro = await scimOrg(t, "Pro", "pro");
    const r = await pro.scim.get("/Users").expect(403);
    expectScimError(r.body, 403);
  });

  it("keeps lastUsedAt", async () => {
    await a.scim.get("/Users").expect(200);
    const [row] = await t.deps.ds.query(`SELECT last_used_at FROM scim_tokens WHERE id = $1`, [a.tokenId]);
    expect(row.last_used_at).not.toBeNull();
  });

  it("rate-limits per token with 429, an integer Retry-After and a SCIM body", async () => {
    const o = await scimOrg(t, "Busy");
    const saved = t.app.locals.scimLimits;
    t.app.locals.scimLimits = { perToken: new RateLimiter(2, 60_000), failedAuthPerIp: new RateLimiter(60, 60_000) };
    try {
      await o.scim.get("/Users").expect(200);
      await o.scim.get("/Users").expect(200);
      const r = await o.scim.get("/Users").expect(429);
      expect(r.headers["retry-after"]).toMatch(/^\d+$/);
      expectScimError(r.body, 429);
      await a.scim.get("/Users").expect(200); // another token is not affected
    } finally {
      t.app.locals.scimLimits = saved;
    }
  });
});

describe("discovery", () => {
  it("serves ServiceProviderConfig advertising only what is implemented", async () => {
    const r = await a.scim.get("/ServiceProviderConfig").expect(200);
    expect(r.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(r.body.patch.supported).toBe(true);
    expect(r.body.bulk.supported).toBe(false);
    expect(r.body.filter).toEqual({ supported: true, maxResults: 1000 });
    expect(r.body.authenticationSchemes).toHaveLength(1);
    expect(r.body.authenticationSchemes[0].type).toBe("oauthbearertoken");
  });

  it("lists ResourceTypes and Schemas as ListResponses", async () => {
    const rt = await a.scim.get("/ResourceTypes").expect(200);
    expect(rt.body.schemas).toEqual([LIST]);
    const user = rt.body.Resources.find((x: any) => x.id === "User");
    expect(user.endpoint).toBe("/Users");
    expect(user.schemaExtensions).toEqual([{ schema: ENTERPRISE_USER, required: false }]);
    const sc = await a.scim.get("/Schemas").expect(200);
    expect(sc.body.Resources.map((s: any) => s.id)).toEqual(expect.arrayContaining([CORE_USER, ENTERPRISE_USER]));
    await a.scim.get(`/Schemas/${CORE_USER}`).expect(200);
  });

  it("answers unknown endpoints with a SCIM 404", async () => {
    const r = await a.scim.get("/Nope").expect(404);
    expectScimError(r.body, 404);
  });
});

describe("users as identity providers send them", () => {
  it("creates an Entra user (core+enterprise, meta, roles:[], nulls) and reads it back as written", async () => {
    const body = entraUser("grace@corp.test", {
      [ENTERPRISE_USER]: { department: "R&D", employeeNumber: "55555555555", manager: { value: "m-1", $ref: null } },
      phoneNumbers: [{ type: "mobile", value: "55555555555" }], displayName: "Grace H", title: "Admiral",
    });
    const r = await a.scim.post("/Users", body).expect(201);
    expect(r.headers.location).toBe(`http://roster.test/scim/v2/Users/${r.body.id}`);
    expect(r.body).toMatchObject({
      userName: "grace@corp.test", externalId: body.externalId, active: true, displayName: "Grace H", title: "Admiral",
      name: { givenName: "Ada", familyName: "Lovelace", formatted: "Ada Lovelace" },
      phoneNumbers: [{ type: "mobile", value: "55555555555" }],
      [ENTERPRISE_USER]: { department: "R&D", employeeNumber: "55555555555", manager: { value: "m-1" } },
      meta: { resourceType: "User", location: r.headers.location },
    });
    expect(r.body.schemas).toEqual([CORE_USER, ENTERPRISE_USER]);
    const g = await a.scim.get(`/Users/${r.body.id}`).expect(200);
    expect(g.body).toEqual(r.body);
  });

  it("accepts Okta's POST as application/json with a password it never echoes, and string booleans", async () => {
    const okta = new ScimClient(t.app, a.token, "application/json");
    const r = await okta.post("/Users", {
      schemas: [CORE_USER], userName: "okta.user@corp.test", name: { givenName: "O", familyName: "K" }, locale: "en-US",
      emails: [{ primary: "True", value: "okta.user@corp.test", type: "work" }], displayName: "O K", password: "xx!Y", groups: [], active: "True",
    }).expect(201);
    expect(r.body.active).toBe(true);
    expect(r.body.emails[0].primary).toBe(true);
    expect(JSON.stringify(r.body)).not.toContain("xx!Y");
    const [row] = await t.deps.ds.query(`SELECT scim_attributes FROM memberships WHERE id = $1`, [r.body.id]);
    expect(JSON.stringify(row.scim_attributes)).not.toContain("xx!Y");
  });

  it("answers a duplicate userName (any case) with 409 uniqueness, also on rename", async () => {
    const u = await post(a, entraUser("dup@corp.test"));
    const r = await a.scim.post("/Users", entraUser("DUP@corp.test")).expect(409);
    expectScimError(r.body, 409, "uniqueness");
    const other = await post(a, entraUser("other@corp.test"));
    const p = await a.scim.patchOps(`/Users/${other.id}`, { op: "replace", path: "userName", value: "Dup@Corp.test" }).expect(409);
    expectScimError(p.body, 409, "uniqueness");
    const put = await a.scim.put(`/Users/${other.id}`, { ...entraUser("dup@CORP.test"), id: other.id }).expect(409);
    expectScimError(put.body, 409, "uniqueness");
    await a.scim.get(`/Users/${u.id}`).expect(200);
  });

  it("answers 400 for a missing userName and for invalid JSON, never 500", async () => {
    const r = await a.scim.post("/Users", { schemas: [CORE_USER], active: true }).expect(400);
    expectScimError(r.body, 400, "invalidValue");
    const bad = await request(t.app).post("/scim/v2/Users").set("Authorization", `Bearer ${a.token}`)
      .set("Content-Type", "application/scim+json").send('{"acve": tre,').expect(400);
    expectScimError(bad.body, 400, "invalidSyntax");
    for (const body of [[], "x", { userName: 5 }, { userName: "x@y.z", emails: "nope" }, { userName: "q@y.z", name: [1] }]) {
      const res = await a.scim.post("/Users", body);
      expect(res.status).toBe(400);
      expectScimError(res.body, 400);
    }
  });

  it("answers 404 in the Error schema for an unknown or malformed id", async () => {
    for (const id of ["00919288221112222", "2819c223-7f76-453a-919d-413861904646"]) {
      const r = await a.scim.get(`/Users/${id}`).expect(404);
      expectScimError(r.body, 404);
      await a.scim.put(`/Users/${id}`, entraUser("x@corp.test")).expect(404);
      await a.scim.patchOps(`/Users/${id}`, { op: "replace", path: "active", value: false }).expect(404);
      await a.scim.delete(`/Users/${id}`).expect(404);
    }
  });
});

describe("PATCH /Users (Entra and Okta styles)", () => {
  let id: string;
  beforeAll(async () => {
    id = (await post(a, entraUser("patchy@corp.test", { displayName: "Patchy" }))).id;
  });
  const get = async () => (await a.scim.get(`/Users/${id}`).expect(200)).body;

  it("applies capitalised ops, string booleans and answers 204", async () => {
    const r = await a.scim.patchOps(`/Users/${id}`, { op: "Replace", path: "active", value: "False" }).expect(204);
    expect(r.text).toBe("");
    expect((await get()).active).toBe(false);
    await a.scim.patchOps(`/Users/${id}`, { op: "Replace", path: "active", value: "True" }).expect(204);
    expect((await get()).active).toBe(true);
  });

  it("applies Okta's path-less replace {active:false} and returns the resource when attributes are asked for", async () => {
    const r = await a.scim.patch(`/Users/${id}?attributes=active,userName`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", value: { active: false } }] }).expect(200);
    expect(r.body).toEqual({ schemas: [CORE_USER], id, userName: "patchy@corp.test", active: false });
    await a.scim.patchOps(`/Users/${id}`, { op: "replace", value: { active: true } }).expect(204);
  });

  it("applies a path-less replace with dotted and URN keys (Entra aadOptscim062020)", async () => {
    await a.scim.patchOps(`/Users/${id}`, {
      op: "replace",
      value: { "name.givenName": "Pat", "name.FamilyName": "Chy", [`${ENTERPRISE_USER}:employeeNumber`]: "007", displayName: "P. Chy", "emails[type eq \"work\"].value": "pat@corp.test" },
    }).expect(204);
    const u = await get();
    expect(u.name).toMatchObject({ givenName: "Pat", familyName: "Chy" });
    expect(u[ENTERPRISE_USER].employeeNumber).toBe("007");
    expect(u.displayName).toBe("P. Chy");
    expect(u.emails).toEqual([{ value: "pat@corp.test", type: "work", primary: true }]);
  });

  it("creates the entry for a filtered path with no match, and never a second one of a type", async () => {
    await a.scim.patchOps(`/Users/${id}`,
      { op: "Add", path: "phoneNumbers[type eq \"mobile\"].value", value: "555-1" },
      { op: "Replace", path: "phoneNumbers[type eq \"mobile\"].value", value: "555-2" },
      { op: "Replace", path: "addresses[type eq \"work\"].formatted", value: "1 Main St" },
      { op: "Add", path: `${ENTERPRISE_USER}:department`, value: "Ops" },
      { op: "Add", path: "emails", value: [{ type: "work", value: "pat2@corp.test" }] }).expect(204);
    const u = await get();
    expect(u.phoneNumbers).toEqual([{ type: "mobile", value: "555-2" }]);
    expect(u.addresses).toEqual([{ type: "work", formatted: "1 Main St" }]);
    expect(u[ENTERPRISE_USER].department).toBe("Ops");
    expect(u.emails).toHaveLength(1);
    expect(u.emails[0].value).toBe("pat2@corp.test");
  });

  it("removes by path, by filter and ignores read-only and unknown attributes", async () => {
    await a.scim.patchOps(`/Users/${id}`,
      { op: "remove", path: "phoneNumbers[type eq \"mobile\"]" },
      { op: "remove", path: `${ENTERPRISE_USER}:department` },
      { op: "replace", path: "id", value: "hijack" },
      { op: "replace", path: "meta.created", value: "2000-01-01" },
      { op: "add", path: "favouriteColour", value: "blue" },
      { op: "Add", path: "manager", value: [{ $ref: null, value: "boss-1" }] }).expect(204);
    const u = await get();
    expect(u.id).toBe(id);
    expect(u.phoneNumbers).toBeUndefined();
    expect(u[ENTERPRISE_USER].department).toBeUndefined();
    expect(u[ENTERPRISE_USER].manager).toEqual({ value: "boss-1" });
    expect(JSON.stringify(u)).not.toContain("blue");
  });

  it("treats an empty Operations list as a no-op and rejects bad ops with SCIM 400s", async () => {
    await a.scim.patch(`/Users/${id}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [] }).expect(204);
    expectScimError((await a.scim.patchOps(`/Users/${id}`, { op: "jump", path: "x", value: 1 }).expect(400)).body, 400, "invalidSyntax");
    expectScimError((await a.scim.patchOps(`/Users/${id}`, { op: "remove" }).expect(400)).body, 400, "noTarget");
    expectScimError((await a.scim.patchOps(`/Users/${id}`, { op: "remove", path: "userName" }).expect(400)).body, 400, "mutability");
    expectScimError((await a.scim.patchOps(`/Users/${id}`, { op: "replace", path: "active", value: "maybe" }).expect(400)).body, 400, "invalidValue");
    expectScimError((await a.scim.patch(`/Users/${id}`, { nope: true }).expect(400)).body, 400, "invalidSyntax");
  });

  it("PUT is a full replace: attributes not sent are gone", async () => {
    const r = await a.scim.put(`/Users/${id}`, { schemas: [CORE_USER], id, userName: "patchy@corp.test", meta: { resourceType: "User" }, groups: [] }).expect(200);
    expect(r.body.name).toBeUndefined();
    expect(r.body.emails).toBeUndefined();
    expect(r.body[ENTERPRISE_USER]).toBeUndefined();
    expect(r.body.active).toBe(true);
  });
});

describe("filters, sorting and paging in SQL", () => {
  let o: ScimOrg;
  const ids: string[] = [];
  beforeAll(async () => {
    o = await scimOrg(t, "Filters");
    for (let i = 1; i <= 25; i++) {
      ids.push((await post(o, entraUser(`p${String(i).padStart(2, "0")}@corp.test`, {
        externalId: `x-${i}`, displayName: i % 2 ? "Odd Person" : "Even Person",
        emails: [{ type: "work", value: `p${i}@corp.test`, primary: true }, { type: "home", value: `p${i}@home.test` }],
        name: { givenName: `G${i}`, familyName: i <= 3 ? "Employee" : "Other" },
        [ENTERPRISE_USER]: { department: i === 7 ? "Sales" : "Eng" },
      }))).id);
    }
  });
  const q = async (query: string) => (await o.scim.get(`/Users?${query}`).expect(200)).body;
  const total = async (filter: string) => (await q(`filter=${encodeURIComponent(filter)}`)).totalResults;

  it("pages with startIndex/count under Express 5 (regression: scimmy-routers lost them)", async () => {
    const p = await q("startIndex=21&count=5");
    expect(p).toMatchObject({ totalResults: 25, startIndex: 21, itemsPerPage: 5 });
    expect(p.Resources.map((u: any) => u.id)).toEqual(ids.slice(20, 25));
    const p2 = await q("startIndex=2&count=3");
    expect(p2.Resources.map((u: any) => u.id)).toEqual(ids.slice(1, 4));
    expect((await q("count=1&startIndex=1")).Resources).toHaveLength(1);
    expect(await q("startIndex=30&count=5")).toMatchObject({ totalResults: 25, itemsPerPage: 0, Resources: [] });
    expect((await q("count=0")).totalResults).toBe(25);
    expect((await q("count=5000")).itemsPerPage).toBe(25);
    expectScimError((await o.scim.get("/Users?count=abc").expect(400)).body, 400);
  });

  it("answers a plain userName eq lookup (read with the token) exactly as the general filter path does", async () => {
    const urn = "urn:ietf:params:scim:schemas:core:2.0:User:userName";
    for (const name of ["p07@corp.test", "P07@CORP.TEST", "nobody@corp.test", "p07@corp"]) {
      for (const extra of ["", "&startIndex=1&count=100", "&count=0", "&startIndex=2&count=5", "&count=1&attributes=userName", "&excludedAttributes=emails"]) {
        const fast = await q(`filter=${encodeURIComponent(`userName eq "${name}"`)}${extra}`);
        const general = await q(`filter=${encodeURIComponent(`${urn} eq "${name}"`)}${extra}`);
        expect(fast).toEqual(general);
      }
    }
    expect((await q(`filter=${encodeURIComponent('userName eq "P07@CORP.TEST"')}`)).Resources.map((u: any) => u.id)).toEqual([ids[6]]);
    expectScimError((await o.scim.get(`/Users?filter=${encodeURIComponent('userName eq "p07@corp.test"')}&count=abc`).expect(400)).body, 400);
  });

  it("sorts by an allowed attribute", async () => {
    const p = await q("sortBy=userName&sortOrder=descending&count=2");
    expect(p.Resources.map((u: any) => u.userName)).toEqual(["p25@corp.test", "p24@corp.test"]);
  });

  it("supports the operators, logic, value paths, case-insensitive names and userName", async () => {
    expect(await total('userName eq "P07@CORP.TEST"')).toBe(1);
    expect(await total('UserName sw "p0"')).toBe(9);
    expect(await total('userName ew "5@corp.test"')).toBe(3);
    expect(await total('userName co "2"')).toBe(8);
    expect(await total('externalId eq "x-3"')).toBe(1);
    expect(await total('externalId eq "X-3"')).toBe(0);
    expect(await total("externalId eq x-4")).toBe(1);
    expect(await total('DisplayName eq "odd person"')).toBe(13);
    expect(await total('displayName ne "Odd Person"')).toBe(12);
    expect(await total('emails[type eq "work"].value eq "p5@corp.test"')).toBe(1);
    expect(await total('emails[type eq "home" and value co "p1"]')).toBe(11);
    expect(await total('emails.Value co "home.test"')).toBe(25);
    expect(await total('name.FamilyName eq "Employee" and (emails.Value co "p1@" or emails.Value co "p2@")')).toBe(2);
    expect(await total('not (userName sw "p0") and active eq true')).toBe(16);
    expect(await total(`${ENTERPRISE_USER}:department eq "Sales"`)).toBe(1);
    expect(await total("title pr")).toBe(0);
    expect(await total("active eq \"True\"")).toBe(25);
    expect(await total("meta.Created gt 2015-10-10T14:38:21.8617979-07:00")).toBe(25);
    expect(await total(`meta.lastModified lt "2000-01-01T00:00:00Z"`)).toBe(0);
    expect(await total(`id eq "${ids[4]}"`)).toBe(1);
  });

  it("answers a random GUID filter with 200 and an empty list (Entra Test Connection)", async () => {
    const r = await q(`filter=${encodeURIComponent('externalId eq "9f1c1a0e-2b2e-4a9e-8f3c-2f0d1b5e7a11"')}`);
    expect(r).toEqual({ schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    expect((await q(`filter=${encodeURIComponent('id eq "not-a-uuid"')}`)).totalResults).toBe(0);
  });

  it("rejects unsupported attributes, operators and malformed filters with 400 invalidFilter", async () => {
    for (const f of ['password eq "x"', 'userName zz "x"', "active gt true", 'meta.created eq "yesterday"', "((("]) {
      const r = await o.scim.get(`/Users?filter=${encodeURIComponent(f)}`).expect(400);
      expectScimError(r.body, 400, "invalidFilter");
    }
  });

  it("treats filter values as data, never as SQL", async () => {
    expect(await total(`userName eq "x' OR 1=1 --"`)).toBe(0);
    expect(await total('userName co "%"')).toBe(0);
    expect(await total('userName sw "_"')).toBe(0);
  });

  it("projects attributes and excludedAttributes", async () => {
    const r = await q(`attributes=userName,emails.value,name.givenName&filter=${encodeURIComponent('userName eq "p01@corp.test"')}`);
    expect(r.Resources[0]).toEqual({ schemas: [CORE_USER, ENTERPRISE_USER], id: ids[0], userName: "p01@corp.test", name: { givenName: "G1" }, emails: [{ value: "p1@corp.test" }, { value: "p1@home.test" }] });
    const e = await q(`excludedAttributes=emails,meta,${ENTERPRISE_USER}&count=1`);
    expect(Object.keys(e.Resources[0]).sort()).toEqual(["active", "displayName", "externalId", "id", "name", "roles", "schemas", "userName"]);
  });
});

describe("tenant isolation (SCIM-04/05)", () => {
  it("another org's token cannot see or change this org's users", async () => {
    const b = await scimOrg(t, "Bravo");
    const ua = await post(a, entraUser("iso@corp.test"));
    for (const r of [await b.scim.get(`/Users/${ua.id}`), await b.scim.put(`/Users/${ua.id}`, entraUser("iso@corp.test")),
      await b.scim.patchOps(`/Users/${ua.id}`, { op: "replace", path: "active", value: false }), await b.scim.delete(`/Users/${ua.id}`)]) {
      expect(r.status).toBe(404);
      expectScimError(r.body, 404);
    }
    const f = await b.scim.get(`/Users?filter=${encodeURIComponent('userName eq "iso@corp.test"')}`).expect(200);
    expect(f.body.totalResults).toBe(0);
    expect((await b.scim.get("/Users").expect(200)).body.totalResults).toBe(0);
    expect((await a.scim.get(`/Users/${ua.id}`).expect(200)).body.active).toBe(true);
  });

  it("a person A's domain covers, pushed by B too: B's membership waits for them; nothing B does touches their account or A's membership", async () => {
    const b = await scimOrg(t, "Charlie");
    await COMMANDS["org domain add"](t.deps, ["--org", a.orgId, "--domain", "alpha-owned.test", "--verified"]);
    const email = `shared.${Date.now()}@alpha-owned.test`;
    const inA = await post(a, entraUser(email, { name: { givenName: "A-name" } }));
    const account = `SELECT u.id, u.email, u.name, u.updated_at FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.id = $1`;
    const [acct] = await t.deps.ds.query(account, [inA.id]);
    expect(acct.email).toBe(email);
    const inB = await post(b, entraUser(email.toUpperCase(), { name: { givenName: "B-name" }, displayName: "Bee", emails: [{ type: "work", primary: true, value: email.toUpperCase() }] }));
    await b.scim.patchOps(`/Users/${inB.id}`, { op: "replace", value: { displayName: "Changed by B", active: false } }).expect(204);
    const [inBRow] = await t.deps.ds.query(`SELECT user_id, pending_email FROM memberships WHERE id = $1`, [inB.id]);
    expect(inBRow).toEqual({ user_id: expect.not.stringMatching(acct.id), pending_email: email });
    expect((await t.deps.ds.query(account, [inA.id]))[0]).toEqual(acct);
    const ua = (await a.scim.get(`/Users/${inA.id}`).expect(200)).body;
    expect(ua).toMatchObject({ active: true, name: { givenName: "A-name" } });
    expect(ua.displayName).toBeUndefined();
  });
});

describe("concurrency", () => {
  it("twenty parallel POSTs of one userName: exactly one 201, the rest 409 uniqueness", async () => {
    const o = await scimOrg(t, "Race");
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => o.scim.post("/Users", entraUser(i % 2 ? "Racer@corp.test" : "racer@corp.test"))));
    expect(rs.filter((r) => r.status === 201)).toHaveLength(1);
    const rest = rs.filter((r) => r.status !== 201);
    expect(rest.map((r) => r.status)).toEqual(Array(19).fill(409));
    rest.forEach((r) => expectScimError(r.body, 409, "uniqueness"));
    const [{ n }] = await t.deps.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1 AND scim_user_name IS NOT NULL`, [o.orgId]);
    expect(n).toBe(1);
  });
});

describe("failures", () => {
  it("answers a database outage with 503 in the SCIM error schema, leaking nothing", async () => {
    const outage = Object.assign(new Error("connect ECONNREFUSED 10.1.2.3:5432"), { code: "ECONNREFUSED" });
    const q = jest.spyOn(t.deps.ds, "query").mockRejectedValueOnce(outage);
    const r1 = await a.scim.get("/Users").expect(503);
    expectScimError(r1.body, 503);
    expect(JSON.stringify(r1.body)).not.toMatch(/ECONNREFUSED|10\.1\.2\.3/);
    q.mockRestore();
    const tx = jest.spyOn(t.deps.ds, "transaction").mockRejectedValueOnce(outage);
    const r2 = await a.scim.post("/Users", entraUser("outage@corp.test")).expect(503);
    expectScimError(r2.body, 503);
    tx.mockRestore();
  });

  it("answers an unexpected error with a generic 500 detail", async () => {
    const tx = jest.spyOn(t.deps.ds, "transaction").mockRejectedValueOnce(new Error("secret internals at db.internal"));
    const r = await a.scim.post("/Users", entraUser("boom@corp.test")).expect(500);
    expectScimError(r.body, 500);
    expect(r.body.detail).toBe("Internal error.");
    tx.mockRestore();
  });

  it("answers a body over the limit with a SCIM 413", async () => {
    const r = await a.scim.post("/Users", { ...entraUser("big@corp.test"), title: "x".repeat(200_000) }).expect(413);
    expectScimError(r.body, 413);
  });
});
