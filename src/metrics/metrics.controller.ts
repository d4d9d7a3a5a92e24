import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags, ApiOperation } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { IsDateOrDateTime } from '../common/validation/domain.validators.js';
import { CHANNELS } from '../touchpoints/touchpoint.entity.js';
import { METRICS } from './metric-catalogue.js';
import { MetricsService } from './metrics.service.js';

class MetricsQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() touchpointId?: string;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) team?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: string;
  @ApiPropertyOptional({ description: 'Attempted at or after' }) @IsOptional() @IsDateOrDateTime() from?: string;
  @ApiPropertyOptional({ description: 'Attempted before' }) @IsOptional() @IsDateOrDateTime() to?: string;
}

class ObservedMetricView {
  @ApiProperty() metric: string;
  @ApiProperty({ enum: ['rate', 'seconds', 'rating', 'count'] }) unit: string;
  @ApiProperty({ enum: ['higher', 'lower'] }) better: string;
  @ApiProperty({
    enum: CHANNELS,
    nullable: true,
    type: String,
    description:
      'Waits: the channel measured (one item per channel, never pooled); other metrics: null (all channels in scope)',
  })
  channel: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Rates are fractions 0–1; null when there is nothing to measure',
  })
  value: number | null;
  @ApiProperty() n: number;
}

class MetricDefinitionView {
  @ApiProperty() key: string;
  @ApiProperty({ enum: ['rate', 'seconds', 'rating', 'count'] }) unit: string;
  @ApiProperty({ enum: ['higher', 'lower'] }) better: string;
  @ApiProperty() description: string;
  @ApiProperty({
    enum: CHANNELS,
    isArray: true,
    description: 'The channels whose contacts measure it; claims and digests use it only for these',
  })
  channels: string[];
}

class MetricCatalogueView {
  @ApiProperty({ type: [MetricDefinitionView] }) items: MetricDefinitionView[];
}

class ContactCountsView {
  @ApiProperty({ description: 'Contacts the values rest on' }) counted: number;
  @ApiProperty({ description: 'Ad-hoc contacts left out: the organization counts planned tests only (its settings)' })
  adHocNotCounted: number;
  @ApiProperty({ description: 'Ad-hoc contacts among the counted ones (when the organization counts them)' })
  adHocCounted: number;
  @ApiProperty({ description: "Contacts by the touchpoint's owner, now or when made: never counted" }) byOwner: number;
}

class MetricsView {
  @ApiProperty({ type: [ObservedMetricView] }) items: ObservedMetricView[];
  @ApiProperty({ type: ContactCountsView }) contacts: ContactCountsView;
}

@ApiTags('metrics')
@ApiAuthenticated()
@Controller('api/v1/metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ summary: 'Observe every catalogue metric over a scope and period' })
  @Roles('admin', 'quality')
  @ApiOkResponse({
    type: MetricsView,
    description:
      'Every catalogue metric observed over the completed test contacts in scope that count: never those of the ' +
      "touchpoint's owner, ad-hoc ones only where the organization counts them. Waits come per channel.",
  })
  observe(@CurrentActor() me: Actor, @Query() query: MetricsQuery): Promise<MetricsView> {
    return this.metrics.observe(me.organizationId, query);
  }

  @Get('catalogue')
  @ApiOperation({ summary: 'The metrics a claim may name: unit, direction and the channels each fits' })
  @Roles('admin', 'quality', 'owner', 'tester')
  @ApiOkResponse({ type: MetricCatalogueView })
  catalogue(): MetricCatalogueView {
    return {
      items: METRICS.map((m) => ({
        key: m.key,
        unit: m.unit,
        better: m.better,
        description: m.description,
        channels: [...m.channels],
      })),
    };
  }
}
