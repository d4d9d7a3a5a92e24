import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

import { Organization } from '../organizations/organization.entity.js';

/** Who receives which digest, on what schedule, in which zone, for what scope. */
@Entity('digest_subscription')
@Index('digest_subscription_org_idx', ['organizationId'])
@ForeignKey(() => Organization, ['organizationId'], ['id'], {
  name: 'digest_subscription_organization_fkey',
  onDelete: 'CASCADE',
})
export class DigestSubscription {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column('text') name: string;
  @Column({ name: 'recipient_emails', type: 'text', array: true, default: () => "'{}'" }) recipientEmails: string[];
  @Column({ name: 'recipient_person_ids', type: 'uuid', array: true, default: () => "'{}'" })
  recipientPersonIds: string[];
  /** Scope: these touchpoints; when empty, the team; when neither, the whole organization. */
  @Column({ name: 'touchpoint_ids', type: 'uuid', array: true, default: () => "'{}'" }) touchpointIds: string[];
  @Column({ type: 'text', nullable: true }) team: string | null;
  @Column('text') cron: string;
  @Column('text') timezone: string;
  @Column({ name: 'period_days', type: 'integer' }) periodDays: number;
  @Column({ name: 'min_contacts', type: 'integer' }) minContacts: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
