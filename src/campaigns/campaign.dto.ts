import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';

import { PageQuery } from '../common/pagination.js';
import { IsDate, IsNotBefore, IsSingleLine } from '../common/validation/domain.validators.js';
import { Trim } from '../common/validation/transforms.js';
import { Omittable } from '../common/validation/validate-dto.js';
import { CHANNELS } from '../touchpoints/touchpoint.entity.js';
import { ALLOCATIONS } from './allocation.js';
import type { Allocation } from './allocation.js';
import { CAMPAIGN_LIMITS } from './campaign-limits.js';
import type { Campaign } from './campaign.entity.js';

function IsMultipleOf(step: number) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isMultipleOf',
      target: object.constructor,
      propertyName,
      options: { message: `$property must be a multiple of ${step}` },
      validator: { validate: (v: unknown) => typeof v === 'number' && v % step === 0 },
    });
}

/** The calendar hold goes out before the reveal, or it would reveal nothing new. */
function IsLongerThanRevealLead() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isLongerThanRevealLead',
      target: object.constructor,
      propertyName,
      options: { message: '$property must be longer than revealLeadMinutes (the hold comes before the reveal)' },
      validator: {
        validate: (v: unknown, args: ValidationArguments) => {
          const reveal =
            (args.object as { revealLeadMinutes?: number }).revealLeadMinutes ?? DEFAULTS.revealLeadMinutes;
          return v === null || v === undefined || (typeof v === 'number' && v > reveal);
        },
      },
    });
}

export const DEFAULTS = {
  windowMinutes: 60,
  revealLeadMinutes: 120,
  remindBeforeMinutes: 30,
  graceMinutes: 720,
  minSpacingHours: 24,
  testerWeeklyCap: 2,
  rotationDays: 28,
  horizonDays: 14,
};

export class CreateCampaignDto {
  @ApiProperty({ example: 'Winter ride-alongs', maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  name: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: CAMPAIGN_LIMITS.touchpoints,
    description:
      'Touchpoints by id; when empty, those matching team and channels ' +
      `(at most ${CAMPAIGN_LIMITS.touchpoints} either way)`,
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(CAMPAIGN_LIMITS.touchpoints)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  touchpointIds?: string[];

  @ApiPropertyOptional({ nullable: true, type: String, example: 'contact-centre' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string | null;

  @ApiPropertyOptional({ enum: CHANNELS, isArray: true })
  @Omittable()
  @IsArray()
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true, message: `each value in channels must be one of: ${CHANNELS.join(', ')}` })
  channels?: string[];

  @ApiProperty({
    type: [String],
    format: 'uuid',
    maxItems: CAMPAIGN_LIMITS.testers,
    description: 'The tester pool: people holding the tester role',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(CAMPAIGN_LIMITS.testers)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  testerIds: string[];

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Scenarios to use; when empty, any that fits the channel',
  })
  @Omittable()
  @IsArray()
  @ArrayUnique()
  @IsUUID('all', { each: true })
  scenarioIds?: string[];

  @ApiProperty({
    minimum: 1,
    maximum: 21,
    example: 2,
    description:
      'Tests of each touchpoint a week; touchpoints × this may be at most ' +
      `${CAMPAIGN_LIMITS.weeklyContacts} (400 maxWeeklyContacts)`,
  })
  @IsInt()
  @Min(1)
  @Max(21)
  contactsPerTouchpointPerWeek: number;

  @ApiPropertyOptional({
    enum: ALLOCATIONS,
    default: 'per-touchpoint',
    description:
      "'per-touchpoint': every touchpoint gets contactsPerTouchpointPerWeek tests a week. 'by-need': weeklyBudget " +
      'tests a week are divided among the touchpoints by the contacts their open claims still need to reach a ' +
      "verdict (at the gap that matters, with the digest's familywise correction), recomputed for each week from the " +
      'contacts recorded when it is planned; every touchpoint gets floorPerTouchpoint, none more than ' +
      'contactsPerTouchpointPerWeek. It changes how many tests a touchpoint gets, never when: windows are drawn ' +
      'the same way (STATISTICS.md, "Claim-driven sampling")',
  })
  @Omittable()
  @IsIn(ALLOCATIONS, { message: `allocation must be one of: ${ALLOCATIONS.join(', ')}` })
  allocation?: Allocation;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    maximum: CAMPAIGN_LIMITS.weeklyContacts,
    description:
      "With allocation 'by-need' (required there, null otherwise): tests a week for the whole campaign; at least " +
      'floorPerTouchpoint × touchpoints, at most contactsPerTouchpointPerWeek × touchpoints',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CAMPAIGN_LIMITS.weeklyContacts)
  weeklyBudget?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 0,
    maximum: 21,
    description:
      "With allocation 'by-need' (required there, null otherwise): tests every touchpoint gets each week whatever " +
      'its claims, so nothing goes unseen; at most contactsPerTouchpointPerWeek',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(21)
  floorPerTouchpoint?: number | null;

  @ApiPropertyOptional({
    minimum: 15,
    maximum: 480,
    default: DEFAULTS.windowMinutes,
    description: 'Length of each test window, a multiple of 15',
  })
  @Omittable()
  @IsInt()
  @Min(15)
  @Max(480)
  @IsMultipleOf(15)
  windowMinutes?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10_080,
    default: DEFAULTS.revealLeadMinutes,
    description: 'How long before the window the tester learns of it',
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(10_080)
  revealLeadMinutes?: number;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description:
      'Optional calendar hold this long before the window (says nothing of where or what); longer than the reveal lead',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(43_200)
  @IsLongerThanRevealLead()
  holdLeadMinutes?: number | null;

  @ApiPropertyOptional({
    minimum: 5,
    maximum: 1440,
    default: DEFAULTS.remindBeforeMinutes,
    description: 'Reminder this long before the window closes',
  })
  @Omittable()
  @IsInt()
  @Min(5)
  @Max(1440)
  remindBeforeMinutes?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10_080,
    default: DEFAULTS.graceMinutes,
    description: 'After window end + grace without an outcome: missed',
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(10_080)
  graceMinutes?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 168,
    default: DEFAULTS.minSpacingHours,
    description: 'Minimum hours between the starts of two tests of one touchpoint',
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(168)
  minSpacingHours?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: DEFAULTS.testerWeeklyCap })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(50)
  testerWeeklyCap?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 365,
    default: DEFAULTS.rotationDays,
    description: 'No tester tests the same touchpoint twice within this many days',
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(365)
  rotationDays?: number;

  @ApiPropertyOptional({ default: false, description: 'Whether owners may test their own touchpoints' })
  @Omittable()
  @IsBoolean()
  allowOwnerSelfTest?: boolean;

  @ApiProperty({ example: '2026-11-30' })
  @IsDate()
  startsOn: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: '2027-03-31' })
  @IsOptional()
  @IsDate()
  @IsNotBefore('startsOn')
  endsOn?: string | null;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 90,
    default: DEFAULTS.horizonDays,
    description: 'How far ahead the nightly job keeps the plan filled',
  })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(90)
  horizonDays?: number;
}

export class UpdateCampaignDto extends PartialType(CreateCampaignDto) {}

export class CampaignsQuery extends PageQuery {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class PlanPeriodDto {
  @ApiProperty({ example: '2026-11-30', description: 'First day (every week that overlaps the period is planned)' })
  @IsDate()
  from: string;

  @ApiProperty({ example: '2026-12-27' })
  @IsDate()
  @IsNotBefore('from')
  to: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Plan weeks already planned again (after a change of testers, touchpoints or settings): their unrevealed ' +
      'tests are withdrawn (reason `replanned`) and unfilled slots forgotten; each touchpoint then gets its ' +
      'contacts for the week, less those already revealed, completed or missed, in windows still ahead. ' +
      'Without it, planning is idempotent per week.',
  })
  @Omittable()
  @IsBoolean()
  replan?: boolean;
}

export class UnfilledView {
  @ApiProperty({ format: 'uuid' }) touchpointId: string;
  @ApiProperty() weekStart: string;
  @ApiProperty() slot: number;
  @ApiProperty() reason: string;
  @ApiProperty() explanation: string;
}

export class PlanResultView {
  @ApiProperty({ description: 'Assignments added by this call' }) planned: number;
  @ApiProperty({ type: [UnfilledView] }) unfilled: UnfilledView[];
  @ApiProperty({ type: [String], description: 'Weeks planned by this call' }) weeksPlanned: string[];
  @ApiProperty({ type: [String], description: 'Weeks that were already planned (nothing added)' })
  weeksAlreadyPlanned: string[];
  @ApiPropertyOptional({ description: 'With replan: the unrevealed tests withdrawn to plan their weeks again' })
  withdrawn?: number;
}

export class CampaignView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) touchpointIds: string[];
  @ApiProperty({ nullable: true, type: String }) team: string | null;
  @ApiProperty({ type: [String] }) channels: string[];
  @ApiProperty({ type: [String] }) testerIds: string[];
  @ApiProperty({ type: [String] }) scenarioIds: string[];
  @ApiProperty() contactsPerTouchpointPerWeek: number;
  @ApiProperty({ enum: ALLOCATIONS }) allocation: Allocation;
  @ApiProperty({ nullable: true, type: Number }) weeklyBudget: number | null;
  @ApiProperty({ nullable: true, type: Number }) floorPerTouchpoint: number | null;
  @ApiProperty() windowMinutes: number;
  @ApiProperty() revealLeadMinutes: number;
  @ApiProperty({ nullable: true, type: Number }) holdLeadMinutes: number | null;
  @ApiProperty() remindBeforeMinutes: number;
  @ApiProperty() graceMinutes: number;
  @ApiProperty() minSpacingHours: number;
  @ApiProperty() testerWeeklyCap: number;
  @ApiProperty() rotationDays: number;
  @ApiProperty() allowOwnerSelfTest: boolean;
  @ApiProperty() startsOn: string;
  @ApiProperty({ nullable: true, type: String }) endsOn: string | null;
  @ApiProperty() horizonDays: number;
  @ApiPropertyOptional({ description: 'The planning seed: present for admins only' }) seed?: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static of(c: Campaign, showSeed: boolean): CampaignView {
    const { seed, organizationId: _org, ...rest } = c;
    return showSeed ? { ...rest, seed } : rest;
  }
}

export class CampaignPage {
  @ApiProperty({ type: [CampaignView] }) items: CampaignView[];
  @ApiProperty() total: number;
}
