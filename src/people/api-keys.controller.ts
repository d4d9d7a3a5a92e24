import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import { hasRole, type Actor } from '../auth/actor.js';
import { ApiKeyList, ApiKeyView, CreateApiKeyDto, IssuedApiKeyView, MeView } from '../auth/api-key.dto.js';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { PeopleService } from './people.service.js';

@ApiTags('auth')
@ApiAuthenticated()
@Controller('api/v1')
export class ApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly people: PeopleService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'Who the key belongs to: person, organization, roles' })
  @Roles('admin', 'quality', 'tester', 'owner')
  @ApiOkResponse({ type: MeView, description: 'The person the key belongs to' })
  async me(@CurrentActor() me: Actor): Promise<MeView> {
    const person = await this.people.get(me.organizationId, me.personId);
    return {
      personId: person.id,
      organizationId: person.organizationId,
      name: person.name,
      email: person.email,
      roles: person.roles,
      timezone: person.timezone,
    };
  }

  @Post('people/:id/api-keys')
  @ApiOperation({ summary: 'Issue an API key for a person (the secret is shown once)' })
  @Roles('admin', 'self')
  @ApiCreatedResponse({ type: IssuedApiKeyView })
  async issue(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: CreateApiKeyDto,
  ): Promise<IssuedApiKeyView> {
    await this.ownPersonOrAdmin(me, id);
    return this.apiKeys.issue(me.organizationId, id, dto.label ?? 'api key');
  }

  @Get('people/:id/api-keys')
  @ApiOperation({ summary: "List a person's API keys (never their secrets)" })
  @Roles('admin', 'self')
  @ApiOkResponse({ type: ApiKeyList })
  async list(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<ApiKeyList> {
    await this.ownPersonOrAdmin(me, id);
    const items = (await this.apiKeys.list(me.organizationId, id)).map(ApiKeyView.of);
    return { items, total: items.length };
  }

  @Delete('people/:id/api-keys/:keyId')
  @ApiOperation({ summary: "Revoke one of a person's API keys" })
  @Roles('admin', 'self')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked (revoking twice is harmless)' })
  async revoke(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @UuidParam('keyId') keyId: string,
  ): Promise<void> {
    await this.ownPersonOrAdmin(me, id);
    await this.apiKeys.revoke(me.organizationId, id, keyId);
  }

  private async ownPersonOrAdmin(me: Actor, personId: string): Promise<void> {
    if (!hasRole(me, 'admin') && me.personId !== personId)
      throw new ForbiddenException("Only admins may manage other people's keys");
    await this.people.get(me.organizationId, personId);
  }
}
