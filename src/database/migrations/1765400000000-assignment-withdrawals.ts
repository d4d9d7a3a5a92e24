import { MigrationInterface, QueryRunner } from 'typeorm';

/** Why, by whom and through what each cancelled (withdrawn) test was cancelled. */
export class AssignmentWithdrawals1765400000000 implements MigrationInterface {
  name = 'AssignmentWithdrawals1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE assignment
                     ADD COLUMN cancel_reason text, ADD COLUMN cancel_cause text, ADD COLUMN cancelled_by uuid`);
    // Tests cancelled before this migration: the reason was not kept.
    await q.query(`UPDATE assignment SET cancel_reason = 'unrecorded' WHERE status = 'cancelled'`);
    await q.query(`ALTER TABLE assignment ADD CONSTRAINT assignment_cancel_check
                     CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))`);
    await q.query(`ALTER TABLE assignment ADD CONSTRAINT assignment_cancelled_by_fkey
                     FOREIGN KEY (cancelled_by) REFERENCES person (id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE assignment DROP CONSTRAINT assignment_cancelled_by_fkey`);
    await q.query(`ALTER TABLE assignment DROP CONSTRAINT assignment_cancel_check`);
    await q.query(`ALTER TABLE assignment
                     DROP COLUMN cancelled_by, DROP COLUMN cancel_cause, DROP COLUMN cancel_reason`);
  }
}
