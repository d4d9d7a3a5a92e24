import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

import { Organization } from '../organizations/organization.entity.js';
import type { Allocation } from './allocation.js';

@Entity('campaign')
@Index('campaign_org_idx', ['organizationId', 'name'])
@Check('campaign_window_check', 'window_minutes BETWEEN 15 AND 480 AND window_minutes % 15 = 0')
@Check('campaign_dates_check', 'ends_on IS NULL OR ends_on >= starts_on')
@Check(
  'campaign_allocation_check',
  `(allocation = 'per-touchpoint' AND weekly_budget IS NULL AND floor_per_touchpoint IS NULL)
          OR (allocation = 'by-need' AND weekly_budget >= 1 AND floor_per_touchpoint >= 0
              AND floor_per_touchpoint <= contacts_per_touchpoint_per_week)`,
)
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  @ForeignKey(() => Organization, { name: 'campaign_organization_id_fkey', onDelete: 'CASCADE' })
  organizationId: string;

  @Column('text')
  name: string;

  /** Touchpoints by id; when empty, every touchpoint matching `team` and `channels`. */
  @Column({ name: 'touchpoint_ids', type: 'uuid', array: true, default: () => "'{}'" })
  touchpointIds: string[];

  @Column({ type: 'text', nullable: true })
  team: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  channels: string[];

  @Column({ name: 'tester_ids', type: 'uuid', array: true })
  testerIds: string[];

  /** Scenarios to draw from; when empty, every scenario that fits the touchpoint's channel. */
  @Column({ name: 'scenario_ids', type: 'uuid', array: true, default: () => "'{}'" })
  scenarioIds: string[];

  /** Tests of each touchpoint a week; with 'by-need', the most one touchpoint gets in a week. */
  @Column({ name: 'contacts_per_touchpoint_per_week', type: 'integer' })
  contactsPerTouchpointPerWeek: number;

  /** 'per-touchpoint': each gets contactsPerTouchpointPerWeek; 'by-need': the budget follows open claims (allocation.ts). */
  @Column({ type: 'text', default: 'per-touchpoint' })
  allocation: Allocation;

  /** With 'by-need': tests a week for the whole campaign. */
  @Column({ name: 'weekly_budget', type: 'integer', nullable: true })
  weeklyBudget: number | null;

  /** With 'by-need': tests every touchpoint gets each week whatever its claims. */
  @Column({ name: 'floor_per_touchpoint', type: 'integer', nullable: true })
  floorPerTouchpoint: number | null;

  @Column({ name: 'window_minutes', type: 'integer' })
  windowMinutes: number;

  @Column({ name: 'reveal_lead_minutes', type: 'integer' })
  revealLeadMinutes: number;

  @Column({ name: 'hold_lead_minutes', type: 'integer', nullable: true })
  holdLeadMinutes: number | null;

  @Column({ name: 'remind_before_minutes', type: 'integer' })
  remindBeforeMinutes: number;

  @Column({ name: 'grace_minutes', type: 'integer' })
  graceMinutes: number;

  @Column({ name: 'min_spacing_hours', type: 'integer' })
  minSpacingHours: number;

  @Column({ name: 'tester_weekly_cap', type: 'integer' })
  testerWeeklyCap: number;

  @Column({ name: 'rotation_days', type: 'integer' })
  rotationDays: number;

  @Column({ name: 'allow_owner_self_test', type: 'boolean', default: false })
  allowOwnerSelfTest: boolean;

  @Column({ name: 'starts_on', type: 'date' })
  startsOn: string;

  @Column({ name: 'ends_on', type: 'date', nullable: true })
  endsOn: string | null;

  /** How far ahead the nightly job keeps the plan filled. */
  @Column({ name: 'horizon_days', type: 'integer' })
  horizonDays: number;

  /** Secret: with it, anyone could recompute the plan. Admins only. */
  @Column('text')
  seed: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A week of a campaign that has been planned: planning it again adds nothing. */
@Entity('campaign_week')
@ForeignKey(() => Campaign, ['campaignId'], ['id'], { name: 'campaign_week_campaign_fkey', onDelete: 'CASCADE' })
export class CampaignWeek {
  @PrimaryColumn({ name: 'campaign_id', type: 'uuid', primaryKeyConstraintName: 'campaign_week_pkey' })
  campaignId: string;

  @PrimaryColumn({ name: 'week_start', type: 'date', primaryKeyConstraintName: 'campaign_week_pkey' })
  weekStart: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'planned_at', type: 'timestamptz' })
  plannedAt: Date;
}
