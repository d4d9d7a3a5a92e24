import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who owned each touchpoint from when to when (an owner's contacts never count for it, nor those of
 * anyone who owned it when the contact was made), and per-organization settings for the verdicts.
 */
export class OwnerHistorySettings1765200000000 implements MigrationInterface {
  name = 'OwnerHistorySettings1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE TABLE touchpoint_ownership (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        touchpoint_id uuid NOT NULL,
        owner_id uuid NOT NULL,
        owned_from timestamptz NOT NULL,
        owned_until timestamptz,
        CONSTRAINT touchpoint_ownership_period_check CHECK (owned_until IS NULL OR owned_until >= owned_from),
        CONSTRAINT touchpoint_ownership_organization_fkey FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT touchpoint_ownership_touchpoint_fkey FOREIGN KEY (touchpoint_id) REFERENCES touchpoint (id) ON DELETE CASCADE,
        CONSTRAINT touchpoint_ownership_owner_fkey FOREIGN KEY (owner_id) REFERENCES person (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX touchpoint_ownership_touchpoint_idx ON touchpoint_ownership (touchpoint_id, owner_id)`);
    await q.query(`CREATE INDEX touchpoint_ownership_owner_idx ON touchpoint_ownership (owner_id)`);
    // today's owners, as owners since the touchpoint was made (nothing older is known)
    await q.query(`
      INSERT INTO touchpoint_ownership (organization_id, touchpoint_id, owner_id, owned_from)
      SELECT organization_id, id, owner_id, created_at FROM touchpoint WHERE owner_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE touchpoint_ownership`);
    await q.query(`ALTER TABLE organization DROP COLUMN settings`);
  }
}
