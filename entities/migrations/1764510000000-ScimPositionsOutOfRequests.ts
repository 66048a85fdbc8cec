import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Renumbering an org's SCIM positions no longer runs inside the removal that made it due.
 *
 * It grows with the org (3.5 s at 90,000 users on the bench machine) and, run by the removal's
 * statement, it ran under the request statement_timeout: past the timeout the removal failed,
 * rolled back, and so did every later one, since each was again the one to renumber. The org is
 * still marked due by the row trigger (memberships_track); the next unfiltered list renumbers it
 * in its own transaction under a longer timeout (scim/users.service.ts maintainPositions), as it
 * already numbers the users created since the last list. Until then pages skip the gaps, which
 * the gap count keeps exact.
 *
 * compact_scim_positions now takes its own locks: the org's positioned rows first, then its
 * counter row. A removal holds its row and then takes the counter (in memberships_track), so the
 * same order cannot deadlock with one in flight.
 */
/** The renumbering itself, as 1764440000000 wrote it; only the locks before it are new. */
const RENUMBER = `
        UPDATE memberships m SET scim_pos = r.rn
          FROM (SELECT id, row_number() OVER (ORDER BY scim_pos) AS rn FROM memberships WHERE org_id = org AND scim_pos IS NOT NULL) r
         WHERE m.id = r.id AND m.scim_pos <> r.rn;
        DELETE FROM scim_position_gaps WHERE org_id = org;
        DELETE FROM scim_positions_due WHERE org_id = org;
        UPDATE org_member_counts SET next_scim_pos = scim_users + 1, scim_gaps = 0 WHERE org_id = org;`;

export class ScimPositionsOutOfRequests1764510000000 implements MigrationInterface {
  name = "ScimPositionsOutOfRequests1764510000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER memberships_compact_positions ON memberships`);
    await q.query(`DROP FUNCTION scim_positions_compact()`);
    await q.query(`CREATE OR REPLACE FUNCTION compact_scim_positions(org uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM memberships WHERE org_id = org AND scim_pos IS NOT NULL ORDER BY scim_pos FOR UPDATE;
        PERFORM 1 FROM org_member_counts WHERE org_id = org FOR UPDATE;
${RENUMBER}
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION compact_scim_positions(org uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
${RENUMBER}
      END $$`);
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
  }
}
