import { MigrationInterface, QueryRunner } from 'typeorm';

/** What each channel asks of a contact: chat's bot, a mailbox's answer, a store's queue, ticket system and staff. */
export class ChannelFields1766798000000 implements MigrationInterface {
  name = 'ChannelFields1766798000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outcome
        ADD COLUMN bot_first boolean,
        ADD COLUMN answered_question boolean,
        ADD COLUMN queue_seconds integer,
        ADD COLUMN queue_system_worked boolean,
        ADD COLUMN staff_free boolean,
        ADD CONSTRAINT outcome_queue_seconds_check CHECK (queue_seconds >= 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outcome
        DROP CONSTRAINT outcome_queue_seconds_check,
        DROP COLUMN staff_free,
        DROP COLUMN queue_system_worked,
        DROP COLUMN queue_seconds,
        DROP COLUMN answered_question,
        DROP COLUMN bot_first`);
  }
}
