import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The Members page's `total` without counting the org (issue 14: a first page at 100,000 members
 * spent 20-45 ms in `count(*)`, the one part of a page that grew with the org).
 *
 * `org_member_tallies` holds, per org, the number of memberships split over up to 64 slots; the
 * org's total is the sum of its slots. A writer adds to the slot of its own PostgreSQL backend
 * (pg_backend_pid() % 64), so parallel SCIM creates on a pool's connections update different rows
 * and do not wait on each other, which one counter row per org would make them do (the lock is
 * held to commit). Statement-level triggers with transition tables keep it: a set-based write of
 * 1,000 members adds to its slot once, and every writer of `memberships` is counted, whoever it is.
 * A membership moving to another org (nothing does it today) is handled by a row trigger that
 * fires only then.
 */
export class MemberTallies1764500000000 implements MigrationInterface {
  name = "MemberTallies1764500000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE org_member_tallies (
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      slot smallint NOT NULL,
      members integer NOT NULL,
      PRIMARY KEY (org_id, slot))`);
    // ORDER BY org_id: a statement touching several orgs takes their slot rows in one order, so two
    // such statements sharing a slot number cannot deadlock. An org deleted by this same statement
    // (cascade) is skipped: its tallies go with it.
    await q.query(`CREATE FUNCTION roster_tally_members() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO org_member_tallies AS t (org_id, slot, members)
            SELECT org_id, pg_backend_pid() % 64, count(*) FROM new_rows GROUP BY org_id ORDER BY org_id
            ON CONFLICT (org_id, slot) DO UPDATE SET members = t.members + EXCLUDED.members;
        ELSE
          INSERT INTO org_member_tallies AS t (org_id, slot, members)
            SELECT d.org_id, pg_backend_pid() % 64, -count(*) FROM old_rows d
             WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = d.org_id)
             GROUP BY d.org_id ORDER BY d.org_id
            ON CONFLICT (org_id, slot) DO UPDATE SET members = t.members + EXCLUDED.members;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER memberships_tally_insert AFTER INSERT ON memberships
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_tally_members()`);
    await q.query(`CREATE TRIGGER memberships_tally_delete AFTER DELETE ON memberships
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_tally_members()`);
    await q.query(`CREATE FUNCTION roster_tally_member_move() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO org_member_tallies AS t (org_id, slot, members)
          SELECT x.org_id, pg_backend_pid() % 64, x.d FROM (VALUES (OLD.org_id, -1), (NEW.org_id, 1)) AS x(org_id, d)
           WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = x.org_id) ORDER BY x.org_id
          ON CONFLICT (org_id, slot) DO UPDATE SET members = t.members + EXCLUDED.members;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER memberships_tally_move AFTER UPDATE OF org_id ON memberships
      FOR EACH ROW WHEN (OLD.org_id <> NEW.org_id) EXECUTE FUNCTION roster_tally_member_move()`);
    // After the triggers: CREATE TRIGGER locks memberships against writes until the migration's
    // transaction commits, so no write lands between this count and the triggers (none is missed
    // or counted twice).
    await q.query(`INSERT INTO org_member_tallies (org_id, slot, members) SELECT org_id, 0, count(*) FROM memberships GROUP BY org_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER memberships_tally_move ON memberships`);
    await q.query(`DROP FUNCTION roster_tally_member_move()`);
    await q.query(`DROP TRIGGER memberships_tally_delete ON memberships`);
    await q.query(`DROP TRIGGER memberships_tally_insert ON memberships`);
    await q.query(`DROP FUNCTION roster_tally_members()`);
    await q.query(`DROP TABLE org_member_tallies`);
  }
}
