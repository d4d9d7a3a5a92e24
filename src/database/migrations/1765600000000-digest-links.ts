import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Digest web links get a table of their own (one per recipient, with an expiry and a revocation),
 * and a run's page is stored once rendered. A run's existing shared link becomes one link with no
 * recipient, open for the default 90 days from when the run was sent.
 */
export class DigestLinks1765600000000 implements MigrationInterface {
  name = 'DigestLinks1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE digest_link (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        run_id uuid NOT NULL,
        recipient text,
        hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        issued_by uuid,
        revoked_at timestamptz,
        revoked_by uuid,
        revoke_reason text,
        CONSTRAINT digest_link_hash_key UNIQUE (hash),
        CONSTRAINT digest_link_run_fkey FOREIGN KEY (run_id) REFERENCES digest_run (id) ON DELETE CASCADE,
        CONSTRAINT digest_link_issued_by_fkey FOREIGN KEY (issued_by) REFERENCES person (id) ON DELETE SET NULL,
        CONSTRAINT digest_link_revoked_by_fkey FOREIGN KEY (revoked_by) REFERENCES person (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX digest_link_run_idx ON digest_link (run_id)`);
    await q.query(`
      INSERT INTO digest_link (organization_id, run_id, recipient, hash, expires_at, created_at)
      SELECT organization_id, id, NULL, web_token_hash, created_at + interval '90 days', created_at FROM digest_run`);
    await q.query(`ALTER TABLE digest_run DROP CONSTRAINT digest_run_token_key`);
    await q.query(`ALTER TABLE digest_run DROP COLUMN web_token_hash`);
    await q.query(`
      CREATE TABLE digest_rendering (
        run_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        version integer NOT NULL,
        etag text NOT NULL,
        chart_etag text NOT NULL,
        html_gzip bytea NOT NULL,
        chart bytea NOT NULL,
        rendered_at timestamptz NOT NULL,
        CONSTRAINT digest_rendering_run_fkey FOREIGN KEY (run_id) REFERENCES digest_run (id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE digest_rendering`);
    await q.query(`ALTER TABLE digest_run ADD COLUMN web_token_hash text`);
    // Each run keeps its oldest link; a run without one gets a hash no secret has (its page is gone).
    await q.query(`
      UPDATE digest_run r
         SET web_token_hash = coalesce(
               (SELECT l.hash FROM digest_link l WHERE l.run_id = r.id ORDER BY l.created_at, l.id LIMIT 1),
               'none:' || r.id::text)`);
    await q.query(`ALTER TABLE digest_run ALTER COLUMN web_token_hash SET NOT NULL`);
    await q.query(`ALTER TABLE digest_run ADD CONSTRAINT digest_run_token_key UNIQUE (web_token_hash)`);
    await q.query(`DROP TABLE digest_link`);
  }
}
