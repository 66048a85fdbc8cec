/** The pure parts of the trust rules (docs/security.md). */
import { credentialMayManageOwners, ownerChangeOf } from "../../src/members/idp-owner-guard";
import { creatorRoleOf, needsOwnerReview } from "../../src/orgs/owner-only";
import { emailDomain } from "../../src/orgs/domain-authority";

describe("ownerChangeOf", () => {
  it.each([
    [{ role: "member" }, { role: "owner" }, "grant"],
    [{ role: "admin" }, { role: "owner" }, "grant"],
    [{ role: "owner" }, { role: "admin" }, "demote"],
    [{ role: "owner" }, { status: "suspended" }, "suspend"],
    [{ role: "owner" }, { remove: true }, "remove"],
    [{ role: "owner" }, { role: "owner" }, null],
    [{ role: "owner" }, { status: "active" }, null],
    [{ role: "admin" }, { role: "member" }, null],
    [{ role: "member" }, { remove: true }, null],
  ] as const)("%j → %j is %s", (m, next, change) => {
    expect(ownerChangeOf(m, next)).toBe(change);
  });
});

describe("credentialMayManageOwners", () => {
  const on = { settings: { idpManagedOwners: true } };
  const off = { settings: {} };
  it("needs the org's switch AND an Owner- or operator-made credential", () => {
    expect(credentialMayManageOwners(on, "owner")).toBe(true);
    expect(credentialMayManageOwners(on, "operator")).toBe(true);
    expect(credentialMayManageOwners(on, "admin")).toBe(false);
    expect(credentialMayManageOwners(on, null)).toBe(false);
    expect(credentialMayManageOwners(off, "owner")).toBe(false);
    expect(credentialMayManageOwners(off, "operator")).toBe(false);
  });
});

describe("creators", () => {
  it("records the CLI as operator and flags everything not made by an Owner or the operator", () => {
    expect(creatorRoleOf("system", null)).toBe("operator");
    expect(creatorRoleOf("user", "admin")).toBe("admin");
    expect(needsOwnerReview("owner")).toBe(false);
    expect(needsOwnerReview("operator")).toBe(false);
    expect(needsOwnerReview("admin")).toBe(true);
    expect(needsOwnerReview(null)).toBe(true);
  });
});

it("emailDomain reads the part after the last @, lowercased", () => {
  expect(emailDomain("Ann@Example.COM")).toBe("example.com");
  expect(emailDomain("a@b@evil.test")).toBe("evil.test");
  expect(emailDomain("nobody")).toBeNull();
});
