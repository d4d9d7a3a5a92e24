import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  isEmail,
  isURL,
  Length,
  MaxLength,
  registerDecorator,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';

import { DateRangeDto } from '../common/dto/date-range.dto.js';
import { PageQuery } from '../common/pagination.js';
import {
  HasNoOverlap,
  IsEndTimeOfDay,
  IsIanaTimeZone,
  IsLaterThan,
  IsTimeOfDay,
  WEEKDAYS,
  IsSingleLine,
} from '../common/validation/domain.validators.js';
import type { Weekday } from '../common/validation/domain.validators.js';
import { Trim } from '../common/validation/transforms.js';
import { Omittable } from '../common/validation/validate-dto.js';
import type { DateRange } from '../people/person.entity.js';
import { CHANNELS, Touchpoint } from './touchpoint.entity.js';
import type { Channel, OpeningHours } from './touchpoint.entity.js';

export class OpeningHoursDto implements OpeningHours {
  @ApiProperty({ enum: WEEKDAYS, example: 'mon' })
  @IsIn(WEEKDAYS)
  day: Weekday;

  @ApiProperty({ example: '09:00', description: "HH:MM in the touchpoint's time zone" })
  @IsTimeOfDay()
  open: string;

  @ApiProperty({
    example: '17:00',
    description: 'HH:MM, later than open; 24:00 for midnight. Open past midnight = two entries.',
  })
  @IsEndTimeOfDay()
  @IsLaterThan('open')
  close: string;
}

const CONTACT_RULES: Record<Channel, { test: (v: string) => boolean; rule: string }> = {
  phone: {
    test: (v) => /^\+?[0-9 ().-]+$/.test(v) && v.replace(/\D/g, '').length >= 5 && v.replace(/\D/g, '').length <= 15,
    rule: 'a phone number of 5 to 15 digits (+, spaces, dots, dashes and parentheses allowed)',
  },
  email: { test: (v) => isEmail(v), rule: 'an email address' },
  chat: { test: (v) => isURL(v, { protocols: ['http', 'https'], require_protocol: true }), rule: 'an http(s) URL' },
  web_form: { test: (v) => isURL(v, { protocols: ['http', 'https'], require_protocol: true }), rule: 'an http(s) URL' },
  social: { test: (v) => isURL(v, { protocols: ['http', 'https'], require_protocol: true }), rule: 'an http(s) URL' },
  in_person: { test: (v) => v.trim().length >= 3, rule: 'a street address' },
};

/** The contact rule of a known channel; nothing for anything else (e.g. "__proto__"), which @IsIn reports. */
const contactRule = (channel: unknown) =>
  typeof channel === 'string' && Object.hasOwn(CONTACT_RULES, channel) ? CONTACT_RULES[channel as Channel] : undefined;

/** What counts as a contact depends on the channel: a number to call, a URL to open, an address to visit. */
function IsContactForChannel() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isContactForChannel',
      target: object.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const rule = contactRule((args.object as { channel?: unknown }).channel);
          return typeof value === 'string' && (!rule || rule.test(value));
        },
        defaultMessage(args: ValidationArguments) {
          const channel = (args.object as { channel?: unknown }).channel;
          const rule = contactRule(channel);
          return rule
            ? `contact must be ${rule.rule} for a ${channel as string} touchpoint`
            : 'contact must be a string';
        },
      },
    });
}

export class CreateTouchpointDto {
  @ApiProperty({ example: 'General line', maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  name: string;

  @ApiProperty({ enum: CHANNELS, example: 'phone' })
  @IsIn(CHANNELS, { message: `channel must be one of: ${CHANNELS.join(', ')}` })
  channel: Channel;

  @ApiProperty({
    example: '+44 20 7946 0000',
    description: 'Phone number, URL, street address or mailbox, by channel',
    maxLength: 500,
  })
  @Trim()
  @MaxLength(500)
  @IsContactForChannel()
  contact: string;

  @ApiProperty({ example: 'Europe/London', description: 'IANA time zone of the opening hours' })
  @IsIanaTimeZone()
  timezone: string;

  @ApiProperty({ type: [OpeningHoursDto], description: "Weekly opening hours in the touchpoint's zone" })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OpeningHoursDto)
  @HasNoOverlap('open', 'close')
  openingHours: OpeningHoursDto[];

  @ApiPropertyOptional({ type: [DateRangeDto], description: 'Closures (holidays, refits): never tested then' })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => DateRangeDto)
  closures?: DateRangeDto[];

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The person who owns (manages) this touchpoint',
  })
  @IsOptional()
  @IsUUID('all', { message: 'ownerId must be a UUID' })
  ownerId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'contact-centre', maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  team?: string | null;
}

export class UpdateTouchpointDto extends PartialType(CreateTouchpointDto) {}

export class TouchpointsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  team?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ description: 'Text search in name and contact', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class TouchpointView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty() contact: string;
  @ApiProperty() timezone: string;
  @ApiProperty({ type: [OpeningHoursDto] }) openingHours: OpeningHours[];
  @ApiProperty({ type: [DateRangeDto] }) closures: DateRange[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) ownerId: string | null;
  @ApiProperty({ nullable: true, type: String }) team: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static of(this: void, t: Touchpoint): TouchpointView {
    const { id, name, channel, contact, timezone, openingHours, closures, ownerId, team, createdAt, updatedAt } = t;
    return { id, name, channel, contact, timezone, openingHours, closures, ownerId, team, createdAt, updatedAt };
  }
}

export class TouchpointPage {
  @ApiProperty({ type: [TouchpointView] }) items: TouchpointView[];
  @ApiProperty() total: number;
}
