import { metricByKey, observedOf, sumsOf } from '../metrics/metric-catalogue.js';
import { judgeSafely } from './digest-builder.service.js';
import {
  evidenceOf,
  gapDirection,
  headlineOf,
  intervalOf,
  rankFractionsFor,
  ranksFor,
  sampleVariance,
} from './digest-evidence.js';
import { judgeClaims } from './verdicts.js';

const metric = (key: string) => metricByKey(key)!;

describe('a claim\u2019s evidence from the sums SQL returns', () => {
  it('gives a rate its successes of n', () => {
    const sums = sumsOf({ m_n: '10', m_s: 6 }, 'm_');
    expect(evidenceOf(metric('answer_rate'), sums, null)).toEqual({ kind: 'rate', n: 10, successes: 6 });
    expect(observedOf(metric('answer_rate'), sums)).toBe(0.6);
  });

  it('gives a rating its mean and sample variance on the 1–5 scale, none below two ratings', () => {
    // 4, 4, 5, 3, 4, 4: sum 24, sum of squares 98, variance (98 − 96) / 5 = 0.4
    const sums = sumsOf({ r_n: 6, r_s: 24, r_ss: 98 }, 'r_');
    expect(evidenceOf(metric('courtesy_avg'), sums, null)).toEqual({
      kind: 'bounded_mean',
      n: 6,
      mean: 4,
      variance: 0.4,
      min: 1,
      max: 5,
    });
    expect(sampleVariance(sumsOf({ r_n: 1, r_s: 4, r_ss: 16 }, 'r_'))).toBeNull();
    // all equal: variance exactly 0, never negative from rounding
    expect(sampleVariance({ n: 3, sum: 12.000000000000002, sumOfSquares: 48, value: null })).toBe(0);
  });

  it('gives a quantile its counts against the claim, and a mean wait nothing to test', () => {
    const sums = sumsOf({ q_n: 6, q_s: 810, q_v: 135 }, 'q_');
    const counts = { above: 6, below: 0, low: 60, high: 210, logSd: 0.4 };
    expect(evidenceOf(metric('median_seconds_to_human'), sums, counts)).toEqual({
      kind: 'quantile',
      q: 0.5,
      n: 6,
      above: 6,
      below: 0,
      logSd: 0.4,
    });
    expect(evidenceOf(metric('p90_seconds_to_human'), sums, counts)).toMatchObject({ kind: 'quantile', q: 0.9 });
    // equal waits (or a single one) have no spread of ln(wait): left to the verdicts' default, never 0
    const flat = { ...counts, logSd: 0 };
    expect(evidenceOf(metric('median_seconds_to_human'), sums, flat)).toMatchObject({ logSd: null });
    const judged = judgeClaims([
      {
        id: 'c',
        claimed: 100,
        better: 'lower',
        evidence: evidenceOf(metric('median_seconds_to_human'), sumsOf({ q_n: 6, q_s: 600, q_v: 100 }, 'q_'), flat),
        periodComplete: true,
        minContacts: 5,
        gapThatMatters: 30,
      },
    ]);
    expect(judged.get('c')?.verdict).toBeDefined();
    expect(observedOf(metric('median_seconds_to_human'), sums)).toBe(135);
    expect(evidenceOf(metric('avg_seconds_to_human'), sums, null)).toEqual({ kind: 'descriptive', n: 6 });
    expect(observedOf(metric('avg_seconds_to_human'), sums)).toBe(135);
    expect(observedOf(metric('avg_seconds_to_human'), sumsOf(undefined, 'x'))).toBeNull();
  });

  it('shows the interval of the metric\u2019s own method, and none for a mean wait or no contacts', () => {
    const rate = intervalOf({ kind: 'rate', n: 10, successes: 6 }, null)!;
    expect(rate.method).toBe('clopper_pearson');
    expect(rate.interval.low).toBeCloseTo(0.2624, 4); // R: binom.test(6, 10)
    expect(rate.interval.high).toBeCloseTo(0.8784, 4);
    const rating = intervalOf({ kind: 'bounded_mean', n: 5, mean: 4, variance: 0, min: 1, max: 5 }, null)!;
    expect(rating.method).toBe('bounded_mean');
    expect(rating.interval.high - rating.interval.low).toBeGreaterThan(0); // never zero width
    expect(
      intervalOf(
        { kind: 'quantile', q: 0.5, n: 6, above: 6, below: 0 },
        { above: 6, below: 0, low: 60, high: 210, logSd: null },
      ),
    ).toEqual({
      interval: { low: 60, high: 210 },
      method: 'order_statistics',
    });
    expect(
      intervalOf(
        { kind: 'quantile', q: 0.9, n: 10, above: 1, below: 9 },
        { above: 1, below: 9, low: null, high: null, logSd: null },
      ),
    ).toBeNull();
    expect(intervalOf({ kind: 'descriptive', n: 40 }, null)).toBeNull();
    expect(intervalOf({ kind: 'rate', n: 0, successes: 0 }, null)).toBeNull();
  });
});

describe('the fractions percentile_disc is asked for', () => {
  it('give back exactly the ranks of the interval, percentile_disc(f) being x(⌈f·n⌉), for every n', () => {
    for (const key of ['median_seconds_to_human', 'p90_seconds_to_human']) {
      for (let n = 1; n <= 300; n++) {
        const ranks = ranksFor(metric(key), n);
        const { lower, upper } = rankFractionsFor(metric(key), n);
        if (!ranks) {
          expect({ lower, upper }).toEqual({ lower: null, upper: null });
          continue;
        }
        expect([Math.ceil(lower! * n), Math.ceil(upper! * n)]).toEqual([ranks.lower, ranks.upper]);
      }
    }
  });

  it('are none for a metric without order statistics, or no contacts', () => {
    expect(rankFractionsFor(metric('answer_rate'), 10)).toEqual({ lower: null, upper: null });
    expect(rankFractionsFor(metric('median_seconds_to_human'), 0)).toEqual({ lower: null, upper: null });
  });
});

describe('the gap\u2019s direction', () => {
  it('follows the metric: more transfers is worse, more answers better', () => {
    expect(gapDirection('lower', 0.19)).toBe('worse');
    expect(gapDirection('lower', -0.05)).toBe('better');
    expect(gapDirection('higher', 0.05)).toBe('better');
    expect(gapDirection('higher', -0.36)).toBe('worse');
    expect(gapDirection('higher', 0)).toBe('same');
    expect(gapDirection('lower', null)).toBeNull();
  });
});

describe('the headline', () => {
  it('counts the claims judged, and those still running apart', () => {
    expect(headlineOf(['contradicted', 'consistent', 'too_few_contacts'])).toBe('1 of 3 claims contradicted');
    expect(headlineOf(['inconclusive', 'in_progress', 'in_progress'])).toBe(
      '0 of 1 claim contradicted · 2 still running',
    );
    expect(headlineOf(['in_progress'])).toBe('No claim\u2019s period ended in this digest · 1 still running');
    expect(headlineOf([])).toBe('No claim\u2019s period ended in this digest');
  });
});

describe('judgeSafely', () => {
  it('shows a claim the verdicts refuse as not tested, and judges the others as if it were not there', () => {
    const rate = (id: string, claimed: number) => ({
      id,
      claimed,
      better: 'higher' as const,
      evidence: { kind: 'rate' as const, n: 20, successes: 5 },
      periodComplete: true,
      minContacts: 5,
      gapThatMatters: 0.1,
    });
    const judged = judgeSafely([rate('good', 0.9), rate('bad', 1.7)]);
    expect(judged.get('bad')).toMatchObject({ verdict: 'not_tested', pFlattering: null });
    expect(judged.get('good')).toEqual(judgeClaims([rate('good', 0.9)]).get('good'));
  });
});
