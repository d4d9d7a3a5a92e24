import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each claim's tested content (scope, channel, metric, period, value) was last set: a claim is judged in
 * the digest that holds the later of its period's end and this, so a change is judged and never lost between
 * digests. Existing claims take their last such change from their history, else their creation.
 */
export class ClaimRevisedAt1765800000000 implements MigrationInterface {
  name = 'ClaimRevisedAt1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claim ADD COLUMN revised_at timestamptz`);
    await q.query(`
      UPDATE claim c SET revised_at = greatest(c.created_at, coalesce(
        (SELECT max(e.edited_at) FROM claim_edit e
          WHERE e.claim_id = c.id AND e.action = 'updated'
            AND (e.before - 'source' - 'reportedAt' - 'reportedBy')
                IS DISTINCT FROM (e.after - 'source' - 'reportedAt' - 'reportedBy')),
        c.created_at))`);
    await q.query(`ALTER TABLE claim ALTER COLUMN revised_at SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claim DROP COLUMN revised_at`);
  }
}
