import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

import { Person } from '../people/person.entity.js';
import { Scenario } from '../scenarios/scenario.entity.js';
import { Touchpoint } from '../touchpoints/touchpoint.entity.js';
import type { CancelCause, CancelReason } from './withdrawal-reasons.js';

export const ASSIGNMENT_STATUSES = ['planned', 'revealed', 'completed', 'declined', 'missed', 'cancelled'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

@Entity('assignment')
@Check('assignment_status_check', "status IN ('planned', 'revealed', 'completed', 'declined', 'missed', 'cancelled')")
@Check('assignment_window_check', 'window_end > window_start AND reveal_at <= window_start')
@Check('assignment_cancel_check', "(status = 'cancelled') = (cancel_reason IS NOT NULL)")
@Index('assignment_slot_key', ['campaignId', 'touchpointId', 'weekStart', 'slot'], {
  unique: true,
  where: "status NOT IN ('declined', 'cancelled')",
})
@Index('assignment_due_idx', ['status', 'revealAt'])
@Index('assignment_window_idx', ['status', 'windowEnd'])
@Index('assignment_org_window_idx', ['organizationId', 'windowStart'])
@Index('assignment_tester_idx', ['testerId', 'windowStart'])
@Index('assignment_touchpoint_idx', ['touchpointId', 'windowStart'])
// the campaign by table name: planning (src/campaigns) builds on assignments, not the other way round
@ForeignKey('campaign', ['campaignId'], ['id'], { name: 'assignment_campaign_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Person, ['testerId'], ['id'], { name: 'assignment_tester_fkey', onDelete: 'NO ACTION' })
@ForeignKey(() => Touchpoint, ['touchpointId'], ['id'], { name: 'assignment_touchpoint_fkey', onDelete: 'NO ACTION' })
@ForeignKey(() => Scenario, ['scenarioId'], ['id'], { name: 'assignment_scenario_fkey', onDelete: 'SET NULL' })
@ForeignKey(() => Assignment, ['replacesId'], ['id'], { name: 'assignment_replaces_fkey', onDelete: 'SET NULL' })
@ForeignKey(() => Person, ['cancelledBy'], ['id'], { name: 'assignment_cancelled_by_fkey', onDelete: 'SET NULL' })
export class Assignment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId: string;

  @Column({ name: 'tester_id', type: 'uuid' })
  testerId: string;

  @Column({ name: 'touchpoint_id', type: 'uuid' })
  touchpointId: string;

  @Column({ name: 'scenario_id', type: 'uuid', nullable: true })
  scenarioId: string | null;

  @Column({ name: 'week_start', type: 'date' })
  weekStart: string;

  @Column('integer')
  slot: number;

  @Column({ name: 'window_start', type: 'timestamptz' })
  windowStart: Date;

  @Column({ name: 'window_end', type: 'timestamptz' })
  windowEnd: Date;

  @Column({ name: 'reveal_at', type: 'timestamptz' })
  revealAt: Date;

  @Column({ name: 'hold_at', type: 'timestamptz', nullable: true })
  holdAt: Date | null;

  @Column({ name: 'hold_sent_at', type: 'timestamptz', nullable: true })
  holdSentAt: Date | null;

  @Column('text')
  status: AssignmentStatus;

  @Column({ name: 'revealed_at', type: 'timestamptz', nullable: true })
  revealedAt: Date | null;

  @Column({ name: 'reminded_at', type: 'timestamptz', nullable: true })
  remindedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'declined_at', type: 'timestamptz', nullable: true })
  declinedAt: Date | null;

  @Column({ name: 'decline_reason', type: 'text', nullable: true })
  declineReason: string | null;

  @Column({ name: 'missed_at', type: 'timestamptz', nullable: true })
  missedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  /** Why it was withdrawn (a CancelReason); set exactly when the status is cancelled. */
  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason: CancelReason | null;

  /** What withdrew it: a route or a job (a CancelCause). */
  @Column({ name: 'cancel_cause', type: 'text', nullable: true })
  cancelCause: CancelCause | null;

  /** The person whose request withdrew it (null for a job or a tester's own link). */
  @Column({ name: 'cancelled_by', type: 'uuid', nullable: true })
  cancelledBy: string | null;

  /** The declined assignment whose slot this one re-fills. */
  @Column({ name: 'replaces_id', type: 'uuid', nullable: true })
  replacesId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity('unfilled_slot')
@Index('unfilled_slot_campaign_idx', ['campaignId', 'weekStart'])
@ForeignKey('campaign', ['campaignId'], ['id'], { name: 'unfilled_slot_campaign_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Touchpoint, ['touchpointId'], ['id'], { name: 'unfilled_slot_touchpoint_fkey', onDelete: 'CASCADE' })
export class UnfilledSlot {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId: string;

  @Column({ name: 'touchpoint_id', type: 'uuid' })
  touchpointId: string;

  @Column({ name: 'week_start', type: 'date' })
  weekStart: string;

  @Column('integer')
  slot: number;

  @Column('text')
  reason: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
