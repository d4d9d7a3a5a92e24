import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  isEmail,
  isUUID,
} from 'class-validator';
import cron from 'node-cron';

import { PageQuery } from '../common/pagination.js';
import { decorator, IsDateOrDateTime, IsIanaTimeZone, IsSingleLine } from '../common/validation/domain.validators.js';
import { Trim } from '../common/validation/transforms.js';
import { Omittable } from '../common/validation/validate-dto.js';
import type { DigestSubscription } from './digest-subscription.entity.js';

/** A cron expression of 5 fields (minute to weekday), as node-cron reads it: the API's rule, and the digest job's. */
export const isCronExpression = (v: unknown): v is string =>
  typeof v === 'string' && v.trim().split(/\s+/).length === 5 && cron.validate(v);

const IsCron = decorator(
  'isCron',
  '$property must be a cron expression of 5 fields, e.g. "0 8 * * 1" (Mondays 08:00)',
  isCronExpression,
);
const IsRecipient = decorator(
  'isRecipient',
  'each value in $property must be an email address or the id of a person',
  (v) => Array.isArray(v) && v.every((r) => typeof r === 'string' && (isEmail(r) || isUUID(r))),
);

export class CreateDigestSubscriptionDto {
  @ApiProperty({ example: 'Monday quality digest', maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  name: string;

  @ApiProperty({ type: [String], example: ['quality@example.org'], description: 'Email addresses or ids of people' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsRecipient()
  recipients: string[];

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Scope: these touchpoints; else the team; else the whole organization',
  })
  @Omittable()
  @IsArray()
  @ArrayUnique()
  @IsUUID('all', { each: true })
  touchpointIds?: string[];

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string | null;

  @ApiProperty({ example: '0 8 * * 1', description: 'When the digest goes out, in `timezone`' })
  @IsCron()
  cron: string;

  @ApiProperty({ example: 'Europe/London' })
  @IsIanaTimeZone()
  timezone: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 92,
    default: 7,
    description: 'Each digest covers the days before it goes out',
  })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(92)
  periodDays?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    default: 5,
    description: 'Below this many contacts a verdict is "too few contacts"',
  })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(1000)
  minContacts?: number;
}

export class UpdateDigestSubscriptionDto extends PartialType(CreateDigestSubscriptionDto) {}

export class DigestSubscriptionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) recipients: string[];
  @ApiProperty({ type: [String] }) touchpointIds: string[];
  @ApiProperty({ nullable: true, type: String }) team: string | null;
  @ApiProperty() cron: string;
  @ApiProperty() timezone: string;
  @ApiProperty() periodDays: number;
  @ApiProperty() minContacts: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static of(this: void, s: DigestSubscription): DigestSubscriptionView {
    return {
      id: s.id,
      name: s.name,
      recipients: [...s.recipientEmails, ...s.recipientPersonIds],
      touchpointIds: s.touchpointIds,
      team: s.team,
      cron: s.cron,
      timezone: s.timezone,
      periodDays: s.periodDays,
      minContacts: s.minContacts,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }
}

export class DigestSubscriptionPage {
  @ApiProperty({ type: [DigestSubscriptionView] }) items: DigestSubscriptionView[];
  @ApiProperty() total: number;
}

export class PreviewQuery {
  @ApiProperty({
    example: '2026-11-16',
    description: "Start of the period (date = local midnight in the subscription's zone, or a date-time with offset)",
  })
  @IsDateOrDateTime()
  periodStart: string;

  @ApiPropertyOptional({ example: '2026-11-23', description: 'End (exclusive); default: start + periodDays' })
  @IsOptional()
  @IsDateOrDateTime()
  periodEnd?: string;
}

export class SubscriptionsQuery extends PageQuery {}
