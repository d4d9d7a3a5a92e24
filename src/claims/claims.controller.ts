import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { CSV_ROW_LIMIT_TEXT } from '../common/csv/csv-import.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { ImportResult } from '../people/person.dto.js';
import {
  CLAIM_CHANGE_RULES,
  ClaimEditView,
  ClaimHistoryPage,
  ClaimHistoryQuery,
  ClaimPage,
  ClaimsQuery,
  ClaimView,
  CreateClaimDto,
  UpdateClaimDto,
} from './claim.dto.js';
import { ClaimsService } from './claims.service.js';

@ApiTags('claims')
@ApiAuthenticated()
@Controller('api/v1/claims')
export class ClaimsController {
  constructor(private readonly claims: ClaimsService) {}

  @Post()
  @ApiOperation({ summary: 'Report a claim (a KPI value said in a meeting)' })
  @Idempotent()
  @Roles('admin', 'quality', 'owner')
  @ApiCreatedResponse({ type: ClaimView, description: 'Owners: for touchpoints they own only' })
  async create(@CurrentActor() me: Actor, @Body() dto: CreateClaimDto): Promise<ClaimView> {
    return ClaimView.of(await this.claims.create(me, dto));
  }

  @Post('import')
  @ApiOperation({ summary: 'Import claims from CSV (all rows or none)' })
  @Idempotent()
  @Roles('admin', 'quality', 'owner')
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      'CSV: touchpoint (id or exact name; or leave empty), team, channel, metric, periodStart, periodEnd, ' +
      'value (0.96 or 96%), source, reportedAt. channel follows the rules of POST /api/v1/claims (required for a ' +
      `wait claimed for a team or the organization). All rows or none. ${CSV_ROW_LIMIT_TEXT}`,
    schema: {
      type: 'string',
      example:
        'touchpoint,team,channel,metric,periodStart,periodEnd,value,source,reportedAt\n' +
        'General line,,,answer_rate,2026-11-16,2026-11-22,96%,Weekly ops review,2026-11-23T10:00:00Z\n' +
        ',contact-centre,phone,median_seconds_to_human,2026-11-16,2026-11-22,45,Weekly review,2026-11-23T10:00:00Z\n',
    },
  })
  @ApiCreatedResponse({ type: ImportResult })
  async import(@CurrentActor() me: Actor, @Body() csv: string): Promise<ImportResult> {
    const created = await this.claims.importCsv(me, csv);
    return { created: created.length, ids: created.map((c) => c.id) };
  }

  @Get()
  @ApiOperation({ summary: 'List claims' })
  @Roles('admin', 'quality', 'owner')
  @ApiOkResponse({ type: ClaimPage })
  async list(@CurrentActor() me: Actor, @Query() query: ClaimsQuery): Promise<ClaimPage> {
    const page = await this.claims.list(me, query);
    const progress = await this.claims.progress(me, page.items);
    return { items: page.items.map((c) => ClaimView.of(c, progress.get(c.id) ?? null)), total: page.total };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a claim' })
  @Roles('admin', 'quality', 'owner')
  @ApiOkResponse({ type: ClaimView })
  async get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<ClaimView> {
    const claim = await this.claims.get(me, id);
    return ClaimView.of(claim, (await this.claims.progress(me, [claim])).get(claim.id) ?? null);
  }

  @Get(':id/history')
  @Roles('admin', 'quality', 'owner')
  @ApiOperation({ summary: 'Every change of a claim, oldest first: who, when, through what, before and after' })
  @ApiOkResponse({
    type: ClaimHistoryPage,
    description:
      "Admin and quality; an owner for claims of their touchpoints. A deleted claim's history stays readable " +
      '(its last change is the deletion, with the claim as it was).',
  })
  async history(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Query() query: ClaimHistoryQuery,
  ): Promise<ClaimHistoryPage> {
    const page = await this.claims.history(me, id, query);
    return { items: page.items.map(ClaimEditView.of), total: page.total };
  }

  @Patch(':id')
  @Roles('admin', 'quality', 'owner')
  @ApiOperation({ summary: 'Change a claim (kept in its history)', description: CLAIM_CHANGE_RULES })
  @ApiForbiddenResponse({
    description: `The role may not use the route, or an owner's change breaks a rule: ${CLAIM_CHANGE_RULES}`,
  })
  @ApiOkResponse({ type: ClaimView })
  async update(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: UpdateClaimDto,
  ): Promise<ClaimView> {
    return ClaimView.of(await this.claims.update(me, id, dto));
  }

  @Delete(':id')
  @Roles('admin', 'quality', 'owner')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a claim (its history keeps the claim as it was)', description: CLAIM_CHANGE_RULES })
  @ApiForbiddenResponse({
    description: `The role may not use the route, or an owner's change breaks a rule: ${CLAIM_CHANGE_RULES}`,
  })
  async remove(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.claims.remove(me, id);
  }
}
