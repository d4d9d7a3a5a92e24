import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

import { MAX_WAIT_SECONDS } from '../common/durations.js';
import { PageQuery } from '../common/pagination.js';
import { IsDate, IsDateOrDateTime } from '../common/validation/domain.validators.js';
import { Omittable } from '../common/validation/validate-dto.js';
import { CHANNELS } from '../touchpoints/touchpoint.entity.js';
import { CASE_STATUSES, PROMISE_STATUSES, RESOLUTIONS } from './outcome.entity.js';
import type { AnswerValue, CaseStatus, Outcome, PromiseStatus, Resolution } from './outcome.entity.js';

/**
 * What the tester records. Cross-field rules (reached a human ⇒ a wait, …) and which fields each channel asks live
 * in outcome-rules.ts.
 */
export class OutcomeDto {
  @ApiProperty({
    example: '2026-11-24T14:20:00+00:00',
    description: 'When the contact was made (date-time with offset)',
  })
  @IsDateOrDateTime()
  attemptedAt: string;

  @ApiProperty({ description: 'Did a person answer (not only a menu or a bot)?' })
  @IsBoolean()
  reachedHuman: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    description:
      'Wait until a person answered (a mailbox: until the first reply), up to 14 days; only when reachedHuman',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  secondsToHuman?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    description: 'Time on hold after reaching a person, up to 14 days',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  holdSeconds?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 50, default: 0 })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(50)
  transfers?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 50, default: 0, description: 'Dropped calls or chats' })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(50)
  disconnects?: number;

  @ApiPropertyOptional({ default: false, description: 'Had to tell the story again' })
  @Omittable()
  @IsBoolean()
  repeatedStory?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'Chat only: did a bot answer before any person?',
  })
  @IsOptional()
  @IsBoolean()
  botFirst?: boolean | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'Email, web form, social only, when a person replied: did the first reply answer the question?',
  })
  @IsOptional()
  @IsBoolean()
  answeredQuestion?: boolean | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    description: 'In person only: time queuing, whether or not anyone served you in the end',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  queueSeconds?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'In person only: did the ticket or queue system work? Null when there was none',
  })
  @IsOptional()
  @IsBoolean()
  queueSystemWorked?: boolean | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'In person only: was a member of staff free to serve when you arrived?',
  })
  @IsOptional()
  @IsBoolean()
  staffFree?: boolean | null;

  @ApiProperty({ enum: RESOLUTIONS })
  @IsIn(RESOLUTIONS, { message: `resolution must be one of: ${RESOLUTIONS.join(', ')}` })
  resolution: Resolution;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'Only when not resolved: were the options (or why not) explained?',
  })
  @IsOptional()
  @IsBoolean()
  optionsExplained?: boolean | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  courtesy?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  knowledge?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'Whether the staff member gave a name (never the name itself)',
  })
  @IsOptional()
  @IsBoolean()
  staffGaveName?: boolean | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '2026-11-27',
    description: 'A callback or email was promised by this date',
  })
  @IsOptional()
  @IsDate()
  promisedFollowUpBy?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description:
      'Not resolved: will you follow the matter further (a callback, a chase, a visit again) as a case? ' +
      'Left out, a promised follow-up keeps the case open; false ends it unresolved (given up)',
  })
  @IsOptional()
  @IsBoolean()
  caseContinues?: boolean | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 4000,
    description: 'What happened, in your words; no names of staff',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "Answers to the scenario's extra questions, by key",
  })
  @Omittable()
  @IsObject()
  answers?: Record<string, AnswerValue>;
}

export class AdHocOutcomeDto extends OutcomeDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'touchpointId must be a UUID' })
  touchpointId: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID('all', { message: 'scenarioId must be a UUID' })
  scenarioId?: string | null;
}

export class OutcomesQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() touchpointId?: string;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) team?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() testerId?: string;
  @ApiPropertyOptional({ enum: RESOLUTIONS }) @IsOptional() @IsIn(RESOLUTIONS) resolution?: Resolution;
  @ApiPropertyOptional({ enum: CASE_STATUSES, description: 'Where the case the contact opened stands' })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  caseStatus?: CaseStatus;
  @ApiPropertyOptional({ description: 'Attempted at or after (date or date-time with offset)' })
  @IsOptional()
  @IsDateOrDateTime()
  from?: string;
  @ApiPropertyOptional({ description: 'Attempted before' }) @IsOptional() @IsDateOrDateTime() to?: string;
}

export class OutcomeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) assignmentId: string | null;
  @ApiProperty({ format: 'uuid' }) testerId: string;
  @ApiProperty({ format: 'uuid' }) touchpointId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) scenarioId: string | null;
  @ApiProperty() attemptedAt: Date;
  @ApiProperty() reachedHuman: boolean;
  @ApiProperty({ nullable: true, type: Number }) secondsToHuman: number | null;
  @ApiProperty({ nullable: true, type: Number }) holdSeconds: number | null;
  @ApiProperty() transfers: number;
  @ApiProperty() disconnects: number;
  @ApiProperty() repeatedStory: boolean;
  @ApiProperty({ nullable: true, type: Boolean }) botFirst: boolean | null;
  @ApiProperty({ nullable: true, type: Boolean }) answeredQuestion: boolean | null;
  @ApiProperty({ nullable: true, type: Number }) queueSeconds: number | null;
  @ApiProperty({ nullable: true, type: Boolean }) queueSystemWorked: boolean | null;
  @ApiProperty({ nullable: true, type: Boolean }) staffFree: boolean | null;
  @ApiProperty({ enum: RESOLUTIONS }) resolution: Resolution;
  @ApiProperty({ nullable: true, type: Boolean }) optionsExplained: boolean | null;
  @ApiProperty({ nullable: true, type: Number }) courtesy: number | null;
  @ApiProperty({ nullable: true, type: Number }) knowledge: number | null;
  @ApiProperty({ nullable: true, type: Boolean }) staffGaveName: boolean | null;
  @ApiProperty({ nullable: true, type: String }) promisedFollowUpBy: string | null;
  @ApiProperty({ nullable: true, enum: PROMISE_STATUSES }) promiseStatus: PromiseStatus | null;
  @ApiProperty({ nullable: true, type: String }) notes: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) answers: Record<string, AnswerValue>;
  @ApiProperty({ enum: CASE_STATUSES, description: 'The case this contact opened: open, resolved or given up' })
  caseStatus: CaseStatus;
  @ApiProperty({ description: 'Contacts in the case, this one included' }) caseContacts: number;
  @ApiProperty({ nullable: true, type: Date, description: 'When the case was resolved or given up' })
  caseEndedAt: Date | null;
  @ApiProperty({ description: 'Edits are accepted until then (48 hours after the first save)' }) editableUntil: Date;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static of(this: void, o: Outcome): OutcomeView {
    const {
      organizationId: _org,
      promiseAskedAt: _asked,
      caseLaterRepeats: _r,
      casePromisesKept: _k,
      casePromisesFailed: _f,
      caseLastContactAt: _l,
      ...view
    } = o;
    return view;
  }
}

export class OutcomePage {
  @ApiProperty({ type: [OutcomeView] }) items: OutcomeView[];
  @ApiProperty() total: number;
}

export class OutcomeEditView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) editedBy: string | null;
  @ApiProperty({ enum: ['api', 'session', 'link'] }) via: string;
  @ApiProperty() editedAt: Date;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) before: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) after: Record<string, unknown>;
}

export class OutcomeAudit {
  @ApiProperty({ type: [OutcomeEditView] }) items: OutcomeEditView[];
  @ApiProperty() total: number;
}
