/**
 * Turning SCIM on is explicit: while an org has no active token (and no directory), creating a
 * token without `confirm: true` is refused with what will change, and nothing is created.
 */
import { startTestApp, type TestApp } from "../support/app";
import { createOrg, type OrgFixture } from "../support/actors";
import { ScimToken } from "../../entities";

let t: TestApp;
let o: OrgFixture;
let api: (p: string) => string;
beforeAll(async () => {
  t = await startTestApp();
  o = await createOrg(t, "enterprise", "Turnco");
  api = (p) => `/api/orgs/${o.orgId}${p}`;
});
afterAll(() => t.close());

it("refuses the first token without confirmation, saying what changes, and creates nothing", async () => {
  for (const body of [{ name: "Okta" }, { name: "Okta", confirm: false }]) {
    const r = await o.owner.post(api("/scim-tokens"), body).expect(409);
    expect(r.body.error.code).toBe("scim.confirmation_required");
    expect(r.body.error.message).toMatch(/invitations and manual role changes to your identity provider/);
  }
  expect(await t.deps.ds.getRepository(ScimToken).countBy({ orgId: o.orgId })).toBe(0);
  expect((await o.owner.get(api("")).expect(200)).body.scimManaged).toBe(false);
  const bad = await o.owner.post(api("/scim-tokens"), { name: "Okta", confirm: "yes" }).expect(400);
  expect(bad.body.error.message).toBe("Confirm must be true or false.");
});

it("creates it with confirmation; a second token (rotation) needs none; after revoking all, confirmation is needed again", async () => {
  const first = await o.owner.post(api("/scim-tokens"), { name: "Okta", confirm: true }).expect(201);
  expect((await o.owner.get(api("")).expect(200)).body.scimManaged).toBe(true);
  const second = await o.owner.post(api("/scim-tokens"), { name: "Okta rotation" }).expect(201);
  await o.owner.delete(api(`/scim-tokens/${first.body.scimToken.id}`)).expect(200);
  await o.owner.delete(api(`/scim-tokens/${second.body.scimToken.id}`)).expect(200);
  expect((await o.owner.post(api("/scim-tokens"), { name: "Again" }).expect(409)).body.error.code).toBe("scim.confirmation_required");
});
