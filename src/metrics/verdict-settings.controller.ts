import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { OrganizationSettingsView, UpdateOrganizationSettingsDto } from './verdict-settings.dto.js';
import { VerdictSettingsService } from './verdict-settings.service.js';

/** How the caller's organization judges claims: whether ad-hoc contacts count, and the gaps that matter. */
@ApiTags('organizations')
@ApiAuthenticated()
@Controller('api/v1/organization/settings')
export class OrganizationSettingsController {
  constructor(private readonly settings: VerdictSettingsService) {}

  @Get()
  @ApiOperation({ summary: "Read the organization's settings (verdict rules, owner history, ad-hoc contacts)" })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: OrganizationSettingsView, description: 'The settings in force, defaults filled in' })
  get(@CurrentActor() me: Actor): Promise<OrganizationSettingsView> {
    return this.settings.view(me.organizationId);
  }

  @Patch()
  @ApiOperation({ summary: "Change the organization's settings" })
  @Roles('admin')
  @ApiOkResponse({
    type: OrganizationSettingsView,
    description: 'Changes only what is given; a gap set to null goes back to its default',
  })
  update(@CurrentActor() me: Actor, @Body() dto: UpdateOrganizationSettingsDto): Promise<OrganizationSettingsView> {
    return this.settings.update(me.organizationId, dto);
  }
}
