import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Weekday } from '../common/validation/domain.validators.js';
import type { DateRange } from '../people/person.entity.js';

export const CHANNELS = ['phone', 'chat', 'email', 'in_person', 'web_form', 'social'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface OpeningHours {
  day: Weekday;
  open: string;
  close: string;
}

@Entity('touchpoint')
export class Touchpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
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

  @Column({ name: 'opening_hours', type: 'jsonb' })
  openingHours: OpeningHours[];

  @Column({ type: 'jsonb' })
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
