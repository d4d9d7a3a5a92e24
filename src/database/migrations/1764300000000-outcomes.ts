import { MigrationInterface, QueryRunner } from 'typeorm';

/** What happened on each test contact, and every edit of it. */
export class Outcomes1764300000000 implements MigrationInterface {
  name = 'Outcomes1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outcome (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        assignment_id uuid,
        tester_id uuid NOT NULL,
        touchpoint_id uuid NOT NULL,
        scenario_id uuid,
        attempted_at timestamptz NOT NULL,
        reached_human boolean NOT NULL,
        seconds_to_human integer,
        hold_seconds integer,
        transfers integer NOT NULL,
        disconnects integer NOT NULL,
        repeated_story boolean NOT NULL,
        resolution text NOT NULL,
        options_explained boolean,
        courtesy integer,
        knowledge integer,
        staff_gave_name boolean,
        promised_follow_up_by date,
        promise_status text,
        promise_asked_at timestamptz,
        notes text,
        answers jsonb NOT NULL DEFAULT '{}',
        editable_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT outcome_assignment_key UNIQUE (assignment_id),
        CONSTRAINT outcome_resolution_check CHECK (resolution IN ('resolved', 'partial', 'unresolved')),
        CONSTRAINT outcome_ratings_check CHECK (courtesy BETWEEN 1 AND 5 AND knowledge BETWEEN 1 AND 5),
        CONSTRAINT outcome_reached_check CHECK (reached_human OR (seconds_to_human IS NULL AND courtesy IS NULL AND knowledge IS NULL)),
        CONSTRAINT outcome_promise_check CHECK (promise_status IS NULL OR promise_status IN ('kept', 'late', 'broken')),
        CONSTRAINT outcome_organization_fkey FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT outcome_assignment_fkey FOREIGN KEY (assignment_id) REFERENCES assignment (id) ON DELETE CASCADE,
        CONSTRAINT outcome_tester_fkey FOREIGN KEY (tester_id) REFERENCES person (id) ON DELETE NO ACTION,
        CONSTRAINT outcome_touchpoint_fkey FOREIGN KEY (touchpoint_id) REFERENCES touchpoint (id) ON DELETE NO ACTION,
        CONSTRAINT outcome_scenario_fkey FOREIGN KEY (scenario_id) REFERENCES scenario (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX outcome_org_attempted_idx ON outcome (organization_id, attempted_at)`);
    await q.query(`CREATE INDEX outcome_touchpoint_idx ON outcome (touchpoint_id, attempted_at)`);
    await q.query(`CREATE INDEX outcome_tester_idx ON outcome (tester_id, attempted_at)`);
    await q.query(`
      CREATE TABLE outcome_edit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        outcome_id uuid NOT NULL,
        edited_by uuid,
        via text NOT NULL,
        edited_at timestamptz NOT NULL,
        before jsonb,
        after jsonb NOT NULL,
        CONSTRAINT outcome_edit_outcome_fkey FOREIGN KEY (outcome_id) REFERENCES outcome (id) ON DELETE CASCADE,
        CONSTRAINT outcome_edit_person_fkey FOREIGN KEY (edited_by) REFERENCES person (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX outcome_edit_outcome_idx ON outcome_edit (outcome_id, edited_at)`);
    // Follow-up questions are about an outcome, which an ad-hoc contact has without an assignment.
    await q.query(`ALTER TABLE access_token ALTER COLUMN assignment_id DROP NOT NULL`);
    await q.query(`ALTER TABLE access_token ADD COLUMN outcome_id uuid`);
    await q.query(
      `ALTER TABLE access_token ADD CONSTRAINT access_token_outcome_fkey FOREIGN KEY (outcome_id) REFERENCES outcome (id) ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE access_token ADD CONSTRAINT access_token_target_check CHECK (assignment_id IS NOT NULL OR outcome_id IS NOT NULL)`,
    );
    await q.query(
      `CREATE INDEX outcome_promise_due_idx ON outcome (promised_follow_up_by) WHERE promise_asked_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM access_token WHERE assignment_id IS NULL`);
    await q.query(`ALTER TABLE access_token DROP CONSTRAINT access_token_target_check`);
    await q.query(`ALTER TABLE access_token DROP COLUMN outcome_id`);
    await q.query(`ALTER TABLE access_token ALTER COLUMN assignment_id SET NOT NULL`);
    await q.query(`DROP TABLE outcome_edit`);
    await q.query(`DROP TABLE outcome`);
  }
}
