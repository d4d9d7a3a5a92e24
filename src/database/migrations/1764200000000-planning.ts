import { MigrationInterface, QueryRunner } from 'typeorm';

/** Campaigns, the weeks planned for them, assignments, unfilled slots and tester access tokens. */
export class Planning1764200000000 implements MigrationInterface {
  name = 'Planning1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        name text NOT NULL,
        touchpoint_ids uuid[] NOT NULL DEFAULT '{}',
        team text,
        channels text[] NOT NULL DEFAULT '{}',
        tester_ids uuid[] NOT NULL,
        scenario_ids uuid[] NOT NULL DEFAULT '{}',
        contacts_per_touchpoint_per_week integer NOT NULL,
        window_minutes integer NOT NULL,
        reveal_lead_minutes integer NOT NULL,
        hold_lead_minutes integer,
        remind_before_minutes integer NOT NULL,
        grace_minutes integer NOT NULL,
        min_spacing_hours integer NOT NULL,
        tester_weekly_cap integer NOT NULL,
        rotation_days integer NOT NULL,
        allow_owner_self_test boolean NOT NULL DEFAULT false,
        starts_on date NOT NULL,
        ends_on date,
        horizon_days integer NOT NULL,
        seed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaign_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT campaign_window_check CHECK (window_minutes BETWEEN 15 AND 480 AND window_minutes % 15 = 0),
        CONSTRAINT campaign_dates_check CHECK (ends_on IS NULL OR ends_on >= starts_on)
      )`);
    await q.query(`CREATE INDEX campaign_org_idx ON campaign (organization_id, name)`);
    await q.query(`
      CREATE TABLE campaign_week (
        campaign_id uuid NOT NULL,
        week_start date NOT NULL,
        organization_id uuid NOT NULL,
        planned_at timestamptz NOT NULL,
        CONSTRAINT campaign_week_pkey PRIMARY KEY (campaign_id, week_start),
        CONSTRAINT campaign_week_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaign (id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE assignment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        campaign_id uuid NOT NULL,
        tester_id uuid NOT NULL,
        touchpoint_id uuid NOT NULL,
        scenario_id uuid,
        week_start date NOT NULL,
        slot integer NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        reveal_at timestamptz NOT NULL,
        hold_at timestamptz,
        hold_sent_at timestamptz,
        status text NOT NULL,
        revealed_at timestamptz,
        reminded_at timestamptz,
        completed_at timestamptz,
        declined_at timestamptz,
        decline_reason text,
        missed_at timestamptz,
        cancelled_at timestamptz,
        replaces_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assignment_status_check CHECK (status IN ('planned', 'revealed', 'completed', 'declined', 'missed', 'cancelled')),
        CONSTRAINT assignment_window_check CHECK (window_end > window_start AND reveal_at <= window_start),
        CONSTRAINT assignment_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaign (id) ON DELETE CASCADE,
        CONSTRAINT assignment_tester_fkey FOREIGN KEY (tester_id) REFERENCES person (id) ON DELETE NO ACTION,
        CONSTRAINT assignment_touchpoint_fkey FOREIGN KEY (touchpoint_id) REFERENCES touchpoint (id) ON DELETE NO ACTION,
        CONSTRAINT assignment_scenario_fkey FOREIGN KEY (scenario_id) REFERENCES scenario (id) ON DELETE SET NULL,
        CONSTRAINT assignment_replaces_fkey FOREIGN KEY (replaces_id) REFERENCES assignment (id) ON DELETE SET NULL
      )`);
    // One live assignment per planned slot; a declined or cancelled one frees the slot for a re-fill.
    await q.query(
      `CREATE UNIQUE INDEX assignment_slot_key ON assignment (campaign_id, touchpoint_id, week_start, slot) WHERE status NOT IN ('declined', 'cancelled')`,
    );
    await q.query(`CREATE INDEX assignment_due_idx ON assignment (status, reveal_at)`);
    await q.query(`CREATE INDEX assignment_window_idx ON assignment (status, window_end)`);
    await q.query(`CREATE INDEX assignment_org_window_idx ON assignment (organization_id, window_start)`);
    await q.query(`CREATE INDEX assignment_tester_idx ON assignment (tester_id, window_start)`);
    await q.query(`CREATE INDEX assignment_touchpoint_idx ON assignment (touchpoint_id, window_start)`);
    await q.query(`
      CREATE TABLE unfilled_slot (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        campaign_id uuid NOT NULL,
        touchpoint_id uuid NOT NULL,
        week_start date NOT NULL,
        slot integer NOT NULL,
        reason text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT unfilled_slot_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaign (id) ON DELETE CASCADE,
        CONSTRAINT unfilled_slot_touchpoint_fkey FOREIGN KEY (touchpoint_id) REFERENCES touchpoint (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX unfilled_slot_campaign_idx ON unfilled_slot (campaign_id, week_start)`);
    await q.query(`
      CREATE TABLE access_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        assignment_id uuid NOT NULL,
        purpose text NOT NULL,
        hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT access_token_hash_key UNIQUE (hash),
        CONSTRAINT access_token_assignment_fkey FOREIGN KEY (assignment_id) REFERENCES assignment (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX access_token_assignment_idx ON access_token (assignment_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_token`);
    await q.query(`DROP TABLE unfilled_slot`);
    await q.query(`DROP TABLE assignment`);
    await q.query(`DROP TABLE campaign_week`);
    await q.query(`DROP TABLE campaign`);
  }
}
