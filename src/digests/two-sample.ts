import { logGamma } from './statistics.js';

/**
 * Two-sample tests of "this period is worse than the period before", both exact and conditional on the margins of
 * a 2×2 table (Fisher 1935): under the null hypothesis that the two periods' contacts come from one distribution,
 * which contacts fall in which period is a random draw, so the count of bad contacts in this period is
 * hypergeometric whatever that distribution is. The test is exact (its level never exceeds α) and conservative
 * because counts are discrete. Used on rates (a bad contact is a failure of the metric) and on medians (a bad
 * contact waits longer than the pooled median of both periods: Mood's median test, Mood 1950).
 */

/** ln C(n, k). */
function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * P(X ≥ k) for X ~ Hypergeometric(population, successes in it, draws): the chance of k or more successes among
 * `draws` taken without replacement. Summed term by term from the log-pmf (a digest's samples are small).
 */
export function hypergeometricUpperTail(k: number, population: number, successes: number, draws: number): number {
  for (const [name, v] of Object.entries({ k, population, successes, draws })) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be an integer ≥ 0 (got ${v})`);
  }
  if (successes > population || draws > population) {
    throw new RangeError(
      `successes and draws must be at most the population (${successes}, ${draws} of ${population})`,
    );
  }
  const low = Math.max(0, draws + successes - population);
  const high = Math.min(draws, successes);
  if (k <= low) return 1;
  if (k > high) return 0;
  const total = logChoose(population, draws);
  let tail = 0;
  for (let x = k; x <= high; x++) {
    tail += Math.exp(logChoose(successes, x) + logChoose(population - successes, draws - x) - total);
  }
  return Math.min(1, tail);
}

/**
 * One-sided p-value that the current period has a larger share of bad contacts than the previous one: Fisher's
 * exact test, P(X ≥ badNow) with X the bad contacts a random split of all the contacts would put in this period.
 * 1 when either period has no contacts (nothing to compare).
 */
export function worseThanBeforePValue(badNow: number, nNow: number, badBefore: number, nBefore: number): number {
  if (badNow > nNow || badBefore > nBefore) throw new RangeError('bad contacts must be at most the contacts');
  if (nNow === 0 || nBefore === 0) return 1;
  return hypergeometricUpperTail(badNow, nNow + nBefore, badNow + badBefore, nNow);
}
