import { MigrationInterface, QueryRunner } from 'typeorm';

/** The console's sign-in: one-time links mailed to a person, and the sessions they start (both stored hashed). */
export class ConsoleSessions1766100000000 implements MigrationInterface {
  name = 'ConsoleSessions1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX person_email_idx ON person (email)`);
    await q.query(`
      CREATE TABLE signin_link (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        person_id uuid NOT NULL,
        hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT signin_link_hash_key UNIQUE (hash),
        CONSTRAINT signin_link_person_fkey FOREIGN KEY (person_id) REFERENCES person (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX signin_link_person_idx ON signin_link (person_id)`);
    await q.query(`CREATE INDEX signin_link_expires_idx ON signin_link (expires_at)`);
    await q.query(`
      CREATE TABLE console_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        person_id uuid NOT NULL,
        token_hash text NOT NULL,
        csrf_token text NOT NULL,
        flash text,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        idle_expires_at timestamptz NOT NULL,
        absolute_expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        user_agent text,
        ip text,
        CONSTRAINT console_session_token_hash_key UNIQUE (token_hash),
        CONSTRAINT console_session_person_fkey FOREIGN KEY (person_id) REFERENCES person (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX console_session_person_idx ON console_session (person_id)`);
    await q.query(`CREATE INDEX console_session_absolute_expires_idx ON console_session (absolute_expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE console_session`);
    await q.query(`DROP TABLE signin_link`);
    await q.query(`DROP INDEX person_email_idx`);
  }
}
