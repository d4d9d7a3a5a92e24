import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';

import { AssignmentView, DeclineDto, DeclineResultView } from '../assignments/assignment.dto.js';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { PlanChangesService } from './plan-changes.service.js';

/** Declining or cancelling an assignment: planning's routes under /assignments (the slot is re-planned or freed). */
@ApiTags('assignments')
@ApiAuthenticated()
@Controller('api/v1/assignments')
export class PlanChangesController {
  constructor(private readonly changes: PlanChangesService) {}

  @Post(':id/decline')
  @ApiOperation({ summary: 'Decline your revealed test (the planner refills the slot)' })
  @Roles('tester')
  @HttpCode(200)
  @ApiOkResponse({ type: DeclineResultView })
  @ApiConflictResponse({
    description:
      "The window has begun (record it instead), the test was withdrawn (the body's `reason` says why: " +
      "e.g. the tester lost the role or is now the touchpoint's owner), or it is no longer revealed " +
      '(done, missed, declined)',
  })
  decline(@CurrentActor() me: Actor, @UuidParam('id') id: string, @Body() dto: DeclineDto): Promise<DeclineResultView> {
    return this.changes.decline(me, id, dto.reason);
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a test' })
  @Roles('admin', 'quality')
  @HttpCode(200)
  @ApiOkResponse({
    type: AssignmentView,
    description: 'Cancelled (reason cancelled_by_staff); a tester who knew of it is told by mail',
  })
  @ApiConflictResponse({ description: 'The assignment is already finished' })
  cancel(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<AssignmentView> {
    return this.changes.cancel(me, id);
  }
}
