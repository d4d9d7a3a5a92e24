import { ConflictException } from '@nestjs/common';

import type { AssignmentStatus } from './assignment.entity.js';

/**
 * planned → revealed → completed | declined | missed; planned or revealed → cancelled. Nothing else.
 * (The moves themselves: AssignmentsRepository.transition and cancel.)
 */
export const TRANSITIONS: Record<AssignmentStatus, readonly AssignmentStatus[]> = {
  planned: ['revealed', 'cancelled'],
  revealed: ['completed', 'declined', 'missed', 'cancelled'],
  completed: [],
  declined: [],
  missed: [],
  cancelled: [],
};

/** The statuses from which `to` may be reached (for bulk moves made by the jobs). */
export function sourcesOf(to: AssignmentStatus): AssignmentStatus[] {
  return (Object.keys(TRANSITIONS) as AssignmentStatus[]).filter((s) => TRANSITIONS[s].includes(to));
}

export function canTransition(from: AssignmentStatus, to: AssignmentStatus): boolean {
  return TRANSITIONS[from].includes(to);
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
