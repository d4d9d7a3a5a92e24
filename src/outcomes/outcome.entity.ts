import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

import { Assignment } from '../assignments/assignment.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Person } from '../people/person.entity.js';
import { Scenario } from '../scenarios/scenario.entity.js';
import { Touchpoint } from '../touchpoints/touchpoint.entity.js';

export const RESOLUTIONS = ['resolved', 'partial', 'unresolved'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const PROMISE_STATUSES = ['kept', 'late', 'broken'] as const;
export type PromiseStatus = (typeof PROMISE_STATUSES)[number];
export type AnswerValue = boolean | number | string;
/** Where the case a test opened stands: followed still, or ended (resolved, or given up unresolved). */
export const CASE_STATUSES = ['open', 'resolved', 'given_up'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** What happened on one test contact. Nothing here identifies the front-line employee. */
@Entity('outcome')
@Unique('outcome_assignment_key', ['assignmentId'])
@Check('outcome_resolution_check', "resolution IN ('resolved', 'partial', 'unresolved')")
@Check('outcome_ratings_check', 'courtesy BETWEEN 1 AND 5 AND knowledge BETWEEN 1 AND 5')
@Check(
  'outcome_reached_check',
  'reached_human OR (seconds_to_human IS NULL AND courtesy IS NULL AND knowledge IS NULL)',
)
@Check('outcome_queue_seconds_check', 'queue_seconds >= 0')
@Check('outcome_promise_check', "promise_status IS NULL OR promise_status IN ('kept', 'late', 'broken')")
@Check('outcome_case_status_check', "case_status IN ('open', 'resolved', 'given_up')")
@Check('outcome_case_ended_check', "(case_status = 'open') = (case_ended_at IS NULL)")
@Index('outcome_open_case_idx', ['organizationId', 'testerId'], { where: "case_status = 'open'" })
@Index('outcome_org_attempted_idx', ['organizationId', 'attemptedAt'])
@Index('outcome_touchpoint_idx', ['touchpointId', 'attemptedAt'])
@Index('outcome_tester_idx', ['testerId', 'attemptedAt'])
@Index('outcome_promise_due_idx', ['promisedFollowUpBy'], { where: 'promise_asked_at IS NULL' })
@ForeignKey(() => Organization, ['organizationId'], ['id'], { name: 'outcome_organization_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Assignment, ['assignmentId'], ['id'], { name: 'outcome_assignment_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Person, ['testerId'], ['id'], { name: 'outcome_tester_fkey', onDelete: 'NO ACTION' })
@ForeignKey(() => Touchpoint, ['touchpointId'], ['id'], { name: 'outcome_touchpoint_fkey', onDelete: 'NO ACTION' })
@ForeignKey(() => Scenario, ['scenarioId'], ['id'], { name: 'outcome_scenario_fkey', onDelete: 'SET NULL' })
export class Outcome {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  /** Null for an ad-hoc contact made without an assignment. */
  @Column({ name: 'assignment_id', type: 'uuid', nullable: true }) assignmentId: string | null;
  @Column({ name: 'tester_id', type: 'uuid' }) testerId: string;
  @Column({ name: 'touchpoint_id', type: 'uuid' }) touchpointId: string;
  @Column({ name: 'scenario_id', type: 'uuid', nullable: true }) scenarioId: string | null;
  @Column({ name: 'attempted_at', type: 'timestamptz' }) attemptedAt: Date;
  @Column({ name: 'reached_human', type: 'boolean' }) reachedHuman: boolean;
  @Column({ name: 'seconds_to_human', type: 'integer', nullable: true }) secondsToHuman: number | null;
  @Column({ name: 'hold_seconds', type: 'integer', nullable: true }) holdSeconds: number | null;
  @Column('integer') transfers: number;
  @Column('integer') disconnects: number;
  @Column({ name: 'repeated_story', type: 'boolean' }) repeatedStory: boolean;
  /** Chat: a bot answered before any person. */
  @Column({ name: 'bot_first', type: 'boolean', nullable: true }) botFirst: boolean | null;
  /** Email, web form, social: the first human reply answered the question. */
  @Column({ name: 'answered_question', type: 'boolean', nullable: true }) answeredQuestion: boolean | null;
  /** In person: time queuing, served or not. */
  @Column({ name: 'queue_seconds', type: 'integer', nullable: true }) queueSeconds: number | null;
  /** In person: the ticket or queue system worked (null: there was none). */
  @Column({ name: 'queue_system_worked', type: 'boolean', nullable: true }) queueSystemWorked: boolean | null;
  /** In person: a member of staff was free to serve on arrival. */
  @Column({ name: 'staff_free', type: 'boolean', nullable: true }) staffFree: boolean | null;
  @Column('text') resolution: Resolution;
  @Column({ name: 'options_explained', type: 'boolean', nullable: true }) optionsExplained: boolean | null;
  @Column({ type: 'integer', nullable: true }) courtesy: number | null;
  @Column({ type: 'integer', nullable: true }) knowledge: number | null;
  @Column({ name: 'staff_gave_name', type: 'boolean', nullable: true }) staffGaveName: boolean | null;
  @Column({ name: 'promised_follow_up_by', type: 'date', nullable: true }) promisedFollowUpBy: string | null;
  @Column({ name: 'promise_status', type: 'text', nullable: true }) promiseStatus: PromiseStatus | null;
  @Column({ name: 'promise_asked_at', type: 'timestamptz', nullable: true }) promiseAskedAt: Date | null;
  @Column({ type: 'text', nullable: true }) notes: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) answers: Record<string, AnswerValue>;
  /** The case this contact opened (see case-rules.ts): the outcome is its first contact. */
  @Column({ name: 'case_status', type: 'text' }) caseStatus: CaseStatus;
  /** Contacts in the case, this one included. */
  @Column({ name: 'case_contacts', type: 'integer', default: 1 }) caseContacts: number;
  /** Later contacts on which the story had to be told again. */
  @Column({ name: 'case_later_repeats', type: 'integer', default: 0 }) caseLaterRepeats: number;
  /** Answered promises of later contacts: kept by their date, or late or broken. */
  @Column({ name: 'case_promises_kept', type: 'integer', default: 0 }) casePromisesKept: number;
  @Column({ name: 'case_promises_failed', type: 'integer', default: 0 }) casePromisesFailed: number;
  /** When the case was resolved or given up; null while open. */
  @Column({ name: 'case_ended_at', type: 'timestamptz', nullable: true }) caseEndedAt: Date | null;
  /** The latest later contact; null when there is none. */
  @Column({ name: 'case_last_contact_at', type: 'timestamptz', nullable: true }) caseLastContactAt: Date | null;
  /** 48 hours after the first save; edits are refused after it. */
  @Column({ name: 'editable_until', type: 'timestamptz' }) editableUntil: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** One save of an outcome: who, when, through what, before and after. */
@Entity('outcome_edit')
@Index('outcome_edit_outcome_idx', ['outcomeId', 'editedAt'])
@ForeignKey(() => Outcome, ['outcomeId'], ['id'], { name: 'outcome_edit_outcome_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Person, ['editedBy'], ['id'], { name: 'outcome_edit_person_fkey', onDelete: 'SET NULL' })
export class OutcomeEdit {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'outcome_id', type: 'uuid' }) outcomeId: string;
  @Column({ name: 'edited_by', type: 'uuid', nullable: true }) editedBy: string | null;
  /** 'api' (a key) or 'link' (the tester's emailed link). */
  @Column('text') via: string;
  @Column({ name: 'edited_at', type: 'timestamptz' }) editedAt: Date;
  @Column({ type: 'jsonb', nullable: true }) before: Record<string, unknown> | null;
  @Column({ type: 'jsonb' }) after: Record<string, unknown>;
}
