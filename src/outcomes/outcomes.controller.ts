import { Body, Controller, Get, Header, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiOperation,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import { IsOptional } from 'class-validator';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { IsDateOrDateTime } from '../common/validation/domain.validators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { AdHocOutcomeDto, OutcomeAudit, OutcomeDto, OutcomePage, OutcomesQuery, OutcomeView } from './outcome.dto.js';
import { OutcomesService } from './outcomes.service.js';

class RegisterQuery {
  @ApiPropertyOptional({ description: 'Attempted at or after' }) @IsOptional() @IsDateOrDateTime() from?: string;
  @ApiPropertyOptional({ description: 'Attempted before' }) @IsOptional() @IsDateOrDateTime() to?: string;
}

@ApiTags('outcomes')
@ApiAuthenticated()
@Controller('api/v1')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesService) {}

  @Put('assignments/:id/outcome')
  @ApiOperation({ summary: 'Record or edit the outcome of your revealed test' })
  @Roles('tester')
  @ApiOkResponse({
    type: OutcomeView,
    description: 'Recorded (the assignment is completed) or edited within 48 hours of the first save',
  })
  @ApiConflictResponse({
    description:
      "The test was withdrawn (the body's `reason` says why: the tester lost the role, left the campaign, " +
      "or is now the touchpoint's owner…), is not revealed any more, or the 48 hours to edit have passed",
  })
  async record(@CurrentActor() me: Actor, @UuidParam('id') id: string, @Body() dto: OutcomeDto): Promise<OutcomeView> {
    return OutcomeView.of(await this.outcomes.recordForAssignment(me, id, dto));
  }

  @Get('assignments/:id/outcome')
  @ApiOperation({ summary: "Read an assignment's outcome" })
  @Roles('admin', 'quality', 'tester')
  @ApiOkResponse({ type: OutcomeView })
  async forAssignment(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<OutcomeView> {
    return OutcomeView.of(await this.outcomes.forAssignment(me, id));
  }

  @Post('outcomes')
  @ApiOperation({ summary: 'Record an ad-hoc contact made without an assignment' })
  @Idempotent()
  @Roles('tester')
  @ApiCreatedResponse({ type: OutcomeView, description: 'An ad-hoc contact, made without an assignment' })
  async adHoc(@CurrentActor() me: Actor, @Body() dto: AdHocOutcomeDto): Promise<OutcomeView> {
    return OutcomeView.of(await this.outcomes.recordAdHoc(me, dto));
  }

  @Get('outcomes')
  @ApiOperation({ summary: 'List outcomes' })
  @Roles('admin', 'quality', 'tester')
  @ApiOkResponse({ type: OutcomePage, description: 'Admin and quality: all; a tester: their own' })
  async list(@CurrentActor() me: Actor, @Query() query: OutcomesQuery): Promise<OutcomePage> {
    const page = await this.outcomes.list(me, query);
    return { items: page.items.map(OutcomeView.of), total: page.total };
  }

  @Get('outcomes/register.csv')
  @ApiOperation({ summary: 'Download the register of completed test contacts (CSV)' })
  @Roles('admin', 'quality')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="test-contact-register.csv"')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'Every completed test contact: touchpoint, channel, attempted time (CSV)' })
  register(@CurrentActor() me: Actor, @Query() query: RegisterQuery): Promise<string> {
    return this.outcomes.register(me.organizationId, query.from, query.to);
  }

  @Get('outcomes/:id')
  @ApiOperation({ summary: 'Read an outcome' })
  @Roles('admin', 'quality', 'tester')
  @ApiOkResponse({ type: OutcomeView })
  async get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<OutcomeView> {
    return OutcomeView.of(await this.outcomes.get(me, id));
  }

  @Get('outcomes/:id/audit')
  @ApiOperation({ summary: "Read an outcome's audit trail" })
  @Roles('admin', 'quality')
  @HttpCode(200)
  @ApiOkResponse({ type: OutcomeAudit, description: 'Every save: who, when, through what, before and after' })
  async audit(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<OutcomeAudit> {
    const items = await this.outcomes.auditTrail(me, id);
    return { items: items.map(({ organizationId: _o, outcomeId: _id, ...e }) => e), total: items.length };
  }
}
