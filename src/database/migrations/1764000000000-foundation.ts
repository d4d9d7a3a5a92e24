import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, people and their keys, touchpoints and scenarios. */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organization (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE person (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email)),
        name text NOT NULL,
        roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'quality', 'tester', 'owner']),
        timezone text NOT NULL,
        working_hours jsonb NOT NULL DEFAULT '[]',
        leave jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- lets other tables require that a referenced person is of the same organization
        CONSTRAINT person_id_org_key UNIQUE (id, organization_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX person_org_email_key ON person (organization_id, email)`);
    await q.query(`CREATE INDEX person_org_name_idx ON person (organization_id, name)`);
    await q.query(`CREATE INDEX person_roles_idx ON person USING gin (roles)`);
    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        person_id uuid NOT NULL,
        label text NOT NULL,
        prefix text NOT NULL,
        hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_key_hash_key UNIQUE (hash),
        CONSTRAINT api_key_person_fk FOREIGN KEY (person_id, organization_id)
          REFERENCES person (id, organization_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX api_key_person_idx ON api_key (person_id)`);
    await q.query(`
      CREATE TABLE touchpoint (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
        name text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('phone', 'chat', 'email', 'in_person', 'web_form', 'social')),
        contact text NOT NULL,
        timezone text NOT NULL,
        opening_hours jsonb NOT NULL DEFAULT '[]',
        closures jsonb NOT NULL DEFAULT '[]',
        owner_id uuid,
        team text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- NO ACTION (checked at statement end) so deleting an organization cascades cleanly
        CONSTRAINT touchpoint_owner_fk FOREIGN KEY (owner_id, organization_id)
          REFERENCES person (id, organization_id) ON DELETE NO ACTION
      )`);
    await q.query(`CREATE INDEX touchpoint_org_name_idx ON touchpoint (organization_id, name)`);
    await q.query(`CREATE INDEX touchpoint_org_channel_idx ON touchpoint (organization_id, channel)`);
    await q.query(`CREATE INDEX touchpoint_org_team_idx ON touchpoint (organization_id, team)`);
    await q.query(`CREATE INDEX touchpoint_owner_idx ON touchpoint (owner_id)`);
    await q.query(`
      CREATE TABLE scenario (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
        title text NOT NULL,
        brief text NOT NULL,
        channels text[] NOT NULL CHECK (cardinality(channels) > 0),
        questions jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX scenario_org_title_idx ON scenario (organization_id, title)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scenario`);
    await q.query(`DROP TABLE touchpoint`);
    await q.query(`DROP TABLE api_key`);
    await q.query(`DROP TABLE person`);
    await q.query(`DROP TABLE organization`);
  }
}
