import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The Members sort keys (1764451000000-MemberSortKeys) without a second write per SCIM create.
 * SCIM inserts the account and its membership in one statement, where the membership's trigger
 * cannot see the new account yet; the account's AFTER INSERT trigger then rewrote the membership
 * (a new row version and an entry in each of its indexes), about a third of that statement's
 * cost. Now the expressions live in two SQL functions, such a statement passes the keys it
 * computed with them, the membership trigger keeps given keys only while the account is not
 * visible, and the account's trigger rewrites only memberships whose keys are not what the
 * functions give (so keys are right at the statement's end whatever a caller passed).
 */
export class CheaperMemberSortKeys1764490000000 implements MigrationInterface {
  name = "CheaperMemberSortKeys1764490000000";

  async up(q: QueryRunner): Promise<void> {
    // What the Members page shows as the person's name (their name, else the email), and the email shown.
    await q.query(`CREATE FUNCTION roster_sort_name(name text, pending_email text, email text) RETURNS text LANGUAGE sql IMMUTABLE
      AS $$ SELECT COALESCE(lower(COALESCE(NULLIF(name, ''), pending_email, email)), '') $$`);
    await q.query(`CREATE FUNCTION roster_sort_email(pending_email text, email text) RETURNS text LANGUAGE sql IMMUTABLE
      AS $$ SELECT COALESCE(lower(COALESCE(pending_email, email)), '') $$`);
    await q.query(`CREATE OR REPLACE FUNCTION roster_membership_sort_keys() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE u record;
      BEGIN
        SELECT name, email INTO u FROM users WHERE id = NEW.user_id;
        -- Not visible: inserted by this same statement, which may pass the keys (checked at its end below).
        IF NOT FOUND AND TG_OP = 'INSERT' AND NEW.sort_name IS NOT NULL AND NEW.sort_email IS NOT NULL THEN
          RETURN NEW;
        END IF;
        NEW.sort_name := roster_sort_name(u.name, NEW.pending_email, u.email);
        NEW.sort_email := roster_sort_email(NEW.pending_email, u.email);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE FUNCTION roster_new_user_member_sort_keys() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE memberships m SET sort_name = NULL WHERE m.user_id = NEW.id
           AND (m.sort_name IS DISTINCT FROM roster_sort_name(NEW.name, m.pending_email, NEW.email)
                OR m.sort_email IS DISTINCT FROM roster_sort_email(m.pending_email, NEW.email));
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER users_new_member_sort_keys ON users`);
    await q.query(`CREATE TRIGGER users_new_member_sort_keys AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION roster_new_user_member_sort_keys()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER users_new_member_sort_keys ON users`);
    await q.query(`CREATE TRIGGER users_new_member_sort_keys AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION roster_user_member_sort_keys()`);
    await q.query(`DROP FUNCTION roster_new_user_member_sort_keys()`);
    await q.query(`CREATE OR REPLACE FUNCTION roster_membership_sort_keys() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE u record;
      BEGIN
        SELECT name, email INTO u FROM users WHERE id = NEW.user_id;
        NEW.sort_name := COALESCE(lower(COALESCE(NULLIF(u.name, ''), NEW.pending_email, u.email)), '');
        NEW.sort_email := COALESCE(lower(COALESCE(NEW.pending_email, u.email)), '');
        RETURN NEW;
      END $$`);
    await q.query(`DROP FUNCTION roster_sort_email(text, text)`);
    await q.query(`DROP FUNCTION roster_sort_name(text, text, text)`);
  }
}
