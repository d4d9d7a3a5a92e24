import type { MetricDefinition, MetricSums } from '../metrics/metric-catalogue.js';
import { boundedMeanInterval, clopperPearsonInterval, quantileRanks } from './verdicts.js';
import type { Evidence, Interval, Verdict } from './verdicts.js';

/**
 * Pure pieces of the digest: a claim's evidence from the sums SQL returned, the interval shown beside it,
 * which way its gap points, and the headline. The builder runs the queries; these decide.
 */

/** Counts of a quantile claim's contacts against its claimed value, and the order statistics its interval needs. */
export interface QuantileCounts {
  above: number;
  below: number;
  low: number | null;
  high: number | null;
  logSd: number | null;
}

/** Sample variance (n − 1) from the sums, never below 0 (rounding), null below two values. */
export function sampleVariance(sums: MetricSums): number | null {
  if (sums.n < 2 || sums.sumOfSquares === null) return null;
  return Math.max(0, (sums.sumOfSquares - (sums.sum * sums.sum) / sums.n) / (sums.n - 1));
}

/** The evidence the verdict is drawn from, in the form the metric's test takes. */
export function evidenceOf(metric: MetricDefinition, sums: MetricSums, quantile: QuantileCounts | null): Evidence {
  switch (metric.kind) {
    case 'rate':
      return { kind: 'rate', n: sums.n, successes: Math.round(sums.sum) };
    case 'bounded_mean': {
      const [min, max] = [metric.min ?? 1, metric.max ?? 5];
      const mean = sums.n ? Math.min(max, Math.max(min, sums.sum / sums.n)) : min;
      // rounding must never push the variance past the largest the mean allows on the scale
      const largest = sums.n > 1 ? ((mean - min) * (max - mean) * sums.n) / (sums.n - 1) : 0;
      const variance = sampleVariance(sums);
      return {
        kind: 'bounded_mean',
        n: sums.n,
        mean,
        variance: variance === null ? null : Math.min(variance, largest),
        min,
        max,
      };
    }
    case 'quantile':
      return {
        kind: 'quantile',
        q: metric.q ?? 0.5,
        n: sums.n,
        above: quantile?.above ?? 0,
        below: quantile?.below ?? 0,
        // one wait, or all equal, has no spread to translate a gap by: the verdicts' default then
        logSd: quantile?.logSd && quantile.logSd > 0 ? quantile.logSd : null,
      };
    case 'descriptive':
      return { kind: 'descriptive', n: sums.n };
  }
}

/** How the interval beside a row is made: exact for rates, the bounded test's for ratings, order statistics. */
export type IntervalMethod = 'clopper_pearson' | 'bounded_mean' | 'order_statistics';

/** The 95 % interval beside a row; null with no contacts, for a descriptive metric, or when n is too small. */
export function intervalOf(
  evidence: Evidence,
  quantile: QuantileCounts | null,
): { interval: Interval; method: IntervalMethod } | null {
  if (evidence.n === 0) return null;
  switch (evidence.kind) {
    case 'rate':
      return { interval: clopperPearsonInterval(evidence.successes, evidence.n), method: 'clopper_pearson' };
    case 'bounded_mean': {
      const { n, mean, variance, min, max } = evidence;
      return { interval: boundedMeanInterval(n, mean, variance, min, max), method: 'bounded_mean' };
    }
    case 'quantile':
      return quantile?.low === null || quantile?.high === null || !quantile
        ? null
        : { interval: { low: quantile.low, high: quantile.high }, method: 'order_statistics' };
    case 'descriptive':
      return null;
  }
}

/** The 1-based ranks of a quantile's order-statistic interval at n, or null when n is too small for 95 %. */
export function ranksFor(metric: MetricDefinition, n: number): { lower: number; upper: number } | null {
  if (metric.kind !== 'quantile' || n === 0) return null;
  return quantileRanks(n, metric.q ?? 0.5);
}

/**
 * The fractions percentile_disc takes for those ranks: it returns x(⌈f·n⌉), so half a rank below k gives x(k)
 * whatever the rounding. Nulls when there is no interval.
 */
export function rankFractionsFor(metric: MetricDefinition, n: number): { lower: number | null; upper: number | null } {
  const ranks = ranksFor(metric, n);
  return ranks ? { lower: (ranks.lower - 0.5) / n, upper: (ranks.upper - 0.5) / n } : { lower: null, upper: null };
}

/** Whether observed − claimed is good or bad news: a rise in a transfer rate is worse, in an answer rate better. */
export function gapDirection(better: 'higher' | 'lower', gap: number | null): 'better' | 'worse' | 'same' | null {
  if (gap === null) return null;
  if (gap === 0) return 'same';
  return gap > 0 === (better === 'higher') ? 'better' : 'worse';
}

/** The verdicts of a tested claim (the family Holm runs over). */
export const TESTED_VERDICTS: readonly Verdict[] = [
  'contradicted',
  'better_than_claimed',
  'consistent',
  'inconclusive',
];

/** "2 of 5 claims contradicted", with the claims still running counted apart. */
export const headlineOf = (verdicts: readonly Verdict[]): string =>
  headlineOfCounts({
    rows: verdicts.length,
    running: verdicts.filter((v) => v === 'in_progress').length,
    contradicted: verdicts.filter((v) => v === 'contradicted').length,
  });

/** The headline from a digest's counts of rows, of rows still running and of contradicted ones. */
export function headlineOfCounts(counts: { rows: number; running: number; contradicted: number }): string {
  const { running, contradicted } = counts;
  const judged = counts.rows - running;
  const main = judged
    ? `${contradicted} of ${judged} claim${judged === 1 ? '' : 's'} contradicted`
    : 'No claim\u2019s period ended in this digest';
  return running ? `${main} · ${running} still running` : main;
}
