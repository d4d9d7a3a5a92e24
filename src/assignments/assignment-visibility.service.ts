import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { ownerSeesUpTo } from '../common/owner-view.js';
import type { Page } from '../common/pagination.js';
import type { AssignmentsQuery } from './assignment.dto.js';
import { AssignmentRecord, AssignmentsRepository, VisibilityRule } from './assignments.repository.js';
import { CANCEL_EXPLANATIONS } from './withdrawal-reasons.js';
import type { CancelCause, CancelReason } from './withdrawal-reasons.js';

/** A row as the API shows it, with what a tester needs to know of the touchpoint and scenario. */
export interface AssignmentRow extends Omit<
  AssignmentRecord,
  'testerId' | 'cancelledAt' | 'cancelReason' | 'cancelCause' | 'cancelledBy'
> {
  /** Null for an owner: they learn that a test happened and how, not who made it. */
  testerId: string | null;
  /** Why and when it was cancelled; `by` (who or what cancelled it) for admin and quality only. */
  cancellation: CancellationRow | null;
}

export interface CancellationRow {
  at: Date;
  reason: CancelReason;
  explanation: string;
  cause: CancelCause | null;
  by: string | null;
}

/** Admin and quality see who tested and who cancelled. */
const isStaff = (me: Actor) => hasRole(me, 'admin', 'quality');

/**
 * Who may see which assignment. Admin and quality: everything of their organization. A tester: their
 * own assignments once revealed, never before (a link acts as its test's tester). An owner: tests of
 * their touchpoints once completed and a week old (src/common/owner-view.ts: a fresh test would tell
 * them when the next one cannot be), without the tester. Anything else does not exist for the caller
 * (404, not 403).
 */
export function visibilityRule(me: Actor, now: Date): VisibilityRule {
  const all = isStaff(me);
  const tester = me.via === 'link' || hasRole(me, 'tester');
  return {
    organizationId: me.organizationId,
    all,
    testerId: !all && tester ? me.personId : null,
    owner:
      !all && hasRole(me, 'owner') ? { personId: me.personId, upTo: new Date(ownerSeesUpTo(now.getTime())) } : null,
  };
}

/** The row as `me` may see it: owners learn that a test happened and how, not who made it. */
export function assignmentView(r: AssignmentRecord, me: Actor): AssignmentRow {
  const staff = isStaff(me);
  const hideTester = !staff && r.testerId !== me.personId;
  return {
    id: r.id,
    campaignId: r.campaignId,
    testerId: hideTester ? null : r.testerId,
    touchpointId: r.touchpointId,
    scenarioId: r.scenarioId,
    weekStart: r.weekStart,
    windowStart: r.windowStart,
    windowEnd: r.windowEnd,
    revealAt: r.revealAt,
    status: r.status,
    declineReason: r.declineReason,
    replacesId: r.replacesId,
    cancellation: r.cancelReason
      ? {
          at: r.cancelledAt!,
          reason: r.cancelReason,
          explanation: CANCEL_EXPLANATIONS[r.cancelReason] ?? r.cancelReason,
          cause: staff ? r.cancelCause : null,
          by: staff ? r.cancelledBy : null,
        }
      : null,
    touchpoint: r.touchpoint,
    scenario: r.scenario,
  };
}

/** The list and get routes: what each reader may see of the assignments (visibilityRule). */
@Injectable()
export class AssignmentVisibilityService {
  constructor(
    private readonly assignments: AssignmentsRepository,
    private readonly clock: Clock,
  ) {}

  async list(me: Actor, query: AssignmentsQuery): Promise<Page<AssignmentRow>> {
    const { limit, offset, testerId, ...filters } = query;
    // Owners never learn who tested them, not even by filtering and counting.
    const ownTester = testerId && (isStaff(me) || testerId === me.personId) ? testerId : null;
    const rule = visibilityRule(me, this.clock.now());
    const page = await this.assignments.list(
      rule,
      { ...filters, ...(testerId ? { testerId: ownTester } : {}) },
      { limit, offset },
    );
    return { items: page.rows.map((r) => assignmentView(r, me)), total: page.total };
  }

  async get(me: Actor, id: string, manager?: EntityManager): Promise<AssignmentRow> {
    const row = await this.assignments.findVisible(visibilityRule(me, this.clock.now()), id, manager);
    if (!row) throw new NotFoundException(`Assignment ${id} not found`);
    return assignmentView(row, me);
  }
}
