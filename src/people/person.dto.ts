import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';

import { ROLES } from '../auth/roles.js';
import type { Role } from '../auth/roles.js';
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
  IsLocaleTag,
} from '../common/validation/domain.validators.js';
import type { Weekday } from '../common/validation/domain.validators.js';
import { CanonicalLocale, NormalizeEmail, Trim } from '../common/validation/transforms.js';
import { Omittable } from '../common/validation/validate-dto.js';
import type { DateRange, Person, WorkingHours } from './person.entity.js';

export class WorkingHoursDto implements WorkingHours {
  @ApiProperty({ enum: WEEKDAYS, example: 'mon' })
  @IsIn(WEEKDAYS)
  day: Weekday;

  @ApiProperty({ example: '09:00', description: "HH:MM in the person's time zone" })
  @IsTimeOfDay()
  start: string;

  @ApiProperty({ example: '17:00', description: 'HH:MM, later than start; 24:00 for midnight' })
  @IsEndTimeOfDay()
  @IsLaterThan('start')
  end: string;
}

export const DEFAULT_WORKING_HOURS: WorkingHours[] = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
  day,
  start: '09:00',
  end: '17:00',
}));

export class CreatePersonDto {
  @ApiProperty({ example: 'ada@example.org', maxLength: 254 })
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  name: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['tester'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each value in roles must be one of: ${ROLES.join(', ')}` })
  roles: Role[];

  @ApiProperty({ example: 'Europe/London', description: 'IANA time zone' })
  @IsIanaTimeZone()
  timezone: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'de-DE',
    description:
      'BCP 47 language tag: the date and time format of the mails sent to the person (stored in canonical case). ' +
      'Absent or null: en-GB. Pages follow the reader’s browser language.',
  })
  @IsOptional()
  @CanonicalLocale()
  @IsLocaleTag()
  locale?: string | null;

  @ApiPropertyOptional({
    type: [WorkingHoursDto],
    description: "Weekly working hours in the person's zone; default Mon–Fri 09:00–17:00",
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => WorkingHoursDto)
  @HasNoOverlap('start', 'end')
  workingHours?: WorkingHoursDto[];

  @ApiPropertyOptional({ type: [DateRangeDto], description: 'Leave periods: no tests are planned for the person then' })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => DateRangeDto)
  leave?: DateRangeDto[];
}

export class UpdatePersonDto extends PartialType(CreatePersonDto) {}

export class PeopleQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ROLES, description: 'Only people holding this role' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Text search in name and email', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class PersonView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty() timezone: string;
  @ApiProperty({ type: String, nullable: true, description: 'BCP 47 tag for mails; null: en-GB' })
  locale: string | null;
  @ApiProperty({ type: [WorkingHoursDto] }) workingHours: WorkingHours[];
  @ApiProperty({ type: [DateRangeDto] }) leave: DateRange[];
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static of(this: void, p: Person): PersonView {
    const { id, email, name, roles, timezone, locale, workingHours, leave, createdAt, updatedAt } = p;
    return { id, email, name, roles, timezone, locale, workingHours, leave, createdAt, updatedAt };
  }
}

export class PersonPage {
  @ApiProperty({ type: [PersonView] }) items: PersonView[];
  @ApiProperty() total: number;
}

export class ImportResult {
  @ApiProperty({ description: 'How many rows were created' }) created: number;
  @ApiProperty({ type: [String], description: 'Ids of the created rows, in file order' }) ids: string[];
}

export class PeopleImportResult extends ImportResult {
  @ApiProperty({ description: 'How many rows named a person already known by email, and updated them' })
  updated: number;
  @ApiProperty({ type: [String], description: 'Ids of the updated people, in file order' }) updatedIds: string[];
}
