import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated, ApiNotFound } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { ResultsQuery, ResultsView, TeamView } from './results.dto.js';
import { ResultsService } from './results.service.js';

@ApiTags('results')
@ApiAuthenticated()
@Controller('api/v1/results')
export class ResultsController {
  constructor(private readonly results: ResultsService) {}

  @Get('touchpoints/:id')
  @ApiOperation({ summary: "A touchpoint's results over the weeks, its claims and their verdicts, its coverage" })
  @Roles('admin', 'quality', 'owner')
  @ApiOkResponse({
    type: ResultsView,
    description:
      'Each metric per week with its 95 % interval (as the digest computes it), the claims judged as the digest ' +
      "judges them, and coverage. A touchpoint's owner reads their own touchpoints only, their view ends 7 days " +
      'back (completed tests only), and without coverage.',
  })
  touchpoint(@CurrentActor() me: Actor, @UuidParam('id') id: string, @Query() q: ResultsQuery): Promise<ResultsView> {
    return this.results.touchpoint(me, id, q.weeks);
  }

  @Get('teams')
  @ApiOperation({ summary: 'The teams touchpoints name, with how many touchpoints each holds' })
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: [TeamView] })
  teams(@CurrentActor() me: Actor): Promise<TeamView[]> {
    return this.results.teams(me);
  }

  @Get('teams/:team')
  @ApiOperation({ summary: "A team's results over the weeks, its claims and their verdicts, its coverage" })
  @Roles('admin', 'quality')
  @ApiNotFound()
  @ApiOkResponse({ type: ResultsView, description: 'As for a touchpoint; waits are not pooled across channels.' })
  team(@CurrentActor() me: Actor, @Param('team') team: string, @Query() q: ResultsQuery): Promise<ResultsView> {
    return this.results.team(me, team, q.weeks);
  }
}
