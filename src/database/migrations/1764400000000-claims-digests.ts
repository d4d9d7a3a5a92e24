import { MigrationInterface, QueryRunner } from 'typeorm';

/** KPIs claimed in meetings, digest subscriptions and the digests sent. */
export class ClaimsDigests1764400000000 implements MigrationInterface {
  name = 'ClaimsDigests1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE claim (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        touchpoint_id uuid,
        team text,
        metric text NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        value double precision NOT NULL,
        source text NOT NULL,
        reported_at timestamptz NOT NULL,
        reported_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT claim_scope_check CHECK (touchpoint_id IS NULL OR team IS NULL),
        CONSTRAINT claim_period_check CHECK (period_end >= period_start),
        CONSTRAINT claim_organization_fkey FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT claim_touchpoint_fkey FOREIGN KEY (touchpoint_id) REFERENCES touchpoint (id) ON DELETE CASCADE,
        CONSTRAINT claim_reported_by_fkey FOREIGN KEY (reported_by) REFERENCES person (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX claim_org_period_idx ON claim (organization_id, period_start, period_end)`);
    await q.query(`CREATE INDEX claim_touchpoint_idx ON claim (touchpoint_id)`);
    await q.query(`
      CREATE TABLE digest_subscription (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        name text NOT NULL,
        recipient_emails text[] NOT NULL DEFAULT '{}',
        recipient_person_ids uuid[] NOT NULL DEFAULT '{}',
        touchpoint_ids uuid[] NOT NULL DEFAULT '{}',
        team text,
        cron text NOT NULL,
        timezone text NOT NULL,
        period_days integer NOT NULL,
        min_contacts integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT digest_subscription_organization_fkey FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX digest_subscription_org_idx ON digest_subscription (organization_id)`);
    await q.query(`
      CREATE TABLE digest_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        payload jsonb NOT NULL,
        web_token_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        -- one digest per subscription and period, however many instances or retries
        CONSTRAINT digest_run_period_key UNIQUE (subscription_id, period_start),
        CONSTRAINT digest_run_token_key UNIQUE (web_token_hash),
        CONSTRAINT digest_run_subscription_fkey FOREIGN KEY (subscription_id) REFERENCES digest_subscription (id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE digest_run`);
    await q.query(`DROP TABLE digest_subscription`);
    await q.query(`DROP TABLE claim`);
  }
}
