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

export function illegalMove(from: AssignmentStatus | 'unknown', to: AssignmentStatus): ConflictException {
  return new ConflictException(`This assignment is ${from}; it cannot become ${to}`);
}
