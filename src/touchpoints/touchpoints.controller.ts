import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { CSV_ROW_LIMIT_TEXT } from '../common/csv/csv-import.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { ImportResult } from '../people/person.dto.js';
import {
  CreateTouchpointDto,
  TouchpointPage,
  TouchpointsQuery,
  TouchpointView,
  UpdateTouchpointDto,
} from './touchpoint.dto.js';
import { TouchpointsService } from './touchpoints.service.js';

@ApiTags('touchpoints')
@ApiAuthenticated()
@Controller('api/v1/touchpoints')
export class TouchpointsController {
  constructor(private readonly touchpoints: TouchpointsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a touchpoint' })
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiCreatedResponse({ type: TouchpointView })
  async create(@CurrentActor() me: Actor, @Body() dto: CreateTouchpointDto): Promise<TouchpointView> {
    return TouchpointView.of(await this.touchpoints.create(me.organizationId, dto));
  }

  @Post('import')
  @ApiOperation({ summary: 'Import touchpoints from CSV (all rows or none)' })
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      'CSV with a header line. Columns: name, channel, contact, timezone, openingHours ("mon-fri 09:00-17:00; sat 10:00-13:00"), closures ("2026-12-25..2026-12-26 Christmas"), owner (email or id of a person), team. All rows or none. ' +
      CSV_ROW_LIMIT_TEXT,
    schema: {
      type: 'string',
      example:
        'name,channel,contact,timezone,openingHours,owner,team\nGeneral line,phone,+44 20 7946 0000,Europe/London,mon-fri 08:00-20:00,ada@example.org,contact-centre\n',
    },
  })
  @ApiCreatedResponse({ type: ImportResult })
  async import(@CurrentActor() me: Actor, @Body() csv: string): Promise<ImportResult> {
    const created = await this.touchpoints.importCsv(me.organizationId, csv);
    return { created: created.length, ids: created.map((t) => t.id) };
  }

  @Get()
  @ApiOperation({ summary: 'List touchpoints', description: 'Admin and quality: all of them; an owner: their own' })
  @Roles('admin', 'quality', 'owner')
  @ApiOkResponse({ type: TouchpointPage })
  async list(@CurrentActor() me: Actor, @Query() query: TouchpointsQuery): Promise<TouchpointPage> {
    const page = await this.touchpoints.listFor(me, query);
    return { items: page.items.map(TouchpointView.of), total: page.total };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a touchpoint', description: "An owner reads their own (another's answers 404)" })
  @Roles('admin', 'quality', 'owner')
  @ApiOkResponse({ type: TouchpointView })
  async get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<TouchpointView> {
    return TouchpointView.of(await this.touchpoints.getFor(me, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a touchpoint' })
  @Roles('admin', 'quality')
  @ApiOkResponse({
    type: TouchpointView,
    description: 'Tests its new owner would make, or of campaigns it leaves, are withdrawn at once',
  })
  async update(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: UpdateTouchpointDto,
  ): Promise<TouchpointView> {
    return TouchpointView.of(await this.touchpoints.update(me.organizationId, id, dto, me.personId));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a touchpoint' })
  @Roles('admin', 'quality')
  @HttpCode(204)
  async remove(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.touchpoints.remove(me.organizationId, id);
  }
}
