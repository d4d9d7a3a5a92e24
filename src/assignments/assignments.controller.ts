import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { AssignmentVisibilityService } from './assignment-visibility.service.js';
import { AssignmentPage, AssignmentsQuery, AssignmentView } from './assignment.dto.js';

/** Reading assignments. Declining and cancelling one re-plan its slot: src/campaigns/plan-changes.controller.ts. */
@ApiTags('assignments')
@ApiAuthenticated()
@Controller('api/v1/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentVisibilityService) {}

  @Get()
  @ApiOperation({ summary: 'List the assignments your role may see' })
  @Roles('admin', 'quality', 'tester', 'owner')
  @ApiOkResponse({
    type: AssignmentPage,
    description:
      'Admin and quality see all; a tester their own from reveal on; an owner completed tests of their touchpoints',
  })
  list(@CurrentActor() me: Actor, @Query() query: AssignmentsQuery): Promise<AssignmentPage> {
    return this.assignments.list(me, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an assignment your role may see' })
  @Roles('admin', 'quality', 'tester', 'owner')
  @ApiOkResponse({ type: AssignmentView })
  get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<AssignmentView> {
    return this.assignments.get(me, id);
  }
}
