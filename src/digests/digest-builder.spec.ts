import { withinScale } from './digest-builder.service.js';

describe('withinScale', () => {
  it('cuts a t interval at the edges of its scale, and leaves an unbounded one alone', () => {
    expect(withinScale('seconds', { low: -156, high: 1173 })).toEqual({ low: 0, high: 1173 });
    expect(withinScale('rating', { low: 1.5, high: 7.2 })).toEqual({ low: 1.5, high: 5 });
    expect(withinScale('rating', { low: 0.4, high: 5.1 })).toEqual({ low: 1, high: 5 });
    expect(withinScale('rating', { low: 3.3363, high: 4.6637 })).toEqual({ low: 3.3363, high: 4.6637 });
    expect(withinScale('seconds', { low: -Infinity, high: Infinity })).toEqual({ low: -Infinity, high: Infinity });
  });
});
