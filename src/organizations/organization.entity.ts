import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import type { OrganizationSettings } from './organization-settings.js';

@Entity('organization')
@Check('organization_name_check', 'length(name) BETWEEN 1 AND 200')
export class Organization {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** What the verdicts count and the gaps that matter (only what differs from the defaults). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings: OrganizationSettings;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
