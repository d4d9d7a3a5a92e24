import { formatDuration, formatDurationInput, MAX_WAIT_SECONDS, parseDurationText } from './durations.js';

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

describe('parseDurationText', () => {
  it('reads m:ss, h:mm:ss (hours past 24 too) and plain seconds', () => {
    expect(parseDurationText('4:30')).toBe(270);
    expect(parseDurationText('1:04:30')).toBe(3870);
    expect(parseDurationText('27:00:00')).toBe(27 * 3600);
    expect(parseDurationText('270')).toBe(270);
    expect(parseDurationText(' 0:05 ')).toBe(5);
  });

  it('reads days and hours, in letters or words, and days before a clock', () => {
    expect(parseDurationText('1d 3h')).toBe(97_200);
    expect(parseDurationText('1 day 3 hours')).toBe(97_200);
    expect(parseDurationText('2 days')).toBe(172_800);
    expect(parseDurationText('3h 15m')).toBe(11_700);
    expect(parseDurationText('45 min 10 s')).toBe(2710);
    expect(parseDurationText('1d 3:00:00')).toBe(97_200);
    expect(parseDurationText('14d')).toBe(MAX_WAIT_SECONDS);
  });

  it('is empty for nothing and null for what it cannot read', () => {
    expect(parseDurationText('  ')).toBeNull();
    for (const bad of ['4:75', '1:60:00', 'soon', '3h 2d 3h', '1d 2h 3:00', '-5', '1.5h', '3 weeks', '1d3', ':30'])
      expect({ bad, seconds: parseDurationText(bad) }).toEqual({ bad, seconds: null });
  });
});

describe('formatDurationInput', () => {
  it('writes what parseDurationText reads back to the same seconds', () => {
    expect(formatDurationInput(150)).toBe('2:30');
    expect(formatDurationInput(3870)).toBe('1:04:30');
    expect(formatDurationInput(97_200)).toBe('1d 3h');
    expect(formatDurationInput(86_400)).toBe('1d');
    expect(formatDurationInput(86_400 + 310)).toBe('1d 0:05:10');
    for (const s of [0, 59, 3599, 3600, 86_399, 86_400, 97_200, 90_610, MAX_WAIT_SECONDS])
      expect(parseDurationText(formatDurationInput(s))).toBe(s);
  });
});
