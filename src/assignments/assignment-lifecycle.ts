import { ConflictException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returningRows } from '../database/sql.js';
import type { AssignmentStatus } from './assignment.entity.js';
import type { CancelledBy, CancelReason } from './withdrawal-reasons.js';

/** planned → revealed → completed | declined | missed; planned or revealed → cancelled. Nothing else. */
export const TRANSITIONS: Record<AssignmentStatus, readonly AssignmentStatus[]> = {
  planned: ['revealed', 'cancelled'],
  revealed: ['completed', 'declined', 'missed', 'cancelled'],
  completed: [],
  declined: [],
  missed: [],
  cancelled: [],
};

/** The timestamp column each target status stamps. */
const STAMP: Partial<Record<AssignmentStatus, string>> = {
  revealed: 'revealed_at',
  completed: 'completed_at',
  declined: 'declined_at',
  missed: 'missed_at',
  cancelled: 'cancelled_at',
};

/** The statuses from which `to` may be reached (for bulk moves made by the jobs). */
export function sourcesOf(to: AssignmentStatus): AssignmentStatus[] {
  return (Object.keys(TRANSITIONS) as AssignmentStatus[]).filter((s) => TRANSITIONS[s].includes(to));
}

export function canTransition(from: AssignmentStatus, to: AssignmentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * The one place an assignment changes status. The UPDATE re-checks the current status, so two
 * racing requests cannot both move it; the loser (or an illegal move) gets a 409.
 */
export async function transition(
  manager: EntityManager,
  assignmentId: string,
  to: Exclude<AssignmentStatus, 'cancelled'>,
  now: Date,
  extra: { declineReason?: string } = {},
): Promise<AssignmentStatus> {
  const from = sourcesOf(to);
  const rows = await returningRows<{ status: AssignmentStatus }>(
    manager,
    `UPDATE assignment
        SET status = $2, ${STAMP[to]} = $3, decline_reason = COALESCE($5, decline_reason), updated_at = $3
      WHERE id = $1 AND status = ANY($4::text[])
      RETURNING status`,
    [assignmentId, to, now, from, extra.declineReason ?? null],
  );
  if (rows.length === 0) {
    const current: Array<{ status: AssignmentStatus }> = await manager.query(
      'SELECT status FROM assignment WHERE id = $1',
      [assignmentId],
    );
    throw illegalMove(current[0]?.status ?? 'unknown', to);
  }
  return rows[0].status;
}

/**
 * When a revealed test with nothing recorded becomes missed: its window's end plus the campaign's grace. The
 * expiry job marks it then (every few minutes, or on catching up); a write after it is refused all the same.
 */
export const missedFrom = (windowEnd: Date, graceMinutes: number): Date =>
  new Date(windowEnd.getTime() + graceMinutes * 60_000);

/** 409 for a first save once the grace period is over: the test is missed, whether or not the job has run. */
export function graceOver(missedAt: Date): ConflictException {
  return new ConflictException(
    `The grace period for recording this test ended at ${missedAt.toISOString()}: the test is missed, ` +
      'and nothing more can be recorded for it.',
  );
}

export function illegalMove(from: AssignmentStatus | 'unknown', to: AssignmentStatus): ConflictException {
  return new ConflictException(`This assignment is ${from}; it cannot become ${to}`);
}

/**
 * Cancels each of `items` still planned or revealed, with its reason and who or what cancelled it
 * (a cancel is final, so these columns are its audit record). Returns the ids that moved.
 */
export async function cancelAssignments(
  manager: EntityManager,
  items: Array<{ id: string; reason: CancelReason }>,
  by: CancelledBy,
  now: Date,
): Promise<string[]> {
  if (items.length === 0) return [];
  const rows = await returningRows<{ id: string }>(
    manager,
    `UPDATE assignment a
        SET status = 'cancelled', cancelled_at = $3, updated_at = $3,
            cancel_reason = w.reason, cancel_cause = $4, cancelled_by = $5
       FROM unnest($1::uuid[], $2::text[]) AS w(id, reason)
      WHERE a.id = w.id AND a.status = ANY($6::text[])
      RETURNING a.id`,
    [items.map((i) => i.id), items.map((i) => i.reason), now, by.cause, by.personId, sourcesOf('cancelled')],
  );
  return rows.map((r) => r.id);
}
