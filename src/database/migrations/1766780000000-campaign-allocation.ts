import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A campaign may divide a weekly budget of tests by what its touchpoints' open claims still need (issue 16):
 * 'by-need' with a budget and a floor per touchpoint, beside the plain 'per-touchpoint' count.
 */
export class CampaignAllocation1766780000000 implements MigrationInterface {
  name = 'CampaignAllocation1766780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaign
        ADD COLUMN allocation text NOT NULL DEFAULT 'per-touchpoint',
        ADD COLUMN weekly_budget integer,
        ADD COLUMN floor_per_touchpoint integer,
        ADD CONSTRAINT campaign_allocation_check CHECK (
          (allocation = 'per-touchpoint' AND weekly_budget IS NULL AND floor_per_touchpoint IS NULL)
          OR (allocation = 'by-need' AND weekly_budget >= 1 AND floor_per_touchpoint >= 0
              AND floor_per_touchpoint <= contacts_per_touchpoint_per_week))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaign DROP CONSTRAINT campaign_allocation_check,
        DROP COLUMN floor_per_touchpoint, DROP COLUMN weekly_budget, DROP COLUMN allocation`);
  }
}
