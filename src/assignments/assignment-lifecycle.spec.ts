import { ConflictException } from '@nestjs/common';
import { ASSIGNMENT_STATUSES } from './assignment.entity.js';
import { canTransition, illegalMove, sourcesOf, TRANSITIONS } from './assignment-lifecycle.js';

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

  // The jobs move tests in bulk "from whichever status may reach the target": a wrong list would reveal a
  // cancelled test, or miss a revealed one.
  it('lists for each target status exactly the statuses a test may reach it from', () => {
    expect(sourcesOf('revealed')).toEqual(['planned']);
    expect(sourcesOf('missed')).toEqual(['revealed']);
    expect(sourcesOf('completed')).toEqual(['revealed']);
    expect(sourcesOf('declined')).toEqual(['revealed']);
    expect(sourcesOf('cancelled').sort()).toEqual(['planned', 'revealed']);
    expect(sourcesOf('planned')).toEqual([]); // nothing goes back to planned
    for (const to of ASSIGNMENT_STATUSES) {
      expect(sourcesOf(to).sort()).toEqual(ASSIGNMENT_STATUSES.filter((from) => canTransition(from, to)).sort());
    }
  });

  it('answers an illegal move with a 409 that names where the test is and where it cannot go', () => {
    const error = illegalMove('completed', 'cancelled');
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.getStatus()).toBe(409);
    expect(error.message).toBe('This assignment is completed; it cannot become cancelled');
    expect(illegalMove('unknown', 'declined').message).toBe('This assignment is unknown; it cannot become declined');
  });
});
