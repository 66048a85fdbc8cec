import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Index-served Members page at 100,000 members per org (issue 14's scaling rule). The name and
 * email a member sorts and is searched by live in the users row (or the membership's pending
 * email), so sorting by them joined every member of the org on every page. They are copied onto
 * `memberships` as lower-cased keys, kept right by triggers whichever code path writes users or
 * memberships (SCIM, SSO/JIT, joins, the member service), so the keyset indexes match the page
 * query exactly: (org_id, key…, id). Plus prefix-search indexes (text_pattern_ops: LIKE 'q%'
 * under any database collation) and the pending-invitation sorts by email and by expiry.
 */
export class MemberSortKeys1764451000000 implements MigrationInterface {
  name = "MemberSortKeys1764451000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memberships ADD COLUMN sort_name text, ADD COLUMN sort_email text`);
    // What the page shows as the person's name (their name, else the email), and the email shown.
    await q.query(`CREATE FUNCTION roster_membership_sort_keys() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE u record;
      BEGIN
        SELECT name, email INTO u FROM users WHERE id = NEW.user_id;
        -- '' only while the user row is not visible yet (inserted by the same statement, as SCIM's
        -- one-statement create does): the users trigger below sets the keys at its end.
        NEW.sort_name := COALESCE(lower(COALESCE(NULLIF(u.name, ''), NEW.pending_email, u.email)), '');
        NEW.sort_email := COALESCE(lower(COALESCE(NEW.pending_email, u.email)), '');
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER memberships_sort_keys BEFORE INSERT OR UPDATE OF user_id, pending_email, sort_name, sort_email
      ON memberships FOR EACH ROW EXECUTE FUNCTION roster_membership_sort_keys()`);
    // Writing a key (to anything) makes the trigger above recompute it: one home for the expression.
    await q.query(`CREATE FUNCTION roster_user_member_sort_keys() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE memberships SET sort_name = NULL WHERE user_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER users_member_sort_keys AFTER UPDATE OF name, email ON users FOR EACH ROW
      WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email) EXECUTE FUNCTION roster_user_member_sort_keys()`);
    // A user and their membership inserted by one statement: the membership's keys are set here, at the statement's end.
    await q.query(`CREATE TRIGGER users_new_member_sort_keys AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION roster_user_member_sort_keys()`);
    await q.query(`UPDATE memberships SET sort_name = NULL`);
    await q.query(`ALTER TABLE memberships ALTER COLUMN sort_name SET NOT NULL, ALTER COLUMN sort_email SET NOT NULL`);
    // The same expressions as src/members/member.search.ts sorts by (last active has its index already).
    await q.query(`CREATE INDEX memberships_org_name_idx ON memberships (org_id, sort_name, id)`);
    await q.query(`CREATE INDEX memberships_org_role_name_idx ON memberships (org_id, (CASE role WHEN 'owner' THEN 1 WHEN 'admin' THEN 2 ELSE 3 END), sort_name, id)`);
    await q.query(`CREATE INDEX memberships_org_name_prefix_idx ON memberships (org_id, sort_name text_pattern_ops)`);
    await q.query(`CREATE INDEX memberships_org_email_prefix_idx ON memberships (org_id, sort_email text_pattern_ops)`);
    await q.query(`CREATE INDEX invitations_pending_email_idx ON invitations (org_id, lower(email), id) WHERE accepted_at IS NULL AND revoked_at IS NULL`);
    await q.query(`CREATE INDEX invitations_pending_email_prefix_idx ON invitations (org_id, lower(email) text_pattern_ops) WHERE accepted_at IS NULL AND revoked_at IS NULL`);
    await q.query(`CREATE INDEX invitations_pending_expires_idx ON invitations (org_id, expires_at, id) WHERE accepted_at IS NULL AND revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ["invitations_pending_expires_idx", "invitations_pending_email_prefix_idx", "invitations_pending_email_idx",
      "memberships_org_email_prefix_idx", "memberships_org_name_prefix_idx", "memberships_org_role_name_idx", "memberships_org_name_idx"]) {
      await q.query(`DROP INDEX ${index}`);
    }
    await q.query(`DROP TRIGGER users_new_member_sort_keys ON users`);
    await q.query(`DROP TRIGGER users_member_sort_keys ON users`);
    await q.query(`DROP FUNCTION roster_user_member_sort_keys()`);
    await q.query(`DROP TRIGGER memberships_sort_keys ON memberships`);
    await q.query(`DROP FUNCTION roster_membership_sort_keys()`);
    await q.query(`ALTER TABLE memberships DROP COLUMN sort_email, DROP COLUMN sort_name`);
  }
}
