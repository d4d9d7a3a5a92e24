import { performance } from 'node:perf_hooks';

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

import { logGamma, wilsonInterval } from '../src/digests/statistics.js';
import {
  boundedMeanInterval,
  type ClaimToJudge,
  clopperPearsonInterval,
  DEFAULT_CLAIM_ALPHA,
  DEFAULT_FAMILYWISE_ALPHA,
  DEFAULT_POWER,
  type Evidence,
  judgeClaims,
  normalCdf,
  quantileRanks,
} from '../src/digests/verdicts.js';
import { machine } from './support.js';
import { renderVerdictTables, type VerdictsSummary } from './verdicts-tables.js';

/**
 * bench:verdicts — the error rates and power of the digest's verdicts, through the real judgeClaims and
 * interval functions (src/digests/verdicts.ts), with every claim's truth known:
 *
 * A. per-claim false "contradicted" with the claim exactly true, for rates, 1–5 ratings, median and p90 waits,
 *    n ∈ {5, 10, 20, 50, 200}, the worst claimed value / distribution on a grid. Each claim is judged alone: a
 *    family of one gets the highest level any claim can get (2.5 %), so this is the worst case for every family;
 * B. familywise: digests of 20 true claims (a realistic mix of kinds and n, and an all-worst-case mix);
 * C. power for the stated gaps (10 points, 0.5, 30 s) of one false claim among 20, and the issue's named case;
 * D. coverage of the intervals shown; E. judgeClaims' cost per claim on 20,000 claims.
 *
 * Exact where it can be (rates and waits: sums over the binomial pmf; ratings up to n = 50: every composition of
 * the sample), simulated otherwise with a seeded xoroshiro128+ (pure-rand), with the number of draws and the
 * standard error beside each figure. Prints the tables and, last, the JSON summary.
 */
const NS = [5, 10, 20, 50, 200];
const SIM_DRAWS = Number(process.env.BENCH_VERDICTS_DRAWS ?? 50_000);
const DIGESTS = Number(process.env.BENCH_VERDICTS_DIGESTS ?? 20_000);
const FAMILY = 20;
const SEED = 20261203;
const TARGET = { perClaim: 0.025, familywise: 0.05, namedCasePower: 0.8 };
const GAP = { rate: 0.1, rating: 0.5, seconds: 30 };

// ——— randomness and distributions ———

const rng = xoroshiro128plus(SEED);
const uniform = () => uniformFloat64(rng);
/** A standard normal draw (Box–Muller; 1 − u keeps the log finite). */
const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const binomialDraw = (n: number, p: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) if (uniform() < p) s++;
  return s;
};

const LOG_FACTORIAL = Array.from({ length: 1001 }, (_, k) => logGamma(k + 1));
function pmf(k: number, n: number, p: number): number {
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  return Math.exp(
    LOG_FACTORIAL[n] - LOG_FACTORIAL[k] - LOG_FACTORIAL[n - k] + k * Math.log(p) + (n - k) * Math.log1p(-p),
  );
}

/** A 1–5 rating distribution: probabilities of 1, 2, 3, 4, 5. */
interface Ratings {
  name: string;
  p: number[];
}
const RATINGS: Ratings[] = [
  ...[1, 2, 3, 4, 5].map((v) => ({ name: `all ${v}`, p: [1, 2, 3, 4, 5].map((x) => (x === v ? 1 : 0)) })),
  ...[0.05, 0.2, 0.5, 0.8, 0.95].map((q) => ({ name: `{1, 5}, P(5) = ${q}`, p: [1 - q, 0, 0, 0, q] })),
  ...[0.1, 0.5, 0.9, 0.97].map((q) => ({ name: `{4, 5}, P(5) = ${q}`, p: [0, 0, 0, 1 - q, q] })),
  { name: '{3, 4}, even', p: [0, 0, 0.5, 0.5, 0] },
  { name: '{1, 5}, P(5) = 0.97', p: [0.03, 0, 0, 0, 0.97] },
  { name: 'courtesy-like, skewed high', p: [0.02, 0.03, 0.1, 0.25, 0.6] },
  { name: 'skewed low', p: [0.5, 0.3, 0.1, 0.05, 0.05] },
  { name: 'uniform', p: [0.2, 0.2, 0.2, 0.2, 0.2] },
  { name: 'near the ceiling {4, 5}, P(5) = 0.99', p: [0, 0, 0, 0.01, 0.99] },
  { name: 'three-point {3, 4, 5}', p: [0, 0, 0.1, 0.3, 0.6] },
];
const ratingMean = (r: Ratings) => r.p.reduce((s, p, i) => s + p * (i + 1), 0);
/** One rating drawn from r (the last category takes what rounding leaves). */
function drawRating(r: Ratings): number {
  const u = uniform();
  let acc = 0;
  for (let v = 1; v < 5; v++) {
    acc += r.p[v - 1];
    if (u < acc) return v;
  }
  return 5;
}

/** Log-normal waits rounded to whole seconds: P(value = k). */
function roundedLogNormal(median: number, sigma: number): (k: number) => number {
  const cdf = (x: number) => (x <= 0 ? 0 : normalCdf((Math.log(x) - Math.log(median)) / sigma));
  return (k) => cdf(k + 0.5) - cdf(k - 0.5);
}

/** The q-quantile of the rounded waits (smallest c with P(X ≤ c) ≥ q) and the shares above / below / at it. */
function roundedQuantile(median: number, sigma: number, q: number): { c: number; above: number; below: number } {
  const key = `${median}|${sigma}|${q}`;
  if (!QUANTILES.has(key)) QUANTILES.set(key, computeRoundedQuantile(median, sigma, q));
  return QUANTILES.get(key)!;
}
const QUANTILES = new Map<string, { c: number; above: number; below: number }>();

function computeRoundedQuantile(median: number, sigma: number, q: number): { c: number; above: number; below: number } {
  const mass = roundedLogNormal(median, sigma);
  let below = 0;
  for (let c = 0; ; c++) {
    const at = mass(c);
    if (below + at >= q) return { c, above: Math.max(0, 1 - below - at), below };
    below += at;
  }
}

const WAITS = [2, 5, 20, 60, 300, 7200].flatMap((median) => [0.3, 0.6, 1, 1.5].map((sigma) => ({ median, sigma })));

// ——— judging ———

const base = { periodComplete: true, minContacts: 0 };
const rateClaim = (id: string, claimed: number, better: 'higher' | 'lower', n: number, s: number): ClaimToJudge => ({
  id,
  claimed,
  better,
  evidence: { kind: 'rate', n, successes: s },
  gapThatMatters: GAP.rate,
  ...base,
});
const ratingClaim = (id: string, claimed: number, better: 'higher' | 'lower', n: number, s1: number, s2: number) => ({
  id,
  claimed,
  better,
  evidence: ratingEvidence(n, s1, s2),
  gapThatMatters: GAP.rating,
  ...base,
});
function ratingEvidence(n: number, s1: number, s2: number): Evidence {
  const mean = s1 / n;
  const variance = n < 2 ? null : Math.max(0, (s2 - (s1 * s1) / n) / (n - 1));
  return { kind: 'bounded_mean', n, mean: Math.min(5, Math.max(1, mean)), variance, min: 1, max: 5 };
}
const waitClaim = (
  id: string,
  claimed: number,
  q: number,
  n: number,
  above: number,
  below: number,
  logSd?: number,
) => ({
  id,
  claimed,
  better: 'lower' as const,
  evidence: { kind: 'quantile' as const, q, n, above, below, logSd },
  gapThatMatters: GAP.seconds,
  ...base,
});

/** A claim judged alone: its verdict, and whether it would pass Holm's first step in a digest of 20 (p ≤ α / 20). */
function judgeAlone(c: ClaimToJudge): { contradicted: boolean; firstStep: boolean } {
  const j = judgeClaims([c]).get(c.id)!;
  return { contradicted: j.verdict === 'contradicted', firstStep: j.pFlattering! <= FIRST_STEP };
}
const FIRST_STEP = Math.min(DEFAULT_FAMILYWISE_ALPHA / FAMILY, DEFAULT_CLAIM_ALPHA);

/** The worst point of a grid: the largest P(contradicted alone), where, and the largest P(p ≤ α / 20). */
class Worst {
  alone = 0;
  where = '';
  firstStep = 0;
  add(alone: number, firstStep: number, where: string): void {
    if (alone > this.alone) [this.alone, this.where] = [alone, where];
    this.firstStep = Math.max(this.firstStep, firstStep);
  }
}

/** 19 claims whose flattering p-value is 1: beside them, a claim meets Holm's first step, familywiseAlpha / 20. */
const QUIET = Array.from({ length: FAMILY - 1 }, (_, i) => rateClaim(`quiet${i}`, 0.9, 'higher', 50, 50));
const contradictedAmong20 = (c: ClaimToJudge) => judgeClaims([c, ...QUIET]).get(c.id)!.verdict === 'contradicted';
const judgementAmong20 = (c: ClaimToJudge) => judgeClaims([c, ...QUIET]).get(c.id)!;

// ——— the rating samples: exact compositions up to n = 50, simulated beyond ———

/** Probability of each (Σx, Σx²) of n ratings: every composition over the support, or SIM_DRAWS draws. */
function ratingSums(r: Ratings, n: number): { sums: Map<string, number>; exact: boolean } {
  const key = `${r.name}|${r.p.join(',')}|${n}`;
  if (!RATING_SUMS.has(key)) RATING_SUMS.set(key, computeRatingSums(r, n));
  return RATING_SUMS.get(key)!;
}
const RATING_SUMS = new Map<string, { sums: Map<string, number>; exact: boolean }>();

function computeRatingSums(r: Ratings, n: number): { sums: Map<string, number>; exact: boolean } {
  const sums = new Map<string, number>();
  const support = r.p.flatMap((p, i) => (p > 0 ? [i + 1] : []));
  if (n <= 50) {
    const counts = new Array<number>(support.length).fill(0);
    const walk = (i: number, left: number) => {
      if (i === support.length - 1) {
        counts[i] = left;
        let logP = LOG_FACTORIAL[n];
        let s1 = 0;
        let s2 = 0;
        support.forEach((v, j) => {
          logP += counts[j] * Math.log(r.p[v - 1]) - LOG_FACTORIAL[counts[j]];
          s1 += counts[j] * v;
          s2 += counts[j] * v * v;
        });
        const key = `${s1}|${s2}`;
        sums.set(key, (sums.get(key) ?? 0) + Math.exp(logP));
        return;
      }
      for (let c = 0; c <= left; c++) {
        counts[i] = c;
        walk(i + 1, left - c);
      }
    };
    walk(0, n);
    return { sums, exact: true };
  }
  for (let d = 0; d < SIM_DRAWS; d++) {
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = drawRating(r);
      s1 += v;
      s2 += v * v;
    }
    const key = `${s1}|${s2}`;
    sums.set(key, (sums.get(key) ?? 0) + 1 / SIM_DRAWS);
  }
  return { sums, exact: false };
}

/** P(event) over the rating sums, judging each distinct (Σx, Σx²) once. */
function overRatingSums(sums: Map<string, number>, event: (s1: number, s2: number) => boolean): number {
  let total = 0;
  for (const [key, p] of sums) {
    const [s1, s2] = key.split('|').map(Number);
    if (event(s1, s2)) total += p;
  }
  return total;
}

// ——— A. per-claim false "contradicted" ———

type Row = VerdictsSummary['falseContradicted'][number];

function rateGrid(): number[] {
  const grid = new Set<number>();
  for (let i = 0; i <= 100; i++) grid.add(i / 100);
  for (const fine of [0.0005, 0.001, 0.002, 0.005, 0.0075, 0.9925, 0.992, 0.995, 0.998, 0.999, 0.9995]) grid.add(fine);
  return [...grid].sort((a, b) => a - b);
}

function falseContradictedRates(): Row[] {
  return NS.map((n) => {
    const worst = new Worst();
    for (const claimed of rateGrid()) {
      for (const better of ['higher', 'lower'] as const) {
        let alone = 0;
        let firstStep = 0;
        for (let s = 0; s <= n; s++) {
          const j = judgeAlone(rateClaim('c', claimed, better, n, s));
          if (j.contradicted) alone += pmf(s, n, claimed);
          if (j.firstStep) firstStep += pmf(s, n, claimed);
        }
        worst.add(alone, firstStep, `claimed ${claimed}, ${better} is better`);
      }
    }
    return row('rate', n, worst, 'exact');
  });
}

function falseContradictedRatings(): Row[] {
  return NS.map((n) => {
    const worst = new Worst();
    let exact = true;
    for (const r of RATINGS) {
      const mean = ratingMean(r);
      const { sums, exact: isExact } = ratingSums(r, n);
      exact &&= isExact;
      for (const better of ['higher', 'lower'] as const) {
        const judged = new Map<string, { contradicted: boolean; firstStep: boolean }>();
        const judge = (s1: number, s2: number) => {
          const key = `${s1}|${s2}`;
          if (!judged.has(key)) judged.set(key, judgeAlone(ratingClaim('c', mean, better, n, s1, s2)));
          return judged.get(key)!;
        };
        const alone = overRatingSums(sums, (s1, s2) => judge(s1, s2).contradicted);
        const firstStep = overRatingSums(sums, (s1, s2) => judge(s1, s2).firstStep);
        worst.add(alone, firstStep, `${r.name}, claimed ${mean.toFixed(2)}, ${better} is better`);
      }
    }
    return row('rating 1–5', n, worst, exact ? 'exact' : 'simulated');
  });
}

/**
 * Waits: a single claim's "contradicted" depends on the sample only through the count above the claimed value
 * (its flattering count), so the exact figure sums Bin(n, P(X > c)) over that count; each count is judged twice,
 * with every other contact below the claim and with none, and counted if either says contradicted.
 */
function falseContradictedWaits(q: number): Row[] {
  return NS.map((n) => {
    const worst = new Worst();
    const cases = [
      ...WAITS.map(({ median, sigma }) => ({
        ...roundedQuantile(median, sigma, q),
        name: `log-normal waits, median ${median} s, σ ${sigma}, rounded to whole seconds`,
      })),
      { c: 100, above: 1 - q, below: q, name: 'continuous waits, any distribution (no ties)' },
    ];
    for (const w of cases) {
      let alone = 0;
      let firstStep = 0;
      for (let a = 0; a <= n; a++) {
        const [x, y] = [judgeAlone(waitClaim('c', w.c, q, n, a, n - a)), judgeAlone(waitClaim('c', w.c, q, n, a, 0))];
        if (x.contradicted || y.contradicted) alone += pmf(a, n, w.above);
        if (x.firstStep || y.firstStep) firstStep += pmf(a, n, w.above);
      }
      worst.add(alone, firstStep, `${w.name}; claim ${w.c} s`);
    }
    return row(q === 0.5 ? 'median wait' : 'p90 wait', n, worst, 'exact');
  });
}

function row(kind: string, n: number, worst: Worst, method: 'exact' | 'simulated'): Row {
  return {
    kind,
    n,
    max: worst.alone,
    where: worst.where || 'never contradicted',
    firstStep: worst.firstStep,
    method,
    draws: method === 'simulated' ? SIM_DRAWS : undefined,
  };
}

// ——— B. familywise over digests of 20 true claims ———

/** One true claim of a realistic digest: its kind and n drawn, the claim equal to the truth, the sample drawn. */
function randomTrueClaim(id: string, slot: number): ClaimToJudge {
  const n = NS[Math.floor(uniform() * NS.length)];
  if (slot < 7) {
    const claimed = [0.5, 0.7, 0.8, 0.85, 0.9, 0.92, 0.95, 0.96, 0.98, 0.99, 0.992][Math.floor(uniform() * 11)];
    return rateClaim(id, claimed, 'higher', n, binomialDraw(n, claimed));
  }
  if (slot < 10) {
    const claimed = [0.01, 0.03, 0.05, 0.1, 0.2][Math.floor(uniform() * 5)]; // transfer or disconnect rates
    return rateClaim(id, claimed, 'lower', n, binomialDraw(n, claimed));
  }
  if (slot < 14) {
    const r = RATINGS[Math.floor(uniform() * RATINGS.length)];
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = drawRating(r);
      s1 += v;
      s2 += v * v;
    }
    return ratingClaim(id, ratingMean(r), 'higher', n, s1, s2);
  }
  const q = slot < 18 ? 0.5 : 0.9;
  const { median, sigma } = WAITS[Math.floor(uniform() * WAITS.length)];
  const { c } = roundedQuantile(median, sigma, q);
  let above = 0;
  let below = 0;
  for (let i = 0; i < n; i++) {
    const wait = Math.round(median * Math.exp(sigma * gaussian()));
    if (wait > c) above++;
    else if (wait < c) below++;
  }
  return waitClaim(id, c, q, n, above, below);
}

/**
 * With every claim true, Holm flags something iff the smallest p-value passes its first step (p ≤ α / 20), so
 * over 20 independent true claims the familywise error is exactly 1 − Π(1 − P(p_i ≤ α / 20)): at most
 * 1 − (1 − w)^20 for the largest such probability w over every kind, n and grid point of section A.
 */
function familywiseBound(rows: Row[]): VerdictsSummary['familywise'][number] {
  const w = Math.max(...rows.map((r) => r.firstStep));
  const at = rows.find((r) => r.firstStep === w)!;
  return {
    mix:
      `worst case over any mix of ${FAMILY} independent true claims: every claim at the grid point with the ` +
      `largest P(p ≤ ${FIRST_STEP}) (${(w * 100).toFixed(3)} %, ${at.kind}, n = ${at.n})`,
    digests: 0,
    share: 1 - (1 - w) ** FAMILY,
    se: 0,
    falseFlagsPerDigest: FAMILY * w,
    method: at.method,
  };
}

function familywise(name: string, draw: (slot: number) => ClaimToJudge): VerdictsSummary['familywise'][number] {
  let flagged = 0;
  let claimsFlagged = 0;
  for (let d = 0; d < DIGESTS; d++) {
    const claims = Array.from({ length: FAMILY }, (_, slot) => ({ ...draw(slot), id: `c${slot}` }));
    const contradicted = [...judgeClaims(claims).values()].filter((j) => j.verdict === 'contradicted').length;
    if (contradicted > 0) flagged++;
    claimsFlagged += contradicted;
  }
  const share = flagged / DIGESTS;
  return {
    mix: name,
    digests: DIGESTS,
    share,
    se: Math.sqrt((share * (1 - share)) / DIGESTS),
    falseFlagsPerDigest: claimsFlagged / DIGESTS,
    method: 'simulated',
  };
}

// ——— C. power ———

type PowerRow = VerdictsSummary['power'][number];

function powerRates(): PowerRow[] {
  const rows: PowerRow[] = [];
  for (const claimed of [0.5, 0.8, 0.9, 0.96, 0.99]) {
    for (const n of NS) {
      const truth = claimed - GAP.rate;
      let power = 0;
      for (let s = 0; s <= n; s++)
        if (contradictedAmong20(rateClaim('c', claimed, 'higher', n, s))) power += pmf(s, n, truth);
      const j = judgementAmong20(rateClaim('c', claimed, 'higher', n, Math.round(n * claimed)));
      rows.push({
        kind: 'rate',
        case: `claimed ${claimed}, truth ${truth.toFixed(2)}`,
        n,
        power,
        method: 'exact',
        ...gaps(j),
      });
    }
  }
  return rows;
}

function powerRatings(): PowerRow[] {
  const claimed = 4.2;
  // Two truths 0.5 below the claim: a realistic spread, and the two-point worst case the detectable gap assumes.
  const truths: Ratings[] = [
    { name: 'realistic spread (sd 1.13)', p: [0.05, 0.1, 0.23, 0.34, 0.28] },
    { name: 'two-point {1, 5}', p: [0.325, 0, 0, 0, 0.675] },
  ];
  const rows: PowerRow[] = [];
  for (const truth of truths) {
    for (const n of NS) {
      const { sums, exact } = ratingSums(truth, n);
      const power = overRatingSums(sums, (s1, s2) =>
        contradictedAmong20(ratingClaim('c', claimed, 'higher', n, s1, s2)),
      );
      const mean = ratingMean(truth);
      const typical = ratingClaim('c', claimed, 'higher', n, Math.round(n * mean), Math.round(n * mean * mean) + n);
      rows.push({
        kind: 'rating 1–5',
        case: `claimed ${claimed}, truth mean ${mean.toFixed(2)}, ${truth.name}`,
        n,
        power,
        method: exact ? 'exact' : 'simulated',
        draws: exact ? undefined : SIM_DRAWS,
        ...gaps(judgementAmong20(typical)),
      });
    }
  }
  return rows;
}

function powerWaits(): PowerRow[] {
  // Log-normal waits with median 60 s and σ = 0.6 (p90 ≈ 130 s); each claim 30 s better than the truth.
  const median = 60;
  const sigma = 0.6;
  const rows: PowerRow[] = [];
  for (const q of [0.5, 0.9]) {
    const { c: trueQuantile } = roundedQuantile(median, sigma, q);
    const claimed = trueQuantile - GAP.seconds;
    const mass = roundedLogNormal(median, sigma);
    let atOrBelow = 0;
    for (let k = 0; k <= claimed; k++) atOrBelow += mass(k);
    const pAbove = 1 - atOrBelow;
    for (const n of NS) {
      let power = 0;
      for (let a = 0; a <= n; a++) {
        if (contradictedAmong20(waitClaim('c', claimed, q, n, a, n - a, sigma))) power += pmf(a, n, pAbove);
      }
      // logSd: the spread of ln(wait), as the digest can measure it; it moves the detectable gap, never the test
      const typical = waitClaim('c', claimed, q, n, Math.round(n * pAbove), n - Math.round(n * pAbove), sigma);
      rows.push({
        kind: q === 0.5 ? 'median wait' : 'p90 wait',
        case: `claimed ${claimed} s, truth ${trueQuantile} s (log-normal, σ ${sigma})`,
        n,
        power,
        method: 'exact',
        ...gaps(judgementAmong20(typical)),
      });
    }
  }
  return rows;
}

const gaps = (j: { detectableGap: number | null; contactsNeeded: number | null }) => ({
  detectableGap: j.detectableGap,
  contactsNeeded: j.contactsNeeded,
});

/** The case: n = 60, a rate claim of 0.96 against a truth of 0.81, the one false claim among 20. */
function namedCase(): VerdictsSummary['namedCase'] {
  let exactLowerBound = 0;
  for (let s = 0; s <= 60; s++)
    if (contradictedAmong20(rateClaim('c', 0.96, 'higher', 60, s))) exactLowerBound += pmf(s, 60, 0.81);
  let hits = 0;
  for (let d = 0; d < DIGESTS; d++) {
    const claims = [rateClaim('false', 0.96, 'higher', 60, binomialDraw(60, 0.81))];
    for (let slot = 1; slot < FAMILY; slot++) claims.push(randomTrueClaim(`t${slot}`, slot));
    if (judgeClaims(claims).get('false')!.verdict === 'contradicted') hits++;
  }
  const simulated = hits / DIGESTS;
  return { exactLowerBound, simulated, se: Math.sqrt((simulated * (1 - simulated)) / DIGESTS), digests: DIGESTS };
}

// ——— D. coverage of the intervals shown ———

function coverage(): VerdictsSummary['coverage'] {
  const rows: VerdictsSummary['coverage'] = [];
  const grid = [
    0.001,
    0.005,
    0.01,
    0.02,
    0.05,
    ...Array.from({ length: 19 }, (_, i) => (i + 1) / 20),
    0.98,
    0.99,
    0.995,
    0.999,
  ];
  for (const n of NS) {
    for (const [name, interval] of [
      ['Clopper–Pearson (rates)', clopperPearsonInterval],
      ['Wilson (for comparison)', wilsonInterval],
    ] as const) {
      let worst = { cover: 1, where: '' };
      const intervals = Array.from({ length: n + 1 }, (_, s) => interval(s, n));
      for (const p of grid) {
        let cover = 0;
        intervals.forEach(({ low, high }, s) => (cover += low <= p && p <= high ? pmf(s, n, p) : 0));
        if (cover < worst.cover) worst = { cover, where: `rate ${p}` };
      }
      rows.push({ interval: name, n, min: worst.cover, where: worst.where, method: 'exact' });
    }
    let worst = { cover: 1, where: '' };
    let exact = true;
    for (const r of RATINGS) {
      const mean = ratingMean(r);
      const { sums, exact: isExact } = ratingSums(r, n);
      exact &&= isExact;
      const cover = overRatingSums(sums, (s1, s2) => {
        const e = ratingEvidence(n, s1, s2) as Extract<Evidence, { kind: 'bounded_mean' }>;
        const { low, high } = boundedMeanInterval(n, e.mean, e.variance, 1, 5);
        return low <= mean && mean <= high;
      });
      if (cover < worst.cover) worst = { cover, where: r.name };
    }
    rows.push({
      interval: 'bounded mean (ratings)',
      n,
      min: worst.cover,
      where: worst.where,
      method: exact ? 'exact' : 'simulated',
      draws: exact ? undefined : SIM_DRAWS,
    });
    for (const q of [0.5, 0.9]) {
      const ranks = quantileRanks(n, q);
      rows.push({
        interval: `order statistics, q = ${q}`,
        n,
        min: ranks ? ranks.coverage : null,
        where: ranks
          ? `ranks ${ranks.lower} and ${ranks.upper} (continuous values)`
          : 'no interval at 95 %: too few contacts',
        method: 'exact',
      });
    }
  }
  return rows;
}

// ——— E. cost per claim ———

function cost(): VerdictsSummary['cost'] {
  // 20,000 claims like bench:digest's: random claimed values, n around 100, a mix of kinds.
  const claims: ClaimToJudge[] = [];
  for (let i = 0; i < 20_000; i++) {
    const n = 80 + Math.floor(uniform() * 41);
    const k = i % 10;
    if (k < 6)
      claims.push(
        rateClaim(
          `r${i}`,
          Math.round(uniform() * 1000) / 1000,
          uniform() < 0.7 ? 'higher' : 'lower',
          n,
          binomialDraw(n, uniform()),
        ),
      );
    else if (k < 8) {
      const mean = 2 + uniform() * 2.5;
      claims.push({
        id: `b${i}`,
        claimed: Math.round((1 + uniform() * 4) * 10) / 10,
        better: 'higher',
        evidence: {
          kind: 'bounded_mean',
          n,
          mean,
          variance: Math.min(1, ((mean - 1) * (5 - mean) * n) / (n - 1)),
          min: 1,
          max: 5,
        },
        gapThatMatters: GAP.rating,
        ...base,
      });
    } else if (k < 9) {
      const above = Math.floor(uniform() * (n + 1));
      claims.push(waitClaim(`w${i}`, Math.round(uniform() * 900), uniform() < 0.5 ? 0.5 : 0.9, n, above, n - above));
    } else
      claims.push({
        id: `d${i}`,
        claimed: 100,
        better: 'lower',
        evidence: { kind: 'descriptive', n },
        gapThatMatters: 30,
        ...base,
      });
  }
  const time = () => {
    const started = performance.now();
    judgeClaims(claims);
    return ((performance.now() - started) * 1000) / claims.length;
  };
  const cold = time();
  const warm = time();
  return { claims: claims.length, coldMicros: round(cold, 1), warmMicros: round(warm, 1) };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

function main(): void {
  const started = performance.now();
  const costFigures = cost(); // first, while the memo is cold
  const falseContradicted = [
    ...falseContradictedRates(),
    ...falseContradictedRatings(),
    ...falseContradictedWaits(0.5),
    ...falseContradictedWaits(0.9),
  ];
  const realistic = familywise('realistic mix: 10 rates, 4 ratings, 4 medians, 2 p90s; n from {5…200}', (slot) =>
    randomTrueClaim('c', slot),
  );
  // Every claim at the grid point where rates are contradicted most often when true.
  const worstRate = falseContradicted.filter((r) => r.kind === 'rate').sort((a, b) => b.max - a.max)[0];
  const [, claimedText, better] = /claimed ([\d.]+), (\w+)/.exec(worstRate.where) ?? [];
  const worstClaimed = Number(claimedText);
  const worstBetter = better === 'lower' ? 'lower' : 'higher';
  const worst = familywise(`20 rate claims at the worst point above (n = ${worstRate.n}, ${worstRate.where})`, () =>
    rateClaim('c', worstClaimed, worstBetter, worstRate.n, binomialDraw(worstRate.n, worstClaimed)),
  );
  const power = [...powerRates(), ...powerRatings(), ...powerWaits()];
  const named = namedCase();
  const coverageRows = coverage();
  const perClaimMax = Math.max(...falseContradicted.map((r) => r.max));
  const familywiseMax = Math.max(realistic.share, worst.share, familywiseBound(falseContradicted).share);
  const summary: VerdictsSummary = {
    benchmark: 'verdicts',
    machine: machine(),
    seconds: round((performance.now() - started) / 1000, 1),
    options: { familywiseAlpha: DEFAULT_FAMILYWISE_ALPHA, claimAlpha: DEFAULT_CLAIM_ALPHA, power: DEFAULT_POWER },
    seed: SEED,
    simDraws: SIM_DRAWS,
    falseContradicted,
    familywise: [realistic, worst, familywiseBound(falseContradicted)],
    power,
    namedCase: named,
    coverage: coverageRows,
    cost: costFigures,
    target: TARGET,
    met: {
      perClaim: perClaimMax <= TARGET.perClaim,
      familywise: familywiseMax <= TARGET.familywise,
      namedCasePower: named.exactLowerBound >= TARGET.namedCasePower,
    },
  };
  process.stdout.write(`${renderVerdictTables(summary)}\n\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main();
