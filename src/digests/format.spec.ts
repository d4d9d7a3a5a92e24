import { formatGap, formatSize, formatValue } from './format.js';

describe('formatValue', () => {
  it('says rates as percentages, waits as m:ss or h:mm:ss, ratings with one decimal', () => {
    expect(formatValue('rate', 0.956)).toBe('96 %');
    expect(formatValue('rate', 0.043)).toBe('4.3 %');
    expect(formatValue('seconds', 95)).toBe('1:35');
    expect(formatValue('seconds', 3599.6)).toBe('1:00:00');
    expect(formatValue('seconds', 4 * 3600 + 5 * 60 + 7)).toBe('4:05:07');
    expect(formatValue('seconds', -90)).toBe('−1:30');
    expect(formatValue('rating', 4.25)).toBe('4.3');
    expect(formatValue('rate', null)).toBe('–');
  });

  it('says no share at all as 0 %, in the claim rows and in what nobody claimed alike', () => {
    expect(formatValue('rate', 0)).toBe('0 %');
    expect(formatValue('rate', 0.001)).toBe('0.1 %');
    expect(formatValue('rate', 0.1)).toBe('10 %');
  });
});

describe('formatGap', () => {
  it('keeps the arithmetic sign and says better or worse by the metric\u2019s direction', () => {
    expect(formatGap({ unit: 'rate', gap: 0.19, gapDirection: 'worse' })).toBe('+19 pts worse');
    expect(formatGap({ unit: 'rate', gap: -0.36, gapDirection: 'worse' })).toBe('−36 pts worse');
    expect(formatGap({ unit: 'seconds', gap: -45, gapDirection: 'better' })).toBe('−0:45 better');
    expect(formatGap({ unit: 'rating', gap: 0, gapDirection: 'same' })).toBe('±0.0');
    expect(formatGap({ unit: 'rate', gap: null, gapDirection: null })).toBe('–');
    expect(formatSize('rate', 0)).toBe('0 pts');
    expect(formatSize('rate', 0.045)).toBe('4.5 pts');
  });
});
