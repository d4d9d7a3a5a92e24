import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { OutboxMessageView, OutboxPage, OutboxQuery, OutboxSummary } from './outbox.dto.js';
import { OutboxService } from './outbox.service.js';

@ApiTags('outbox')
@ApiAuthenticated()
@Controller('api/v1/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  /** The organization's mail, newest first: status and errors, never bodies or attachments. */
  @Get()
  @ApiOperation({ summary: 'List outgoing mail and its delivery state' })
  @Roles('admin')
  @ApiOkResponse({ type: OutboxPage })
  async list(@CurrentActor() me: Actor, @Query() query: OutboxQuery): Promise<OutboxPage> {
    const page = await this.outbox.list(me.organizationId, query);
    return { items: page.items.map(OutboxMessageView.of), total: page.total };
  }

  @Get('summary')
  @ApiOperation({ summary: 'Count outgoing mail by state, with the overdue backlog' })
  @Roles('admin')
  @ApiOkResponse({ type: OutboxSummary })
  async summary(@CurrentActor() me: Actor): Promise<OutboxSummary> {
    const [counts, { overdue }] = await Promise.all([
      this.outbox.countByStatus(me.organizationId),
      this.outbox.backlog(me.organizationId),
    ]);
    return { ...counts, overdue };
  }
}
