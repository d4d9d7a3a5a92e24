import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rows a job could not process: skipped (with backoff) so one bad row never stops the rest. */
export class JobFailures1765500000000 implements MigrationInterface {
  name = 'JobFailures1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_failure (
        job text NOT NULL,
        row_id uuid NOT NULL,
        failures integer NOT NULL,
        first_failed_at timestamptz NOT NULL,
        last_failed_at timestamptz NOT NULL,
        retry_at timestamptz NOT NULL,
        last_error text NOT NULL,
        CONSTRAINT job_failure_pkey PRIMARY KEY (job, row_id)
      )`);
    await q.query(`CREATE INDEX job_failure_last_failed_idx ON job_failure (last_failed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_failure`);
  }
}
