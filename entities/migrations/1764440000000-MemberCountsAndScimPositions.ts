import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Paging and totals that do not grow with the directory (issue 14).
 *
 * - `memberships.scim_pos`: the SCIM user's position in the org's default order (creation
 *   order). Creates do not take it (a per-org counter locked by every POST would serialise an
 *   IdP's parallel creates): a create only marks its org `unpositioned` (a row write on the first
 *   create after a list, a read after that) under a shared advisory lock; the next list numbers
 *   the new users in one statement after the org's last position (assign_scim_positions) under
 *   the exclusive one, which waits for creates in flight, so none is missed. A page at startIndex
 *   s starts at the index entry (org_id, scim_pos = s) instead of skipping s-1 rows with OFFSET.
 * - `org_member_counts`: per org, the positioned SCIM users, the next position, the gaps and the
 *   `unpositioned` mark; kept by assign_scim_positions and the trigger, so totalResults is one row
 *   read, never a count over the org.
 * - `scim_position_gaps`: positions freed by removals. The s-th user is the (k+1)-th at or after
 *   position s, k being the gaps below s, so a page skips only k rows. When an org's gaps outgrow
 *   max(100, 1% of its users) it is marked in `scim_positions_due` and the statement that made
 *   the gaps renumbers it at its end (compact_scim_positions), which bounds k.
 * The trigger is the bookkeeping of every membership write, whoever makes it; the writes
 * themselves stay in the member service.
 */
export class MemberCountsAndScimPositions1764440000000 implements MigrationInterface {
  name = "MemberCountsAndScimPositions1764440000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE org_member_counts (
      org_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
      scim_users integer NOT NULL DEFAULT 0,
      next_scim_pos bigint NOT NULL DEFAULT 1,
      scim_gaps integer NOT NULL DEFAULT 0,
      unpositioned boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE TABLE scim_position_gaps (
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      pos bigint NOT NULL,
      PRIMARY KEY (org_id, pos))`);
    await q.query(`CREATE TABLE scim_positions_due (org_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE)`);
    await q.query(`ALTER TABLE memberships ADD COLUMN scim_pos bigint`);
    await q.query(`UPDATE memberships m SET scim_pos = r.rn FROM (
        SELECT id, row_number() OVER (PARTITION BY org_id ORDER BY created_at, id) AS rn FROM memberships WHERE scim_user_name IS NOT NULL) r
      WHERE m.id = r.id`);
    await q.query(`INSERT INTO org_member_counts (org_id, scim_users, next_scim_pos)
      SELECT o.id, count(m.scim_pos), count(m.scim_pos) + 1 FROM organizations o LEFT JOIN memberships m ON m.org_id = o.id GROUP BY o.id`);
    await q.query(`CREATE INDEX memberships_org_scim_pos_idx ON memberships (org_id, scim_pos) WHERE scim_pos IS NOT NULL`);
    await q.query(`CREATE INDEX memberships_scim_unpositioned_idx ON memberships (org_id, created_at, id) WHERE scim_user_name IS NOT NULL AND scim_pos IS NULL`);

    // Numbers the org's SCIM users that have no position yet, after its last one, in creation order.
    await q.query(`CREATE FUNCTION assign_scim_positions(org uuid) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE n integer;
      BEGIN
        PERFORM pg_advisory_xact_lock(1764440, hashtext(org::text));
        INSERT INTO org_member_counts (org_id) VALUES (org) ON CONFLICT DO NOTHING;
        PERFORM 1 FROM org_member_counts WHERE org_id = org FOR UPDATE;
        WITH c AS (SELECT next_scim_pos FROM org_member_counts WHERE org_id = org),
             r AS (SELECT id, row_number() OVER (ORDER BY created_at, id) AS rn FROM memberships
                    WHERE org_id = org AND scim_user_name IS NOT NULL AND scim_pos IS NULL)
        UPDATE memberships m SET scim_pos = c.next_scim_pos + r.rn - 1 FROM r, c WHERE m.id = r.id;
        GET DIAGNOSTICS n = ROW_COUNT;
        UPDATE org_member_counts SET scim_users = scim_users + n, next_scim_pos = next_scim_pos + n, unpositioned = false WHERE org_id = org;
        RETURN n;
      END $$`);
    await q.query(`CREATE FUNCTION compact_scim_positions(org uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE memberships m SET scim_pos = r.rn
          FROM (SELECT id, row_number() OVER (ORDER BY scim_pos) AS rn FROM memberships WHERE org_id = org AND scim_pos IS NOT NULL) r
         WHERE m.id = r.id AND m.scim_pos <> r.rn;
        DELETE FROM scim_position_gaps WHERE org_id = org;
        DELETE FROM scim_positions_due WHERE org_id = org;
        UPDATE org_member_counts SET next_scim_pos = scim_users + 1, scim_gaps = 0 WHERE org_id = org;
      END $$`);

    // Row level. Joining the org's SCIM users (insert, userName set, moved in): mark the org, under
    // the shared advisory lock that assign_scim_positions waits out. Leaving (removal, userName
    // cleared, moved out) a position: count it and record the gap.
    await q.query(`CREATE FUNCTION memberships_track() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        g integer;
        n integer;
      BEGIN
        IF TG_OP <> 'DELETE' AND NEW.scim_user_name IS NOT NULL
           AND (TG_OP = 'INSERT' OR OLD.scim_user_name IS NULL OR NEW.org_id <> OLD.org_id OR OLD.scim_pos IS NULL) THEN
          PERFORM pg_advisory_xact_lock_shared(1764440, hashtext(NEW.org_id::text));
          IF NOT EXISTS (SELECT 1 FROM org_member_counts WHERE org_id = NEW.org_id AND unpositioned) THEN
            INSERT INTO org_member_counts AS c (org_id, unpositioned) VALUES (NEW.org_id, true)
              ON CONFLICT (org_id) DO UPDATE SET unpositioned = true WHERE NOT c.unpositioned;
          END IF;
        END IF;
        IF TG_OP = 'INSERT' THEN NEW.scim_pos := NULL; RETURN NEW; END IF;
        IF OLD.scim_pos IS NULL THEN RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END IF;
        IF TG_OP = 'UPDATE' AND NEW.org_id = OLD.org_id AND NEW.scim_user_name IS NOT NULL THEN RETURN NEW; END IF;
        -- The org itself is being deleted (cascade): its bookkeeping goes with it.
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM organizations WHERE id = OLD.org_id) THEN RETURN OLD; END IF;
        UPDATE org_member_counts SET scim_users = scim_users - 1, scim_gaps = scim_gaps + 1 WHERE org_id = OLD.org_id RETURNING scim_gaps, scim_users INTO g, n;
        INSERT INTO scim_position_gaps (org_id, pos) VALUES (OLD.org_id, OLD.scim_pos) ON CONFLICT DO NOTHING;
        IF g > greatest(100, n / 100) THEN INSERT INTO scim_positions_due (org_id) VALUES (OLD.org_id) ON CONFLICT DO NOTHING; END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        NEW.scim_pos := NULL;
        RETURN NEW;
      END $$`);
    // WHEN clauses keep the common writes (a PATCH rewriting the same userName, a manual member)
    // from calling the function at all.
    await q.query(`CREATE TRIGGER memberships_track_insert BEFORE INSERT ON memberships
      FOR EACH ROW WHEN (NEW.scim_user_name IS NOT NULL) EXECUTE FUNCTION memberships_track()`);
    await q.query(`CREATE TRIGGER memberships_track_update BEFORE UPDATE OF org_id, scim_user_name ON memberships
      FOR EACH ROW WHEN (OLD.scim_user_name IS DISTINCT FROM NEW.scim_user_name OR OLD.org_id <> NEW.org_id) EXECUTE FUNCTION memberships_track()`);
    await q.query(`CREATE TRIGGER memberships_track_delete BEFORE DELETE ON memberships
      FOR EACH ROW WHEN (OLD.scim_pos IS NOT NULL) EXECUTE FUNCTION memberships_track()`);
    // Statement level, after every row trigger: renumber the orgs marked due (the table is nearly always empty).
    await q.query(`CREATE FUNCTION scim_positions_compact() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE o uuid;
      BEGIN
        FOR o IN SELECT org_id FROM scim_positions_due LOOP
          PERFORM compact_scim_positions(o);
        END LOOP;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER memberships_compact_positions AFTER DELETE ON memberships
      FOR EACH STATEMENT EXECUTE FUNCTION scim_positions_compact()`);
    // Organizations created from now on start with their counter row.
    await q.query(`CREATE FUNCTION organizations_count_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO org_member_counts (org_id) VALUES (NEW.id) ON CONFLICT DO NOTHING; RETURN NULL; END $$`);
    await q.query(`CREATE TRIGGER organizations_count_row AFTER INSERT ON organizations FOR EACH ROW EXECUTE FUNCTION organizations_count_row()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER organizations_count_row ON organizations`);
    await q.query(`DROP FUNCTION organizations_count_row()`);
    await q.query(`DROP TRIGGER memberships_compact_positions ON memberships`);
    await q.query(`DROP FUNCTION scim_positions_compact()`);
    await q.query(`DROP TRIGGER memberships_track_delete ON memberships`);
    await q.query(`DROP TRIGGER memberships_track_update ON memberships`);
    await q.query(`DROP TRIGGER memberships_track_insert ON memberships`);
    await q.query(`DROP FUNCTION memberships_track()`);
    await q.query(`DROP FUNCTION compact_scim_positions(uuid)`);
    await q.query(`DROP FUNCTION assign_scim_positions(uuid)`);
    await q.query(`DROP INDEX memberships_scim_unpositioned_idx`);
    await q.query(`DROP INDEX memberships_org_scim_pos_idx`);
    await q.query(`ALTER TABLE memberships DROP COLUMN scim_pos`);
    await q.query(`DROP TABLE scim_positions_due`);
    await q.query(`DROP TABLE scim_position_gaps`);
    await q.query(`DROP TABLE org_member_counts`);
  }
}
