import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counted contacts (src/metrics/counted-contacts.ts) first look a contact's (touchpoint, tester) up among former
 * owners, the rows of touchpoint_ownership that have ended: without an index that lookup read the whole ownership
 * history (one row per touchpoint and owner ever) in every evidence query, a results page's included.
 */
export class FormerOwnersIndex1766750000000 implements MigrationInterface {
  name = 'FormerOwnersIndex1766750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX touchpoint_ownership_former_idx ON touchpoint_ownership (touchpoint_id, owner_id)
        WHERE owned_until IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX touchpoint_ownership_former_idx`);
  }
}
