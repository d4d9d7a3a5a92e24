import { formatValue } from './digest-render.js';

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
});
