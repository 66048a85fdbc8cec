/** Garbage in every body, param and query of the members API: always a 4xx with a JSON error, never a 500, nothing written. */
import { startTestApp, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg, uniqueEmail, type OrgFixture } from "../support/actors";

let t: TestApp;
let fx: OrgFixture;
beforeAll(async () => {
  t = await startTestApp();
  fx = await createOrg(t);
});
afterAll(() => t.close());

const BODIES: unknown[] = [[], "text", 42, null, { email: ["a@b.c"] }, { role: { $gt: "" } }, { name: "x".repeat(10_000) },
  { chatbotPermissions: "all" }, { chatbotPermissions: [{ chatbotId: "'; DROP TABLE users; --", access: "god" }] },
  { memberId: "../../etc/passwd" }, { subject: "" }, { email: "a@b.c", role: "MEMBER", chatbotPermissions: [null] }];
const IDS = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", "1 OR 1=1"];

it("answers every bad request with a 4xx JSON error", async () => {
  const { memberId } = await addMemberViaInvite(t, fx, uniqueEmail("m"), "member");
  const b = `/api/orgs/${fx.orgId}`;
  const routes: Array<["post" | "patch" | "delete" | "get", string]> = [
    ["post", `${b}/invitations`], ["post", `${b}/chatbots`], ["patch", `${b}/members/${memberId}`],
    ["post", "/api/auth/signup"], ["post", "/api/auth/signin"],
    ...IDS.flatMap((id): Array<["post" | "patch" | "delete" | "get", string]> => [
      ["patch", `${b}/members/${encodeURIComponent(id)}`], ["delete", `${b}/members/${encodeURIComponent(id)}`],
      ["post", `${b}/invitations/${encodeURIComponent(id)}/resend`], ["post", `${b}/invitations/${encodeURIComponent(id)}/revoke`],
      ["post", `${b}/chatbots/${encodeURIComponent(id)}/conversations`], ["post", `${b}/conversations/${encodeURIComponent(id)}/assign`],
      ["get", `/api/invitations/${encodeURIComponent(id)}`], ["post", `/api/invitations/${encodeURIComponent(id)}/accept`],
      ["get", `/api/orgs/${encodeURIComponent(id)}/members`],
    ]),
    ["get", `${b}/conversations?status=everything`], ["get", `${b}/audit-events?limit=-5`], ["get", `${b}/audit-events?limit=abc&cursor=%%%`],
    ["get", `${b}/conversations?status=queued&status=assigned`],
  ];
  const seen = new Set<number>();
  for (const [method, path] of routes) {
    for (const body of method === "get" || method === "delete" ? [undefined] : BODIES) {
      let req = fx.owner.agent[method](path).set("X-CSRF-Token", fx.owner.csrf!);
      if (body !== undefined) req = req.set("Content-Type", "application/json").send(JSON.stringify(body));
      const r = await req;
      seen.add(r.status);
      if (r.status >= 500 || r.status < 400 || !r.body?.error?.code) {
        throw new Error(`${method.toUpperCase()} ${path} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
  }
  expect([...seen].every((s) => s >= 400 && s < 500)).toBe(true);
  // Nothing was written by any of it: still one invitation (the fixture's), one chatbot-less org.
  expect(Number((await t.deps.ds.query(`SELECT count(*)::int AS n FROM invitations WHERE org_id = $1`, [fx.orgId]))[0].n)).toBe(1);
  expect(Number((await t.deps.ds.query(`SELECT count(*)::int AS n FROM chatbots WHERE org_id = $1`, [fx.orgId]))[0].n)).toBe(0);
});
