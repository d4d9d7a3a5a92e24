import { formatDuration } from './durations.js';

describe('formatDuration', () => {
  it('writes m:ss below an hour and h:mm:ss from an hour on, rounding to the second', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(95)).toBe('1:35');
    expect(formatDuration(3599.4)).toBe('59:59');
    expect(formatDuration(3599.6)).toBe('1:00:00');
    expect(formatDuration(4 * 3600 + 5 * 60 + 7)).toBe('4:05:07');
  });

  it('keeps the sign of a negative difference', () => {
    expect(formatDuration(-90)).toBe('−1:30');
  });
});
