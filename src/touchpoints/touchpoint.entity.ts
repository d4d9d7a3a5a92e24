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

import type { Weekday } from '../common/validation/domain.validators.js';
import { Organization } from '../organizations/organization.entity.js';
import { Person } from '../people/person.entity.js';
import type { DateRange } from '../people/person.entity.js';

export const CHANNELS = ['phone', 'chat', 'email', 'in_person', 'web_form', 'social'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface OpeningHours {
  day: Weekday;
  open: string;
  close: string;
}

@Entity('touchpoint')
@Index('touchpoint_org_name_idx', ['organizationId', 'name'])
@Index('touchpoint_org_channel_idx', ['organizationId', 'channel'])
@Index('touchpoint_org_team_idx', ['organizationId', 'team'])
@Index('touchpoint_owner_idx', ['ownerId'])
@Check('touchpoint_channel_check', "channel IN ('phone', 'chat', 'email', 'in_person', 'web_form', 'social')")
// NO ACTION (checked at statement end) so deleting an organization cascades cleanly
@ForeignKey(() => Person, ['ownerId', 'organizationId'], ['id', 'organizationId'], {
  name: 'touchpoint_owner_fk',
  onDelete: 'NO ACTION',
})
export class Touchpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  @ForeignKey(() => Organization, { name: 'touchpoint_organization_id_fkey', onDelete: 'CASCADE' })
  organizationId: string;

  @Column('text')
  name: string;

  @Column('text')
  channel: Channel;

  /** Number, URL, address or mailbox, depending on the channel. */
  @Column('text')
  contact: string;

  @Column('text')
  timezone: string;

  @Column({ name: 'opening_hours', type: 'jsonb', default: () => "'[]'" })
  openingHours: OpeningHours[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  closures: DateRange[];

  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId: string | null;

  @Column({ type: 'text', nullable: true })
  team: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** Who owned a touchpoint from when until when (open while they still do): written whenever its owner changes. */
@Entity('touchpoint_ownership')
@Check('touchpoint_ownership_period_check', 'owned_until IS NULL OR owned_until >= owned_from')
@Index('touchpoint_ownership_touchpoint_idx', ['touchpointId', 'ownerId'])
@Index('touchpoint_ownership_owner_idx', ['ownerId'])
@Index('touchpoint_ownership_former_idx', ['touchpointId', 'ownerId'], { where: 'owned_until IS NOT NULL' })
@ForeignKey(() => Organization, ['organizationId'], ['id'], {
  name: 'touchpoint_ownership_organization_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => Touchpoint, ['touchpointId'], ['id'], {
  name: 'touchpoint_ownership_touchpoint_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => Person, ['ownerId'], ['id'], { name: 'touchpoint_ownership_owner_fkey', onDelete: 'CASCADE' })
export class TouchpointOwnership {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'touchpoint_id', type: 'uuid' }) touchpointId: string;
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId: string;
  @Column({ name: 'owned_from', type: 'timestamptz' }) ownedFrom: Date;
  @Column({ name: 'owned_until', type: 'timestamptz', nullable: true }) ownedUntil: Date | null;
}
