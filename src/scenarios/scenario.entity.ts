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

import { Organization } from '../organizations/organization.entity.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';

export const QUESTION_TYPES = ['yes_no', 'number', 'seconds', 'rating', 'choice', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface ScenarioQuestion {
  key: string;
  label: string;
  type: QuestionType;
  required: boolean;
  options?: string[];
  /** Asked only of contacts through these channels (a subset of the scenario's); absent: every channel. */
  channels?: Channel[];
}

@Entity('scenario')
@Index('scenario_org_title_idx', ['organizationId', 'title'])
@Check('scenario_channels_check', 'cardinality(channels) > 0')
export class Scenario {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  @ForeignKey(() => Organization, { name: 'scenario_organization_id_fkey', onDelete: 'CASCADE' })
  organizationId: string;

  @Column('text')
  title: string;

  /** What the tester asks for, in the tester's words ("I'd like to port my number back"). */
  @Column('text')
  brief: string;

  @Column('text', { array: true })
  channels: Channel[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  questions: ScenarioQuestion[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
