import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';

import { PageQuery } from '../common/pagination.js';
import { IsDateOrDateTime } from '../common/validation/domain.validators.js';
import { Trim } from '../common/validation/transforms.js';
import { ASSIGNMENT_STATUSES } from './assignment.entity.js';
import type { AssignmentStatus } from './assignment.entity.js';
import { CANCEL_CAUSES, CANCEL_REASONS } from './withdrawal-reasons.js';
import type { CancelCause, CancelReason } from './withdrawal-reasons.js';

export class AssignmentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ASSIGNMENT_STATUSES })
  @IsOptional()
  @IsIn(ASSIGNMENT_STATUSES)
  status?: AssignmentStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  testerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  touchpointId?: string;

  @ApiPropertyOptional({ description: 'Windows starting at or after (date or date-time with offset)' })
  @IsOptional()
  @IsDateOrDateTime()
  from?: string;

  @ApiPropertyOptional({ description: 'Windows starting before (date or date-time with offset)' })
  @IsOptional()
  @IsDateOrDateTime()
  to?: string;
}

export class DeclineDto {
  @ApiProperty({ example: 'In a board meeting all afternoon', maxLength: 500 })
  @Trim()
  @IsString()
  @Length(1, 500)
  reason: string;
}

class CancellationView {
  @ApiProperty() at: Date;
  @ApiProperty({ enum: CANCEL_REASONS }) reason: CancelReason;
  @ApiProperty({ example: 'the tester no longer holds the tester role' }) explanation: string;
  @ApiProperty({ enum: CANCEL_CAUSES, nullable: true, type: String, description: 'What cancelled it (admin, quality)' })
  cause: CancelCause | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Whose request did (admin, quality)' })
  by: string | null;
}

class TouchpointSummary {
  @ApiProperty() name: string;
  @ApiProperty() channel: string;
  @ApiProperty() contact: string;
  @ApiProperty() timezone: string;
}

class ScenarioSummary {
  @ApiProperty() title: string;
  @ApiProperty() brief: string;
}

export class AssignmentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) campaignId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Hidden (null) from touchpoint owners' })
  testerId: string | null;
  @ApiProperty({ format: 'uuid' }) touchpointId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) scenarioId: string | null;
  @ApiProperty() weekStart: string;
  @ApiProperty() windowStart: Date;
  @ApiProperty() windowEnd: Date;
  @ApiProperty() revealAt: Date;
  @ApiProperty({ enum: ASSIGNMENT_STATUSES }) status: AssignmentStatus;
  @ApiProperty({ nullable: true, type: String }) declineReason: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The declined or withdrawn assignment this one re-fills' })
  replacesId: string | null;
  @ApiProperty({ type: CancellationView, nullable: true, description: 'Why, when and by what it was cancelled' })
  cancellation: CancellationView | null;
  @ApiProperty({ type: TouchpointSummary }) touchpoint: TouchpointSummary;
  @ApiProperty({ type: ScenarioSummary, nullable: true }) scenario: ScenarioSummary | null;
}

export class AssignmentPage {
  @ApiProperty({ type: [AssignmentView] }) items: AssignmentView[];
  @ApiProperty() total: number;
}

export class DeclineResultView {
  @ApiProperty({ type: AssignmentView, description: "Whether and to whom the slot went is not the tester's to know" })
  declined: AssignmentView;
}
