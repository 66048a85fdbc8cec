import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * An explicit chatbot scope per membership and invitation ("all" or "selected"; selected with no
 * grant = no chatbot). Existing rows keep what they meant before: with grants → selected, without →
 * all. Plus indexes for the Members page's server-side sort and keyset paging.
 */
export class MemberScopeAndPaging1764450000000 implements MigrationInterface {
  name = "MemberScopeAndPaging1764450000000";

  async up(q: QueryRunner): Promise<void> {
    for (const table of ["memberships", "invitations"]) {
      await q.query(`ALTER TABLE "${table}" ADD "chatbot_scope" varchar(10) NOT NULL DEFAULT 'all'`);
      await q.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_chatbot_scope_check" CHECK ("chatbot_scope" IN ('all', 'selected'))`);
    }
    await q.query(`UPDATE memberships m SET chatbot_scope = 'selected' WHERE EXISTS (SELECT 1 FROM chatbot_permissions g WHERE g.membership_id = m.id)`);
    await q.query(`UPDATE invitations i SET chatbot_scope = 'selected' WHERE EXISTS (SELECT 1 FROM chatbot_permissions g WHERE g.invitation_id = i.id)`);
    // The same expressions as src/members/member.search.ts and src/invitations/invitation.search.ts
    // sort by, so a page is an index range scan. (Name sorts join users: no index can serve them;
    // bench/members.bench.ts measures them.)
    await q.query(`CREATE INDEX memberships_org_last_active_idx ON memberships (org_id, (COALESCE(last_active_at, '0001-01-01T00:00:00Z'::timestamptz)) DESC, id DESC)`);
    await q.query(`CREATE INDEX invitations_pending_created_idx ON invitations (org_id, created_at DESC, id DESC) WHERE accepted_at IS NULL AND revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX invitations_pending_created_idx`);
    await q.query(`DROP INDEX memberships_org_last_active_idx`);
    for (const table of ["memberships", "invitations"]) {
      await q.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_chatbot_scope_check"`);
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "chatbot_scope"`);
    }
  }
}
