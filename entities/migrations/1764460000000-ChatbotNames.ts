import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Chatbot names are unique per org, ignoring case ("Sales" and "sales" would be two rows nobody
 * can tell apart on the Chatbots page or in an access list). Existing duplicates keep their
 * first-created name; later ones get " (2)", " (3)"… so the index can be built.
 */
export class ChatbotNames1764460000000 implements MigrationInterface {
  name = "ChatbotNames1764460000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE chatbots c SET name = left(c.name, 190) || ' (' || d.n || ')'
      FROM (SELECT id, row_number() OVER (PARTITION BY org_id, lower(name) ORDER BY created_at, id) AS n FROM chatbots) d
      WHERE c.id = d.id AND d.n > 1`);
    await q.query(`CREATE UNIQUE INDEX chatbots_org_name_key ON chatbots (org_id, lower(name))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX chatbots_org_name_key`);
  }
}
