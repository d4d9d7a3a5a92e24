import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import {
  DeleteOrganizationQuery,
  OrganizationPage,
  OrganizationView,
  UpdateOrganizationDto,
} from './organization.dto.js';
import { OrganizationsService } from './organizations.service.js';

/** A key sees exactly one organization: its own. New tenants are made with `npm run cli -- bootstrap`. */
@ApiTags('organizations')
@ApiAuthenticated()
@Controller('api/v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @ApiOperation({ summary: 'List your organization (a key belongs to exactly one)' })
  @Roles('admin', 'quality', 'tester', 'owner')
  @ApiOkResponse({ type: OrganizationPage, description: 'Your own organization (a key belongs to exactly one)' })
  async list(@CurrentActor() me: Actor): Promise<OrganizationPage> {
    return {
      items: [OrganizationView.of(await this.organizations.get(me.organizationId, me.organizationId))],
      total: 1,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read your organization' })
  @Roles('admin', 'quality', 'tester', 'owner')
  @ApiOkResponse({ type: OrganizationView })
  async get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<OrganizationView> {
    return OrganizationView.of(await this.organizations.get(me.organizationId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename your organization' })
  @Roles('admin')
  @ApiOkResponse({ type: OrganizationView })
  async update(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: UpdateOrganizationDto,
  ): Promise<OrganizationView> {
    return OrganizationView.of(await this.organizations.rename(me.organizationId, id, dto.name));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete your organization and every row of it (confirm with its name)' })
  @Roles('admin')
  @HttpCode(204)
  async remove(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Query() query: DeleteOrganizationQuery,
  ): Promise<void> {
    await this.organizations.remove(me.organizationId, id, query.confirm);
  }
}
