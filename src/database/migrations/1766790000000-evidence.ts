import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files a tester attaches to a contact (screenshots, photos of tickets or letters, recordings of their own side):
 * one row each, and — when stored in PostgreSQL rather than object storage — its bytes in a table of their own,
 * so listing a contact's evidence never reads the files.
 */
export class Evidence1766790000000 implements MigrationInterface {
  name = 'Evidence1766790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        outcome_id uuid NOT NULL,
        uploaded_by uuid,
        kind text NOT NULL,
        content_type text NOT NULL,
        bytes integer NOT NULL,
        sha256 text NOT NULL,
        file_name text NOT NULL,
        metadata_stripped boolean NOT NULL,
        storage text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT evidence_kind_check CHECK (kind IN ('image', 'pdf', 'audio')),
        CONSTRAINT evidence_storage_check CHECK (storage IN ('postgres', 's3')),
        CONSTRAINT evidence_bytes_check CHECK (bytes > 0),
        CONSTRAINT evidence_organization_fkey FOREIGN KEY (organization_id)
          REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT evidence_outcome_fkey FOREIGN KEY (outcome_id) REFERENCES outcome (id) ON DELETE CASCADE,
        CONSTRAINT evidence_uploaded_by_fkey FOREIGN KEY (uploaded_by) REFERENCES person (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX evidence_outcome_idx ON evidence (outcome_id, created_at)`);
    await q.query(`CREATE INDEX evidence_organization_idx ON evidence (organization_id)`);
    await q.query(`
      CREATE TABLE evidence_blob (
        evidence_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        content bytea NOT NULL,
        CONSTRAINT evidence_blob_evidence_fkey FOREIGN KEY (evidence_id) REFERENCES evidence (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX evidence_blob_organization_idx ON evidence_blob (organization_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_blob`);
    await q.query(`DROP TABLE evidence`);
  }
}
