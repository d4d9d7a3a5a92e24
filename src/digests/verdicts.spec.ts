import fc from 'fast-check';

import { medianRanks } from './statistics.js';
import {
  betaQuantile,
  bettingPValue,
  binomialCdf,
  binomialUpperTail,
  boundedMeanInterval,
  boundedUpperPValue,
  type ClaimToJudge,
  clopperPearsonInterval,
  CONTACTS_NEEDED_CAP,
  type Evidence,
  hoeffdingBentkusPValue,
  holmAdjust,
  judgeClaims,
  normalCdf,
  quantileRanks,
  verdictExplanation,
} from './verdicts.js';

/** Relative closeness, for probabilities that span many orders of magnitude. */
const closeRel = (actual: number, expected: number, tolerance = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-300));

const claim = (evidence: Evidence, overrides: Partial<ClaimToJudge> = {}): ClaimToJudge => ({
  id: 'c',
  claimed: 0.9,
  better: 'higher',
  evidence,
  periodComplete: true,
  minContacts: 5,
  gapThatMatters: evidence.kind === 'rate' ? 0.1 : evidence.kind === 'bounded_mean' ? 0.5 : 30,
  ...overrides,
});
const judgeOne = (c: ClaimToJudge, options?: Parameters<typeof judgeClaims>[1]) => judgeClaims([c], options).get(c.id)!;
const rate = (n: number, successes: number): Evidence => ({ kind: 'rate', n, successes });
const ratings = (n: number, mean: number, variance: number | null): Evidence => ({
  kind: 'bounded_mean',
  n,
  mean,
  variance,
  min: 1,
  max: 5,
});

/** P(Bin(n, p) = k) by the product formula, for exact sums in the tests (n small). */
function pmf(k: number, n: number, p: number): number {
  let logC = 0;
  for (let i = 1; i <= k; i++) logC += Math.log((n - k + i) / i);
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

describe('binomial tails', () => {
  // Exact rational sums (Python fractions), printed as doubles: an independent computation.
  it.each([
    ['P(Bin(20, 0.992) ≤ 19)', () => binomialCdf(19, 20, 0.992), 0.1484043329148507],
    ['P(Bin(60, 0.96) ≤ 48)', () => binomialCdf(48, 60, 0.96), 3.899323365947052e-6],
    ['P(Bin(10, ½) ≤ 1) = 11/1024', () => binomialCdf(1, 10, 0.5), 11 / 1024],
    ['P(Bin(200, 0.3) ≥ 75)', () => binomialUpperTail(75, 200, 0.3), 0.013833599642094796],
    ['P(Bin(200, 0.3) ≤ 45)', () => binomialCdf(45, 200, 0.3), 0.011127316096938736],
    ['P(Bin(1000, 0.01) ≥ 22)', () => binomialUpperTail(22, 1000, 0.01), 0.0006518251382730439],
    ['P(Bin(50, 0.9) ≤ 30)', () => binomialCdf(30, 50, 0.9), 2.3685993581841863e-8],
  ])('%s', (_, compute, expected) => closeRel(compute(), expected));

  it('is exact at the ends: p = 0 or 1, k outside [0, n], n = 0', () => {
    expect(binomialCdf(0, 10, 0)).toBe(1);
    expect(binomialCdf(9, 10, 1)).toBe(0);
    expect(binomialCdf(10, 10, 1)).toBe(1);
    expect(binomialUpperTail(1, 10, 0)).toBe(0);
    expect(binomialUpperTail(10, 10, 1)).toBe(1);
    expect(binomialUpperTail(0, 0, 0.3)).toBe(1);
    expect(binomialCdf(-1, 5, 0.3)).toBe(0);
    expect(binomialUpperTail(6, 5, 0.3)).toBe(0);
  });

  it('agrees with the summed probability mass, and the two tails add up to one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.nat(),
        (n, p, seed) => {
          const k = seed % (n + 1);
          let sum = 0;
          for (let i = 0; i <= k; i++) sum += pmf(i, n, p);
          expect(binomialCdf(k, n, p)).toBeCloseTo(sum, 10);
          expect(binomialCdf(k, n, p) + binomialUpperTail(k + 1, n, p)).toBeCloseTo(1, 12);
        },
      ),
    );
  });
});

describe('clopperPearsonInterval', () => {
  // R's binom.test(x, n)$conf.int gives 0.7512672 0.9987349 for 19/20, 0 0.3084971 for 0/10; the digits below
  // come from solving the exact tail equations by bisection at 50 digits (mpmath), independently of this code.
  it.each([
    [19, 20, 0.95, 0.751267237227972, 0.99873491050205],
    [0, 10, 0.95, 0, 0.308497107818761],
    [10, 10, 0.95, 0.691502892181239, 1],
    [1, 1, 0.95, 0.025, 1],
    [0, 1, 0.95, 0, 0.975],
    [3, 25, 0.95, 0.0254653966477332, 0.312190307286235],
    [48, 60, 0.95, 0.676699576198709, 0.892158877475638],
    [500, 1000, 0.95, 0.468549172971792, 0.531450827028208],
    [7, 30, 0.99, 0.0729228590840526, 0.479875051926413],
  ])('%p of %p at %p → [%p, %p]', (s, n, confidence, low, high) => {
    const interval = clopperPearsonInterval(s, n, confidence);
    expect(interval.low).toBeCloseTo(low, 12);
    expect(interval.high).toBeCloseTo(high, 12);
  });

  it('is [0, 1] without contacts and refuses impossible counts', () => {
    expect(clopperPearsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    expect(() => clopperPearsonInterval(3, 2)).toThrow(RangeError);
    expect(() => clopperPearsonInterval(1.5, 2)).toThrow(RangeError);
    expect(() => clopperPearsonInterval(1, 2, 1)).toThrow(RangeError);
  });

  it('has its bounds where each exact tail is (1 − confidence) / 2', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (n, seed) => {
        const s = seed % (n + 1);
        const { low, high } = clopperPearsonInterval(s, n);
        if (s > 0) closeRel(binomialUpperTail(s, n, low), 0.025, 1e-8);
        if (s < n) closeRel(binomialCdf(s, n, high), 0.025, 1e-8);
      }),
    );
  });

  it('covers the true rate at least 95 % of the time for every rate on a grid (exact sum)', () => {
    for (const n of [1, 5, 20, 50]) {
      const intervals = Array.from({ length: n + 1 }, (_, s) => clopperPearsonInterval(s, n));
      for (let p = 0.005; p < 1; p += 0.01) {
        let coverage = 0;
        intervals.forEach(({ low, high }, s) => (coverage += low <= p && p <= high ? pmf(s, n, p) : 0));
        expect(coverage).toBeGreaterThanOrEqual(0.95 - 1e-12);
      }
    }
  });
});

describe('betaQuantile and normalCdf', () => {
  it('inverts the regularised incomplete beta', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 500 }),
        (p, a, b) => {
          const x = betaQuantile(p, a, b);
          // I_x(a, b) for integer a, b is P(Bin(a + b − 1, x) ≥ a)
          closeRel(binomialUpperTail(a, a + b - 1, x), p, 1e-7);
        },
      ),
    );
  });

  // mpmath's ncdf at 50 digits, printed to 17.
  /* eslint-disable no-loss-of-precision -- mpmath's digits as printed; a double keeps what it can */
  it.each([
    [1.96, 0.97500210485177956],
    [-3, 0.0013498980316300945],
    [-8, 6.2209605742717841e-16],
    [0.5, 0.6914624612740131],
    [0, 0.5],
  ])('Φ(%p) = %p', (x, expected) => closeRel(normalCdf(x), expected, 1e-13));
  /* eslint-enable no-loss-of-precision */
});

describe('hoeffdingBentkusPValue', () => {
  // Bates et al. (2021) eq. for p^HB, in the form for H0: E[Y] ≤ mu0: min(exp(−n·h1(ȳ, mu0)), e·P(Bin(n, mu0) ≥ ⌊nȳ⌋)),
  // evaluated at 50 digits (mpmath, exact binomial sums) — both halves, so each is pinned.
  it.each([
    [5, 0.25, 0.2, 0.963762884679351],
    [20, 0.5, 0.25, 0.0376873926404057],
    [50, 0.3, 0.1, 0.00020071435867148],
    [200, 0.21, 0.15, 0.0381845567862606],
    [10, 0.7, 0.5, 0.439187528538054],
  ])('n = %p, ȳ = %p, mu0 = %p → %p', (n, mean, mu0, expected) =>
    closeRel(hoeffdingBentkusPValue(n, mean, mu0), expected, 1e-9),
  );

  it('is 1 when the mean does not exceed mu0, or without contacts', () => {
    expect(hoeffdingBentkusPValue(10, 0.3, 0.3)).toBe(1);
    expect(hoeffdingBentkusPValue(10, 0.2, 0.3)).toBe(1);
    expect(hoeffdingBentkusPValue(0, 0.9, 0.3)).toBe(1);
  });
});

describe('bettingPValue', () => {
  /** The test's e-value from the actual values: the average over the bets of Π(1 + λ(y − mu0)/mu0). */
  const bets = Array.from({ length: 20 }, (_, i) => (i + 0.5) / 20);
  const actualPValue = (values: number[], mu0: number) =>
    Math.min(
      1,
      1 /
        (bets.reduce((sum, l) => sum + Math.exp(values.reduce((s, y) => s + Math.log1p((l * (y - mu0)) / mu0), 0)), 0) /
          bets.length),
    );
  const moments = (values: number[]) => {
    const mean = values.reduce((s, y) => s + y, 0) / values.length;
    return { mean, variance: values.reduce((s, y) => s + (y - mean) ** 2, 0) / values.length };
  };

  it('never claims more evidence than the capital of the actual values (its lower bound is valid)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (values, mu0) => {
          const { mean, variance } = moments(values);
          expect(bettingPValue(values.length, mean, variance, mu0)).toBeGreaterThanOrEqual(
            actualPValue(values, mu0) * (1 - 1e-9),
          );
        },
      ),
    );
  });

  it('is exact for values on {0, y}, the two-point case the bound is attained at', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 0.95, noNaN: true }),
        (ones, zeros, y, mu0) => {
          const values = [...Array<number>(ones).fill(y), ...Array<number>(zeros).fill(0)];
          const { mean, variance } = moments(values);
          fc.pre(mean > mu0);
          closeRel(bettingPValue(values.length, mean, variance, mu0), actualPValue(values, mu0), 1e-7);
        },
      ),
    );
  });
});

describe('holmAdjust', () => {
  // Wikipedia, "Holm–Bonferroni method", example: four p-values at α = 0.05; H1 and H4 rejected, H2 and H3 not.
  it('matches the textbook example', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005], 0.05);
    expect(adjusted.map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(adjusted.map((p) => p <= 0.05)).toEqual([true, false, false, true]);
  });

  it('rejects at least what Bonferroni rejects and never what the unadjusted test keeps', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }), (ps) => {
        const adjusted = holmAdjust(ps, 0.05);
        ps.forEach((p, i) => {
          if (p * ps.length <= 0.05) expect(adjusted[i]).toBeLessThanOrEqual(0.05);
          if (p > 0.05) expect(adjusted[i]).toBeGreaterThan(0.05);
          expect(adjusted[i]).toBeGreaterThanOrEqual(p);
        });
      }),
    );
  });

  it('with a per-claim cap, rejects nothing above the cap and a subset of plain Holm', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.2, noNaN: true }), { maxLength: 10 }), (ps) => {
        const capped = holmAdjust(ps, 0.05, 0.025);
        const plain = holmAdjust(ps, 0.05);
        ps.forEach((p, i) => {
          if (capped[i] <= 0.05) {
            expect(p).toBeLessThanOrEqual(0.025);
            expect(plain[i]).toBeLessThanOrEqual(0.05);
          }
        });
      }),
    );
    expect(holmAdjust([0.03], 0.05, 0.025)[0]).toBeCloseTo(0.06, 12); // alone: p = 0.03 is above the cap
  });

  it('is monotone in the order of the p-values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }), (ps) => {
        const adjusted = holmAdjust(ps);
        ps.forEach((p, i) => ps.forEach((q, j) => p < q && expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j])));
      }),
    );
  });
});

describe('quantileRanks', () => {
  // The median: the tabulated order-statistic ranks (e.g. Conover, table A3 / Nair 1940): n = 10 → 2 and 9 at
  // coverage 0.9785; the others and the other quantiles from exact rational sums (Python fractions).
  it.each([
    [10, 0.5, 2, 9, 0.978515625],
    [20, 0.5, 6, 15, 0.9586105346679688],
    [6, 0.5, 1, 6, 0.96875],
    [200, 0.5, 86, 115, 0.9599628083866005],
    [50, 0.9, 41, 50, 0.9703082890880884],
    [36, 0.9, 29, 36, 0.9539621052026521],
    [100, 0.9, 84, 96, 0.955690107191223],
    [30, 0.25, 3, 13, 0.9678104884367237],
  ])('n = %p, q = %p → ranks %p and %p, coverage %p', (n, q, lower, upper, coverage) => {
    const ranks = quantileRanks(n, q)!;
    expect(ranks.lower).toBe(lower);
    expect(ranks.upper).toBe(upper);
    expect(ranks.coverage).toBeCloseTo(coverage, 12);
  });

  it('is null when the sample cannot reach the confidence (the p90 below n = 36, the median below 6)', () => {
    expect(quantileRanks(35, 0.9)).toBeNull();
    expect(quantileRanks(5, 0.5)).toBeNull();
    expect(quantileRanks(0, 0.9)).toBeNull();
  });

  it('gives medianRanks for q = ½ and has at least the confidence otherwise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (n, q) => {
        expect(quantileRanks(n, 0.5)).toEqual(medianRanks(n));
        const ranks = quantileRanks(n, q);
        if (ranks) {
          expect(ranks.coverage).toBeGreaterThanOrEqual(0.95 - 1e-12);
          expect(1 <= ranks.lower && ranks.lower < ranks.upper && ranks.upper <= n).toBe(true);
        }
      }),
    );
  });
});

describe('boundedMeanInterval', () => {
  it('is never of zero width, even when every rating is the same', () => {
    for (const n of [1, 2, 5, 20, 200, 5000]) {
      for (const mean of [1, 3, 4, 5]) {
        const { low, high } = boundedMeanInterval(n, mean, 0, 1, 5);
        expect(low).toBeLessThanOrEqual(mean);
        expect(high).toBeGreaterThanOrEqual(mean);
        expect(high - low).toBeGreaterThan(0);
      }
    }
  });

  it('is the scale without contacts and shrinks as contacts grow', () => {
    expect(boundedMeanInterval(0, 0, null, 1, 5)).toEqual({ low: 1, high: 5 });
    let width = Infinity;
    for (const n of [2, 5, 10, 50, 200, 1000]) {
      const { low, high } = boundedMeanInterval(n, 4, 0.8, 1, 5);
      expect(high - low).toBeLessThan(width);
      width = high - low;
    }
  });

  it('inverts the bounded test: its bounds are where each one-sided p-value crosses 2.5 %', () => {
    const { low, high } = boundedMeanInterval(30, 3.9, 1.1, 1, 5);
    const x = (3.9 - 1) / 4;
    const v = (1.1 * 29) / 30 / 16;
    expect(boundedUpperPValue(30, 1 - x, v, 1 - (high - 1) / 4 - 1e-6)).toBeLessThanOrEqual(0.025);
    expect(boundedUpperPValue(30, 1 - x, v, 1 - (high - 1) / 4 + 1e-6)).toBeGreaterThan(0.025);
    expect(boundedUpperPValue(30, x, v, (low - 1) / 4 - 1e-6)).toBeLessThanOrEqual(0.025);
    expect(boundedUpperPValue(30, x, v, (low - 1) / 4 + 1e-6)).toBeGreaterThan(0.025);
  });

  it('refuses a variance the mean cannot have, a mean off the scale and reversed bounds', () => {
    expect(() => boundedMeanInterval(10, 4.8, 2, 1, 5)).toThrow(RangeError);
    expect(() => boundedMeanInterval(10, 5.5, 0, 1, 5)).toThrow(RangeError);
    expect(() => boundedMeanInterval(10, 3, 0, 5, 1)).toThrow(RangeError);
    expect(() => boundedMeanInterval(10, 3, -1, 1, 5)).toThrow(RangeError);
  });
});

describe('judgeClaims: the issue’s cases', () => {
  it('19 answered calls of 20 against a claim of 99.2 % is not contradicted', () => {
    const j = judgeOne(claim(rate(20, 19), { claimed: 0.992 }));
    expect(j.verdict).not.toBe('contradicted');
    closeRel(j.pFlattering!, 0.1484043329148507);
  });

  it('five courtesy ratings of 4 against a claim of 4.2 is not contradicted', () => {
    const j = judgeOne(claim(ratings(5, 4, 0), { claimed: 4.2 }));
    expect(j.verdict).not.toBe('contradicted');
    expect(j.pFlattering).toBeGreaterThan(0.3);
  });

  it('ratings all equal never give a verdict without evidence: equal to the claim is never contradicted', () => {
    for (const n of [1, 2, 5, 10, 50, 200, 2000]) {
      for (const value of [1, 2, 3, 4, 5]) {
        const j = judgeOne(claim(ratings(n, value, 0), { claimed: value, minContacts: 0 }));
        expect(j.verdict).not.toBe('contradicted');
        expect(j.verdict).not.toBe('better_than_claimed');
        expect(j.pFlattering).toBe(1);
      }
    }
    // …and a few equal ratings just below the claim stay uncontradicted too
    expect(judgeOne(claim(ratings(5, 4, 0), { claimed: 4.5 })).verdict).not.toBe('contradicted');
    // while many are evidence: 20 ratings of 4 cannot come from a mean of 4.5 on 1–5 (at most ½^20 likely)
    expect(judgeOne(claim(ratings(20, 4, 0), { claimed: 4.5 })).verdict).toBe('contradicted');
  });

  it('the named case: 48 of 60 against 96 % is contradicted even as one of 20 claims', () => {
    const others = Array.from({ length: 19 }, (_, i) => claim(rate(60, 55), { id: `t${i}`, claimed: 0.9 }));
    const result = judgeClaims([claim(rate(60, 48), { claimed: 0.96 }), ...others]);
    expect(result.get('c')!.verdict).toBe('contradicted');
    expect([...result.values()].filter((j) => j.verdict === 'contradicted')).toHaveLength(1);
  });

  it('a claim of exactly 0 or 1: exact at the edge, never a division by zero', () => {
    const perfect = judgeOne(claim(rate(30, 30), { claimed: 1 }));
    expect(perfect).toMatchObject({ verdict: 'consistent', pFlattering: 1 });
    const oneMiss = judgeOne(claim(rate(30, 29), { claimed: 1 }));
    expect(oneMiss).toMatchObject({ verdict: 'contradicted', pFlattering: 0 }); // a rate of 1 never misses
    const none = judgeOne(claim(rate(30, 0), { claimed: 0 }));
    expect(none.pFlattering).toBe(1);
    expect(none.detectableGap).toBe(0); // a claim of 0 %, higher better, cannot flatter
    expect(none.verdict).toBe('consistent');
    expect(judgeOne(claim(rate(30, 1), { claimed: 0 })).verdict).toBe('better_than_claimed');
    const lowerIsBetter = judgeOne(claim(rate(30, 0), { claimed: 0, better: 'lower' }));
    expect(lowerIsBetter).toMatchObject({ verdict: 'consistent', pFlattering: 1 });
    expect(judgeOne(claim(rate(30, 1), { claimed: 0, better: 'lower' })).verdict).toBe('contradicted');
    for (const j of [perfect, oneMiss, none, lowerIsBetter]) {
      for (const v of [j.pFlattering, j.pBetter, j.pAdjusted, j.detectableGap, j.contactsNeeded])
        expect(Number.isNaN(v)).toBe(false);
    }
  });

  it('n = 0 and n = 1', () => {
    expect(judgeOne(claim(rate(0, 0))).verdict).toBe('too_few_contacts');
    const empty = judgeOne(claim(rate(0, 0), { minContacts: 0 }));
    expect(empty).toMatchObject({ verdict: 'inconclusive', pFlattering: 1, pBetter: 1, detectableGap: null });
    const one = judgeOne(claim(rate(1, 0), { minContacts: 1, claimed: 0.9 }));
    expect(one.verdict).toBe('inconclusive'); // P(a miss | 90 %) = 0.1: no evidence either way
    closeRel(one.pFlattering!, 0.1, 1e-12);
    expect(judgeOne(claim(ratings(0, 0, null), { claimed: 4, minContacts: 0 })).verdict).toBe('inconclusive');
    expect(judgeOne(claim(ratings(1, 1, null), { claimed: 4, minContacts: 1 })).verdict).toBe('inconclusive');
    const wait: Evidence = { kind: 'quantile', q: 0.5, n: 1, above: 1, below: 0 };
    expect(judgeOne(claim(wait, { claimed: 20, better: 'lower', minContacts: 1 })).verdict).toBe('inconclusive');
  });
});

describe('judgeClaims: rules and family', () => {
  it('applies the rules in order: in progress, too few contacts, not tested, tested', () => {
    const result = judgeClaims([
      claim(rate(3, 0), { id: 'running', periodComplete: false }),
      claim(rate(3, 0), { id: 'thin' }),
      claim({ kind: 'descriptive', n: 50 }, { id: 'mean wait', claimed: 60, better: 'lower' }),
      claim(rate(50, 10), { id: 'tested' }),
    ]);
    expect(result.get('running')!.verdict).toBe('in_progress');
    expect(result.get('thin')!.verdict).toBe('too_few_contacts');
    expect(result.get('mean wait')).toMatchObject({
      verdict: 'not_tested',
      pFlattering: null,
      detectableGap: null,
      contactsNeeded: null,
    });
    expect(result.get('tested')!.verdict).toBe('contradicted');
    // claims outside the family still say how many contacts a verdict would take
    expect(result.get('thin')!.contactsNeeded).toBeGreaterThan(5);
    expect(result.get('running')!.pFlattering).toBeNull();
  });

  it('only the tested claims form the family: the in-progress and thin ones do not dilute the level', () => {
    const borderline = claim(rate(40, 31), { id: 'x', claimed: 0.92 }); // p ≈ 0.0076: rejected alone, not among 20
    expect(judgeClaims([borderline]).get('x')!.verdict).toBe('contradicted');
    const spectators = Array.from({ length: 19 }, (_, i) =>
      claim(rate(40, 39), { id: `s${i}`, periodComplete: false }),
    );
    expect(judgeClaims([borderline, ...spectators]).get('x')!.verdict).toBe('contradicted');
    const family = Array.from({ length: 19 }, (_, i) => claim(rate(40, 39), { id: `f${i}` }));
    expect(judgeClaims([borderline, ...family]).get('x')!.verdict).not.toBe('contradicted');
  });

  it('consistent only when the sample could have detected the gap that matters, else inconclusive', () => {
    expect(judgeOne(claim(rate(10, 9))).verdict).toBe('inconclusive');
    const big = judgeOne(claim(rate(400, 362)));
    expect(big.verdict).toBe('consistent');
    expect(big.detectableGap).toBeLessThanOrEqual(0.1);
    expect(judgeOne(claim(rate(400, 362), { gapThatMatters: 0.02 })).verdict).toBe('inconclusive');
  });

  it('better than claimed on the other side', () => {
    const j = judgeOne(claim(rate(50, 49), { claimed: 0.7 }));
    expect(j.verdict).toBe('better_than_claimed');
    expect(j.pAdjusted).toBeCloseTo(2 * j.pBetter!, 12); // alone: the per-claim cap doubles it
  });

  it('refuses invalid input with a RangeError', () => {
    const bad: Array<Partial<ClaimToJudge>> = [
      { claimed: 1.2 },
      { claimed: Number.NaN },
      { evidence: rate(5, 6) },
      { evidence: rate(5.5, 2) },
      { evidence: rate(-1, 0) },
      { minContacts: -1 },
      { gapThatMatters: 0 },
      { evidence: { kind: 'quantile', q: 1, n: 5, above: 1, below: 1 } },
      { evidence: { kind: 'quantile', q: 0.5, n: 5, above: 4, below: 2 } },
      { evidence: { kind: 'quantile', q: 0.5, n: 5, above: 1, below: 1, logSd: 0 } },
      { evidence: ratings(5, 4, 0), claimed: 6 },
      { evidence: ratings(5, 7, 0), claimed: 4 },
      { evidence: ratings(5, 4, 9), claimed: 4 },
    ];
    for (const overrides of bad) expect(() => judgeClaims([claim(rate(10, 5), overrides)])).toThrow(RangeError);
    expect(() => judgeClaims([claim(rate(10, 5)), claim(rate(10, 5))])).toThrow(RangeError); // same id twice
    expect(() => judgeClaims([], { familywiseAlpha: 0 })).toThrow(RangeError);
    expect(() => judgeClaims([], { power: 1 })).toThrow(RangeError);
    expect(judgeClaims([]).size).toBe(0);
  });

  it('is deterministic and independent of the order of the claims', () => {
    const claims = [
      claim(rate(40, 30), { id: 'a', claimed: 0.9 }),
      claim(ratings(30, 3.6, 1), { id: 'b', claimed: 4.1 }),
      claim(rate(80, 70), { id: 'c', claimed: 0.8 }),
    ];
    const forward = judgeClaims(claims);
    const backward = judgeClaims([...claims].reverse());
    for (const id of ['a', 'b', 'c']) expect(backward.get(id)).toEqual(forward.get(id));
  });
});

describe('judgeClaims: validity (exact sums over every possible sample)', () => {
  /** P(contradicted | the claim exactly true), summing the binomial pmf over every count, the claim judged alone. */
  function falseContradicted(n: number, claimed: number, better: 'higher' | 'lower'): number {
    let total = 0;
    for (let s = 0; s <= n; s++) {
      if (judgeOne(claim(rate(n, s), { claimed, better, minContacts: 0 })).verdict === 'contradicted')
        total += pmf(s, n, claimed);
    }
    return total;
  }

  it('a true rate claim is contradicted at most 2.5 % of the time, at every n and claimed value', () => {
    for (const n of [1, 2, 5, 10, 20, 60]) {
      for (const claimed of [0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.992, 0.999, 1]) {
        expect(falseContradicted(n, claimed, 'higher')).toBeLessThanOrEqual(0.025 + 1e-12);
        expect(falseContradicted(n, claimed, 'lower')).toBeLessThanOrEqual(0.025 + 1e-12);
      }
    }
  });

  it('a true median or p90 claim is contradicted at most 2.5 % of the time, ties included', () => {
    // Waits with an atom at the claimed value: P(X > c) = 1 − q − tie·share, P(X < c) = q − (1 − share)·tie.
    for (const q of [0.5, 0.9]) {
      for (const n of [1, 5, 10, 20, 50]) {
        for (const tie of [0, 0.1, 0.2]) {
          const pAbove = Math.max(0, 1 - q - tie / 2);
          let total = 0;
          for (let above = 0; above <= n; above++) {
            const evidence: Evidence = { kind: 'quantile', q, n, above, below: n - above };
            if (judgeOne(claim(evidence, { claimed: 60, better: 'lower', minContacts: 0 })).verdict === 'contradicted')
              total += pmf(above, n, pAbove);
          }
          expect(total).toBeLessThanOrEqual(0.025 + 1e-12);
        }
      }
    }
  });

  it('a true rating claim is contradicted at most 2.5 % of the time, over every sample of n ratings', () => {
    // Two-point ratings {a, b} on a fine grid of weights, the claim at the true mean, both directions; every
    // sample is a count of b's. An outside search over all distributions on 1–5 (exact enumeration, n ≤ 30) found
    // the worst at {1, 5}: 1.25 % at every n (P(5) = 0.584 at n = 5, 0.355 at n = 10), half the level, as the two
    // tests combined by Bonferroni reject nearly the same samples there.
    let worst = 0;
    for (const n of [2, 5, 10]) {
      for (const [a, b] of [
        [1, 5],
        [1, 2],
        [4, 5],
        [2, 4],
        [3, 5],
      ]) {
        for (let i = 1; i < 100; i++) {
          const w = i / 100;
          for (const better of ['higher', 'lower'] as const) {
            let total = 0;
            for (let k = 0; k <= n; k++) {
              const mean = (a * (n - k) + b * k) / n;
              const variance = n < 2 ? null : ((b - a) ** 2 * k * (n - k)) / n / (n - 1);
              const j = judgeOne(
                claim(ratings(n, mean, variance), { claimed: a + (b - a) * w, better, minContacts: 0 }),
              );
              if (j.verdict === 'contradicted') total += pmf(k, n, w);
            }
            worst = Math.max(worst, total);
          }
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(0.025);
    expect(worst).toBeGreaterThan(0.012); // the grid reaches the worst case found, so the check can fail
  });

  it('p-values are monotone: more successes never make a "higher is better" claim look worse', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(),
        (n, claimed, seed) => {
          const s = seed % n;
          const a = judgeOne(claim(rate(n, s), { claimed, minContacts: 0 }));
          const b = judgeOne(claim(rate(n, s + 1), { claimed, minContacts: 0 }));
          expect(b.pFlattering!).toBeGreaterThanOrEqual(a.pFlattering!);
          expect(b.pBetter!).toBeLessThanOrEqual(a.pBetter!);
        },
      ),
    );
  });

  it('bounded p-values are monotone in the mean and in the claimed value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        (n, m1, m2, mu0) => {
          const [lo, hi] = m1 < m2 ? [m1, m2] : [m2, m1];
          const v = lo * (1 - lo) * 0.5;
          expect(boundedUpperPValue(n, hi, Math.min(v, hi * (1 - hi)), mu0)).toBeLessThanOrEqual(
            boundedUpperPValue(n, lo, v, mu0) + 1e-12,
          );
          expect(boundedUpperPValue(n, 0.6, 0.1, Math.min(mu0, 0.59))).toBeLessThanOrEqual(
            boundedUpperPValue(n, 0.6, 0.1, Math.min(mu0, 0.59) + 0.001) + 1e-12,
          );
        },
      ),
    );
  });
});

describe('judgeClaims: detectable gap and contacts needed', () => {
  it('the detectable gap of a rate is where the exact power reaches 80 % at the family level', () => {
    for (const [n, claimed] of [
      [60, 0.96],
      [20, 0.9],
      [200, 0.5],
      [10, 0.99],
    ]) {
      // a family of 20 true-looking claims: level 0.05 / 20
      const family = Array.from({ length: 20 }, (_, i) =>
        claim(rate(n, Math.round(n * claimed)), { id: `k${i}`, claimed }),
      );
      const gap = judgeClaims(family).get('k0')!.detectableGap!;
      // the rejection region at 0.0025, then the power at claimed − gap, by summing the pmf
      let k = -1;
      for (let s = 0; s <= n && binomialCdf(s, n, claimed) <= 0.0025; s++) k = s;
      let power = 0;
      for (let s = 0; s <= k; s++) power += pmf(s, n, claimed - gap);
      expect(power).toBeCloseTo(0.8, 8);
    }
  });

  it('the named case: 60 contacts detect a 15-point gap from 96 % with ≥ 80 % power in a family of 20', () => {
    const family = Array.from({ length: 20 }, (_, i) =>
      claim(rate(60, 58), { id: `k${i}`, claimed: 0.96, gapThatMatters: 0.15 }),
    );
    const j = judgeClaims(family).get('k0')!;
    expect(j.detectableGap).toBeLessThanOrEqual(0.15);
    expect(j.contactsNeeded).toBeLessThanOrEqual(60);
    // exact: k* = 51 at 0.0025, and P(Bin(60, 0.81) ≤ 51) = 0.8295 (Python fractions)
    let power = 0;
    for (let s = 0; s <= 51; s++) power += pmf(s, 60, 0.81);
    expect(power).toBeCloseTo(0.8295304829249038, 10);
  });

  it('contacts needed reaches the power and one fewer does not', () => {
    for (const claimed of [0.5, 0.8, 0.9, 0.95]) {
      const needed = judgeOne(claim(rate(10, 9), { claimed, minContacts: 0 })).contactsNeeded!;
      const power = (n: number) => {
        let k = -1;
        for (let s = 0; s <= n && binomialCdf(s, n, claimed) <= 0.025; s++) k = s;
        return k < 0 ? 0 : binomialCdf(k, n, claimed - 0.1);
      };
      expect(power(needed)).toBeGreaterThanOrEqual(0.8);
      expect(power(needed - 1)).toBeLessThan(0.8);
    }
  });

  it('contacts needed is never below minContacts, and says "more than the cap" for a tiny gap', () => {
    expect(judgeOne(claim(rate(10, 9), { claimed: 0.5, minContacts: 500 })).contactsNeeded).toBe(500);
    const tiny = judgeOne(claim(rate(10, 9), { claimed: 0.5, gapThatMatters: 0.001 }));
    expect(tiny).toMatchObject({ contactsNeeded: null, contactsNeededOverCap: true });
    expect(CONTACTS_NEEDED_CAP).toBe(100_000);
  });

  it('ratings: the gap is taken at the two-point alternative on {min, max}', () => {
    const j = judgeOne(claim(ratings(100, 4.2, 0.6), { claimed: 4.2 }));
    // at that gap, the {1, 5} truth with mean 4.2 − gap: simulate the exact power by summing the pmf over #1s
    const m = (4.2 - 1) / 4;
    const pi1 = 1 - m + j.detectableGap! / 4; // share of 1s under the alternative
    let k = 0;
    while (boundedUpperPValue(100, k / 100, (k / 100) * (1 - k / 100), 1 - m) > 0.025) k++;
    expect(binomialUpperTail(k, 100, pi1)).toBeCloseTo(0.8, 6);
    expect(j.verdict).toBe('inconclusive'); // 100 ratings cannot rule out 0.5 against the worst spread
    expect(j.contactsNeeded).toBeGreaterThan(100);
  });

  it('quantiles: the gap in seconds follows the log-normal scale model, and logSd widens it', () => {
    const evidence = (logSd?: number): Evidence => ({ kind: 'quantile', q: 0.5, n: 100, above: 50, below: 50, logSd });
    const narrow = judgeOne(claim(evidence(0.5), { claimed: 60, better: 'lower' }));
    const wide = judgeOne(claim(evidence(1.5), { claimed: 60, better: 'lower' }));
    expect(narrow.detectableGap!).toBeLessThan(wide.detectableGap!);
    // back-translate: the share above 60 s under the alternative is Φ(ln(1 + gap/60)/σ)
    const share = normalCdf(Math.log1p(narrow.detectableGap! / 60) / 0.5);
    let k = 0;
    while (binomialUpperTail(k, 100, 0.5) > 0.025) k++;
    expect(binomialUpperTail(k, 100, share)).toBeCloseTo(0.8, 8);
    expect(judgeOne(claim(evidence(), { claimed: 0, better: 'lower' })).detectableGap).toBe(0);
  });
});

describe('verdictExplanation', () => {
  it('says what a verdict means and how many false flags to expect, in one sentence', () => {
    expect(verdictExplanation(20)).toBe(
      '"Contradicted" means the test contacts would be very unlikely if the claim were true: ' +
        'even if all 20 claims judged here were true, at most 1 digest in 20 (5 %) would flag any of them wrongly.',
    );
    expect(verdictExplanation(1)).toContain('at most 1 digest in 40 (2.5 %) would flag it wrongly');
    expect(verdictExplanation(0)).toMatch(/none is marked contradicted/);
    expect(verdictExplanation(3, 0.1)).toContain('1 digest in 13 (7.5 %)');
    for (const m of [0, 1, 2, 20, 1000]) expect(verdictExplanation(m).match(/[.!?](\s|$)/g)).toHaveLength(1);
    expect(() => verdictExplanation(-1)).toThrow(RangeError);
  });
});

describe('what a caller is told when a claim or an argument is wrong', () => {
  const judge = (overrides: Partial<ClaimToJudge>) => () => judgeClaims([claim(rate(10, 5), overrides)]);
  const quantile = (over: object) => ({ kind: 'quantile', q: 0.5, n: 5, above: 1, below: 1, ...over }) as Evidence;
  it.each([
    [judge({ id: 7 as unknown as string }), /^claim id must be a string$/],
    [judge({ claimed: Number.NaN }), /^claim c: claimed must be finite \(got NaN\)$/],
    [judge({ better: 'up' as 'higher' }), /^claim c: better must be 'higher' or 'lower'$/],
    [judge({ periodComplete: 'yes' as unknown as boolean }), /^claim c: periodComplete must be a boolean$/],
    [judge({ minContacts: 1.5 }), /^claim c: minContacts must be an integer ≥ 0$/],
    [judge({ minContacts: -1 }), /^claim c: minContacts must be an integer ≥ 0$/],
    [judge({ gapThatMatters: 0 }), /^claim c: gapThatMatters must be > 0$/],
    [judge({ gapThatMatters: Infinity }), /^claim c: gapThatMatters must be > 0$/],
    [judge({ evidence: rate(-1, 0) }), /^claim c: n must be an integer ≥ 0 \(got -1\)$/],
    [judge({ evidence: rate(5, 1.5) }), /^claim c: successes must be an integer ≥ 0 \(got 1.5\)$/],
    [judge({ evidence: rate(5, 6) }), /^claim c: successes must lie in \[0, n\] \(got 6 of 5\)$/],
    [judge({ claimed: 1.2 }), /^claim c: a claimed rate must lie in \[0, 1\] \(got 1.2\)$/],
    [judge({ claimed: -0.1 }), /^claim c: a claimed rate must lie in \[0, 1\] \(got -0.1\)$/],
    [judge({ evidence: ratings(5, 4, 0), claimed: 6 }), /^claim c: claimed must lie in \[1, 5\] \(got 6\)$/],
    [judge({ evidence: ratings(5, 4, 0), claimed: 0.5 }), /^claim c: claimed must lie in \[1, 5\] \(got 0.5\)$/],
    [judge({ evidence: ratings(5, 7, 0), claimed: 4 }), /^mean must lie in \[1, 5\] \(got 7\)$/],
    [judge({ evidence: ratings(5, 4, -1), claimed: 4 }), /^variance must be a finite number ≥ 0 \(got -1\)$/],
    [judge({ evidence: ratings(5, 4, 9), claimed: 4 }), /^variance 9 is more than a mean of 4 on \[1, 5\] allows$/],
    [judge({ evidence: { ...ratings(5, 4, 0), min: 5, max: 1 } as Evidence }), /^a bounded mean needs finite bounds/],
    [judge({ evidence: quantile({ q: 1 }), claimed: 60 }), /^claim c: q must lie in \(0, 1\) \(got 1\)$/],
    [judge({ evidence: quantile({ above: -1 }), claimed: 60 }), /^claim c: above must be an integer ≥ 0 \(got -1\)$/],
    [judge({ evidence: quantile({ below: 0.5 }), claimed: 60 }), /^claim c: below must be an integer ≥ 0 \(got 0.5\)$/],
    [judge({ evidence: quantile({ above: 3, below: 3 }), claimed: 60 }), /^claim c: above \+ below must not exceed n$/],
    [judge({ evidence: quantile({}), claimed: -1 }), /^claim c: a claimed quantile of waits must be ≥ 0 \(got -1\)$/],
    [judge({ evidence: quantile({ logSd: -1 }), claimed: 60 }), /^claim c: logSd must be > 0$/],
    [judge({ evidence: quantile({ logSd: Infinity }), claimed: 60 }), /^claim c: logSd must be > 0$/],
    [judge({ evidence: { kind: 'mean', n: 5 } as unknown as Evidence }), /^claim c: unknown evidence kind mean$/],
    [() => judgeClaims([claim(rate(10, 5)), claim(rate(9, 5))]), /^claim ids must be unique \(c twice\)$/],
    [() => judgeClaims([], { familywiseAlpha: 1 }), /^familywiseAlpha must lie in \(0, 1\) \(got 1\)$/],
    [() => judgeClaims([], { claimAlpha: 0 }), /^claimAlpha must lie in \(0, 1\) \(got 0\)$/],
    [() => judgeClaims([], { power: 0 }), /^power must lie in \(0, 1\) \(got 0\)$/],
    [() => holmAdjust([0.01, 1.5]), /^p-value must lie in \[0, 1\] \(got 1.5\)$/],
    [() => holmAdjust([0.01], 0.05, 1), /^claimAlpha must lie in \(0, 1\) \(got 1\)$/],
    [() => verdictExplanation(1.5), /^familySize must be an integer ≥ 0 \(got 1.5\)$/],
    [() => verdictExplanation(2, 0.05, 0), /^claimAlpha must lie in \(0, 1\) \(got 0\)$/],
    [() => clopperPearsonInterval(3, 2), /^successes must lie in \[0, n\] \(got 3 of 2\)$/],
    [() => clopperPearsonInterval(0, -1), /^n must be an integer ≥ 0 \(got -1\)$/],
    [() => clopperPearsonInterval(1, 2, 0), /^confidence must lie in \(0, 1\) \(got 0\)$/],
    [() => quantileRanks(10, 0), /^q must lie in \(0, 1\) \(got 0\)$/],
    [() => quantileRanks(2.5, 0.9), /^n must be an integer ≥ 0 \(got 2.5\)$/],
    [() => betaQuantile(2, 1, 1), /^prob must lie in \[0, 1\] \(got 2\)$/],
    [() => betaQuantile(0.5, 0, 1), /^beta parameters must be > 0 \(got 0, 1\)$/],
    [() => betaQuantile(0.5, 1, -1), /^beta parameters must be > 0 \(got 1, -1\)$/],
    [() => normalCdf(Number.NaN), /^normalCdf needs a number$/],
  ])('%#: a RangeError naming what is wrong', (call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it('accepts the edges of every range', () => {
    const accepted = (...claims: ClaimToJudge[]) => expect(() => judgeClaims(claims)).not.toThrow();
    accepted(claim(rate(10, 10), { claimed: 1 }), claim(rate(0, 0), { id: 'd', claimed: 0 }));
    accepted(claim(ratings(5, 5, 0), { claimed: 5 }), claim(ratings(5, 1, 0), { id: 'd', claimed: 1 }));
    accepted(claim({ kind: 'quantile', q: 0.9, n: 5, above: 5, below: 0 }, { claimed: 0 }));
    expect(() => judgeClaims([claim(rate(10, 5), { minContacts: 0 })])).not.toThrow();
    expect(verdictExplanation(0)).toMatch(/^No claim/);
  });
});
