import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { PlanCalendarQuery, PlanCalendarView } from './plan-calendar.dto.js';
import { PlanCalendarService } from './plan-calendar.service.js';

@ApiTags('plan-calendar')
@ApiAuthenticated()
@Controller('api/v1/plan-calendar')
export class PlanCalendarController {
  constructor(private readonly calendar: PlanCalendarService) {}

  @Get()
  @ApiOperation({ summary: 'The coming weeks: every test still to happen, and the slots left unfilled with reasons' })
  @Roles('admin', 'quality')
  @ApiOkResponse({
    type: PlanCalendarView,
    description:
      'Planned and revealed tests whose window ends after now and starts within the weeks asked for, by window ' +
      'start, paged; the unfilled slots of the weeks not yet over, with why. Filter by campaign, team, channel.',
  })
  read(@CurrentActor() me: Actor, @Query() query: PlanCalendarQuery): Promise<PlanCalendarView> {
    return this.calendar.read(me, query);
  }
}
