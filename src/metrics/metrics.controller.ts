import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { ApiAuthenticated, ApiErrors } from '../common/api-docs.decorators.js';
import { IsDateOrDateTime } from '../common/validation/domain.validators.js';
import { CHANNELS } from '../touchpoints/touchpoint.entity.js';
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
  @ApiProperty({ enum: ['rate', 'seconds', 'rating'] }) unit: string;
  @ApiProperty({ enum: ['higher', 'lower'] }) better: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Rates are fractions 0–1; null when there is nothing to measure' }) value: number | null;
  @ApiProperty() n: number;
}

class MetricsView {
  @ApiProperty({ type: [ObservedMetricView] }) items: ObservedMetricView[];
}

@ApiTags('metrics')
@ApiAuthenticated()
@ApiErrors()
@Controller('api/v1/metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: MetricsView, description: 'Every catalogue metric observed over completed test contacts in scope' })
  async observe(@CurrentPrincipal() me: Principal, @Query() query: MetricsQuery): Promise<MetricsView> {
    return { items: await this.metrics.observe(me.organizationId, query) };
  }
}
