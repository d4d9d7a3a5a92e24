import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { ApiAuthenticated, ApiErrors } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { CreateScenarioDto, ScenarioPage, ScenariosQuery, ScenarioView, UpdateScenarioDto } from './scenario.dto.js';
import { ScenariosService } from './scenarios.service.js';

@ApiTags('scenarios')
@ApiAuthenticated()
@ApiErrors()
@Controller('api/v1/scenarios')
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  @Post()
  @Roles('admin', 'quality')
  @ApiCreatedResponse({ type: ScenarioView })
  async create(@CurrentPrincipal() me: Principal, @Body() dto: CreateScenarioDto): Promise<ScenarioView> {
    return ScenarioView.of(await this.scenarios.create(me.organizationId, dto));
  }

  @Get()
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: ScenarioPage })
  async list(@CurrentPrincipal() me: Principal, @Query() query: ScenariosQuery): Promise<ScenarioPage> {
    const page = await this.scenarios.list(me.organizationId, query);
    return { items: page.items.map(ScenarioView.of), total: page.total };
  }

  @Get(':id')
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: ScenarioView })
  async get(@CurrentPrincipal() me: Principal, @UuidParam('id') id: string): Promise<ScenarioView> {
    return ScenarioView.of(await this.scenarios.get(me.organizationId, id));
  }

  @Patch(':id')
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: ScenarioView })
  async update(@CurrentPrincipal() me: Principal, @UuidParam('id') id: string, @Body() dto: UpdateScenarioDto): Promise<ScenarioView> {
    return ScenarioView.of(await this.scenarios.update(me.organizationId, id, dto));
  }

  @Delete(':id')
  @Roles('admin', 'quality')
  @HttpCode(204)
  async remove(@CurrentPrincipal() me: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.scenarios.remove(me.organizationId, id);
  }
}
