import { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotency-Key headers of creating requests, with the first answer, kept for a stated time. */
export class IdempotencyKeys1765500000001 implements MigrationInterface {
  name = 'IdempotencyKeys1765500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_key (
        organization_id uuid NOT NULL,
        api_key_id uuid NOT NULL,
        key text NOT NULL,
        person_id uuid NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL,
        attempt uuid NOT NULL,
        lease_expires_at timestamptz NOT NULL,
        response_status integer,
        response_body jsonb,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT idempotency_key_pkey PRIMARY KEY (organization_id, api_key_id, key),
        CONSTRAINT idempotency_key_state_check CHECK (state IN ('in_flight', 'committed', 'done')),
        CONSTRAINT idempotency_key_api_key_fkey FOREIGN KEY (api_key_id) REFERENCES api_key (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idempotency_key_expires_idx ON idempotency_key (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_key`);
  }
}
