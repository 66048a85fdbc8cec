/**
 * Input an attacker chooses, over HTTP: never a 5xx, never a write. Prototype names in SCIM
 * filters and sortBy, out-of-range paging and dates, forged audit cursors, NUL bytes and lone
 * surrogates, undecodable cookies, login CSRF (Origin: null, form bodies), and invitation guesses
 * that must not cost a password hash.
 */
import request from "supertest";
import fc from "fast-check";
import { startTestApp, SAME_ORIGIN, pageRequest, type TestApp } from "../support/app";
import { PASSWORD, createOrg, signIn, uniqueEmail, type OrgFixture } from "../support/actors";
import { PATCH_OP, expectScimError, scimOrg, type ScimOrg } from "../support/scim";
import { hashPassword } from "../../src/auth/passwords";

let t: TestApp;
let fx: OrgFixture;
let s: ScimOrg;
beforeAll(async () => {
  t = await startTestApp();
  fx = await createOrg(t);
  s = await scimOrg(t, "Hostile");
  const r = await s.scim.post("/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@corp.test" });
  expect(r.status).toBe(201);
});
afterAll(() => t.close());

describe("SCIM queries", () => {
  it.each([
    ["constructor eq \"x\"", 400], ["name.constructor eq \"x\"", 400], ["__proto__ eq \"x\"", 400],
    ["emails.constructor eq \"x\"", 400], ["toString pr", 400], ["meta.created gt \"0000-01-01T00:00:00Z\"", 400],
    ["meta.created gt \"9999-12-31T23:59:59Z\"", 200], ["userName eq \"a\u0000b\"", 400],
  ])("filter %j → %i", async (filter, status) => {
    const r = await s.scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
    expect(r.status).toBe(status);
    if (status === 400) expectScimError(r.body, 400);
  });

  it.each(["constructor", "__proto__", "hasOwnProperty", "toString"])("sortBy=%s falls back to the default order", async (sortBy) => {
    const r = await s.scim.get(`/Users?sortBy=${sortBy}`);
    expect(r.status).toBe(200);
    expect(r.body.totalResults).toBe(1);
  });

  it("answers a startIndex beyond any directory with an empty page", async () => {
    for (const path of ["/Users", "/Groups"]) {
      const r = await s.scim.get(`${path}?startIndex=9223372036854775807`);
      expect(r.status).toBe(200);
      expect(r.body.Resources ?? []).toEqual([]);
    }
  });

  it("refuses NUL bytes and lone surrogates in SCIM bodies with 400 invalidValue and writes nothing", async () => {
    const before = await s.scim.get("/Users");
    for (const bad of ["nul\u0000@corp.test", "lone\ud800@corp.test"]) {
      const r = await s.scim.post("/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: bad });
      expectScimError(r.body, 400, "invalidValue");
      const p = await s.scim.patch(`/Users/${before.body.Resources[0].id}`,
        { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: bad }] });
      expectScimError(p.body, 400, "invalidValue");
      const k = await s.scim.post("/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "g", [`x${bad}`]: 1 });
      expectScimError(k.body, 400, "invalidValue");
    }
    expect((await s.scim.get("/Users")).body.totalResults).toBe(before.body.totalResults);
  });
});

describe("SCIM filters over HTTP (property)", () => {
  const attr = fc.constantFrom("userName", "title", "emails.value", "emails", "name.givenName", "meta.created", "displayName",
    "members.value", "constructor", "active", "id", "externalId");
  const cmp = fc.tuple(attr, fc.constantFrom("eq", "ne", "co", "sw", "gt", "le", "pr"), fc.string({ maxLength: 8 }))
    .map(([a, o, v]) => (o === "pr" ? `${a} pr` : `${a} ${o} ${JSON.stringify(v)}`));
  const { tree } = fc.letrec<{ tree: string }>((tie) => ({
    tree: fc.oneof({ depthSize: "small" }, cmp,
      fc.tuple(tie("tree"), fc.constantFrom("and", "or"), tie("tree")).map(([a, j, b]) => `(${a}) ${j} (${b})`),
      tie("tree").map((x) => `not (${x})`), tie("tree").map((x) => `emails[${x}]`)),
  }));

  it("answers list filters and PATCH value paths with 200 or 400, never a 5xx", async () => {
    const id = (await s.scim.get("/Users")).body.Resources[0].id;
    let slowest = 0;
    await fc.assert(fc.asyncProperty(tree, async (filter) => {
      for (const path of ["/Users", "/Groups"]) {
        const start = performance.now();
        const r = await s.scim.get(`${path}?filter=${encodeURIComponent(filter)}`);
        slowest = Math.max(slowest, performance.now() - start);
        expect([200, 400]).toContain(r.status);
      }
      const p = await s.scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "add", path: `emails[${filter}].display`, value: "d" }] });
      expect([200, 204, 400]).toContain(p.status);
    }), { numRuns: 60, seed: 3 });
    process.stdout.write(`SCIM filter over HTTP: slowest answer ${slowest.toFixed(1)} ms\n`);
  });
});

describe("JSON API", () => {
  it("refuses NUL bytes and lone surrogates in names, emails and chatbot names with 400", async () => {
    const b = `/api/orgs/${fx.orgId}`;
    const cases: Array<[string, Record<string, unknown>]> = [
      [`${b}/chatbots`, { name: "bot\u0000" }], [`${b}/chatbots`, { name: "bot\udc00" }],
      [`${b}/invitations`, { email: "nul\u0000@example.test", role: "member" }],
      ["/api/auth/signup", { email: uniqueEmail("nul"), password: PASSWORD, name: "Nul\u0000 Name" }],
    ];
    for (const [path, body] of cases) {
      const r = await fx.owner.post(path, body);
      expect({ path, status: r.status, code: r.body.error?.code }).toEqual({ path, status: 400, code: "request.invalid" });
    }
    const nul = await fx.owner.get(`${b}/members?search=%00`);
    expect(nul.status).toBe(400);
    expect(Number((await t.deps.ds.query(`SELECT count(*)::int AS n FROM chatbots WHERE org_id = $1`, [fx.orgId]))[0].n)).toBe(0);
  });

  it("answers forged audit cursors with 400", async () => {
    const forged = ["%%%", Buffer.from("2020-01-01T00:00:00.000Z|nope").toString("base64url"),
      Buffer.from("0000-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000").toString("base64url"),
      Buffer.from("x|y|z").toString("base64url")];
    for (const cursor of forged) {
      const r = await fx.owner.get(`/api/orgs/${fx.orgId}/audit-events?cursor=${encodeURIComponent(cursor)}`);
      expect({ cursor, status: r.status }).toEqual({ cursor, status: 400 });
    }
  });

  it("ignores a session cookie that is not valid percent-encoding (a sibling domain can set one)", async () => {
    for (const path of ["/api/auth/csrf", "/login", "/app"]) {
      const r = await request(t.app).get(path).set("Cookie", "roster_session=%E0%A4%A");
      expect(r.status).toBeLessThan(500);
    }
    const me = await request(t.app).get("/api/me").set("Cookie", "roster_session=%E0%A4%A");
    expect(me.status).toBe(401);
  });
});

describe("login CSRF", () => {
  const signin = () => ({ email: fx.ownerEmail, password: PASSWORD });

  it("refuses Origin: null and a missing Origin that the browser marks cross-site", async () => {
    for (const [header, value] of [["Origin", "null"], ["Origin", "https://evil.example"], ["Sec-Fetch-Site", "cross-site"],
      ["Sec-Fetch-Site", "same-site"]] as const) {
      const r = await request(t.app).post("/api/auth/signin").set(header, value).send(signin());
      expect({ header, value, status: r.status, setCookie: r.headers["set-cookie"] })
        .toEqual({ header, value, status: 403, setCookie: undefined });
    }
    const same = await request(t.app).post("/api/auth/signin").set("Sec-Fetch-Site", "same-origin").send(signin());
    expect(same.status).toBe(200);
    const own = await request(t.app).post("/api/auth/signin").set("Origin", "http://roster.test").send(signin());
    expect(own.status).toBe(200);
  });

  it("refuses a write with neither Origin nor Sec-Fetch-Site (login CSRF through a client that sends no Origin)", async () => {
    for (const [path, body] of [["/api/auth/signin", signin()], ["/api/auth/signup", { email: uniqueEmail("csrf"), password: PASSWORD, name: "X" }],
      ["/api/invitations/abc/accept", { name: "X", password: PASSWORD }]] as const) {
      const r = await request(t.app).post(path).send(body);
      expect({ path, status: r.status, code: r.body.error?.code, setCookie: r.headers["set-cookie"] })
        .toEqual({ path, status: 403, code: "csrf.bad_origin", setCookie: undefined });
    }
  });

  it("refuses a cookie-authenticated write without Origin, even with the CSRF token", async () => {
    const before = (await fx.owner.get(`/api/orgs/${fx.orgId}/chatbots`)).body;
    const bare = await fx.owner.agent.post(`/api/orgs/${fx.orgId}/chatbots`).set("X-CSRF-Token", fx.owner.csrf!).send({ name: "No origin" });
    expect([bare.status, bare.body.error?.code]).toEqual([403, "csrf.bad_origin"]);
    const nullOrigin = await fx.owner.agent.post(`/api/orgs/${fx.orgId}/chatbots`).set("X-CSRF-Token", fx.owner.csrf!)
      .set("Origin", "null").set("Sec-Fetch-Site", "same-origin").send({ name: "Null origin" });
    expect([nullOrigin.status, nullOrigin.body.error?.code]).toEqual([403, "csrf.bad_origin"]);
    expect((await fx.owner.get(`/api/orgs/${fx.orgId}/chatbots`)).body).toEqual(before);
  });

  it("leaves bearer-token SCIM clients alone: they send no Origin and are not cookie-based", async () => {
    const r = await s.scim.post("/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "no-origin@corp.test" });
    expect(r.status).toBe(201);
  });

  it("refuses form bodies on /api (415), which any site can post without a preflight", async () => {
    for (const path of ["/api/auth/signin", "/api/auth/signup", "/api/invitations/abc/accept"]) {
      for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
        const r = await request(t.app).post(path).set(SAME_ORIGIN).set("Content-Type", type)
          .send(`email=${encodeURIComponent(fx.ownerEmail)}&password=${encodeURIComponent(PASSWORD)}&name=x`);
        expect({ path, type, status: r.status, setCookie: r.headers["set-cookie"] }).toEqual({ path, type, status: 415, setCookie: undefined });
      }
    }
  });
});

describe("invitation guesses", () => {
  it("looks the token up before hashing the password: a wrong token costs far less than one scrypt", async () => {
    const cpu = async (fn: () => Promise<unknown>) => {
      const start = process.cpuUsage();
      await fn();
      const d = process.cpuUsage(start);
      return d.user + d.system;
    };
    const oneHash = await cpu(() => hashPassword("a long enough password"));
    const guesses = await cpu(async () => {
      for (let i = 0; i < 10; i++) {
        const r = await pageRequest(t.app).post(`/api/invitations/guess${i}/accept`).send({ name: "X", password: "a long enough password" });
        expect(r.status).toBe(404);
      }
    });
    // Ten guesses with the hash first cost ten scrypt runs; looked up first, less than a few.
    expect(guesses).toBeLessThan(oneHash * 4);
    expect((await signIn(t, fx.ownerEmail)).csrf).toBeTruthy();
  });
});
