import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated, ApiErrors } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { AssignmentPage, AssignmentsQuery, AssignmentView, DeclineDto, DeclineResultView } from './assignment.dto.js';
import { AssignmentsService } from './assignments.service.js';

@ApiTags('assignments')
@ApiAuthenticated()
@ApiErrors()
@Controller('api/v1/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Get()
  @Roles('admin', 'quality', 'tester', 'owner')
  @ApiOkResponse({
    type: AssignmentPage,
    description: 'Admin and quality see all; a tester their own from reveal on; an owner completed tests of their touchpoints',
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

  @Post(':id/decline')
  @Roles('tester')
  @HttpCode(200)
  @ApiOkResponse({ type: DeclineResultView })
  @ApiConflictResponse({
    description:
      'The window has begun (record it instead), the test was withdrawn (the body\'s `reason` says why: ' +
      'e.g. the tester lost the role or is now the touchpoint\'s owner), or it is no longer revealed ' +
      '(done, missed, declined)',
  })
  decline(@CurrentActor() me: Actor, @UuidParam('id') id: string, @Body() dto: DeclineDto): Promise<DeclineResultView> {
    return this.assignments.decline(me, id, dto.reason);
  }

  @Post(':id/cancel')
  @Roles('admin', 'quality')
  @HttpCode(200)
  @ApiOkResponse({
    type: AssignmentView,
    description: 'Cancelled (reason cancelled_by_staff); a tester who knew of it is told by mail',
  })
  @ApiConflictResponse({ description: 'The assignment is already finished' })
  cancel(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<AssignmentView> {
    return this.assignments.cancel(me, id);
  }
}
