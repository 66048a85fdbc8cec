/**
 * Upgrading a database made before issue 9: the migration records who made existing SCIM tokens
 * and SSO connections (from the token row and the audit log), so non-Owner-made ones are listed
 * for review. Runs the migration's down (after the downs of every later migration, whose objects
 * may depend on its columns), writes rows as the old code did, then the ups again in order.
 */
import { startTestApp, type TestApp } from "../support/app";
import { addMemberViaInvite, createOrg } from "../support/actors";
import { TrustBoundaries1764400000000 } from "../../entities/migrations/1764400000000-TrustBoundaries";
import { MIGRATIONS } from "../../entities/migrations";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

it("backfills creators: an Admin's token and connection need review; the Owner's and the operator's do not", async () => {
  const o = await createOrg(t, "enterprise", "Legacy");
  await addMemberViaInvite(t, o, `adm.${Date.now()}@example.test`, "admin");
  const [{ owner, admin }] = await t.deps.ds.query(`SELECT max(user_id::text) FILTER (WHERE role = 'owner') AS owner,
    max(user_id::text) FILTER (WHERE role = 'admin') AS admin FROM memberships WHERE org_id = $1`, [o.orgId]);
  const runner = t.deps.ds.createQueryRunner();
  const migration = new TrustBoundaries1764400000000();
  const later = MIGRATIONS.slice(MIGRATIONS.indexOf(TrustBoundaries1764400000000) + 1).map((M) => new M());
  try {
    for (const m of [...later].reverse()) await m.down(runner);
    await migration.down(runner);
    const tok = async (name: string, by: string | null) => (await runner.query(
      `INSERT INTO scim_tokens (org_id, name, token_hash, prefix, created_by_user_id) VALUES ($1, $2::text, md5($2::text) || md5($2::text), 'rst_', $3::uuid) RETURNING id`, [o.orgId, name, by]))[0].id;
    const conn = async (name: string, actor: object) => {
      const [{ id }] = await runner.query(`INSERT INTO sso_connections (org_id, kind, name) VALUES ($1, 'saml', $2) RETURNING id`, [o.orgId, name]);
      await runner.query(`INSERT INTO audit_events (org_id, action, actor, target) VALUES ($1, 'sso_connection.created', $2::jsonb, $3::jsonb)`,
        [o.orgId, JSON.stringify(actor), JSON.stringify({ type: "sso_connection", id, name })]);
      return id;
    };
    const ids = {
      tOwner: await tok("owner's", owner), tAdmin: await tok("admin's", admin), tCli: await tok("cli", null),
      cOwner: await conn("owner's", { type: "user", id: owner }), cAdmin: await conn("admin's", { type: "user", id: admin }),
      cCli: await conn("cli", { type: "system", name: "roster cli" }),
    };
    await migration.up(runner);
    for (const m of later) await m.up(runner);
    const role = async (table: string, id: string) => (await runner.query(`SELECT created_by_role AS r FROM ${table} WHERE id = $1`, [id]))[0].r;
    expect([await role("scim_tokens", ids.tOwner), await role("scim_tokens", ids.tAdmin), await role("scim_tokens", ids.tCli)]).toEqual(["owner", "admin", "operator"]);
    expect([await role("sso_connections", ids.cOwner), await role("sso_connections", ids.cAdmin), await role("sso_connections", ids.cCli)]).toEqual(["owner", "admin", "operator"]);
    expect((await runner.query(`SELECT created_by_user_id AS u FROM sso_connections WHERE id = $1`, [ids.cAdmin]))[0].u).toBe(admin);
  } finally {
    await runner.release();
  }
  const tokens = (await o.owner.get(`/api/orgs/${o.orgId}/scim-tokens`).expect(200)).body.tokens as any[];
  expect(tokens.filter((x) => x.needsOwnerReview).map((x) => x.name)).toEqual(["admin's"]);
});
