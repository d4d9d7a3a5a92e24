import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import type { DigestPayload } from './digest-builder.service.js';
import {
  CreateDigestSubscriptionDto,
  DigestSubscriptionPage,
  DigestSubscriptionView,
  PreviewQuery,
  SubscriptionsQuery,
  UpdateDigestSubscriptionDto,
} from './digest-subscription.dto.js';
import { DigestSubscriptionsService } from './digest-subscriptions.service.js';

@ApiTags('digests')
@ApiAuthenticated()
@Controller('api/v1/digest-subscriptions')
export class DigestSubscriptionsController {
  constructor(private readonly subscriptions: DigestSubscriptionsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a digest subscription' })
  @Roles('admin', 'quality')
  @ApiCreatedResponse({ type: DigestSubscriptionView })
  async create(@CurrentActor() me: Actor, @Body() dto: CreateDigestSubscriptionDto): Promise<DigestSubscriptionView> {
    return DigestSubscriptionView.of(await this.subscriptions.create(me.organizationId, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List digest subscriptions' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: DigestSubscriptionPage })
  async list(@CurrentActor() me: Actor, @Query() query: SubscriptionsQuery): Promise<DigestSubscriptionPage> {
    const page = await this.subscriptions.list(me.organizationId, query);
    return { items: page.items.map(DigestSubscriptionView.of), total: page.total };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a digest subscription' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: DigestSubscriptionView })
  async get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<DigestSubscriptionView> {
    return DigestSubscriptionView.of(await this.subscriptions.get(me.organizationId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a digest subscription' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: DigestSubscriptionView })
  async update(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: UpdateDigestSubscriptionDto,
  ): Promise<DigestSubscriptionView> {
    return DigestSubscriptionView.of(await this.subscriptions.update(me.organizationId, id, dto));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a digest subscription' })
  @Roles('admin', 'quality')
  @HttpCode(204)
  async remove(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.subscriptions.remove(me.organizationId, id);
  }

  @Get(':id/preview')
  @ApiOperation({ summary: 'Preview the digest for a period, computed now (nothing is sent)' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ description: 'The digest payload for the period, computed now; nothing is sent' })
  preview(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Query() query: PreviewQuery,
  ): Promise<DigestPayload> {
    return this.subscriptions.preview(me.organizationId, id, query.periodStart, query.periodEnd);
  }
}
