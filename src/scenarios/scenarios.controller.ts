import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { CreateScenarioDto, ScenarioPage, ScenariosQuery, ScenarioView, UpdateScenarioDto } from './scenario.dto.js';
import { ScenariosService } from './scenarios.service.js';

@ApiTags('scenarios')
@ApiAuthenticated()
@Controller('api/v1/scenarios')
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  @Post()
  @ApiOperation({ summary: 'Create a scenario' })
  @Roles('admin', 'quality')
  @ApiCreatedResponse({ type: ScenarioView })
  async create(@CurrentActor() me: Actor, @Body() dto: CreateScenarioDto): Promise<ScenarioView> {
    return ScenarioView.of(await this.scenarios.create(me.organizationId, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List scenarios' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: ScenarioPage })
  async list(@CurrentActor() me: Actor, @Query() query: ScenariosQuery): Promise<ScenarioPage> {
    const page = await this.scenarios.list(me.organizationId, query);
    return { items: page.items.map(ScenarioView.of), total: page.total };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a scenario' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: ScenarioView })
  async get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<ScenarioView> {
    return ScenarioView.of(await this.scenarios.get(me.organizationId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a scenario' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: ScenarioView })
  async update(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: UpdateScenarioDto,
  ): Promise<ScenarioView> {
    return ScenarioView.of(await this.scenarios.update(me.organizationId, id, dto));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a scenario' })
  @Roles('admin', 'quality')
  @HttpCode(204)
  async remove(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.scenarios.remove(me.organizationId, id);
  }
}
