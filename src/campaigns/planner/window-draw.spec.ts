import fc from 'fast-check';

import { SeededRandom } from './random.js';
import {
  byStratum,
  type Candidate,
  candidateMarginals,
  drawWindows,
  fitStrata,
  strataFit,
  stratumOf,
  weightedOrder,
} from './window-draw.js';

/**
 * The joint draw of a week's windows, checked against brute force: every set of k starts at least `spacing`
 * apart, weighted by the product of its windows' weights, enumerated one by one.
 */

const HOUR = 3_600_000;
const candidate = (hour: number, day = Math.floor(hour / 24)): Candidate => ({
  start: hour * HOUR,
  end: hour * HOUR + HOUR,
  day,
  block: Math.floor((hour % 24) / 2),
});

/** Every valid set of k indexes (time order) with its probability. */
function enumerate(candidates: Candidate[], weights: ArrayLike<number>, k: number, spacing: number) {
  const gap = Math.max(spacing, 1);
  const sets: Array<{ set: number[]; weight: number }> = [];
  const grow = (set: number[], from: number) => {
    if (set.length === k) {
      sets.push({ set, weight: set.reduce((w, i) => w * weights[i], 1) });
      return;
    }
    for (let i = from; i < candidates.length; i++) {
      const last = set[set.length - 1];
      if (last === undefined || candidates[i].start - candidates[last].start >= gap) grow([...set, i], i + 1);
    }
  };
  grow([], 0);
  const total = sets.reduce((a, s) => a + s.weight, 0);
  return sets.map((s) => ({ ...s, p: s.weight / total }));
}

const smallWeekArb = fc
  .record({
    hours: fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 9 }),
    weights: fc.array(fc.double({ min: 0.05, max: 4, noNaN: true }), { minLength: 9, maxLength: 9 }),
    k: fc.integer({ min: 1, max: 3 }),
    spacingHours: fc.constantFrom(0, 1, 3, 8, 24),
  })
  .map(({ hours, weights, k, spacingHours }) => ({
    candidates: [...hours].sort((a, b) => a - b).map((h) => candidate(h)),
    weights: Float64Array.from(hours, (_, i) => weights[i]),
    k,
    spacing: spacingHours * HOUR,
  }));

describe('candidateMarginals', () => {
  it('is each window’s exact chance of being in the drawn set', () => {
    fc.assert(
      fc.property(smallWeekArb, ({ candidates, weights, k, spacing }) => {
        const sets = enumerate(candidates, weights, k, spacing);
        const marginals = candidateMarginals(candidates, weights, k, spacing);
        const expected = candidates.map((_, i) => sets.reduce((a, s) => a + (s.set.includes(i) ? s.p : 0), 0));
        for (let i = 0; i < candidates.length; i++) expect(marginals[i]).toBeCloseTo(expected[i], 12);
      }),
    );
  });

  it('is zero everywhere when no set of k windows keeps the spacing, and for a window of zero weight', () => {
    const close = [candidate(1), candidate(2), candidate(3)];
    expect([...candidateMarginals(close, Float64Array.of(1, 1, 1), 2, 24 * HOUR)]).toEqual([0, 0, 0]);
    const spread = [candidate(1), candidate(30), candidate(60)];
    const marginals = candidateMarginals(spread, Float64Array.of(1, 0, 1), 2, 24 * HOUR);
    expect(marginals[1]).toBe(0);
    expect(marginals[0]).toBeCloseTo(1, 12);
  });
});

describe('drawWindows', () => {
  it('draws sets with the probabilities brute force gives, each keeping the spacing', () => {
    const candidates = [0, 2, 5, 9, 20, 26, 30].map((h) => candidate(h));
    const weights = Float64Array.of(1, 3, 0.5, 2, 1, 0.25, 4);
    const sets = enumerate(candidates, weights, 2, 6 * HOUR);
    const seen = new Map<string, number>();
    const runs = 4000;
    const rng = new SeededRandom('draw-check');
    for (let run = 0; run < runs; run++) {
      const drawn = drawWindows(candidates, weights, 2, 6 * HOUR, rng).join(',');
      seen.set(drawn, (seen.get(drawn) ?? 0) + 1);
    }
    expect([...seen.keys()].every((key) => sets.some((s) => s.set.join(',') === key))).toBe(true);
    for (const { set, p } of sets) {
      const count = seen.get(set.join(',')) ?? 0;
      expect(Math.abs(count - runs * p)).toBeLessThan(4.5 * Math.sqrt(runs * p * (1 - p)) + 1);
    }
  });

  it('returns up to k windows in time order, as many as the spacing allows', () => {
    fc.assert(
      fc.property(smallWeekArb, fc.string(), ({ candidates, weights, k, spacing }, seed) => {
        const drawn = drawWindows(candidates, weights, k, spacing, new SeededRandom(seed));
        const longest = [1, 2, 3].filter((size) => size <= k && enumerate(candidates, weights, size, spacing).length);
        expect(drawn).toHaveLength(Math.max(0, ...longest));
        for (let i = 1; i < drawn.length; i++) {
          expect(candidates[drawn[i]].start - candidates[drawn[i - 1]].start).toBeGreaterThanOrEqual(
            Math.max(spacing, 1),
          );
        }
      }),
    );
  });

  it('never draws a window of zero weight, nor anything from nothing', () => {
    const candidates = [candidate(1), candidate(2), candidate(3)];
    for (let run = 0; run < 200; run++) {
      const rng = new SeededRandom('zero', String(run));
      expect(drawWindows(candidates, Float64Array.of(0, 1, 0), 1, 0, rng)).toEqual([1]);
      expect(drawWindows(candidates, Float64Array.of(1, 0, 1), 2, 0, rng)).toEqual([0, 2]);
    }
    expect(drawWindows([], new Float64Array(0), 2, 0, new SeededRandom('x'))).toEqual([]);
    expect(drawWindows(candidates, Float64Array.of(1, 1, 1), 0, 0, new SeededRandom('x'))).toEqual([]);
  });

  it('with no spacing still draws different windows, adjacent ones included', () => {
    const candidates = [candidate(1), candidate(2), candidate(3)];
    expect(drawWindows(candidates, Float64Array.of(1, 1, 1), 3, 0, new SeededRandom('x'))).toEqual([0, 1, 2]);
  });
});

describe('fitted weights', () => {
  // Monday to Friday, a window starting each hour from 10:00 to 17:00: 5 days × 4 blocks.
  const week = Array.from({ length: 5 }, (_, d) => [10, 11, 12, 13, 14, 15, 16, 17].map((h) => candidate(d * 24 + h)));
  const candidates = week.flat();

  it('make every weekday × block equally likely to hold a test, the spacing notwithstanding', () => {
    for (const [k, spacing] of [
      [2, 24],
      [3, 20],
      [1, 0],
    ]) {
      const fit = fitStrata(candidates, k, spacing * HOUR);
      const perStratum = [
        ...byStratum(candidates, candidateMarginals(candidates, fit.weights, k, spacing * HOUR)).values(),
      ];
      expect(perStratum).toHaveLength(20);
      for (const p of perStratum) expect(p).toBeCloseTo(k / 20, 2);
      expect(fit.flatness).toBeLessThan(1.005);
      expect(fit.length).toBe(k);
    }
  });

  it('say how many windows a week can hold, and leave a week of one window uniform', () => {
    const twoDays = [candidate(9), candidate(10), candidate(33)];
    expect(fitStrata(twoDays, 3, 24 * HOUR).length).toBe(2);
    const one = fitStrata([candidate(9), candidate(10)], 3, 48 * HOUR);
    expect(one).toEqual({ weights: Float64Array.of(1, 1), flatness: 1, length: 1 });
    expect(fitStrata([], 2, HOUR).length).toBe(0);
    // within a stratum, windows share its weight
    const start = fitStrata([candidate(10), candidate(11), candidate(12)], 1, 0);
    expect([...start.weights]).toEqual([0.5, 0.5, 1]);
  });

  it('keep the flattest weights when a block cannot be made as likely as the others', () => {
    // Monday 09:00 and 10:00 (one block) and Monday 12:00 (another), at most one test a day: flat is reachable;
    // with a Tuesday 09:00 window that every 2-set must hold, it is not.
    const lopsided = [candidate(9), candidate(10), candidate(12), candidate(33)];
    const fit = fitStrata(lopsided, 2, 20 * HOUR);
    expect(fit.flatness).toBeGreaterThan(1.5);
    expect(Number.isFinite(fit.flatness)).toBe(true);
    expect([...fit.weights].every((w) => w > 0 && w <= 1)).toBe(true);
  });

  it('are shared by candidate lists of the same shape, and differ by k and spacing', () => {
    const moved = candidates.map((c) => ({ ...c, start: c.start + 7 * 24 * HOUR, end: c.end + 7 * 24 * HOUR }));
    expect(strataFit(moved, 2, 24 * HOUR)).toBe(strataFit(candidates, 2, 24 * HOUR));
    expect(strataFit(candidates, 2, 24 * HOUR)).toBe(strataFit(candidates, 2, 24 * HOUR));
    expect(strataFit(candidates, 3, 24 * HOUR)).not.toBe(strataFit(candidates, 2, 24 * HOUR));
    expect(strataFit(candidates, 2, 20 * HOUR)).not.toBe(strataFit(candidates, 2, 24 * HOUR));
    expect(stratumOf(candidate(24 + 15))).toBe(12 + 7);
  });
});

describe('weightedOrder', () => {
  it('yields every window of positive weight once, none of zero weight', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0.5, 1, 3), { maxLength: 12 }), fc.string(), (w, seed) => {
        const weights = Float64Array.from(w);
        const indexes = w.map((_, i) => i);
        const order = [...weightedOrder(indexes, weights, new SeededRandom(seed))];
        expect([...order].sort((a, b) => a - b)).toEqual(indexes.filter((i) => w[i] > 0));
      }),
    );
  });

  it('puts each window first with a chance proportional to its weight, and so on down', () => {
    const weights = Float64Array.of(1, 2, 3, 4);
    const first = [0, 0, 0, 0];
    const last = [0, 0, 0, 0];
    const runs = 5000;
    const rng = new SeededRandom('order');
    for (let run = 0; run < runs; run++) {
      const order = [...weightedOrder([0, 1, 2, 3], weights, rng)];
      first[order[0]]++;
      last[order[3]]++;
    }
    for (let i = 0; i < 4; i++) {
      const p = weights[i] / 10;
      expect(Math.abs(first[i] - runs * p)).toBeLessThan(4.5 * Math.sqrt(runs * p * (1 - p)));
    }
    expect(last[0]).toBeGreaterThan(last[3]); // the lightest is most often left for last
  });

  it('only looks at the indexes it is given', () => {
    const order = [...weightedOrder([3, 1], Float64Array.of(1, 1, 1, 1), new SeededRandom('x'))];
    expect(order.sort()).toEqual([1, 3]);
  });
});
