import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

import { IsDate, IsDateOrDateTime } from '../common/validation/domain.validators.js';
import { Omittable } from '../common/validation/validate-dto.js';
import { CASE_CONTACT_KINDS, CASE_CONTACT_STATUSES } from './case-contact.entity.js';
import type { CaseContactKind, CaseContactStatus } from './case-contact.entity.js';
import type { CaseContactInput } from './case-rules.js';
import { CASE_STATUSES, PROMISE_STATUSES, RESOLUTIONS } from './outcome.entity.js';
import type { CaseStatus, PromiseStatus, Resolution } from './outcome.entity.js';

/** A later contact of a case, as the tester records it. Cross-field rules live in case-rules.ts. */
export class CaseContactDto implements CaseContactInput {
  @ApiProperty({
    enum: CASE_CONTACT_KINDS,
    description: 'callback: the organization called or wrote back; chase: you called, wrote or went again',
  })
  @IsIn(CASE_CONTACT_KINDS, { message: `kind must be one of: ${CASE_CONTACT_KINDS.join(', ')}` })
  kind: CaseContactKind;

  @ApiProperty({ example: '2026-11-26T10:05:00+00:00', description: 'When this contact was made' })
  @IsDateOrDateTime()
  attemptedAt: string;

  @ApiProperty({ description: 'Did a person take part (not only a menu, a bot or an automatic reply)?' })
  @IsBoolean()
  reachedHuman: boolean;

  @ApiPropertyOptional({ default: false, description: 'Had to tell the story again on this contact' })
  @Omittable()
  @IsBoolean()
  repeatedStory?: boolean;

  @ApiProperty({
    enum: CASE_CONTACT_STATUSES,
    description: 'Where this contact left the case: it continues, it is resolved, or you give it up unresolved',
  })
  @IsIn(CASE_CONTACT_STATUSES, { message: `status must be one of: ${CASE_CONTACT_STATUSES.join(', ')}` })
  status: CaseContactStatus;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '2026-11-28',
    description: 'Only while the case continues: a callback or reply was promised by this date',
  })
  @IsOptional()
  @IsDate()
  promisedFollowUpBy?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    enum: PROMISE_STATUSES,
    description:
      'Whether the follow-up promised on the contact before came: kept (by its date), late or broken. Left ' +
      'out, a callback answers it (kept by the date, late after) and a chase after the date says it never came',
  })
  @IsOptional()
  @IsIn(PROMISE_STATUSES, { message: `previousPromise must be one of: ${PROMISE_STATUSES.join(', ')}` })
  previousPromise?: PromiseStatus | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 4000,
    description: 'What happened; no names of staff',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string | null;
}

export class GiveUpCaseDto {
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 4000, description: 'Why you stop following it' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string | null;
}

/** One contact of a case: the first (the test's outcome, `kind` first) or a later one. */
export class CaseContactView {
  @ApiProperty({ description: '1 for the first contact (the outcome), 2 for the next, …' }) seq: number;
  @ApiProperty({ enum: ['first', ...CASE_CONTACT_KINDS] }) kind: 'first' | CaseContactKind;
  @ApiProperty() attemptedAt: Date;
  @ApiProperty() reachedHuman: boolean;
  @ApiProperty() repeatedStory: boolean;
  @ApiProperty({ nullable: true, enum: RESOLUTIONS, description: 'The first contact only' })
  resolution: Resolution | null;
  @ApiProperty({ nullable: true, enum: CASE_CONTACT_STATUSES, description: 'Later contacts only' })
  status: CaseContactStatus | null;
  @ApiProperty({ nullable: true, type: String }) promisedFollowUpBy: string | null;
  @ApiProperty({ nullable: true, enum: PROMISE_STATUSES }) promiseStatus: PromiseStatus | null;
  @ApiProperty({ nullable: true, type: String }) notes: string | null;
  @ApiProperty({ description: 'Edits are accepted until then (48 hours after its first save)' }) editableUntil: Date;
}

/** A case: the test's outcome and every later contact, and where it stands. */
export class CaseView {
  @ApiProperty({ format: 'uuid', description: 'The case is its first contact: this outcome' }) outcomeId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) assignmentId: string | null;
  @ApiProperty({ format: 'uuid' }) touchpointId: string;
  @ApiProperty({ format: 'uuid' }) testerId: string;
  @ApiProperty({ enum: CASE_STATUSES }) status: CaseStatus;
  @ApiProperty({ description: `Open with no contact for more than 30 days: still open, never counted resolved` })
  stale: boolean;
  @ApiProperty() openedAt: Date;
  @ApiProperty({ nullable: true, type: Date, description: 'When it was resolved or given up' }) endedAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Days (fractional) from the first contact to the resolving contact; null unless resolved',
  })
  daysToResolution: number | null;
  @ApiProperty({ description: 'Contacts so far, the first included' }) contactCount: number;
  @ApiProperty({ description: 'Contacts on which the story had to be told again' }) storyRepeats: number;
  @ApiProperty({ description: 'Follow-up promises answered as kept' }) promisesKept: number;
  @ApiProperty({ description: 'Follow-up promises answered as late or broken' }) promisesFailed: number;
  @ApiProperty({ type: [CaseContactView] }) contacts: CaseContactView[];
}
