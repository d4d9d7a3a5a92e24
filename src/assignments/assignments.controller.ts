import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated, ApiErrors } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { AssignmentPage, AssignmentsQuery, AssignmentView } from './assignment.dto.js';
import { AssignmentVisibilityService } from './assignment-visibility.service.js';

/** Reading assignments. Declining and cancelling one re-plan its slot: src/campaigns/plan-changes.controller.ts. */
@ApiTags('assignments')
@ApiAuthenticated()
@ApiErrors()
@Controller('api/v1/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentVisibilityService) {}

  @Get()
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
  @Roles('admin', 'quality', 'tester', 'owner')
  @ApiOkResponse({ type: AssignmentView })
  get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<AssignmentView> {
    return this.assignments.get(me, id);
  }
}
