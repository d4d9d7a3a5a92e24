import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsNumber, IsOptional, IsPositive, Max, Min, ValidateNested } from 'class-validator';

import { MAX_GAP, METRICS, TARGET_RANGE } from './metric-catalogue.js';
import type { EffectiveSettings } from './verdict-settings.js';

const UNIT_TEXT = {
  rate: 'a fraction of 1 (10 points is 0.1)',
  seconds: 'seconds',
  rating: 'rating points',
  count: 'contacts or times per case',
} as const;

/** One optional property per catalogue metric: the gap that matters for it, or null for the default. */
export class GapThatMattersDto {
  [metric: string]: number | null | undefined;
}
for (const m of METRICS) {
  const target = GapThatMattersDto.prototype;
  const max = MAX_GAP[m.unit];
  ApiPropertyOptional({
    type: Number,
    nullable: true,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: max,
    description: `${UNIT_TEXT[m.unit]}; default ${m.gapThatMatters}; null goes back to the default`,
  })(target, m.key);
  IsOptional()(target, m.key);
  IsNumber({ allowNaN: false, allowInfinity: false }, { message: `gapThatMatters.${m.key} must be a number` })(
    target,
    m.key,
  );
  IsPositive({ message: `gapThatMatters.${m.key} must be greater than 0` })(target, m.key);
  Max(max, { message: `gapThatMatters.${m.key} must be at most ${max} (${UNIT_TEXT[m.unit]})` })(target, m.key);
}

const TARGET_UNIT_TEXT = {
  rate: 'a fraction of 1 (90 % is 0.9)',
  seconds: 'seconds (up to 14 days)',
  rating: 'a rating from 1 to 5',
  count: 'contacts or times per case (0 to 20)',
} as const;

/** One optional property per catalogue metric: the organization's target for it, or null to remove it. */
export class TargetsDto {
  [metric: string]: number | null | undefined;
}
for (const m of METRICS) {
  const target = TargetsDto.prototype;
  const { min, max } = TARGET_RANGE[m.unit];
  const field = `targets.${m.key}`;
  ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: min,
    maximum: max,
    description: `${TARGET_UNIT_TEXT[m.unit]}; ${m.better} is better; null removes the target`,
  })(target, m.key);
  IsOptional()(target, m.key);
  IsNumber({ allowNaN: false, allowInfinity: false }, { message: `${field} must be a number` })(target, m.key);
  Min(min, { message: `${field} must be at least ${min} (${TARGET_UNIT_TEXT[m.unit]})` })(target, m.key);
  Max(max, { message: `${field} must be at most ${max} (${TARGET_UNIT_TEXT[m.unit]})` })(target, m.key);
}

export class UpdateOrganizationSettingsDto {
  @ApiPropertyOptional({
    description:
      'Whether ad-hoc contacts (recorded without an assignment) count in verdicts. Default false: planned tests only',
  })
  @IsOptional()
  @IsBoolean({ message: 'countAdHocInVerdicts must be true or false' })
  countAdHocInVerdicts?: boolean;

  @ApiPropertyOptional({
    type: GapThatMattersDto,
    description: 'Per metric, the smallest gap between claim and truth worth detecting; only the metrics given change',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => GapThatMattersDto)
  gapThatMatters?: GapThatMattersDto;

  @ApiPropertyOptional({
    type: TargetsDto,
    description:
      "Per metric, the organization's own target: the digest flags facts nobody claimed that are clearly worse " +
      'than it. Only the metrics given change; null removes a target',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => TargetsDto)
  targets?: TargetsDto;
}

export class OrganizationSettingsView {
  @ApiProperty({ description: 'Ad-hoc contacts count in verdicts (false: planned tests only)' })
  countAdHocInVerdicts: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Every metric with the gap that matters in force (the default unless overridden)',
  })
  gapThatMatters: Record<string, number>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'The targets the organization set, by metric (a metric without one is absent)',
  })
  targets: Record<string, number>;

  @ApiProperty({ type: [String], description: 'The metrics whose gap the organization set itself' })
  overridden: string[];

  static of(effective: EffectiveSettings, overridden: string[]): OrganizationSettingsView {
    return { ...effective, overridden };
  }
}
