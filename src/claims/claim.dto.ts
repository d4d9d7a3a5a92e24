import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Length, MaxLength, registerDecorator, ValidationArguments } from 'class-validator';
import { PageQuery } from '../common/pagination.js';
import { IsDate, IsDateOrDateTime, IsNotBefore, IsSingleLine } from '../common/validation/domain.validators.js';
import { Trim } from '../common/validation/transforms.js';
import { METRIC_KEYS, METRICS } from '../metrics/metric-catalogue.js';
import type { Claim } from './claim.entity.js';

const RANGES = { rate: [0, 1], seconds: [0, 86_400], rating: [1, 5] } as const;
const RANGE_TEXT = { rate: 'a fraction from 0 to 1 (96 % is 0.96)', seconds: 'seconds from 0 to 86400', rating: 'a rating from 1 to 5' } as const;

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
          const [min, max] = RANGES[metric.unit];
          return value >= min && value <= max;
        },
        defaultMessage(args: ValidationArguments) {
          const metric = METRICS.find((m) => m.key === (args.object as { metric?: string }).metric)!;
          return `value must be ${RANGE_TEXT[metric.unit]} for ${metric.key}`;
        },
      },
    });
}

export class CreateClaimDto {
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'Scope: one touchpoint (or give team, or neither for the whole organization)' })
  @IsOptional()
  @IsUUID('all', { message: 'touchpointId must be a UUID' })
  touchpointId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'contact-centre', description: 'Scope: a team' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string | null;

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

  @ApiProperty({ example: 'Weekly operations review, 23 Nov', maxLength: 300, description: 'The meeting it was reported in' })
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

export class ClaimsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() touchpointId?: string;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) team?: string;
  @ApiPropertyOptional({ enum: METRIC_KEYS }) @IsOptional() @IsIn(METRIC_KEYS) metric?: string;
  @ApiPropertyOptional({ description: 'Claims whose period ends on or after' }) @IsOptional() @IsDate() from?: string;
  @ApiPropertyOptional({ description: 'Claims whose period starts on or before' }) @IsOptional() @IsDate() to?: string;
}

export class ClaimView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) touchpointId: string | null;
  @ApiProperty({ nullable: true, type: String }) team: string | null;
  @ApiProperty() metric: string;
  @ApiProperty() periodStart: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty() value: number;
  @ApiProperty() source: string;
  @ApiProperty() reportedAt: Date;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) reportedBy: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static of(c: Claim): ClaimView {
    const { organizationId: _o, ...view } = c;
    return view;
  }
}

export class ClaimPage {
  @ApiProperty({ type: [ClaimView] }) items: ClaimView[];
  @ApiProperty() total: number;
}
