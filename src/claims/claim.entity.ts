import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Organization } from '../organizations/organization.entity.js';
import { Person } from '../people/person.entity.js';
import { Touchpoint } from '../touchpoints/touchpoint.entity.js';

/** A KPI value reported in a meeting, for a touchpoint, a team or the whole organization (both null). */
@Entity('claim')
@Check('claim_scope_check', 'touchpoint_id IS NULL OR team IS NULL')
@Check('claim_period_check', 'period_end >= period_start')
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
}
