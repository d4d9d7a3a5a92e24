import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

import { PageQuery } from '../common/pagination.js';

export class DigestRunsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this subscription's runs" })
  @IsOptional()
  @IsUUID('all', { message: 'subscriptionId must be a UUID' })
  subscriptionId?: string;
}

export class DigestRunSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId: string;
  @ApiProperty() subscriptionName: string;
  @ApiProperty() periodStart: Date;
  @ApiProperty({ description: 'End of the period (exclusive)' }) periodEnd: Date;
  @ApiProperty({ description: 'When the run was made and its mail queued' }) createdAt: Date;
  @ApiProperty({ description: 'How many claim rows the digest had' }) rows: number;
  @ApiProperty() headline: string;
}

export class DigestRunPage {
  @ApiProperty({ type: [DigestRunSummaryView] }) items: DigestRunSummaryView[];
  @ApiProperty() total: number;
}
