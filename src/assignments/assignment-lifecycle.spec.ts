import { canTransition, TRANSITIONS } from './assignment-lifecycle.js';
import { ASSIGNMENT_STATUSES } from './assignment.entity.js';

describe('assignment lifecycle', () => {
  it('allows exactly the documented moves', () => {
    const allowed = ASSIGNMENT_STATUSES.flatMap((from) =>
      ASSIGNMENT_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'planned→revealed',
        'planned→cancelled',
        'revealed→completed',
        'revealed→declined',
        'revealed→missed',
        'revealed→cancelled',
      ].sort(),
    );
  });

  it('has no way out of a final status', () => {
    for (const s of ['completed', 'declined', 'missed', 'cancelled'] as const) expect(TRANSITIONS[s]).toEqual([]);
  });
});
