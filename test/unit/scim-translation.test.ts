/** Pure SCIM translation: filters → parameterised SQL, the user PATCH engine, and error mapping. */
import { QueryFailedError } from "typeorm";
import { GROUP_ATTRS, USER_ATTRS, Params, filterSql, parseFilter } from "../../scim/filter";
import { applyUserPatch, matchesFilter } from "../../scim/user-patch";
import { ScimError, toScimError } from "../../scim/errors";
import { clean, prepareBody } from "../../scim/normalize";
import { fromScim } from "../../scim/user-mapping";
import { CORE_USER, ENTERPRISE_USER, SCIMMY } from "../../scim/scimmy";
import { AppError, ConflictError, ForbiddenError, GoneError, NotFoundError, RateLimitedError, UnauthenticatedError, UnavailableError, ValidationError } from "../../src/errors";
import { LastOwnerError, ManagedByIdpError, OwnerRequiredError } from "../../src/members/member.errors";

const sql = (f: string, attrs = USER_ATTRS) => {
  const p = new Params(["org"]);
  return { where: filterSql(parseFilter(f)!, attrs, p), params: p.values.slice(1) };
};

describe("filter → SQL", () => {
  it("keeps values out of the SQL text and lower-cases userName", () => {
    const r = sql(`userName eq "Bob' OR 1=1"`);
    expect(r.where).toBe("(lower(m.scim_user_name) = $2)");
    expect(r.params).toEqual(["bob' or 1=1"]);
  });

  it("compiles OR-of-ANDs, not, value paths and the enterprise URN", () => {
    const r = sql(`not (displayName sw "a") and emails[type eq "work"].value ew "@x.test" or ${ENTERPRISE_USER}:department eq "Eng"`);
    expect(r.where).toMatch(/NOT coalesce\(lower\(m\.scim_attributes->>'displayName'\) LIKE \$\d, false\)/);
    expect(r.where).toContain("EXISTS (SELECT 1 FROM jsonb_array_elements");
    expect(r.where).toContain(" OR (lower(m.scim_attributes->'enterprise'->>'department') = ");
    expect(r.params).toEqual(expect.arrayContaining(["a%", "work", "%@x.test", "eng"]));
    expect(r.params).toHaveLength(4);
  });

  it("escapes LIKE wildcards", () => {
    expect(sql(`userName co "50%_off"`).params).toEqual(["%50\\%\\_off%"]);
  });

  it("compares externalId exactly, ids as uuids, booleans and dates typed", () => {
    expect(sql(`externalId eq "AbC"`).where).toBe("(m.external_id = $2)");
    expect(sql(`id eq "nope"`).where).toBe("(false)");
    expect(sql(`active eq "False"`).params).toEqual([false]);
    expect(sql(`meta.lastModified ge "2024-01-02T03:04:05.1234567Z"`).params).toEqual(["2024-01-02T03:04:05.123Z"]);
    expect(sql(`members[value eq "2819c223-7f76-453a-919d-413861904646"]`, GROUP_ATTRS).where).toContain("gm.membership_id = $2::uuid");
  });

  it("rejects what is not on the allow-list with invalidFilter", () => {
    for (const f of ['password eq "x"', 'name.nope eq "x"', "active co true", 'members.display eq "x"']) {
      const attrs = f.startsWith("members") ? GROUP_ATTRS : USER_ATTRS;
      expect(() => sql(f, attrs)).toThrow(expect.objectContaining({ status: 400, scimType: "invalidFilter" }));
    }
    expect(() => parseFilter("(((")).toThrow(expect.objectContaining({ scimType: "invalidFilter" }));
  });
});

describe("user PATCH engine", () => {
  const base = { schemas: [CORE_USER], id: "1", userName: "a", active: true, emails: [{ type: "work", value: "a@x", primary: true }] };
  const patch = (...ops: unknown[]) => applyUserPatch(base, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: ops });

  it("replaces the work email in place rather than appending", () => {
    expect(patch({ op: "Replace", path: 'emails[type eq "work"].value', value: "b@x" }).emails).toEqual([{ type: "work", value: "b@x", primary: true }]);
    expect(patch({ op: "add", path: "emails", value: [{ type: "Work", value: "c@x" }] }).emails).toEqual([{ type: "Work", value: "c@x", primary: true }]);
  });

  it("keeps one primary, drops empty collections, and leaves the input untouched", () => {
    const r = patch({ op: "add", path: "emails", value: [{ type: "home", value: "h@x", primary: "True" }] });
    expect((r.emails as any[]).filter((e: any) => e.primary === true)).toHaveLength(1);
    expect(patch({ op: "remove", path: 'emails[type eq "work"]' }).emails).toBeUndefined();
    expect(base.emails).toHaveLength(1);
  });

  it("matches value filters case-insensitively", () => {
    expect(matchesFilter({ Type: "WORK", value: "x" }, 'type eq "work"')).toBe(true);
    expect(matchesFilter({ type: "home" }, 'type eq "work" or type eq "home"')).toBe(true);
  });
});

describe("normalisation and mapping", () => {
  it("drops nulls, turns boolean strings into booleans, keeps other strings as sent", () => {
    expect(clean({ active: "False", title: null, phoneNumbers: [null, { value: "055", primary: "TRUE" }], nickName: "True" }))
      .toEqual({ active: false, phoneNumbers: [{ value: "055", primary: true }], nickName: "True" });
    expect(prepareBody({ schemas: ["x"], id: "1", meta: {}, password: "p", [ENTERPRISE_USER.toUpperCase()]: { a: 1 }, "urn:other:ext": { b: 1 }, userName: "u" }, [CORE_USER, ENTERPRISE_USER]))
      .toEqual({ schemas: [CORE_USER, ENTERPRISE_USER], [ENTERPRISE_USER]: { a: 1 }, userName: "u" });
  });

  it("picks the account email: primary, else work, else an email userName", () => {
    expect(fromScim({ userName: "u", emails: [{ type: "home", value: "h@x.test" }, { type: "work", value: "w@x.test" }] }).email).toBe("w@x.test");
    expect(fromScim({ userName: "u", emails: [{ type: "work", value: "w@x.test" }, { value: "p@x.test", primary: true }] }).email).toBe("p@x.test");
    expect(fromScim({ userName: "me@x.test", emails: [{ type: "work", value: "not-an-email" }] }).email).toBe("me@x.test");
    expect(fromScim({ userName: "UserName111" }).email).toBeNull();
    expect(fromScim({ userName: "u", roles: [{ value: "Admin" }, { value: "member" }, "owner-ish"] }).scimRole).toBe("admin");
  });
});

describe("toScimError", () => {
  it("maps every AppError kind to an RFC 7644 status and never forwards unknown messages", () => {
    const cases: Array<[unknown, number, string | undefined]> = [
      [new ValidationError([{ field: "x", message: "bad" }]), 400, "invalidValue"],
      [new UnauthenticatedError(), 401, undefined],
      [new ForbiddenError("f", "no"), 403, undefined],
      [new OwnerRequiredError(), 403, undefined],
      [new NotFoundError("Member"), 404, undefined],
      [new ConflictError("member.user_name_taken", "taken"), 409, "uniqueness"],
      [new ConflictError("member.exists", "exists"), 409, "uniqueness"],
      [new LastOwnerError(), 409, undefined],
      [new ManagedByIdpError(), 409, undefined],
      [new GoneError("g", "gone"), 410, undefined],
      [new RateLimitedError(7), 429, "tooMany"],
      [new UnavailableError(), 503, undefined],
      [new AppError("internal", 500, "secret"), 500, undefined],
      [new SCIMMY.Types.Error(400, "invalidFilter", "bad filter"), 400, "invalidFilter"],
      [Object.assign(new QueryFailedError("q", [], Object.assign(new Error("dup"), { code: "23505" })), {}), 409, "uniqueness"],
      [Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:5432"), { code: "ECONNREFUSED" }), 503, undefined],
      [new Error("secret internals"), 500, undefined],
    ];
    for (const [err, status, scimType] of cases) {
      const e = toScimError(err);
      expect(e).toBeInstanceOf(ScimError);
      expect([e.status, e.scimType]).toEqual([status, scimType]);
      if (status >= 500) expect(e.detail).not.toMatch(/secret|ECONNREFUSED/);
    }
    expect(toScimError(new RateLimitedError(7)).retryAfter).toBe(7);
  });
});
