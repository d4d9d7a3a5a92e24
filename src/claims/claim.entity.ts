import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

import { Organization } from '../organizations/organization.entity.js';
import { Person } from '../people/person.entity.js';
import { Touchpoint } from '../touchpoints/touchpoint.entity.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';

/** A KPI value reported in a meeting, for a touchpoint, a team or the whole organization (both null). */
@Entity('claim')
@Check('claim_scope_check', 'touchpoint_id IS NULL OR team IS NULL')
@Check('claim_period_check', 'period_end >= period_start')
@Check(
  'claim_channel_check',
  "channel IS NULL OR channel IN ('phone', 'chat', 'email', 'in_person', 'web_form', 'social')",
)
@Index('claim_org_period_idx', ['organizationId', 'periodStart', 'periodEnd'])
@Index('claim_touchpoint_idx', ['touchpointId'])
@ForeignKey(() => Organization, ['organizationId'], ['id'], { name: 'claim_organization_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Touchpoint, ['touchpointId'], ['id'], { name: 'claim_touchpoint_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Person, ['reportedBy'], ['id'], { name: 'claim_reported_by_fkey', onDelete: 'SET NULL' })
export class Claim {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'touchpoint_id', type: 'uuid', nullable: true }) touchpointId: string | null;
  @Column({ type: 'text', nullable: true }) team: string | null;
  /**
   * The channel the figure is about: a touchpoint claim's is its touchpoint's (when claimed); a team or
   * organization claim names one (required for waits, which are never pooled across channels) or none.
   */
  @Column({ type: 'text', nullable: true }) channel: Channel | null;
  @Column('text') metric: string;
  @Column({ name: 'period_start', type: 'date' }) periodStart: string;
  @Column({ name: 'period_end', type: 'date' }) periodEnd: string;
  @Column('double precision') value: number;
  /** The meeting it was reported in ("Weekly ops review, 23 Nov"). */
  @Column('text') source: string;
  @Column({ name: 'reported_at', type: 'timestamptz' }) reportedAt: Date;
  @Column({ name: 'reported_by', type: 'uuid', nullable: true }) reportedBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  /** When what is tested (scope, channel, metric, period, value) was last set: creation, or a change of those. */
  @Column({ name: 'revised_at', type: 'timestamptz' }) revisedAt: Date;
}

export const CLAIM_ACTIONS = ['created', 'updated', 'deleted'] as const;
export type ClaimAction = (typeof CLAIM_ACTIONS)[number];

/**
 * One change of a claim: who, when, through what, before and after. A deletion removes the claim and
 * keeps its last state here, so the trail has no foreign key to `claim` and outlives it.
 */
@Entity('claim_edit')
@Unique('claim_edit_claim_version_key', ['claimId', 'version'])
@Check('claim_edit_action_check', "action IN ('created', 'updated', 'deleted')")
@Check('claim_edit_images_check', "(action = 'created') = (before IS NULL) AND (action = 'deleted') = (after IS NULL)")
@ForeignKey(() => Organization, ['organizationId'], ['id'], {
  name: 'claim_edit_organization_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => Person, ['editedBy'], ['id'], { name: 'claim_edit_person_fkey', onDelete: 'SET NULL' })
export class ClaimEdit {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'claim_id', type: 'uuid' }) claimId: string;
  /** 1 when created, one more with each change (changes of a claim are serialised by a row lock). */
  @Column('integer') version: number;
  @Column('text') action: ClaimAction;
  @Column({ name: 'edited_by', type: 'uuid', nullable: true }) editedBy: string | null;
  /** 'api' (a request with a key), 'import' (a CSV import), 'migration' (a claim older than its history, as it was). */
  @Column('text') via: string;
  @Column({ name: 'edited_at', type: 'timestamptz' }) editedAt: Date;
  @Column({ type: 'jsonb', nullable: true }) before: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) after: Record<string, unknown> | null;
}
