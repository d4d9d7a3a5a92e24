import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * digest_run_row: each row of a run's payload on its own (see DigestRunRow), filled for the runs already sent.
 */
export class DigestRunRows1766750000001 implements MigrationInterface {
  name = 'DigestRunRows1766750000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE digest_run_row (
        run_id uuid NOT NULL,
        ordinal integer NOT NULL,
        organization_id uuid NOT NULL,
        "row" jsonb NOT NULL,
        PRIMARY KEY (run_id, ordinal),
        CONSTRAINT digest_run_row_run_fkey FOREIGN KEY (run_id) REFERENCES digest_run (id) ON DELETE CASCADE
      )`);
    await q.query(`
      INSERT INTO digest_run_row (run_id, ordinal, organization_id, "row")
      SELECT r.id, e.ordinality - 1, r.organization_id, e.value
        FROM digest_run r, jsonb_array_elements(r.payload->'rows') WITH ORDINALITY AS e`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE digest_run_row`);
  }
}
