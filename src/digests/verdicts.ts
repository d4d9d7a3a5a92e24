/**
 * Verdicts on claims: pure functions from each claim's aggregated evidence to a verdict, with
 * familywise control over a digest. No I/O; STATISTICS.md gives every method with its reference.
 *
 * - Rates: exact one-sided binomial test (Clopper & Pearson 1934); Clopper–Pearson interval.
 * - Bounded means (ratings 1–5): Hoeffding–Bentkus (Bates et al. 2021) and a betting test whose capital is
 *   bounded below from the mean and variance alone, combined by Bonferroni; the interval inverts the same test.
 * - Quantiles (median, p90 of waits): distribution-free sign test on the counts above / below the claim;
 *   order-statistic interval.
 * - Descriptive metrics (the mean wait): shown, never judged (Bahadur & Savage 1956).
 * - The family (the claims judged in one call): Holm (1979) step-down on each side, no claim above 2.5 %.
 *
 * Everything is deterministic; invalid input throws a RangeError, as in statistics.ts.
 */
import { type Interval, logGamma, medianRanks, normalQuantile, regularisedIncompleteBeta } from './statistics.js';

export type { Interval };

export type Verdict =
  | 'contradicted'
  | 'better_than_claimed'
  | 'consistent'
  | 'inconclusive'
  | 'in_progress'
  | 'too_few_contacts'
  | 'not_tested';

/** Every verdict a digest row can carry, in the order a reader scans them. */
export const VERDICTS: readonly Verdict[] = [
  'contradicted',
  'better_than_claimed',
  'consistent',
  'inconclusive',
  'in_progress',
  'too_few_contacts',
  'not_tested',
];

/** Evidence aggregated in SQL (never raw rows). */
export type Evidence =
  /** Exact one-sided binomial test. */
  | { kind: 'rate'; n: number; successes: number }
  /**
   * A mean of values known to lie in [min, max]: min and max are the SCALE's bounds (1 and 5 for ratings),
   * not the sample's. `variance` is the sample variance (n − 1 denominator, PostgreSQL's `variance()`), null
   * when unknown (then the largest variance the mean allows is assumed). Mean and variance are ignored at n = 0.
   */
  | { kind: 'bounded_mean'; n: number; mean: number; variance: number | null; min: number; max: number }
  /**
   * The q-quantile (q = 0.5 median, 0.9 p90) of values ≥ 0 (waits): counts strictly above / below the claimed
   * value (ties count in neither). `logSd`, the spread of ln(value), only translates a gap in seconds into a
   * share of contacts for the detectable gap (default {@link DEFAULT_LOG_SD}); it never touches the test.
   */
  | { kind: 'quantile'; q: number; n: number; above: number; below: number; logSd?: number | null }
  /** Shown, never judged (e.g. the mean wait). */
  | { kind: 'descriptive'; n: number };

export interface ClaimToJudge {
  id: string;
  claimed: number;
  better: 'higher' | 'lower';
  evidence: Evidence;
  /** false while the claim's own period is still running → 'in_progress' (not part of the family). */
  periodComplete: boolean;
  minContacts: number;
  /** the gap that matters, in the metric's unit (defaults: 0.10 rates, 30 s waits, 0.5 ratings). */
  gapThatMatters: number;
}

export interface Judgement {
  verdict: Verdict;
  /** one-sided p-value, claim true vs truth worse than claimed */
  pFlattering: number | null;
  /** one-sided p-value on the other side */
  pBetter: number | null;
  /** Holm-adjusted p for the verdict reported (the flattering side unless 'better_than_claimed') */
  pAdjusted: number | null;
  /** smallest gap (metric unit, ≥ 0) this sample could detect; null when not tested or when no gap could be */
  detectableGap: number | null;
  /** contacts needed to detect gapThatMatters (never below minContacts); null when not computable or over the cap */
  contactsNeeded: number | null;
  /** true when even {@link CONTACTS_NEEDED_CAP} contacts would not detect gapThatMatters (contactsNeeded is null) */
  contactsNeededOverCap: boolean;
}

export interface JudgeOptions {
  /** familywise error of 'contradicted' (and, separately, of 'better_than_claimed') per call; default 0.05 */
  familywiseAlpha?: number;
  /** no single claim is tested above this one-sided level, whatever the family; default 0.025 */
  claimAlpha?: number;
  /** the power the detectable gap and the contacts needed refer to; default 0.8 */
  power?: number;
}

export const DEFAULT_FAMILYWISE_ALPHA = 0.05;
export const DEFAULT_CLAIM_ALPHA = 0.025;
export const DEFAULT_POWER = 0.8;
/** The search for contactsNeeded stops here; beyond it the answer is "more than" (contactsNeededOverCap). */
export const CONTACTS_NEEDED_CAP = 100_000;
/** Spread of ln(wait) assumed when none is given: a log-normal whose p90 is 3.6 × its median. */
export const DEFAULT_LOG_SD = 1;

const DEFAULT_CONFIDENCE = 0.95;

/**
 * Judges every claim. Rules in order: a period still running → in_progress; n < minContacts →
 * too_few_contacts; descriptive evidence → not_tested; the rest are tested and form the family. On the
 * family, Holm's step-down over the flattering-side p-values gives 'contradicted'; a separate Holm over the
 * other side gives 'better_than_claimed'. Any other tested claim is 'consistent' when the sample could have
 * detected the gap that matters, else 'inconclusive'.
 */
export function judgeClaims(claims: ClaimToJudge[], options: JudgeOptions = {}): Map<string, Judgement> {
  const familywiseAlpha = options.familywiseAlpha ?? DEFAULT_FAMILYWISE_ALPHA;
  const claimAlpha = options.claimAlpha ?? DEFAULT_CLAIM_ALPHA;
  const power = options.power ?? DEFAULT_POWER;
  assertOpenUnit('familywiseAlpha', familywiseAlpha);
  assertOpenUnit('claimAlpha', claimAlpha);
  assertOpenUnit('power', power);
  const seen = new Set<string>();
  for (const claim of claims) {
    validateClaim(claim);
    if (seen.has(claim.id)) throw new RangeError(`claim ids must be unique (${claim.id} twice)`);
    seen.add(claim.id);
  }

  const status = claims.map(statusOf);
  const models = claims.map((c) => (c.evidence.kind === 'descriptive' ? null : testModels(c)));
  const family = claims.flatMap((_, i) => (status[i] === 'tested' ? [i] : []));
  const place = new Map(family.map((i, j) => [i, j]));
  const pFlattering = family.map((i) => models[i]!.flattering.pValue);
  const pBetter = family.map((i) => models[i]!.better.pValue);
  const adjustedFlattering = holmAdjust(pFlattering, familywiseAlpha, claimAlpha);
  const adjustedBetter = holmAdjust(pBetter, familywiseAlpha, claimAlpha);
  // The most stringent level Holm could apply to a claim of this family (a family of one for claims outside it).
  const level = Math.min(familywiseAlpha / Math.max(family.length, 1), claimAlpha);

  const out = new Map<string, Judgement>();
  claims.forEach((claim, i) => {
    const model = models[i]?.flattering ?? null;
    const needed = model === null ? null : contactsNeeded(model, claim, level, power);
    const base = {
      contactsNeeded: needed === null || needed === OVER_CAP ? null : Math.max(needed, claim.minContacts),
      contactsNeededOverCap: needed === OVER_CAP,
    };
    const j = place.get(i);
    if (j === undefined || model === null) {
      out.set(claim.id, {
        verdict: status[i] as Verdict,
        pFlattering: null,
        pBetter: null,
        pAdjusted: null,
        detectableGap: null,
        ...base,
      });
      return;
    }
    const detectableGap = detectableGapOf(model, claim.evidence.n, level, power);
    const contradicted = adjustedFlattering[j] <= familywiseAlpha;
    const better = !contradicted && adjustedBetter[j] <= familywiseAlpha;
    const verdict: Verdict = contradicted
      ? 'contradicted'
      : better
        ? 'better_than_claimed'
        : detectableGap !== null && detectableGap <= claim.gapThatMatters
          ? 'consistent'
          : 'inconclusive';
    out.set(claim.id, {
      verdict,
      pFlattering: pFlattering[j],
      pBetter: pBetter[j],
      pAdjusted: better ? adjustedBetter[j] : adjustedFlattering[j],
      detectableGap,
      ...base,
    });
  });
  return out;
}

/**
 * The contacts a claim's test needs to detect its gap that matters with the digest's power, judged in a family of
 * `familySize` claims (the most stringent level Holm could give it there): the same figure judgeClaims reports as
 * contactsNeeded, for a family not yet judged. Never below minContacts; null for a claim that is never tested (a
 * descriptive metric) or beyond {@link CONTACTS_NEEDED_CAP}. Only the claim, its scale and, for waits, the spread
 * of ln(wait) enter: not the sample's values.
 */
export function contactsNeededFor(claim: ClaimToJudge, familySize: number, options: JudgeOptions = {}): number | null {
  const familywiseAlpha = options.familywiseAlpha ?? DEFAULT_FAMILYWISE_ALPHA;
  const claimAlpha = options.claimAlpha ?? DEFAULT_CLAIM_ALPHA;
  const power = options.power ?? DEFAULT_POWER;
  if (!Number.isInteger(familySize) || familySize < 1)
    throw new RangeError(`familySize must be an integer ≥ 1 (got ${familySize})`);
  validateClaim(claim);
  if (claim.evidence.kind === 'descriptive') return null;
  const level = Math.min(familywiseAlpha / familySize, claimAlpha);
  const needed = contactsNeeded(testModels(claim).flattering, claim, level, power);
  return needed === OVER_CAP ? null : Math.max(needed, claim.minContacts);
}

/**
 * Holm's (1979) step-down adjusted p-values, with no hypothesis rejected above `claimAlpha`: the i-th smallest
 * p is rejected at familywiseAlpha iff every p up to it satisfies p ≤ min(familywiseAlpha / (m − j + 1),
 * claimAlpha), i.e. iff its adjusted p ≤ familywiseAlpha. It rejects a subset of Holm's, so the familywise
 * error stays ≤ familywiseAlpha. With claimAlpha = familywiseAlpha this is plain Holm.
 */
export function holmAdjust(
  pValues: readonly number[],
  familywiseAlpha = DEFAULT_FAMILYWISE_ALPHA,
  claimAlpha = familywiseAlpha,
): number[] {
  assertOpenUnit('familywiseAlpha', familywiseAlpha);
  assertOpenUnit('claimAlpha', claimAlpha);
  for (const p of pValues) assertProbability('p-value', p);
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const floorFactor = familywiseAlpha / claimAlpha;
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, p * Math.max(m - rank, floorFactor)));
    adjusted[i] = running;
  });
  return adjusted;
}

/** One plain sentence for the digest: what a verdict means and how many false flags to expect. */
export function verdictExplanation(
  familySize: number,
  familywiseAlpha = DEFAULT_FAMILYWISE_ALPHA,
  claimAlpha = DEFAULT_CLAIM_ALPHA,
): string {
  if (!Number.isInteger(familySize) || familySize < 0)
    throw new RangeError(`familySize must be an integer ≥ 0 (got ${familySize})`);
  assertOpenUnit('familywiseAlpha', familywiseAlpha);
  assertOpenUnit('claimAlpha', claimAlpha);
  if (familySize === 0) {
    return (
      'No claim in this digest had a finished period and enough contacts to be judged, ' +
      'so none is marked contradicted.'
    );
  }
  const bound = Math.min(familywiseAlpha, familySize * claimAlpha); // Holm, and no claim above claimAlpha
  const percent = `${Number((bound * 100).toPrecision(2))} %`;
  const oneIn = Math.round(1 / bound);
  const which =
    familySize === 1 ? 'the one claim judged here were true' : `all ${familySize} claims judged here were true`;
  const flag = familySize === 1 ? 'flag it' : 'flag any of them';
  return (
    `"Contradicted" means the test contacts would be very unlikely if the claim were true: ` +
    `even if ${which}, at most 1 digest in ${oneIn} (${percent}) would ${flag} wrongly.`
  );
}

// ——— intervals shown beside each row ———

/** Exact (Clopper & Pearson 1934) interval for a rate; n = 0 → [0, 1]. Never narrower than its confidence needs. */
export function clopperPearsonInterval(successes: number, n: number, confidence = DEFAULT_CONFIDENCE): Interval {
  assertOpenUnit('confidence', confidence);
  assertCount('n', n);
  assertCount('successes', successes);
  if (successes > n) throw new RangeError(`successes must lie in [0, n] (got ${successes} of ${n})`);
  if (n === 0) return { low: 0, high: 1 };
  const tail = (1 - confidence) / 2;
  return {
    low: successes === 0 ? 0 : betaQuantile(tail, successes, n - successes + 1),
    high: successes === n ? 1 : betaQuantile(1 - tail, successes + 1, n - successes),
  };
}

/**
 * Interval for a mean of values in [min, max] that inverts the verdicts' own bounded test, each side at
 * (1 − confidence) / 2: valid at every n for any distribution on the scale, and never of zero width
 * (all values equal still leave room on both sides). n = 0 → [min, max].
 */
export function boundedMeanInterval(
  n: number,
  mean: number,
  variance: number | null,
  min: number,
  max: number,
  confidence = DEFAULT_CONFIDENCE,
): Interval {
  assertOpenUnit('confidence', confidence);
  const s = scaledSample({ kind: 'bounded_mean', n, mean, variance, min, max });
  if (n === 0) return { low: min, high: max };
  const tail = (1 - confidence) / 2;
  // ~40 bisection steps per side: memoised, as a digest repeats the same few (n, mean, variance) of ratings
  const [lower, upper] = memo(intervalMemo, `${n}|${s.mean}|${s.variance}|${tail}`, () => [
    // H0: mean ≤ m is rejected for m in [0, L]; H0: mean ≥ m for m in [U, 1]. Both p-values are monotone in m.
    s.mean <= 0 ? 0 : 1 - bisect(1 - s.mean, 1, (m) => boundedUpperPValue(n, s.mean, s.variance, 1 - m) <= tail),
    s.mean >= 1 ? 1 : bisect(s.mean, 1, (m) => boundedUpperPValue(n, 1 - s.mean, s.variance, 1 - m) <= tail),
  ]);
  return { low: min + lower * (max - min), high: min + upper * (max - min) };
}

/**
 * 1-based ranks (l, u) of the equal-tailed order-statistic interval [x(l), x(u)] for the q-quantile
 * (Conover, Practical Nonparametric Statistics, §3.2): l the largest rank with P(B ≤ l − 1) ≤ (1 − confidence) / 2,
 * u the smallest with P(B ≥ u) ≤ (1 − confidence) / 2, B ~ Bin(n, q); coverage = P(l ≤ B ≤ u − 1), exact for
 * continuous values, conservative with ties. null when the sample cannot reach the confidence on both sides
 * (e.g. the p90 at 95 % needs n ≥ 35). q = 0.5 gives medianRanks' answer.
 */
export function quantileRanks(
  n: number,
  q: number,
  confidence = DEFAULT_CONFIDENCE,
): { lower: number; upper: number; coverage: number } | null {
  assertOpenUnit('confidence', confidence);
  assertOpenUnit('q', q);
  assertCount('n', n);
  if (q === 0.5) return medianRanks(n, confidence);
  if (n === 0) return null;
  const tail = (1 - confidence) / 2;
  const below = (k: number) => binomialCdf(k, n, q); // P(B ≤ k)
  const atLeast = (k: number) => binomialUpperTail(k, n, q); // P(B ≥ k)
  if (below(0) > tail || atLeast(n) > tail) return null;
  // largest l with P(B ≤ l − 1) ≤ tail: the first l failing, minus one
  const lower = firstTrue(1, n, (l) => below(l - 1) > tail, Math.floor(n * q)) - 1;
  const upper = firstTrue(1, n, (u) => atLeast(u) <= tail, Math.ceil(n * q));
  return { lower, upper, coverage: 1 - below(lower - 1) - atLeast(upper) };
}

// ——— the tests ———

/** P(Bin(n, p) ≤ k), through the regularised incomplete beta: P = I_{1−p}(n − k, k + 1). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  return regularisedIncompleteBeta(1 - p, p, n - k, k + 1);
}

/** P(Bin(n, p) ≥ k) = I_p(k, n − k + 1), computed on its own side so small tails keep their precision. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return regularisedIncompleteBeta(p, 1 - p, k, n - k + 1);
}

/**
 * Hoeffding–Bentkus p-value (Bates, Angelopoulos, Lei, Malik & Jordan 2021, "Distribution-free,
 * risk-controlling prediction sets", §3) for H0: E[Y] ≤ mu0 against larger, Y in [0, 1], from the sample mean:
 * min(exp(−n·h1(ȳ ∨ mu0, mu0)), e·P(Bin(n, mu0) ≥ ⌊n·ȳ⌋)), h1 the Bernoulli relative entropy.
 */
export function hoeffdingBentkusPValue(n: number, mean: number, mu0: number): number {
  if (n === 0 || mean <= mu0) return 1;
  const hoeffding = Math.exp(-n * bernoulliEntropy(mean, mu0));
  // +1e-9: a sum of whole values read back as a float may fall an ulp short of its integer
  const bentkus = Math.E * binomialUpperTail(Math.floor(n * mean + 1e-9), n, mu0);
  return Math.min(1, hoeffding, bentkus);
}

/**
 * Betting p-value for H0: E[Y] ≤ mu0 (Y in [0, 1]) from n, mean and population variance only. For a fixed bet λ
 * the capital Π(1 + λ(Y_i − mu0)/mu0) has expectation ≤ 1 under H0 (Waudby-Smith & Ramdas 2023). Its log is
 * n·E_emp[ln(1 + λξ)], ξ ≥ −1, and since ln(1 + λξ) has a positive third derivative the empirical distribution
 * with these two moments gives at least the two-point one with mass at ξ = −1 (the Chebyshev–Markov–Krein bound,
 * proof in STATISTICS.md): a lower bound on the capital, so still a valid e-value. The bets are averaged over a
 * fixed grid (an average of e-values is one) and p = 1 / that average.
 */
export function bettingPValue(n: number, mean: number, variance: number, mu0: number): number {
  if (n === 0 || mean <= mu0) return 1;
  if (mu0 <= 0) return 0;
  const shift = (mean - mu0) / mu0; // E_emp[ξ]
  const spread = variance / (mu0 * mu0); // Var_emp[ξ]
  const atMinusOne = spread / (spread + (1 + shift) ** 2);
  const other = shift + spread / (1 + shift);
  let best = -Infinity;
  const logCapitals = BETS.map((lambda) => {
    const perContact =
      (atMinusOne > 0 ? atMinusOne * Math.log1p(-lambda) : 0) + (1 - atMinusOne) * Math.log1p(lambda * other);
    const logCapital = n * perContact;
    best = Math.max(best, logCapital);
    return logCapital;
  });
  const logAverage = best + Math.log(logCapitals.reduce((sum, l) => sum + Math.exp(l - best), 0) / BETS.length);
  return Math.min(1, Math.exp(-logAverage));
}

/** The bets λ of {@link bettingPValue}: 20 evenly spaced in (0, 1), fixed before any data (tried against grids in STATISTICS.md). */
const BETS = Array.from({ length: 20 }, (_, i) => (i + 0.5) / 20);

/** The bounded test: Hoeffding–Bentkus and betting, combined by Bonferroni (twice the smaller p). */
export function boundedUpperPValue(n: number, mean: number, variance: number, mu0: number): number {
  if (n === 0 || mean <= mu0) return 1;
  if (mu0 <= 0) return 0; // H0 leaves only Y ≡ 0, and some Y was above it
  return Math.min(1, 2 * Math.min(hoeffdingBentkusPValue(n, mean, mu0), bettingPValue(n, mean, variance, mu0)));
}

// ——— internals ———

type Status = Verdict | 'tested';

function statusOf(claim: ClaimToJudge): Status {
  if (!claim.periodComplete) return 'in_progress';
  if (claim.evidence.n < claim.minContacts) return 'too_few_contacts';
  if (claim.evidence.kind === 'descriptive') return 'not_tested';
  return 'tested';
}

/**
 * One side of a claim's test, in a common form: a count of n with null rate pi0 at most, rejected when large.
 * On the flattering side it also says how a gap (metric unit) maps to the count's rate under the stated
 * alternative, which is what the detectable gap and the contacts needed are computed from.
 */
interface SideModel {
  pValue: number;
  /** the null rate of the count (rates, quantiles) or the scaled claimed mean (bounded) */
  pi0: number;
  /** the largest gap the metric allows on this side (Infinity when unbounded) */
  room: number;
  /** smallest count rejected at `level` for this n, or null when no count is */
  critical(n: number, level: number): number | null;
  /** alternative's rate → gap (metric unit), and back */
  toGap(pi: number): number;
  toPi(gap: number): number;
  /** what identifies the model for memoising (everything but the sample) */
  key: string;
}

function testModels(claim: ClaimToJudge): { flattering: SideModel; better: SideModel } {
  const { evidence: e, claimed } = claim;
  const higher = claim.better === 'higher';
  switch (e.kind) {
    case 'rate': {
      // Count failures against a "higher is better" claim (and successes against "lower"): rejected when large.
      const failures = countModel('rate', e.n, e.n - e.successes, 1 - claimed);
      const successes = countModel('rate', e.n, e.successes, claimed);
      return higher ? { flattering: failures, better: successes } : { flattering: successes, better: failures };
    }
    case 'quantile': {
      // Under "true q-quantile ≤ c", #above ≤st Bin(n, 1 − q); under "≥ c", #below ≤st Bin(n, q) (ties in neither).
      const logSd = e.logSd ?? DEFAULT_LOG_SD;
      const above = countModel('quantile', e.n, e.above, 1 - e.q, quantileShift(claimed, e.q, logSd, 'up'));
      const below = countModel('quantile', e.n, e.below, e.q, quantileShift(claimed, e.q, logSd, 'down'));
      return higher ? { flattering: below, better: above } : { flattering: above, better: below };
    }
    case 'bounded_mean': {
      const s = scaledSample(e);
      const m = (claimed - e.min) / (e.max - e.min);
      const range = e.max - e.min;
      // Y = 1 − x tests "mean ≥ claimed" (rejected when low), Y = x tests "mean ≤ claimed".
      const low = boundedModel(e.n, 1 - s.mean, s.variance, 1 - m, range);
      const high = boundedModel(e.n, s.mean, s.variance, m, range);
      return higher ? { flattering: low, better: high } : { flattering: high, better: low };
    }
    case 'descriptive':
      throw new RangeError('descriptive evidence is never tested'); // unreachable: statusOf stops it first
  }
}

/** Maps a gap in the metric's unit to the share beyond the claimed value, for the quantile tests. */
interface Shift {
  room: number;
  toGap: (pi: number) => number;
  toPi: (gap: number) => number;
  key: string;
}

/**
 * The stated alternative for quantiles: log-normal values whose q-quantile sits `gap` beyond the claimed value c,
 * with spread logSd, i.e. a change of scale. 'up' (truth above c): P(X > c) = Φ(ln(1 + gap/c)/σ − z_q);
 * 'down' (truth below c): P(X < c) = Φ(z_q + ln(c/(c − gap))/σ), the gap at most c.
 */
function quantileShift(c: number, q: number, logSd: number, direction: 'up' | 'down'): Shift {
  const zq = normalQuantile(q);
  const key = `${c}|${q}|${logSd}|${direction}`;
  if (direction === 'up') {
    return {
      room: Infinity,
      toPi: (gap) => (c === 0 ? (gap > 0 ? 1 : 1 - q) : normalCdf(Math.log1p(gap / c) / logSd - zq)),
      toGap: (pi) => (c === 0 ? 0 : c * Math.expm1(logSd * (zq + normalQuantile(pi)))),
      key,
    };
  }
  return {
    room: c,
    toPi: (gap) => (gap >= c ? 1 : normalCdf(zq - Math.log1p(-gap / c) / logSd)),
    toGap: (pi) => -c * Math.expm1(-logSd * (normalQuantile(pi) - zq)),
    key,
  };
}

/** An exact binomial side: count of n, null rate pi0; rates use the identity shift (gap = rate difference). */
function countModel(kind: string, n: number, count: number, pi0: number, shift?: Shift): SideModel {
  const p = clampProbability(pi0);
  return {
    pValue: binomialUpperTail(count, n, p),
    pi0: p,
    room: shift ? shift.room : 1 - p,
    critical: (size, level) => criticalCount(size, p, level),
    toGap: shift ? shift.toGap : (pi) => pi - p,
    toPi: shift ? shift.toPi : (gap) => Math.min(1, p + gap),
    key: `${kind}|${p}|${shift?.key ?? ''}`,
  };
}

/** The bounded side; its power is taken at the two-point alternative on {min, max}, the largest variance a mean allows. */
function boundedModel(n: number, mean: number, variance: number, mu0: number, range: number): SideModel {
  const m = clampProbability(mu0);
  return {
    pValue: boundedUpperPValue(n, mean, variance, m),
    pi0: m,
    room: (1 - m) * range,
    critical: (size, level) => boundedCriticalCount(size, m, level),
    toGap: (pi) => (pi - m) * range,
    toPi: (gap) => Math.min(1, m + gap / range),
    key: `bounded|${m}|${range}`,
  };
}

/**
 * The smallest gap d such that the flattering-side test at `level` rejects with probability ≥ power when the
 * truth is d worse than claimed: with critical count K, the alternative's rate π solves P(Bin(n, π) ≥ K) = power,
 * i.e. π is the Beta(K, n − K + 1) quantile at `power`. No room on the flattering side → 0 (nothing to detect).
 */
function detectableGapOf(model: SideModel, n: number, level: number, power: number): number | null {
  if (model.room <= 0) return 0;
  const k = memo(criticalMemo, `${model.key}|${n}|${level}`, () => model.critical(n, level));
  if (k === null) return null;
  const gap = model.toGap(betaQuantile(power, k, n - k + 1));
  return Number.isFinite(gap) ? Math.max(0, Math.min(gap, model.room)) : null;
}

const OVER_CAP = -1;

/**
 * The smallest n at which the flattering-side test reaches `power` against a truth gapThatMatters worse than
 * claimed (the gap capped at the metric's room). The power of an exact test saw-tooths in n, so the search —
 * galloping from a normal approximation, then bisection — returns an n that reaches the power with n − 1 not
 * reaching it, not always the very first such n. OVER_CAP beyond CONTACTS_NEEDED_CAP.
 */
function contactsNeeded(model: SideModel, claim: ClaimToJudge, level: number, power: number): number {
  if (model.room <= 0) return claim.minContacts;
  const pi1 = model.toPi(Math.min(claim.gapThatMatters, model.room));
  return memo(neededMemo, `${model.key}|${pi1}|${level}|${power}`, () => {
    const reaches = (size: number) => {
      const k = memo(criticalMemo, `${model.key}|${size}|${level}`, () => model.critical(size, level));
      return k !== null && binomialUpperTail(k, size, pi1) >= power;
    };
    const n = firstTrue(1, CONTACTS_NEEDED_CAP, reaches, normalSampleSize(model.pi0, pi1, level, power));
    return n > CONTACTS_NEEDED_CAP ? OVER_CAP : n;
  });
}

/** Smallest k in [1, n] with P(Bin(n, pi0) ≥ k) ≤ level, or null. */
function criticalCount(n: number, pi0: number, level: number): number | null {
  if (n === 0 || pi0 >= 1) return null;
  if (pi0 <= 0) return 1;
  if (binomialUpperTail(n, n, pi0) > level) return null;
  const hint = Math.ceil(n * pi0 + normalQuantile(1 - level) * Math.sqrt(n * pi0 * (1 - pi0)));
  return firstTrue(1, n, (k) => binomialUpperTail(k, n, pi0) <= level, hint);
}

/** Smallest count of Y = 1 in a {0, 1} sample of n that the bounded test rejects at `level`, or null. */
function boundedCriticalCount(n: number, mu0: number, level: number): number | null {
  if (n === 0 || mu0 >= 1) return null;
  const rejects = (k: number) => {
    const mean = k / n;
    return boundedUpperPValue(n, mean, mean * (1 - mean), mu0) <= level;
  };
  if (!rejects(n)) return null;
  const hint = Math.ceil(n * mu0 + normalQuantile(1 - level) * Math.sqrt(n * mu0 * (1 - mu0)));
  return firstTrue(1, n, rejects, hint);
}

/** Normal-approximation sample size for a one-sided test of pi0 against pi1 > pi0: only a starting point. */
function normalSampleSize(pi0: number, pi1: number, level: number, power: number): number {
  if (!(pi1 > pi0)) return CONTACTS_NEEDED_CAP;
  const z = normalQuantile(1 - level) * Math.sqrt(pi0 * (1 - pi0)) + normalQuantile(power) * Math.sqrt(pi1 * (1 - pi1));
  const n = Math.ceil((z / (pi1 - pi0)) ** 2);
  return Number.isFinite(n) ? Math.min(Math.max(n, 1), CONTACTS_NEEDED_CAP) : CONTACTS_NEEDED_CAP;
}

// Caches for the pure power computations: a digest of 20,000 claims repeats the same (rate, n, level) often.
const criticalMemo = new Map<string, number | null>();
const neededMemo = new Map<string, number>();
const intervalMemo = new Map<string, [number, number]>();
const MEMO_LIMIT = 200_000;

function memo<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  if (cache.has(key)) return cache.get(key)!;
  if (cache.size >= MEMO_LIMIT) cache.clear();
  const value = compute();
  cache.set(key, value);
  return value;
}

/**
 * Smallest integer k in [lo, hi] with pred(k), for pred false then true; hi + 1 when none. Gallops from `hint`
 * (a good guess saves most of the evaluations), then bisects.
 */
function firstTrue(lo: number, hi: number, pred: (k: number) => boolean, hint: number): number {
  const start = Math.min(Math.max(Math.round(hint), lo), hi);
  let bad: number; // pred(bad) false, or lo − 1
  let good: number; // pred(good) true, or hi + 1
  if (pred(start)) {
    good = start;
    bad = lo - 1;
    for (let step = 1; good - step >= lo; step *= 2) {
      if (!pred(good - step)) {
        bad = good - step;
        break;
      }
      good -= step;
    }
  } else {
    bad = start;
    good = hi + 1;
    for (let step = 1; bad + step <= hi; step *= 2) {
      if (pred(bad + step)) {
        good = bad + step;
        break;
      }
      bad += step;
    }
    if (good > hi && bad < hi) {
      if (pred(hi)) good = hi;
      else return hi + 1;
    }
  }
  while (good - bad > 1) {
    const mid = Math.floor((bad + good) / 2);
    if (pred(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/** The point in [lo, hi] where a monotone pred turns from false to true (pred(hi) assumed true), to 1e-12. */
function bisect(lo: number, hi: number, pred: (x: number) => boolean): number {
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (pred(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** x with I_x(a, b) = prob: safeguarded Newton on [0, 1] (Numerical Recipes' rtsafe pattern). */
export function betaQuantile(prob: number, a: number, b: number): number {
  assertProbability('prob', prob);
  if (!(a > 0 && b > 0)) throw new RangeError(`beta parameters must be > 0 (got ${a}, ${b})`);
  if (prob === 0) return 0;
  if (prob === 1) return 1;
  const logBeta = logGamma(a) + logGamma(b) - logGamma(a + b);
  const excess = (x: number) => regularisedIncompleteBeta(x, 1 - x, a, b) - prob; // increasing in x
  const density = (x: number) => Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta);
  let lo = 0;
  let hi = 1;
  let x = a / (a + b);
  for (let i = 0; i < 300; i++) {
    const f = excess(x);
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const d = density(x);
    const newton = x - f / d;
    const next = d > 0 && Number.isFinite(newton) && newton > lo && newton < hi ? newton : (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.max(x, 1e-300) || hi - lo <= 1e-15 * Math.max(hi, 1e-300)) return next;
    x = next;
  }
  return x;
}

/** Standard normal CDF via the regularised incomplete gamma: Φ(x) = ½·Q(½, x²/2) for x < 0. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) throw new RangeError('normalCdf needs a number');
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const tail = 0.5 * upperIncompleteGammaHalf((x * x) / 2);
  return x < 0 ? tail : 1 - tail;
}

/** Q(½, t), the regularised upper incomplete gamma at a = ½ (Numerical Recipes §6.2: series or Lentz). */
function upperIncompleteGammaHalf(t: number): number {
  const a = 0.5;
  if (t <= 0) return 1;
  const front = Math.exp(-t + a * Math.log(t) - logGamma(a));
  if (t < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 1000; k++) {
      term *= t / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - front * sum;
  }
  const tiny = 1e-300;
  let b = t + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

/** h1(a, b) = a·ln(a/b) + (1 − a)·ln((1 − a)/(1 − b)), with 0·ln 0 = 0. */
function bernoulliEntropy(a: number, b: number): number {
  const first = a === 0 ? 0 : a * Math.log(a / b);
  const second = a === 1 ? 0 : (1 - a) * Math.log((1 - a) / (1 - b));
  return first + second;
}

/** Mean and population variance on [0, 1]; the variance is held to what the mean allows (Bhatia–Davis). */
function scaledSample(e: Extract<Evidence, { kind: 'bounded_mean' }>): { mean: number; variance: number } {
  const { n, mean, variance, min, max } = e;
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
    throw new RangeError(`a bounded mean needs finite bounds min < max (got ${min}, ${max})`);
  }
  assertCount('n', n);
  if (n === 0) return { mean: 0.5, variance: 0.25 };
  const range = max - min;
  const slack = 1e-9 * range;
  if (!Number.isFinite(mean) || mean < min - slack || mean > max + slack) {
    throw new RangeError(`mean must lie in [${min}, ${max}] (got ${mean})`);
  }
  const x = Math.min(1, Math.max(0, (mean - min) / range));
  const largest = x * (1 - x);
  if (variance === null || n < 2) return { mean: x, variance: variance === null && n >= 2 ? largest : 0 };
  if (!Number.isFinite(variance) || variance < 0)
    throw new RangeError(`variance must be a finite number ≥ 0 (got ${variance})`);
  const population = (variance * (n - 1)) / n / (range * range);
  if (population > largest * (1 + 1e-6) + 1e-12) {
    throw new RangeError(`variance ${variance} is more than a mean of ${mean} on [${min}, ${max}] allows`);
  }
  return { mean: x, variance: Math.min(population, largest) };
}

function validateClaim(claim: ClaimToJudge): void {
  const { id, claimed, better, evidence: e, minContacts, gapThatMatters } = claim;
  if (typeof id !== 'string') throw new RangeError('claim id must be a string');
  if (!Number.isFinite(claimed)) throw new RangeError(`claim ${id}: claimed must be finite (got ${claimed})`);
  if (better !== 'higher' && better !== 'lower')
    throw new RangeError(`claim ${id}: better must be 'higher' or 'lower'`);
  if (typeof claim.periodComplete !== 'boolean') throw new RangeError(`claim ${id}: periodComplete must be a boolean`);
  if (!Number.isInteger(minContacts) || minContacts < 0)
    throw new RangeError(`claim ${id}: minContacts must be an integer ≥ 0`);
  if (!(gapThatMatters > 0) || !Number.isFinite(gapThatMatters))
    throw new RangeError(`claim ${id}: gapThatMatters must be > 0`);
  assertCount(`claim ${id}: n`, e.n);
  switch (e.kind) {
    case 'rate':
      assertCount(`claim ${id}: successes`, e.successes);
      if (e.successes > e.n)
        throw new RangeError(`claim ${id}: successes must lie in [0, n] (got ${e.successes} of ${e.n})`);
      if (claimed < 0 || claimed > 1)
        throw new RangeError(`claim ${id}: a claimed rate must lie in [0, 1] (got ${claimed})`);
      return;
    case 'bounded_mean':
      scaledSample(e);
      if (claimed < e.min || claimed > e.max)
        throw new RangeError(`claim ${id}: claimed must lie in [${e.min}, ${e.max}] (got ${claimed})`);
      return;
    case 'quantile':
      assertOpenUnit(`claim ${id}: q`, e.q);
      assertCount(`claim ${id}: above`, e.above);
      assertCount(`claim ${id}: below`, e.below);
      if (e.above + e.below > e.n) throw new RangeError(`claim ${id}: above + below must not exceed n`);
      if (claimed < 0) throw new RangeError(`claim ${id}: a claimed quantile of waits must be ≥ 0 (got ${claimed})`);
      if (e.logSd != null && !(e.logSd > 0 && Number.isFinite(e.logSd)))
        throw new RangeError(`claim ${id}: logSd must be > 0`);
      return;
    case 'descriptive':
      return;
    default:
      throw new RangeError(`claim ${id}: unknown evidence kind ${(e as { kind: string }).kind}`);
  }
}

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer ≥ 0 (got ${value})`);
}

function assertOpenUnit(name: string, value: number): void {
  if (!(value > 0 && value < 1)) throw new RangeError(`${name} must lie in (0, 1) (got ${value})`);
}

function assertProbability(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must lie in [0, 1] (got ${value})`);
}

/** Rates computed as 1 − claimed may fall an ulp outside [0, 1]. */
function clampProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}
