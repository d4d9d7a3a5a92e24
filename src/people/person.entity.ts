import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

import type { Role } from '../auth/roles.js';
import type { Weekday } from '../common/validation/domain.validators.js';
import { Organization } from '../organizations/organization.entity.js';

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
@Index('person_org_name_idx', ['organizationId', 'name'])
@Index('person_roles_idx', ['roles'], { type: 'gin' })
// sign-in finds a person by address alone, in whichever organization
@Index('person_email_idx', ['email'])
// lets other tables require that a referenced person is of the same organization
@Unique('person_id_org_key', ['id', 'organizationId'])
@Check('person_email_check', 'email = lower(email)')
@Check('person_locale_check', 'length(locale) BETWEEN 2 AND 64')
@Check('person_roles_check', "cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'quality', 'tester', 'owner']")
export class Person {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  @ForeignKey(() => Organization, { name: 'person_organization_id_fkey', onDelete: 'CASCADE' })
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

  /** The person's date format, a canonical BCP 47 tag (de-DE); null: mails to them use the default. */
  @Column('text', { nullable: true })
  locale: string | null;

  @Column({ name: 'working_hours', type: 'jsonb', default: () => "'[]'" })
  workingHours: WorkingHours[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  leave: DateRange[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
