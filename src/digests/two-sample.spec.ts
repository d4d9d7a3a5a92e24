import fc from 'fast-check';

import { hypergeometricUpperTail, worseThanBeforePValue } from './two-sample.js';

/** Exact tails from integer binomial coefficients, as a reference independent of logGamma. */
function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}
function exactTail(k: number, population: number, successes: number, draws: number): number {
  let s = 0;
  for (let x = Math.max(k, 0); x <= Math.min(draws, successes); x++) {
    s += choose(successes, x) * choose(population - successes, draws - x);
  }
  return s / choose(population, draws);
}

describe('hypergeometricUpperTail', () => {
  it("gives Fisher's tea-tasting value: 3 of 4 cups right or better, P = 17/70", () => {
    expect(hypergeometricUpperTail(3, 8, 4, 4)).toBeCloseTo(17 / 70, 12);
    expect(hypergeometricUpperTail(4, 8, 4, 4)).toBeCloseTo(1 / 70, 12);
  });

  it('is 1 at or below the smallest possible count and 0 above the largest', () => {
    expect(hypergeometricUpperTail(0, 10, 3, 4)).toBe(1);
    expect(hypergeometricUpperTail(2, 10, 8, 4)).toBe(1); // at least 2 of the 4 drawn are successes
    expect(hypergeometricUpperTail(4, 10, 3, 4)).toBe(0);
  });

  it('matches exact sums of binomial coefficients', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 60 })
          .chain((population) =>
            fc.tuple(
              fc.constant(population),
              fc.integer({ min: 0, max: population }),
              fc.integer({ min: 0, max: population }),
              fc.integer({ min: 0, max: population }),
            ),
          ),
        ([population, successes, draws, k]) => {
          const expected = exactTail(k, population, successes, draws);
          expect(Math.abs(hypergeometricUpperTail(k, population, successes, draws) - expected)).toBeLessThan(1e-9);
        },
      ),
    );
  });

  it('refuses counts that cannot be', () => {
    expect(() => hypergeometricUpperTail(1, 5, 6, 2)).toThrow(RangeError);
    expect(() => hypergeometricUpperTail(1.5, 5, 2, 2)).toThrow(RangeError);
    expect(() => hypergeometricUpperTail(-1, 5, 2, 2)).toThrow(RangeError);
  });
});

describe('worseThanBeforePValue', () => {
  it('is small when this period has many more bad contacts, and 1 without a period to compare', () => {
    // 12 of 20 transferred now, 2 of 20 before: Fisher one-sided p = P(X ≥ 12), X ~ Hyp(40, 14, 20)
    expect(worseThanBeforePValue(12, 20, 2, 20)).toBeCloseTo(exactTail(12, 40, 14, 20), 12);
    expect(worseThanBeforePValue(12, 20, 2, 20)).toBeLessThan(0.002); // R: fisher.test(…, alternative = "greater") 0.0011
    expect(worseThanBeforePValue(2, 20, 12, 20)).toBeGreaterThan(0.99);
    expect(worseThanBeforePValue(3, 5, 0, 0)).toBe(1);
  });

  it('never exceeds its level when both periods share one rate (exact over every outcome)', () => {
    for (const [n, m, p] of [
      [10, 10, 0.2],
      [20, 15, 0.5],
      [8, 30, 0.05],
    ]) {
      const pmf = (k: number, size: number) => choose(size, k) * p ** k * (1 - p) ** (size - k);
      let rejected = 0;
      for (let a = 0; a <= n; a++) {
        for (let b = 0; b <= m; b++) if (worseThanBeforePValue(a, n, b, m) <= 0.025) rejected += pmf(a, n) * pmf(b, m);
      }
      expect(rejected).toBeLessThanOrEqual(0.025);
    }
  });
});
