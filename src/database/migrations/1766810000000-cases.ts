import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A test can continue as a case over days: its outcome is the case's first contact and keeps the case's state and
 * the tallies of its later contacts (so every metric stays one value per outcome row); each later contact (a
 * callback, a chase, a visit again) is a `case_contact`. Outcomes recorded before cases existed are cases of one
 * contact: resolved when resolved; open when a follow-up was promised and not yet answered; otherwise given up.
 */
export class Cases1766810000000 implements MigrationInterface {
  name = 'Cases1766810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outcome
        ADD COLUMN case_status text NOT NULL DEFAULT 'given_up',
        ADD COLUMN case_contacts integer NOT NULL DEFAULT 1,
        ADD COLUMN case_later_repeats integer NOT NULL DEFAULT 0,
        ADD COLUMN case_promises_kept integer NOT NULL DEFAULT 0,
        ADD COLUMN case_promises_failed integer NOT NULL DEFAULT 0,
        ADD COLUMN case_ended_at timestamptz,
        ADD COLUMN case_last_contact_at timestamptz`);
    await q.query(`
      UPDATE outcome SET
        case_status = CASE WHEN resolution = 'resolved' THEN 'resolved'
                           WHEN promised_follow_up_by IS NOT NULL AND promise_status IS NULL THEN 'open'
                           ELSE 'given_up' END,
        case_ended_at = CASE WHEN resolution = 'resolved' OR promised_follow_up_by IS NULL
                               OR promise_status IS NOT NULL THEN attempted_at END`);
    // checked once every row has its case
    await q.query(`
      ALTER TABLE outcome
        ALTER COLUMN case_status DROP DEFAULT,
        ADD CONSTRAINT outcome_case_status_check CHECK (case_status IN ('open', 'resolved', 'given_up')),
        ADD CONSTRAINT outcome_case_ended_check CHECK ((case_status = 'open') = (case_ended_at IS NULL))`);
    await q.query(
      `CREATE INDEX outcome_open_case_idx ON outcome (organization_id, tester_id) WHERE case_status = 'open'`,
    );
    await q.query(`
      CREATE TABLE case_contact (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        outcome_id uuid NOT NULL,
        seq integer NOT NULL,
        tester_id uuid NOT NULL,
        kind text NOT NULL,
        attempted_at timestamptz NOT NULL,
        reached_human boolean NOT NULL,
        repeated_story boolean NOT NULL,
        status text NOT NULL,
        promised_follow_up_by date,
        promise_status text,
        notes text,
        editable_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT case_contact_outcome_seq_key UNIQUE (outcome_id, seq),
        CONSTRAINT case_contact_kind_check CHECK (kind IN ('callback', 'chase')),
        CONSTRAINT case_contact_status_check CHECK (status IN ('continues', 'resolved', 'given_up')),
        CONSTRAINT case_contact_seq_check CHECK (seq >= 2),
        CONSTRAINT case_contact_promise_check
          CHECK (promise_status IS NULL OR promise_status IN ('kept', 'late', 'broken')),
        CONSTRAINT case_contact_organization_fkey FOREIGN KEY (organization_id)
          REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT case_contact_outcome_fkey FOREIGN KEY (outcome_id) REFERENCES outcome (id) ON DELETE CASCADE,
        CONSTRAINT case_contact_tester_fkey FOREIGN KEY (tester_id) REFERENCES person (id) ON DELETE NO ACTION
      )`);
    await q.query(`CREATE INDEX case_contact_organization_idx ON case_contact (organization_id)`);
    await q.query(`CREATE INDEX case_contact_tester_idx ON case_contact (tester_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_contact`);
    await q.query(`DROP INDEX outcome_open_case_idx`);
    await q.query(`
      ALTER TABLE outcome
        DROP CONSTRAINT outcome_case_ended_check,
        DROP CONSTRAINT outcome_case_status_check,
        DROP COLUMN case_last_contact_at,
        DROP COLUMN case_ended_at,
        DROP COLUMN case_promises_failed,
        DROP COLUMN case_promises_kept,
        DROP COLUMN case_later_repeats,
        DROP COLUMN case_contacts,
        DROP COLUMN case_status`);
  }
}
