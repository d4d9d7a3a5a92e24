import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

import { metricByKey } from '../metrics/metric-catalogue.js';
import type { MetricSums } from '../metrics/metric-catalogue.js';
import { judgeFacts } from './unclaimed.js';
import type { FactGroup } from './unclaimed.js';
import { quantileRanks } from './verdicts.js';

/**
 * The false-flag rate of "what nobody claimed" when nothing is wrong: every journey metric of every touchpoint is
 * exactly on its target, and the period before comes from the same distribution. Digests are simulated with a
 * seeded xoroshiro128+ and judged by the real judgeFacts; a digest with any flag is a false alarm. Used by
 * `npm run bench:unclaimed` (the published figures) and by its unit spec (fewer digests).
 */

/** The targets of the simulation: each metric's truth equals them. */
export const SIMULATED_TARGETS: Readonly<Record<string, number>> = {
  median_hold_seconds: 120,
  transfer_rate: 0.2,
  disconnect_rate: 0.1,
  repeat_story_rate: 0.15,
  gave_name_rate: 0.6,
};

export interface FalseFlagOptions {
  touchpoints: number;
  /** Contacts per touchpoint in each of the two periods. */
  contacts: number;
  digests: number;
  seed: number;
  /** Spread of ln(hold) of the log-normal holds (1: a p90 about 3.6 × the median). */
  logSd?: number;
}

export interface FalseFlagResult {
  digests: number;
  /** Tests per digest (targets and periods before). */
  tests: number;
  /** Share of digests with at least one flag, and its standard error. */
  anyFlag: number;
  standardError: number;
  /** Share of single tests that flagged. */
  perTest: number;
}

/** Sums of a rate from 0/1 values. */
const rateSums = (values: number[]): MetricSums => ({
  n: values.length,
  sum: values.reduce((a, b) => a + b, 0),
  sumOfSquares: null,
  value: null,
});

/** Sums of a median, with the value as percentile_cont gives it. */
function medianSums(sorted: number[]): MetricSums {
  const n = sorted.length;
  const mid = (n - 1) / 2;
  const value = n ? sorted[Math.floor(mid)] + (sorted[Math.ceil(mid)] - sorted[Math.floor(mid)]) * (mid % 1) : null;
  return { n, sum: sorted.reduce((a, b) => a + b, 0), sumOfSquares: null, value };
}

export function simulateFalseFlags(options: FalseFlagOptions): FalseFlagResult {
  const rng = xoroshiro128plus(options.seed);
  const uniform = () => uniformFloat64(rng);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const logSd = options.logSd ?? 1;
  const holdTarget = SIMULATED_TARGETS.median_hold_seconds;
  // whole seconds, as the form records them: ties are real
  const hold = () => Math.round(holdTarget * Math.exp(logSd * gaussian()));
  const draw = (p: number) => Array.from({ length: options.contacts }, () => (uniform() < p ? 1 : 0));
  const gaps = Object.fromEntries(Object.keys(SIMULATED_TARGETS).map((k) => [k, metricByKey(k)!.gapThatMatters]));
  let flagged = 0;
  let flags = 0;
  let tests = 0;
  for (let d = 0; d < options.digests; d++) {
    const groups: FactGroup[] = [];
    for (let t = 0; t < options.touchpoints; t++) {
      const scope = { touchpointId: `tp${t}`, team: null, channel: 'phone', scopeLabel: `touchpoint ${t}` };
      for (const key of ['transfer_rate', 'disconnect_rate', 'repeat_story_rate', 'gave_name_rate']) {
        const p = SIMULATED_TARGETS[key];
        groups.push({
          ...scope,
          metric: metricByKey(key)!,
          now: rateSums(draw(p)),
          before: rateSums(draw(p)),
          quantile: null,
        });
      }
      const now = Array.from({ length: options.contacts }, hold).sort((a, b) => a - b);
      const before = Array.from({ length: options.contacts }, hold).sort((a, b) => a - b);
      const pooled = medianSums([...now, ...before].sort((a, b) => a - b)).value!;
      const ranks = quantileRanks(now.length, 0.5);
      groups.push({
        ...scope,
        metric: metricByKey('median_hold_seconds')!,
        now: medianSums(now),
        before: medianSums(before),
        quantile: {
          above: now.filter((x) => x > holdTarget).length,
          below: now.filter((x) => x < holdTarget).length,
          low: ranks ? now[ranks.lower - 1] : null,
          high: ranks ? now[ranks.upper - 1] : null,
          logSd: null,
          nowAbovePooled: now.filter((x) => x > pooled).length,
          beforeAbovePooled: before.filter((x) => x > pooled).length,
        },
      });
    }
    const { facts, familySize } = judgeFacts(groups, {
      targets: SIMULATED_TARGETS,
      minContacts: 5,
      gapThatMatters: gaps,
    });
    const digestFlags = facts.reduce((a, f) => a + f.flags.length, 0);
    flags += digestFlags;
    tests += familySize;
    if (digestFlags) flagged++;
  }
  const anyFlag = flagged / options.digests;
  return {
    digests: options.digests,
    tests: tests / options.digests,
    anyFlag,
    standardError: Math.sqrt((anyFlag * (1 - anyFlag)) / options.digests),
    perTest: tests ? flags / tests : 0,
  };
}
