import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Channel } from '../touchpoints/touchpoint.entity.js';

export const QUESTION_TYPES = ['yes_no', 'number', 'seconds', 'rating', 'choice', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface ScenarioQuestion {
  key: string;
  label: string;
  type: QuestionType;
  required: boolean;
  options?: string[];
}

@Entity('scenario')
export class Scenario {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column('text')
  title: string;

  /** What the tester asks for, in the tester's words ("I'd like to port my number back"). */
  @Column('text')
  brief: string;

  @Column('text', { array: true })
  channels: Channel[];

  @Column({ type: 'jsonb' })
  questions: ScenarioQuestion[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
