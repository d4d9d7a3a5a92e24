import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every change of a claim (deletions included, with the last state), and the channel a claim is about. */
export class ClaimHistory1765100000000 implements MigrationInterface {
  name = 'ClaimHistory1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claim ADD COLUMN channel text`);
    await q.query(
      `ALTER TABLE claim ADD CONSTRAINT claim_channel_check
         CHECK (channel IS NULL OR channel IN ('phone', 'chat', 'email', 'in_person', 'web_form', 'social'))`,
    );
    // a touchpoint claim is about its touchpoint's channel
    await q.query(`UPDATE claim c SET channel = t.channel FROM touchpoint t WHERE t.id = c.touchpoint_id`);
    await q.query(`
      CREATE TABLE claim_edit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        claim_id uuid NOT NULL,
        version integer NOT NULL,
        action text NOT NULL,
        edited_by uuid,
        via text NOT NULL,
        edited_at timestamptz NOT NULL,
        before jsonb,
        after jsonb,
        CONSTRAINT claim_edit_claim_version_key UNIQUE (claim_id, version),
        CONSTRAINT claim_edit_action_check CHECK (action IN ('created', 'updated', 'deleted')),
        CONSTRAINT claim_edit_images_check
          CHECK ((action = 'created') = (before IS NULL) AND (action = 'deleted') = (after IS NULL)),
        CONSTRAINT claim_edit_organization_fkey
          FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT claim_edit_person_fkey FOREIGN KEY (edited_by) REFERENCES person (id) ON DELETE SET NULL
      )`);
    // claims older than the history: their state now stands as version 1
    await q.query(`
      INSERT INTO claim_edit (organization_id, claim_id, version, action, edited_by, via, edited_at, before, after)
      SELECT organization_id, id, 1, 'created', reported_by, 'migration', created_at, NULL,
             jsonb_build_object(
               'touchpointId', touchpoint_id, 'team', team, 'channel', channel, 'metric', metric,
               'periodStart', to_char(period_start, 'YYYY-MM-DD'), 'periodEnd', to_char(period_end, 'YYYY-MM-DD'),
               'value', value, 'source', source,
               'reportedAt', to_char(reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
               'reportedBy', reported_by)
        FROM claim`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE claim_edit`);
    await q.query(`ALTER TABLE claim DROP CONSTRAINT claim_channel_check`);
    await q.query(`ALTER TABLE claim DROP COLUMN channel`);
  }
}
