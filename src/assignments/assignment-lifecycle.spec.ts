import { ConflictException } from '@nestjs/common';

import { canTransition, graceOver, illegalMove, missedFrom, sourcesOf, TRANSITIONS } from './assignment-lifecycle.js';
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

  // A tester may record until the window's end plus the campaign's grace; the expiry job and the write path agree.
  it('makes a revealed test missed at its window end plus the grace, to the millisecond', () => {
    const end = new Date('2026-03-02T10:30:00.250Z');
    expect(missedFrom(end, 0).toISOString()).toBe('2026-03-02T10:30:00.250Z');
    expect(missedFrom(end, 90).toISOString()).toBe('2026-03-02T12:00:00.250Z');
    expect(missedFrom(end, 7 * 24 * 60).toISOString()).toBe('2026-03-09T10:30:00.250Z');
    expect(end.toISOString()).toBe('2026-03-02T10:30:00.250Z'); // the window's end is not moved
  });

  it('answers a first save after the grace with a 409 that says when it ended and that the test is missed', () => {
    const error = graceOver(new Date('2026-03-02T12:00:00Z'));
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.getStatus()).toBe(409);
    expect(error.message).toBe(
      'The grace period for recording this test ended at 2026-03-02T12:00:00.000Z: the test is missed, ' +
        'and nothing more can be recorded for it.',
    );
  });
});
