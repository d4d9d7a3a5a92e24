import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { canTransition, illegalMove } from '../assignments/assignment-lifecycle.js';
import { AssignmentRow, AssignmentVisibilityService } from '../assignments/assignment-visibility.service.js';
import { AssignmentsRepository } from '../assignments/assignments.repository.js';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { SlotRefillService, vacatedSlot } from './slot-refill.service.js';
import { IneligibleTester, TestWithdrawnException, WithdrawalsService } from './withdrawals.service.js';

export interface DeclineResult {
  /** Only the declined assignment: where the slot went is secret (it is a planned test). */
  declined: AssignmentRow;
}

/**
 * A planned test changes hands or is called off, under the organization's planning lock: its tester
 * declines it (the slot is re-planned) or quality cancels it (withdrawn, not re-planned).
 */
@Injectable()
export class PlanChangesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly visibility: AssignmentVisibilityService,
    private readonly refills: SlotRefillService,
    private readonly withdrawals: WithdrawalsService,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /**
   * The tester cannot make it: the slot goes to another eligible tester, or is recorded unfilled.
   * Only before the window starts (later, it is made or missed); only while the tester may still act
   * on it (otherwise it is withdrawn, and the 409 says why).
   */
  async decline(me: Actor, id: string, reason: string): Promise<DeclineResult> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await lockOrganizationPlanning(manager, me.organizationId);
        const row = await this.assignments.lockForDecline(manager, id, me);
        if (!row) throw new NotFoundException(`Assignment ${id} not found`);
        if (row.status === 'cancelled' && row.cancelReason) throw new TestWithdrawnException(row.cancelReason);
        if (row.status !== 'revealed') throw illegalMove(row.status, 'declined');
        const why = await this.assignments.whyIneligible(id, manager);
        if (why) throw new IneligibleTester(why);
        const now = this.clock.now();
        if (now >= row.windowStart) {
          throw new ConflictException(
            `The window began at ${row.windowStart.toISOString()}: ` +
              'a test cannot be declined once its window has started. ' +
              'Record what happened; a test with nothing recorded is marked missed after the grace period.',
          );
        }
        await this.assignments.transition(manager, id, 'declined', now, { declineReason: reason });
        const [refill] = await this.refills.refill(manager, [vacatedSlot(row, 'declined_too_late', 'minimum')], now);
        const { replacement, unfilledReason: unfilled } = refill;
        const logged = { assignmentId: id, replacement: replacement?.assignmentId, unfilled };
        this.logger.info(logged, 'declined assignment re-filled');
        return { declined: await this.visibility.get(me, id, manager) };
      });
    } catch (error) {
      if (!(error instanceof IneligibleTester)) throw error;
      const cause = me.via === 'link' ? 'decline_link' : 'decline_api';
      throw await this.withdrawals.withdrawFound(me.organizationId, id, { personId: me.personId, cause });
    }
  }

  /** Quality or an admin calls a test off: cancelled, the tester told if they knew of it; the slot is not re-filled. */
  async cancel(me: Actor, id: string): Promise<AssignmentRow> {
    return this.dataSource.transaction(async (manager) => {
      await lockOrganizationPlanning(manager, me.organizationId);
      const current = await this.visibility.get(me, id, manager);
      if (!canTransition(current.status, 'cancelled')) throw illegalMove(current.status, 'cancelled');
      const by = { personId: me.personId, cause: 'cancel_route' as const };
      await this.withdrawals.withdraw(manager, [{ id, reason: 'cancelled_by_staff' }], by);
      return this.visibility.get(me, id, manager);
    });
  }
}
