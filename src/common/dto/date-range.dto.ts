import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

import { IsDateOrDateTime, IsNotBefore } from '../validation/domain.validators.js';

/** A closure or a leave: whole local days (YYYY-MM-DD, inclusive) or exact instants with offset. */
export class DateRangeDto {
  @ApiProperty({
    example: '2026-12-24',
    description: 'YYYY-MM-DD (a whole day in the local zone) or an ISO date-time with offset',
  })
  @IsDateOrDateTime()
  from: string;

  @ApiProperty({ example: '2026-12-26', description: 'Inclusive when a date; not before `from`' })
  @IsDateOrDateTime()
  @IsNotBefore('from')
  to: string;

  @ApiPropertyOptional({ example: 'Christmas', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}
