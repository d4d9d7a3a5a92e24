import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';

import { Organization } from '../organizations/organization.entity.js';
import { Person } from '../people/person.entity.js';
import { Outcome } from './outcome.entity.js';
import type { PromiseStatus } from './outcome.entity.js';

/** Who made a later contact: the organization called or wrote back, or the tester chased (called, wrote, went). */
export const CASE_CONTACT_KINDS = ['callback', 'chase'] as const;
export type CaseContactKind = (typeof CASE_CONTACT_KINDS)[number];
/** Where a later contact left the case. */
export const CASE_CONTACT_STATUSES = ['continues', 'resolved', 'given_up'] as const;
export type CaseContactStatus = (typeof CASE_CONTACT_STATUSES)[number];

/** A later contact of a case (the second onwards); the case's first contact is its outcome. */
@Entity('case_contact')
@Unique('case_contact_outcome_seq_key', ['outcomeId', 'seq'])
@Check('case_contact_kind_check', "kind IN ('callback', 'chase')")
@Check('case_contact_status_check', "status IN ('continues', 'resolved', 'given_up')")
@Check('case_contact_seq_check', 'seq >= 2')
@Check('case_contact_promise_check', "promise_status IS NULL OR promise_status IN ('kept', 'late', 'broken')")
@Index('case_contact_organization_idx', ['organizationId'])
@Index('case_contact_tester_idx', ['testerId'])
@ForeignKey(() => Organization, ['organizationId'], ['id'], {
  name: 'case_contact_organization_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => Outcome, ['outcomeId'], ['id'], { name: 'case_contact_outcome_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Person, ['testerId'], ['id'], { name: 'case_contact_tester_fkey', onDelete: 'NO ACTION' })
export class CaseContact {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  /** The case: its first contact's outcome. */
  @Column({ name: 'outcome_id', type: 'uuid' }) outcomeId: string;
  /** 2 for the second contact of the case, and so on. */
  @Column('integer') seq: number;
  @Column({ name: 'tester_id', type: 'uuid' }) testerId: string;
  @Column('text') kind: CaseContactKind;
  @Column({ name: 'attempted_at', type: 'timestamptz' }) attemptedAt: Date;
  @Column({ name: 'reached_human', type: 'boolean' }) reachedHuman: boolean;
  /** The story had to be told again on this contact. */
  @Column({ name: 'repeated_story', type: 'boolean' }) repeatedStory: boolean;
  @Column('text') status: CaseContactStatus;
  @Column({ name: 'promised_follow_up_by', type: 'date', nullable: true }) promisedFollowUpBy: string | null;
  /** Whether that promise was kept, answered by the next contact. */
  @Column({ name: 'promise_status', type: 'text', nullable: true }) promiseStatus: PromiseStatus | null;
  @Column({ type: 'text', nullable: true }) notes: string | null;
  @Column({ name: 'editable_until', type: 'timestamptz' }) editableUntil: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
