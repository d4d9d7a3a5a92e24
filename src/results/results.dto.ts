import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

import { DEFAULT_WEEKS, MAX_WEEKS } from './weeks.js';

export class ResultsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_WEEKS, default: DEFAULT_WEEKS, description: 'Weeks shown, to now' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_WEEKS)
  weeks: number = DEFAULT_WEEKS;
}

class WeekPointView {
  @ApiProperty() start: string;
  @ApiProperty() end: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Rates are fractions 0–1' }) observed: number | null;
  @ApiProperty() n: number;
  @ApiProperty({ nullable: true, type: Number }) ciLow: number | null;
  @ApiProperty({ nullable: true, type: Number }) ciHigh: number | null;
}

class MetricSeriesView {
  @ApiProperty() metric: string;
  @ApiProperty({ enum: ['rate', 'seconds', 'rating', 'count'] }) unit: string;
  @ApiProperty({ enum: ['higher', 'lower'] }) better: string;
  @ApiProperty({ type: [WeekPointView] }) weeks: WeekPointView[];
}

class ResultsClaimView {
  @ApiProperty({ format: 'uuid' }) claimId: string;
  @ApiProperty() metric: string;
  @ApiProperty() claimed: number;
  @ApiProperty({ description: '{ start, end } dates' }) claimPeriod: { start: string; end: string };
  @ApiProperty() source: string;
  @ApiProperty({ nullable: true, type: Number }) observed: number | null;
  @ApiProperty() n: number;
  @ApiProperty({ nullable: true, type: Number }) ciLow: number | null;
  @ApiProperty({ nullable: true, type: Number }) ciHigh: number | null;
  @ApiProperty({ description: 'As the digest judges it' }) verdict: string;
}

class UnfilledReasonView {
  @ApiProperty() reason: string;
  @ApiProperty() slots: number;
}

class CoverageView {
  @ApiProperty() planned: number;
  @ApiProperty() completed: number;
  @ApiProperty() missed: number;
  @ApiProperty() declined: number;
  @ApiProperty() unfilled: number;
  @ApiProperty({ type: [UnfilledReasonView] }) unfilledReasons: UnfilledReasonView[];
}

class WeekContactsView {
  @ApiProperty() start: string;
  @ApiProperty() end: string;
  @ApiProperty() n: number;
}

export class ResultsView {
  @ApiProperty({ description: '{ touchpointId, team, name, channel, timezone }' })
  scope: { touchpointId: string | null; team: string | null; name: string; channel: string | null; timezone: string };
  @ApiProperty({ description: '{ start, end }' }) period: { start: string; end: string };
  @ApiProperty({ description: "7 for a touchpoint's owner: their view ends a week back; else 0" }) delayDays: number;
  @ApiProperty({ type: [WeekContactsView] }) contacts: WeekContactsView[];
  @ApiProperty({ type: [MetricSeriesView] }) metrics: MetricSeriesView[];
  @ApiProperty({ type: [ResultsClaimView] }) claims: ResultsClaimView[];
  @ApiProperty({ type: CoverageView, nullable: true, description: 'Admin and quality only (null for an owner)' })
  coverage: CoverageView | null;
}

export class TeamView {
  @ApiProperty() team: string;
  @ApiProperty() touchpoints: number;
}
