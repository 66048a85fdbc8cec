import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Memberships pages keep 10% free, so that the IdP's everyday changes (suspend, restore, a
 * changed name: none touches an indexed column) are HOT updates, written beside the row on
 * its own page, instead of new index entries in each of the table's 15 indexes. Once the
 * indexes no longer fit in PostgreSQL's buffers (100,000 members in an org next to 50,000 in
 * others, with the default 128 MB shared_buffers), a non-HOT PATCH cost PostgreSQL 2.2x the CPU of
 * one at 10,000 members (README: Benchmark). Rows written before this migration keep their
 * full pages until they are rewritten.
 */
export class MembershipsFillfactor1764520000000 implements MigrationInterface {
  name = "MembershipsFillfactor1764520000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memberships SET (fillfactor = 90)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memberships RESET (fillfactor)`);
  }
}
