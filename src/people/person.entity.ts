import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '../auth/roles.js';
import type { Weekday } from '../common/validation/domain.validators.js';

export interface WorkingHours {
  day: Weekday;
  start: string;
  end: string;
}

export interface DateRange {
  from: string;
  to: string;
  reason?: string;
}

@Entity('person')
@Index('person_org_email_key', ['organizationId', 'email'], { unique: true })
export class Person {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** Stored lower-cased: one person per address and organization. */
  @Column('text')
  email: string;

  @Column('text')
  name: string;

  @Column('text', { array: true })
  roles: Role[];

  @Column('text')
  timezone: string;

  @Column({ name: 'working_hours', type: 'jsonb' })
  workingHours: WorkingHours[];

  @Column({ type: 'jsonb' })
  leave: DateRange[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
