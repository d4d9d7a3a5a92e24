import fc from 'fast-check';

import {
  type Interval,
  logGamma,
  medianInterval,
  medianRanks,
  normalQuantile,
  regularisedIncompleteBeta,
  studentTQuantile,
  tInterval,
  wilsonInterval,
} from './statistics.js';

const confidenceArb = fc.double({ min: 0.5, max: 0.999, noNaN: true });
// Pairs at least 1e-6 apart: closer levels differ only by rounding, which may shave an ulp off a bound.
const confidencePairArb = fc
  .tuple(fc.double({ min: 0.5, max: 0.99, noNaN: true }), fc.double({ min: 1e-6, max: 0.009, noNaN: true }))
  .map(([lower, step]) => [lower, lower + step] as const);
const nested = (inner: Interval, outer: Interval) => outer.low <= inner.low && inner.high <= outer.high;

describe('normalQuantile', () => {
  // Standard normal percentage points (two-sided 20 %, 10 %, 5 %, 1 %, 0.1 %), ten decimals as tabulated; scipy's norm.ppf agrees.
  it.each([
    [0.9, 1.2815515655],
    [0.95, 1.644853627],
    [0.975, 1.9599639845],
    [0.995, 2.5758293035],
    [0.9995, 3.2905267315],
  ])('Φ⁻¹(%p) = %p', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 9);
    expect(normalQuantile(1 - p)).toBeCloseTo(-z, 9);
  });

  it('is 0 at ½, infinite at 0 and 1, and rejects what is not a probability', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(1.2)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });

  it('is strictly increasing across the three AS241 regions', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-300, max: 1 - 1e-16, noNaN: true }),
        fc.double({ min: 1e-300, max: 1 - 1e-16, noNaN: true }),
        (a, b) => {
          fc.pre(a < b);
          expect(normalQuantile(a)).toBeLessThanOrEqual(normalQuantile(b));
        },
      ),
    );
  });
});

describe('studentTQuantile', () => {
  // Two-sided 5 % and 1 % critical values of the textbook t table, four decimals; scipy's t.ppf agrees.
  it.each([
    [1, 12.7062, 63.6567],
    [2, 4.3027, 9.9248],
    [5, 2.5706, 4.0321],
    [10, 2.2281, 3.1693],
    [30, 2.0423, 2.75],
    [100, 1.984, 2.6259],
  ])('df = %p: t(0.975) = %p, t(0.995) = %p', (df, t975, t995) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(t975, 4);
    expect(studentTQuantile(0.995, df)).toBeCloseTo(t995, 4);
    expect(studentTQuantile(0.025, df)).toBeCloseTo(-t975, 4);
  });

  // Exact inverses exist for df = 1, 2 and 4 (Shaw 2006, "Sampling Student's T distribution"): an independent check far into the tails.
  const closedForm: Record<number, (p: number) => number> = {
    1: (p) => (p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p))), // tan(π(p − ½)) without the pole's rounding
    2: (p) => (2 * p - 1) / Math.sqrt(2 * p * (1 - p)),
    4: (p) => {
      const alpha = 4 * p * (1 - p);
      const q = Math.cos(Math.acos(Math.sqrt(alpha)) / 3) / Math.sqrt(alpha);
      return Math.sign(p - 0.5) * 2 * Math.sqrt(q - 1);
    },
  };
  it.each([1, 2, 4])('matches the closed form for df = %p to 1e-9 (relative)', (df) => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }), (p) => {
        const expected = closedForm[df](p);
        expect(Math.abs(studentTQuantile(p, df) - expected)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(expected)),
        );
      }),
    );
  });

  it('tends to the normal quantile as df grows, on both sides of the series switch', () => {
    for (const df of [99_999, 100_000, 1e6, 1e12]) {
      const z = 1.9599639845; // first Cornish–Fisher term: t ≈ z + (z³ + z) / 4df
      expect(studentTQuantile(0.975, df)).toBeCloseTo(z + (z ** 3 + z) / (4 * df), 8);
    }
    expect(studentTQuantile(0.975, Infinity)).toBe(normalQuantile(0.975));
  });

  it('is symmetric, increasing in p and shrinking as df grows', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5001, max: 0.9999, noNaN: true }), fc.integer({ min: 1, max: 500 }), (p, df) => {
        const t = studentTQuantile(p, df);
        expect(studentTQuantile(1 - p, df)).toBeCloseTo(-t, 8);
        expect(studentTQuantile(Math.min(p + 1e-4, 0.99999), df)).toBeGreaterThan(t);
        expect(studentTQuantile(p, df + 1)).toBeLessThan(t);
        expect(t).toBeGreaterThan(normalQuantile(p));
      }),
    );
  });

  it('handles the edges and rejects nonsense', () => {
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(1, 7)).toBe(Infinity);
    expect(studentTQuantile(0, 7)).toBe(-Infinity);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, Number.NaN)).toThrow(RangeError);
    expect(() => studentTQuantile(-0.1, 3)).toThrow(RangeError);
  });
});

describe('wilsonInterval', () => {
  // Newcombe (1998), Statistics in Medicine 17:857–872, Table I, method 3 (score, no continuity correction);
  // re-derived from the closed form before use. The last two rows are the mirrors of 0/20 and 1/29.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [20, 20, 0.8389, 1.0],
    [28, 29, 0.8282, 0.9939],
  ])('%p/%p → %p–%p', (k, n, low, high) => {
    const interval = wilsonInterval(k, n);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('gives exact 0 and 1 at the extremes and the whole range when nothing was observed', () => {
    expect(wilsonInterval(0, 20).low).toBe(0);
    expect(wilsonInterval(20, 20).high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('rejects impossible counts and confidences', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 4, 1)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 4, 95)).toThrow(RangeError);
  });

  const countsArb = fc
    .integer({ min: 1, max: 5000 })
    .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

  it('stays within [0, 1] and contains the observed rate', () => {
    fc.assert(
      fc.property(countsArb, confidenceArb, ([k, n], confidence) => {
        const { low, high } = wilsonInterval(k, n, confidence);
        expect(0).toBeLessThanOrEqual(low);
        expect(high).toBeLessThanOrEqual(1);
        expect(low).toBeLessThanOrEqual(k / n);
        expect(k / n).toBeLessThanOrEqual(high);
      }),
    );
  });

  it('mirrors: wilson(k, n) is 1 − wilson(n − k, n)', () => {
    fc.assert(
      fc.property(countsArb, confidenceArb, ([k, n], confidence) => {
        const interval = wilsonInterval(k, n, confidence);
        const mirror = wilsonInterval(n - k, n, confidence);
        expect(interval.low).toBeCloseTo(1 - mirror.high, 12);
        expect(interval.high).toBeCloseTo(1 - mirror.low, 12);
      }),
    );
  });

  it('widens as the confidence rises', () => {
    fc.assert(
      fc.property(countsArb, confidencePairArb, ([k, n], [lower, higher]) => {
        expect(nested(wilsonInterval(k, n, lower), wilsonInterval(k, n, higher))).toBe(true);
      }),
    );
  });
});

describe('tInterval', () => {
  // Student (1908), Biometrika 6:1–25: Cushny & Peebles' extra hours of sleep, drug 2 minus drug 1, ten patients
  // (R's `sleep` data). The paired t-test in R prints the 95 % interval −2.4598858 … −0.7001142 for drug 1 − drug 2,
  // mean −1.58 (e.g. de Vries & Meys, "R For Dummies"); here the sign is flipped.
  it("reproduces Student's sleep-data interval", () => {
    const differences = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4];
    const n = differences.length;
    const mean = differences.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(differences.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
    expect(mean).toBeCloseTo(1.58, 12);
    const { low, high } = tInterval(mean, sd, n);
    expect(low).toBeCloseTo(0.7001142, 6);
    expect(high).toBeCloseTo(2.4598858, 6);
  });

  it('is unbounded below two values and a point when every value is equal', () => {
    expect(tInterval(42, 0, 1)).toEqual({ low: -Infinity, high: Infinity });
    expect(tInterval(42, 3, 0)).toEqual({ low: -Infinity, high: Infinity });
    expect(tInterval(42, 0, 12)).toEqual({ low: 42, high: 42 });
    expect(() => tInterval(42, -1, 12)).toThrow(RangeError);
    expect(() => tInterval(Number.NaN, 1, 12)).toThrow(RangeError);
  });

  const sampleArb = fc.record({
    mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    sd: fc.double({ min: 0, max: 1e4, noNaN: true }),
    n: fc.integer({ min: 2, max: 10_000 }),
  });

  it('is centred on the mean, which it contains', () => {
    fc.assert(
      fc.property(sampleArb, confidenceArb, ({ mean, sd, n }, confidence) => {
        const { low, high } = tInterval(mean, sd, n, confidence);
        expect(low).toBeLessThanOrEqual(mean);
        expect(mean).toBeLessThanOrEqual(high);
        expect(mean - low).toBeCloseTo(high - mean, 6);
      }),
    );
  });

  it('widens as the confidence rises', () => {
    fc.assert(
      fc.property(sampleArb, confidencePairArb, ({ mean, sd, n }, [lower, higher]) => {
        expect(nested(tInterval(mean, sd, n, lower), tInterval(mean, sd, n, higher))).toBe(true);
      }),
    );
  });
});

describe('medianRanks', () => {
  // Coverage of [x(l), x(n+1−l)] is 1 − 2·P(B ≤ l − 1), B ~ Bin(n, ½); cumulative values from the binomial table.
  it('n = 10 at 95 %: (2, 9), since P(B ≤ 1) = 11/1024 = 0.0107 but P(B ≤ 2) = 56/1024 = 0.0547', () => {
    const ranks = medianRanks(10);
    expect(ranks).toMatchObject({ lower: 2, upper: 9 });
    expect(ranks!.coverage).toBeCloseTo(0.9785, 4);
    expect(ranks!.coverage).toBeCloseTo(1 - 22 / 1024, 12);
  });

  it('n = 5 never reaches 95 %: the widest pair (1, 5) covers 1 − 2/32 = 0.9375', () => {
    expect(medianRanks(5)).toBeNull();
    const widest = medianRanks(5, 0.9375);
    expect(widest).toMatchObject({ lower: 1, upper: 5 });
    expect(widest!.coverage).toBeCloseTo(0.9375, 12);
  });

  it.each([
    // n, l, u, coverage — P(B ≤ l−1) and P(B ≤ l) read from the Bin(n, ½) table
    [6, 1, 6, 0.9688], // P(B ≤ 0) = 0.0156, P(B ≤ 1) = 0.1094
    [8, 1, 8, 0.9922], // P(B ≤ 0) = 0.0039, P(B ≤ 1) = 0.0352 → 0.9297 is too little
    [20, 6, 15, 0.9586], // P(B ≤ 5) = 0.0207, P(B ≤ 6) = 0.0577
  ])('n = %p at 95 %: (%p, %p) covering %p', (n, lower, upper, coverage) => {
    const ranks = medianRanks(n);
    expect(ranks).toMatchObject({ lower, upper });
    expect(ranks!.coverage).toBeCloseTo(coverage, 4);
  });

  it('has no pair for zero or one value, and rejects a fractional n', () => {
    expect(medianRanks(0)).toBeNull();
    expect(medianRanks(1, 0.5)).toBeNull();
    expect(() => medianRanks(2.5)).toThrow(RangeError);
  });

  // Independent oracle: exact coverage 1 − 2·Σ_{i<l} C(n, i) / 2ⁿ in integer arithmetic.
  const exactCoverage = (n: number, l: number): number => {
    let choose = 1n;
    let below = 0n;
    for (let i = 0; i < l; i++) {
      below += choose;
      choose = (choose * BigInt(n - i)) / BigInt(i + 1);
    }
    const scale = 10n ** 30n;
    return 1 - (2 * Number((below * scale) / 2n ** BigInt(n))) / Number(scale);
  };

  it('returns the narrowest symmetric pair that reaches the confidence, with its exact coverage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), confidenceArb, (n, confidence) => {
        const ranks = medianRanks(n, confidence);
        if (ranks === null) {
          expect(n < 2 || exactCoverage(n, 1) < confidence).toBe(true);
          return;
        }
        expect(ranks.upper).toBe(n + 1 - ranks.lower);
        expect(ranks.coverage).toBeCloseTo(exactCoverage(n, ranks.lower), 12);
        expect(ranks.coverage).toBeGreaterThanOrEqual(confidence);
        if (ranks.lower + 1 <= n / 2) expect(exactCoverage(n, ranks.lower + 1)).toBeLessThan(confidence);
      }),
    );
  });
});

describe('medianInterval', () => {
  // Worked example: ten waits (seconds) until a person answered; n = 10 → ranks (2, 9) → [x(2), x(9)].
  it('takes the 2nd and 9th of ten sorted waits', () => {
    const waits = [12, 15, 21, 30, 34, 41, 47, 60, 95, 180];
    expect(medianInterval(waits)).toEqual({ low: 15, high: 95 });
    // at 89 % the (3, 8) pair, coverage 1 − 2·56/1024 = 0.8906, is enough
    expect(medianInterval(waits, 0.89)).toEqual({ low: 21, high: 60 });
  });

  it('falls back to [min, max] when too few values reach the confidence, and to (−∞, ∞) when empty', () => {
    expect(medianInterval([40, 50, 60, 70, 80])).toEqual({ low: 40, high: 80 });
    expect(medianInterval([7])).toEqual({ low: 7, high: 7 });
    expect(medianInterval([])).toEqual({ low: -Infinity, high: Infinity });
  });

  it('refuses unsorted or NaN input rather than return a wrong interval', () => {
    expect(() => medianInterval([3, 1, 2])).toThrow(RangeError);
    expect(() => medianInterval([1, Number.NaN, 3])).toThrow(RangeError);
  });

  const sortedArb = fc
    .array(fc.integer({ min: 0, max: 3600 }), { minLength: 1, maxLength: 400 })
    .map((values) => values.sort((a, b) => a - b));

  it('contains the sample median and stays within the data', () => {
    fc.assert(
      fc.property(sortedArb, confidenceArb, (values, confidence) => {
        const { low, high } = medianInterval(values, confidence);
        const n = values.length;
        const median = (values[Math.floor((n - 1) / 2)] + values[Math.ceil((n - 1) / 2)]) / 2;
        expect(values[0]).toBeLessThanOrEqual(low);
        expect(low).toBeLessThanOrEqual(median);
        expect(median).toBeLessThanOrEqual(high);
        expect(high).toBeLessThanOrEqual(values[n - 1]);
      }),
    );
  });

  it('widens as the confidence rises', () => {
    fc.assert(
      fc.property(sortedArb, confidencePairArb, (values, [lower, higher]) => {
        expect(nested(medianInterval(values, lower), medianInterval(values, higher))).toBe(true);
      }),
    );
  });
});

/** |actual − expected| within `tolerance` × |expected| (relative error). */
const expectRelative = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));

// Reference values below marked "mpmath" were computed with mpmath 1.3 at 50 significant digits (inverting ncdf and
// the regularised incomplete beta by findroot), written as the nearest double; the others are tabulated constants.
describe('far into the tails', () => {
  it.each([
    [1e-12, -7.034483825301132],
    [1e-20, -9.262340089798407],
    [1e-50, -14.933337534788489],
    [1e-100, -21.273453560965326],
    [1e-300, -37.0470962993612],
  ])('Φ⁻¹(%p) = %p to 1e-14 (mpmath), and its mirror', (p, z) => {
    expectRelative(normalQuantile(p), z, 1e-14);
    expect(normalQuantile(1 - 2 ** -40)).toBe(-normalQuantile(2 ** -40));
  });

  // Past 1e5 degrees of freedom the quantile comes from a series; it must still hold where every term counts.
  it.each([
    [1e5, 1e-100, 21.29759838971532],
    [1e5, 1e-300, 37.174670665466216],
    [2.5e5, 1e-100, 21.283106002407234],
    [2.5e5, 1e-300, 37.098038356362075],
  ])('t quantile, df = %p, tail %p: %p to 1e-13 (mpmath)', (df, tail, t) => {
    expectRelative(studentTQuantile(tail, df), -t, 1e-13);
  });

  // Real degrees of freedom below 1 (Welch-type df) and between integers, where no closed form exists.
  it.each([
    [0.5, 0.025, 164.55767348048855],
    [0.5, 0.1, 10.270324410234506],
    [0.5, 0.25, 1.5537739740300374],
    [3.7, 0.025, 2.8675207071911895],
    [3.7, 1e-8, 179.37209232102916],
  ])('t quantile, df = %p, tail %p: %p to 1e-12 (mpmath)', (df, tail, t) => {
    expectRelative(studentTQuantile(tail, df), -t, 1e-12);
  });

  // These tails once came out infinite: below 2⁻⁵³ the search started from Φ⁻¹(1 − p) = Φ⁻¹(1) = ∞, and past
  // t ≈ 1e154 the tail was read as 0 (t² overflowed), so no quantile beyond could be found.
  it('finds quantiles far beyond the normal range, and calls infinite only what no double can hold', () => {
    expectRelative(studentTQuantile(1e-20, 10), -256.4346993185262, 1e-13); // mpmath
    for (const p of [1e-20, 1e-150, 1e-200, 1e-300]) {
      expectRelative(studentTQuantile(p, 1), -1 / Math.tan(Math.PI * p), 1e-13); // Cauchy: −cot(πp)
      expectRelative(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-13);
    }
    expect(studentTQuantile(5e-324, 1)).toBe(-Infinity); // −cot(π·5e-324) ≈ −6e322: past the largest double
    expect(studentTQuantile(1e-300, 0.01)).toBe(-Infinity);
    expect(studentTQuantile(1 - 1e-16, 0.01)).toBe(Infinity);
  });

  it('matches the closed forms for df = 1 and 2 to a few ulps, from the centre to 1e-12', () => {
    const tan = (p: number) => (p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p)));
    const two = (p: number) => (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
    for (const p of [1e-12, 1e-6, 0.001, 0.01, 0.1, 0.3, 0.45, 0.55, 0.7, 0.9, 0.99, 0.999]) {
      expectRelative(studentTQuantile(p, 1), tan(p), 1e-14);
      expectRelative(studentTQuantile(p, 2), two(p), 1e-14);
    }
  });
});

describe('the special functions under the verdicts', () => {
  it.each([
    [0.5, 0.5723649429247001], // ln √π
    [0.1, 2.252712651734206],
    [0.25, 1.2880225246980774],
    [1e-5, 11.512919692895826],
    [3.5, 1.2009736023470743],
    [10, 12.801827480081469], // ln 9!
    [100.5, 361.4355404677776],
  ])('ln Γ(%p) = %p to 1e-14 (mpmath)', (x, value) => {
    expectRelative(logGamma(x), value, 1e-14);
  });

  it('has ln Γ(1) = ln Γ(2) = 0 and ln Γ(n + 1) = ln n!', () => {
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(logGamma(2))).toBeLessThan(1e-15);
    let factorial = 1;
    for (let n = 1; n <= 20; n++) {
      factorial *= n;
      expectRelative(logGamma(n + 1), Math.log(factorial), 1e-14);
    }
  });

  // Closed forms of the regularised incomplete beta (DLMF 8.17.2 and its special cases).
  it('gives I_x(a, 1) = xᵃ, I_x(1, b) = 1 − (1 − x)ᵇ and I_x(½, ½) = (2/π)·asin √x, and is 0 at 0 and 1 at 1', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.double({ min: 0.2, max: 40, noNaN: true }),
        (x, a) => {
          const xc = 1 - x;
          expectRelative(regularisedIncompleteBeta(x, xc, a, 1), x ** a, 1e-12);
          expectRelative(regularisedIncompleteBeta(x, xc, 1, a), -Math.expm1(a * Math.log1p(-x)), 1e-12);
          expectRelative(regularisedIncompleteBeta(x, xc, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(x)), 1e-12);
          // I_x(a, b) + I_{1−x}(b, a) = 1
          expect(regularisedIncompleteBeta(x, xc, a, 2.5) + regularisedIncompleteBeta(xc, x, 2.5, a)).toBeCloseTo(
            1,
            13,
          );
        },
      ),
    );
    expect(regularisedIncompleteBeta(0, 1, 3, 4)).toBe(0);
    expect(regularisedIncompleteBeta(1, 0, 3, 4)).toBe(1);
  });
});

describe('two values, many values', () => {
  it('gives two values a wide but finite interval: mean ± t(0.975, 1)·sd/√2', () => {
    const t1 = 12.706204736174705; // tan(0.475π)
    const sd = Math.sqrt(8); // of the values 10 and 14
    const { low, high } = tInterval(12, sd, 2);
    expect(low).toBeCloseTo(12 - (t1 * sd) / Math.SQRT2, 9);
    expect(high).toBeCloseTo(12 + (t1 * sd) / Math.SQRT2, 9);
  });

  // Past 1000 values the binomial terms leave the range of doubles and are summed in logs.
  it.each([1001, 2000, 5000])('median ranks for n = %p match exact integer arithmetic', (n) => {
    const ranks = medianRanks(n)!;
    let choose = 1n;
    let below = 0n;
    const cumulative: bigint[] = []; // cumulative[l] = Σ_{i<l} C(n, i)
    for (let i = 0; i <= n / 2; i++) {
      cumulative.push(below);
      below += choose;
      choose = (choose * BigInt(n - i)) / BigInt(i + 1);
    }
    const coverage = (l: number) => {
      const scale = 10n ** 30n;
      return 1 - (2 * Number((cumulative[l] * scale) / 2n ** BigInt(n))) / Number(scale);
    };
    expect(ranks.upper).toBe(n + 1 - ranks.lower);
    expect(ranks.coverage).toBeCloseTo(coverage(ranks.lower), 12);
    expect(coverage(ranks.lower)).toBeGreaterThanOrEqual(0.95);
    expect(coverage(ranks.lower + 1)).toBeLessThan(0.95);
  });

  // Up to 53 values every coverage is a dyadic fraction a double holds exactly: asking for exactly a pair's
  // coverage must give that pair, not its narrower neighbour through rounding.
  it('selects the pair whose exact coverage is the confidence asked for', () => {
    for (let n = 2; n <= 53; n++) {
      let choose = 1n;
      let below = 0n;
      for (let l = 1; l <= n / 2; l++) {
        below += choose;
        choose = (choose * BigInt(n - l + 1)) / BigInt(l);
        const exact = Number(2n ** BigInt(n) - 2n * below) / 2 ** n;
        if (exact >= 1 || exact <= 0) continue;
        expect(medianRanks(n, exact)).toEqual({ lower: l, upper: n + 1 - l, coverage: exact });
      }
    }
  });
});

describe('what a caller is told when an argument is wrong', () => {
  it.each([
    [() => wilsonInterval(1, Number.NaN), /^n must be a finite number ≥ 0 \(got NaN\)$/],
    [() => wilsonInterval(0, Infinity), /^n must be a finite number ≥ 0/],
    [() => wilsonInterval(0, -1), /^n must be a finite number ≥ 0 \(got -1\)$/],
    [() => wilsonInterval(5, 4), /^successes must lie in \[0, n\] \(got 5 of 4\)$/],
    [() => wilsonInterval(Number.NaN, 4), /^successes must lie in \[0, n\]/],
    [() => wilsonInterval(1, 4, 0), /^confidence must lie in \(0, 1\) \(got 0\)$/],
    [() => wilsonInterval(1, 4, Number.NaN), /^confidence must lie in \(0, 1\)/],
    [() => tInterval(Infinity, 1, 5), /^mean must be finite \(got Infinity\)$/],
    [() => tInterval(1, -1, 5), /^sd must be a finite number ≥ 0 \(got -1\)$/],
    [() => tInterval(1, Infinity, 5), /^sd must be a finite number ≥ 0/],
    [() => tInterval(1, 1, Number.NaN), /^n must be a number$/],
    [() => medianInterval([1, 3, 2]), /^sortedValues must be ascending numbers \(index 2: 2\)$/],
    [() => medianRanks(-1), /^n must be an integer ≥ 0 \(got -1\)$/],
    [() => medianRanks(2.5), /^n must be an integer ≥ 0 \(got 2.5\)$/],
    [() => studentTQuantile(0.9, 0), /^df must be > 0 \(got 0\)$/],
    [() => studentTQuantile(0.9, -2), /^df must be > 0 \(got -2\)$/],
    [() => studentTQuantile(1.5, 3), /^p must lie in \[0, 1\] \(got 1.5\)$/],
    [() => normalQuantile(-0.5), /^p must lie in \[0, 1\] \(got -0.5\)$/],
    [() => normalQuantile(1.5), /^p must lie in \[0, 1\] \(got 1.5\)$/],
  ])('%#: a RangeError naming the argument and its rule', (call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});
