import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';

import { MAX_WAIT_SECONDS } from '../common/durations.js';
import { PageQuery } from '../common/pagination.js';
import { IsDate, IsDateOrDateTime, IsNotBefore, IsSingleLine } from '../common/validation/domain.validators.js';
import { Trim } from '../common/validation/transforms.js';
import { VERDICTS } from '../digests/verdicts.js';
import type { MetricDefinition } from '../metrics/metric-catalogue.js';
import { METRIC_KEYS, METRICS } from '../metrics/metric-catalogue.js';
import { CHANNELS } from '../touchpoints/touchpoint.entity.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import { DEFAULT_CLAIM_ZONE } from './claim-rules.js';
import { CLAIM_ACTIONS } from './claim.entity.js';
import type { Claim, ClaimAction, ClaimEdit } from './claim.entity.js';

const RANGES = { rate: [0, 1], seconds: [0, MAX_WAIT_SECONDS], rating: [1, 5] } as const;
const RANGE_TEXT = {
  rate: 'a fraction from 0 to 1 (96 % is 0.96)',
  seconds: `seconds from 0 to ${MAX_WAIT_SECONDS} (14 days)`,
  rating: 'a rating from 1 to 5',
} as const;
/** A count per case runs over the metric's own bounds (contacts to resolution from 1, repeats from 0). */
const rangeOf = (m: MetricDefinition): readonly [number, number] =>
  m.unit === 'count' ? [m.min ?? 0, m.max ?? 0] : RANGES[m.unit];
const rangeText = (m: MetricDefinition): string =>
  m.unit === 'count' ? `a number of contacts per case from ${m.min} to ${m.max}` : RANGE_TEXT[m.unit];

/** The value's range depends on the metric: a rate is 0–1, a wait is seconds, a rating 1–5. */
function FitsMetric() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'fitsMetric',
      target: object.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const metric = METRICS.find((m) => m.key === (args.object as { metric?: string }).metric);
          if (!metric || typeof value !== 'number') return true;
          const [min, max] = rangeOf(metric);
          return value >= min && value <= max;
        },
        defaultMessage(args: ValidationArguments) {
          const metric = METRICS.find((m) => m.key === (args.object as { metric?: string }).metric)!;
          return `value must be ${rangeText(metric)} for ${metric.key}`;
        },
      },
    });
}

export class CreateClaimDto {
  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Scope: one touchpoint (or give team, or neither for the whole organization)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'touchpointId must be a UUID' })
  touchpointId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'contact-centre', description: 'Scope: a team' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string | null;

  @ApiPropertyOptional({
    enum: CHANNELS,
    nullable: true,
    description:
      'The channel the figure is about. Required for a wait metric (avg_seconds_to_human, median_seconds_to_human, ' +
      'p90_seconds_to_human) ' +
      'claimed for a team or the whole organization: waits are never pooled across channels. Optional for other ' +
      "metrics (a rate may be claimed per channel or across all). A touchpoint claim takes its touchpoint's channel: " +
      'leave it out or give that one.',
  })
  @IsOptional()
  @IsIn(CHANNELS, { message: `channel must be one of: ${CHANNELS.join(', ')}` })
  channel?: Channel | null;

  @ApiProperty({ enum: METRIC_KEYS, example: 'answer_rate' })
  @IsIn(METRIC_KEYS, { message: `metric must be one of: ${METRIC_KEYS.join(', ')}` })
  metric: string;

  @ApiProperty({ example: '2026-11-16' })
  @IsDate()
  periodStart: string;

  @ApiProperty({ example: '2026-11-22' })
  @IsDate()
  @IsNotBefore('periodStart')
  periodEnd: string;

  @ApiProperty({ example: 0.96, description: 'Rates as fractions 0–1, times in seconds, ratings 1–5' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @FitsMetric()
  value: number;

  @ApiProperty({
    example: 'Weekly operations review, 23 Nov',
    maxLength: 300,
    description: 'The meeting it was reported in',
  })
  @Trim()
  @IsString()
  @Length(1, 300)
  @IsSingleLine()
  source: string;

  @ApiProperty({ example: '2026-11-23T10:00:00+00:00' })
  @IsDateOrDateTime()
  reportedAt: string;
}

export class UpdateClaimDto extends PartialType(CreateClaimDto) {}

/** A claims list's verdict filter: a digest's verdict, or `none` (in no digest yet). */
export const CLAIM_VERDICT_FILTERS = [...VERDICTS, 'none'] as const;
export type ClaimVerdictFilter = (typeof CLAIM_VERDICT_FILTERS)[number];

export class ClaimsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() touchpointId?: string;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) team?: string;
  @ApiPropertyOptional({ enum: METRIC_KEYS }) @IsOptional() @IsIn(METRIC_KEYS) metric?: string;
  @ApiPropertyOptional({ description: 'Claims whose period ends on or after' }) @IsOptional() @IsDate() from?: string;
  @ApiPropertyOptional({ description: 'Claims whose period starts on or before' }) @IsOptional() @IsDate() to?: string;
  @ApiPropertyOptional({
    enum: CLAIM_VERDICT_FILTERS,
    description:
      'Admin and quality: claims by the verdict of the latest digest that holds them as they now are (a final verdict ' +
      'before an in-progress one); `none` for claims no such digest holds yet',
  })
  @IsOptional()
  @IsIn(CLAIM_VERDICT_FILTERS, { message: `verdict must be one of: ${CLAIM_VERDICT_FILTERS.join(', ')}` })
  verdict?: ClaimVerdictFilter;
}

export class ClaimProgressView {
  @ApiProperty({ description: 'Counted contacts of its period recorded so far' }) contactsSoFar: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      "Contacts its verdict needs: the digest's test at the familywise level of the claims ending the same week, " +
      'with 80 % power against the gap that matters (null: never judged, e.g. a mean wait, or over 100,000)',
  })
  contactsNeeded: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'contactsNeeded less contactsSoFar, never below 0' })
  contactsStillNeeded: number | null;
  @ApiProperty({
    description:
      "Live tests of the claim's scope (touchpoint, team or organization) in the latest week planned, from this " +
      'week on: the current allocation',
  })
  testsPerWeek: number;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '2027-03-15',
    description:
      'Monday of the week its contacts are expected to reach contactsNeeded, with the tests already planned and ' +
      'testsThisWeek a week after them; null when not before its period ends. The verdict comes in the first digest after the period',
  })
  decisionExpectedWeek: string | null;
}

export class ClaimView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) touchpointId: string | null;
  @ApiProperty({ nullable: true, type: String }) team: string | null;
  @ApiProperty({ enum: CHANNELS, nullable: true }) channel: Channel | null;
  @ApiProperty() metric: string;
  @ApiProperty() periodStart: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty() value: number;
  @ApiProperty() source: string;
  @ApiProperty() reportedAt: Date;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) reportedBy: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
  @ApiProperty({
    description:
      'When what is tested (scope, channel, metric, period, value) was last set. The claim is judged once, in the ' +
      "digest whose period holds the later of its period's end and this: a change after a judgement is judged again, " +
      'as changed; a change of source or reportedAt is not',
  })
  revisedAt: Date;
  @ApiPropertyOptional({
    type: ClaimProgressView,
    nullable: true,
    description:
      'Admin and quality, while its period runs: how far it is from a verdict (claim-driven sampling). Null after ' +
      'its period and for owners (it would tell them how many tests their touchpoint gets this week)',
  })
  progress?: ClaimProgressView | null;

  static of(this: void, c: Claim, progress?: ClaimProgressView | null): ClaimView {
    const { organizationId: _o, ...view } = c;
    return progress === undefined ? view : { ...view, progress };
  }
}

export class ClaimPage {
  @ApiProperty({ type: [ClaimView] }) items: ClaimView[];
  @ApiProperty() total: number;
}

export class ClaimHistoryQuery extends PageQuery {}

export class ClaimEditView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'The version of the claim this change made: 1 when created, one more with each change' })
  version: number;
  @ApiProperty({ enum: CLAIM_ACTIONS }) action: ClaimAction;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Who made the change (null: since deleted)',
  })
  editedBy: string | null;
  @ApiProperty({
    enum: ['api', 'import', 'migration'],
    description: "'migration': the claim predates its history; version 1 is its state when the history began",
  })
  via: string;
  @ApiProperty() editedAt: Date;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'The claim before (null: created)',
  })
  before: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'The claim after (null: deleted)',
  })
  after: Record<string, unknown> | null;

  static of(this: void, e: ClaimEdit): ClaimEditView {
    const { organizationId: _o, claimId: _c, ...view } = e;
    return view;
  }
}

export class ClaimHistoryPage {
  @ApiProperty({ type: [ClaimEditView] }) items: ClaimEditView[];
  @ApiProperty() total: number;
}

/** Who may change a claim, as the API documents it. */
export const CLAIM_CHANGE_RULES =
  'Admins and quality may change or delete any claim at any time; every change is kept in its history. ' +
  'An owner may change or delete only a claim they reported themselves, and only until it is judged: ' +
  "until its period has ended, i.e. until the end of periodEnd in the touchpoint's time zone " +
  `(${DEFAULT_CLAIM_ZONE} for team and organization claims, which owners cannot enter). ` +
  'Otherwise 403 naming the rule (ownClaimsOnly, notJudged).';
