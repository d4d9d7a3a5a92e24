import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';

import { hasRole, type Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated, ValidationErrorBody } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { CAMPAIGN_LIMITS } from './campaign-limits.js';
import {
  CampaignPage,
  CampaignsQuery,
  CampaignView,
  CreateCampaignDto,
  PlanPeriodDto,
  PlanResultView,
  UpdateCampaignDto,
} from './campaign.dto.js';
import { CampaignsService } from './campaigns.service.js';
import { PlanningService } from './planning.service.js';

@ApiTags('campaigns')
@ApiAuthenticated()
@Controller('api/v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly planning: PlanningService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a campaign' })
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiCreatedResponse({ type: CampaignView })
  async create(@CurrentActor() me: Actor, @Body() dto: CreateCampaignDto): Promise<CampaignView> {
    return CampaignView.of(await this.campaigns.create(me.organizationId, dto), hasRole(me, 'admin'));
  }

  @Get()
  @ApiOperation({ summary: 'List campaigns' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: CampaignPage })
  async list(@CurrentActor() me: Actor, @Query() query: CampaignsQuery): Promise<CampaignPage> {
    const page = await this.campaigns.list(me.organizationId, query);
    return { items: page.items.map((c) => CampaignView.of(c, hasRole(me, 'admin'))), total: page.total };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a campaign' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: CampaignView, description: 'The seed is included for admins only' })
  async get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<CampaignView> {
    return CampaignView.of(await this.campaigns.get(me.organizationId, id), hasRole(me, 'admin'));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a campaign' })
  @Roles('admin', 'quality')
  @ApiOkResponse({
    type: CampaignView,
    description:
      'Changes apply to weeks not yet planned (or re-planned: see plan). At once, though: tests of testers or ' +
      'touchpoints taken out, or outside narrowed dates, are withdrawn (cancelled with the reason; revealed ' +
      "ones' testers are told); a removed tester's slots go to another tester when time allows, else are " +
      'recorded unfilled.',
  })
  async update(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: UpdateCampaignDto,
  ): Promise<CampaignView> {
    return CampaignView.of(await this.campaigns.update(me.organizationId, id, dto, me.personId), hasRole(me, 'admin'));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a campaign that has no revealed or finished tests' })
  @Roles('admin', 'quality')
  @HttpCode(204)
  @ApiConflictResponse({ description: 'The campaign has revealed or finished assignments' })
  async remove(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.campaigns.remove(me.organizationId, id);
  }

  @Post(':id/plan')
  @ApiOperation({ summary: 'Plan the weeks of a campaign that overlap a period' })
  @Roles('admin', 'quality')
  @HttpCode(200)
  @ApiOkResponse({
    type: PlanResultView,
    description:
      'Plans every week overlapping the period; a week already planned adds nothing, unless `replan` is true: ' +
      'then its unrevealed tests are withdrawn and the week is planned again around the tests already revealed or done',
  })
  @ApiConflictResponse({ description: 'A tester, touchpoint or scenario it refers to kept being removed meanwhile' })
  @ApiBadRequestResponse({
    type: ValidationErrorBody,
    description:
      'A campaign too large to plan (its touchpoints × contacts per week above ' +
      `${CAMPAIGN_LIMITS.weeklyContacts}, more than ` +
      `${CAMPAIGN_LIMITS.touchpoints} touchpoints), or a period of more than ${CAMPAIGN_LIMITS.slotsPerPlan} slots: ` +
      'the errors name the field (contactsPerTouchpointPerWeek, team, touchpointIds, to) and the limit',
  })
  async plan(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: PlanPeriodDto,
  ): Promise<PlanResultView> {
    const options = dto.replan ? { replan: { by: me.personId } } : {};
    return this.planning.planPeriod(me.organizationId, id, dto.from, dto.to, options);
  }
}
