import { ConflictException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returningRows } from '../database/sql.js';
import type { AssignmentStatus } from './assignment.entity.js';

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
  to: AssignmentStatus,
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
    const current: Array<{ status: AssignmentStatus }> = await manager.query('SELECT status FROM assignment WHERE id = $1', [assignmentId]);
    const status = current[0]?.status ?? 'unknown';
    throw new ConflictException(`This assignment is ${status}; it cannot become ${to}`);
  }
  return rows[0].status;
}
