import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

import { PageQuery } from '../common/pagination.js';
import { CHANNELS } from '../touchpoints/touchpoint.entity.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';

export const DEFAULT_WEEKS_AHEAD = 4;
export const MAX_WEEKS_AHEAD = 12;

export class PlanCalendarQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  team?: string;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_WEEKS_AHEAD, default: DEFAULT_WEEKS_AHEAD })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_WEEKS_AHEAD)
  weeks: number = DEFAULT_WEEKS_AHEAD;
}

export class CalendarSlotView {
  @ApiProperty({ format: 'uuid' }) assignmentId: string;
  @ApiProperty({ enum: ['planned', 'revealed'] }) status: string;
  @ApiProperty() windowStart: Date;
  @ApiProperty() windowEnd: Date;
  @ApiProperty() revealAt: Date;
  @ApiProperty({ format: 'uuid' }) touchpointId: string;
  @ApiProperty() touchpoint: string;
  @ApiProperty() channel: string;
  @ApiProperty({ nullable: true, type: String }) team: string | null;
  @ApiProperty() timezone: string;
  @ApiProperty({ format: 'uuid' }) testerId: string;
  @ApiProperty() tester: string;
  @ApiProperty({ format: 'uuid' }) campaignId: string;
  @ApiProperty() campaign: string;
  @ApiProperty({ nullable: true, type: String }) scenario: string | null;
}

export class CalendarUnfilledView {
  @ApiProperty({ format: 'uuid' }) campaignId: string;
  @ApiProperty() campaign: string;
  @ApiProperty({ format: 'uuid' }) touchpointId: string;
  @ApiProperty() touchpoint: string;
  @ApiProperty({ description: 'Monday of the week, a date' }) weekStart: string;
  @ApiProperty() slot: number;
  @ApiProperty() reason: string;
  @ApiProperty() explanation: string;
}

export class PlanCalendarView {
  @ApiProperty({ description: '{ from, to }: now and the end of the weeks asked for' }) period: {
    from: Date;
    to: Date;
  };
  @ApiProperty({ type: [CalendarSlotView] }) items: CalendarSlotView[];
  @ApiProperty() total: number;
  @ApiProperty({ type: [CalendarUnfilledView], description: 'Unfilled slots of the weeks not yet over (all of them)' })
  unfilled: CalendarUnfilledView[];
}
