/**
 * The digest's interval arithmetic: pure functions, no I/O, no dependencies.
 *
 * - Rates: Wilson score interval (no continuity correction; Newcombe 1998, method 3).
 * - Means: Student t interval from mean, sample standard deviation and n.
 * - Medians: distribution-free order-statistic interval from Bin(n, ½).
 * - Quantiles: normal by Wichura's AS241 (≈1e-16); Student t by inverting the exact t tail,
 *   written through the regularised incomplete beta (Lentz continued fraction), with safeguarded Newton.
 *
 * Invalid input (NaN, a confidence outside (0, 1), successes above n, unsorted values…) throws a
 * RangeError: it is a bug in the caller, and a silent NaN would print a wrong verdict into a digest.
 * The verdicts themselves (valid tests, Holm over a digest) are in verdicts.ts.
 */

export interface Interval {
  low: number;
  high: number;
}

const DEFAULT_CONFIDENCE = 0.95;

/** Wilson score interval for successes/n; n = 0 carries no information, so the whole [0, 1]. */
export function wilsonInterval(successes: number, n: number, confidence: number = DEFAULT_CONFIDENCE): Interval {
  assertConfidence(confidence);
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`n must be a finite number ≥ 0 (got ${n})`);
  if (!Number.isFinite(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must lie in [0, n] (got ${successes} of ${n})`);
  }
  if (n === 0) return { low: 0, high: 1 };
  const z = normalQuantile(twoSidedUpperP(confidence));
  const z2n = (z * z) / n;
  const rate = successes / n;
  const centre = (rate + z2n / 2) / (1 + z2n);
  const halfWidth = (z / (1 + z2n)) * Math.sqrt((rate * (1 - rate)) / n + z2n / (4 * n));
  // At 0/n and n/n the formula gives the exact bound only up to rounding; the true bound is exactly 0 or 1.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
    high: successes === n ? 1 : Math.min(1, centre + halfWidth),
  };
}

/** Student t interval for a mean; with fewer than two values there is no spread to estimate, so unbounded. */
export function tInterval(mean: number, sd: number, n: number, confidence: number = DEFAULT_CONFIDENCE): Interval {
  assertConfidence(confidence);
  if (!Number.isFinite(mean)) throw new RangeError(`mean must be finite (got ${mean})`);
  if (!Number.isFinite(sd) || sd < 0) throw new RangeError(`sd must be a finite number ≥ 0 (got ${sd})`);
  if (Number.isNaN(n)) throw new RangeError('n must be a number');
  if (n < 2) return { low: -Infinity, high: Infinity };
  const halfWidth = (studentTQuantile(twoSidedUpperP(confidence), n - 1) * sd) / Math.sqrt(n);
  return { low: mean - halfWidth, high: mean + halfWidth };
}

/**
 * Order-statistic interval for the median of ascending `sortedValues`: [x(l), x(u)] with the ranks from
 * {@link medianRanks}. Valid for any continuous distribution, no normality assumed; ties only make it conservative.
 *
 * Too few values for the confidence (n ≤ 5 at 95 %): returns [min, max], the widest interval the data can
 * give; its true coverage is only 1 − 2^(1−n) (93.75 % at n = 5). Chosen over ±Infinity so the chart still
 * has a bar; callers that must not under-cover check `medianRanks(n) === null` or rely on minContacts.
 * Empty input → (−∞, ∞).
 */
export function medianInterval(sortedValues: number[], confidence: number = DEFAULT_CONFIDENCE): Interval {
  assertConfidence(confidence);
  const n = sortedValues.length;
  for (let i = 0; i < n; i++) {
    // `!(a >= b)` also catches NaN, which would make every order statistic meaningless.
    if (!(sortedValues[i] >= (i === 0 ? -Infinity : sortedValues[i - 1]))) {
      throw new RangeError(`sortedValues must be ascending numbers (index ${i}: ${sortedValues[i]})`);
    }
  }
  if (n === 0) return { low: -Infinity, high: Infinity };
  const ranks = medianRanks(n, confidence);
  if (!ranks) return { low: sortedValues[0], high: sortedValues[n - 1] };
  return { low: sortedValues[ranks.lower - 1], high: sortedValues[ranks.upper - 1] };
}

/**
 * 1-based ranks (l, u = n + 1 − l) of the narrowest symmetric order-statistic pair whose coverage
 * P(l ≤ B ≤ n − l), B ~ Bin(n, ½), reaches `confidence`, with that exact coverage; null when even
 * (1, n) falls short (coverage 1 − 2^(1−n)), or n = 0.
 */
export function medianRanks(
  n: number,
  confidence: number = DEFAULT_CONFIDENCE,
): { lower: number; upper: number; coverage: number } | null {
  assertConfidence(confidence);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be an integer ≥ 0 (got ${n})`);
  let below = 0; // P(B ≤ l − 1), accumulated from the smallest terms up for accuracy
  let pmf = 2 ** -n; // P(B = l − 1) by recurrence: exact for small n, so dyadic coverages like ½ compare exactly
  let best: { lower: number; upper: number; coverage: number } | null = null;
  // l = u is a single point with zero coverage, so the widest useful l is ⌊n/2⌋.
  for (let l = 1; l <= Math.floor(n / 2); l++) {
    const k = l - 1;
    // Past n = 1000, 2^−n leaves the normal doubles and the recurrence would start from 0.
    below += n <= 1000 ? pmf : binomialHalfPmf(n, k);
    pmf = (pmf * (n - k)) / (k + 1);
    const coverage = 1 - 2 * below;
    if (coverage < confidence) break; // coverage only falls as l grows
    best = { lower: l, upper: n + 1 - l, coverage };
  }
  return best;
}

/** Quantile of Student's t with `df` > 0 degrees of freedom (real df allowed; df = Infinity is the normal). */
export function studentTQuantile(p: number, df: number): number {
  assertProbability(p);
  if (Number.isNaN(df) || df <= 0) throw new RangeError(`df must be > 0 (got ${df})`);
  if (df === Infinity) return normalQuantile(p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // Past 1e5 df, ln Γ cancellation costs digits while the Cornish–Fisher series is exact to rounding.
  if (df >= 1e5) return cornishFisherTQuantile(normalQuantile(p), df);
  // Solve on the smaller tail so a p near 0 keeps its precision; the distribution is symmetric.
  if (p < 0.5) return -upperTailQuantile(p, df);
  return upperTailQuantile(1 - p, df);
}

/** Standard normal quantile, Wichura (1988) Algorithm AS241 PPND16 (relative error about 1e-16). */
export function normalQuantile(p: number): number {
  assertProbability(p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * horner(AS241_CENTRAL_NUMERATOR, r)) / horner(AS241_CENTRAL_DENOMINATOR, r);
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const x =
    r <= 5
      ? horner(AS241_INTERMEDIATE_NUMERATOR, r - 1.6) / horner(AS241_INTERMEDIATE_DENOMINATOR, r - 1.6)
      : horner(AS241_FAR_NUMERATOR, r - 5) / horner(AS241_FAR_DENOMINATOR, r - 5);
  return q < 0 ? -x : x;
}

// ——— internals ———

// AS241 coefficients, highest power first, digits as printed by Wichura (1988); each block's mantissas
// (without the trailing 1) add up to his published check sums 55.8831928806149014439,
// 49.33206503301610289036 and 47.52583317549289671629. A double keeps about 17 of the 20 digits, as the paper expects.
/* eslint-disable no-loss-of-precision -- the printed digits stay, so they can be checked against the paper */
const AS241_CENTRAL_NUMERATOR = [
  2.50908_09287_30122_6727e+3, 3.34305_75583_58812_8105e+4, 6.72657_70927_00870_0853e+4, 4.59219_53931_54987_1457e+4,
  1.37316_93765_50946_1125e+4, 1.97159_09503_06551_4427e+3, 1.33141_66789_17843_7745e+2, 3.38713_28727_96366_6080e+0,
];
const AS241_CENTRAL_DENOMINATOR = [
  5.22649_52788_52854_5610e+3, 2.87290_85735_72194_2674e+4, 3.93078_95800_09271_0610e+4, 2.12137_94301_58659_5867e+4,
  5.39419_60214_24751_1077e+3, 6.87187_00749_20579_0830e+2, 4.23133_30701_60091_1252e+1, 1,
];
const AS241_INTERMEDIATE_NUMERATOR = [
  7.74545_01427_83414_07640e-4, 2.27238_44989_26918_45833e-2, 2.41780_72517_74506_11770e-1,
  1.27045_82524_52368_38258e+0, 3.64784_83247_63204_60504e+0, 5.76949_72214_60691_40550e+0,
  4.63033_78461_56545_29590e+0, 1.42343_71107_49683_57734e+0,
];
const AS241_INTERMEDIATE_DENOMINATOR = [
  1.05075_00716_44416_84324e-9, 5.47593_80849_95344_94600e-4, 1.51986_66563_61645_71966e-2,
  1.48103_97642_74800_74590e-1, 6.89767_33498_51000_04550e-1, 1.67638_48301_83803_84940e+0,
  2.05319_16266_37758_82187e+0, 1,
];
const AS241_FAR_NUMERATOR = [
  2.01033_43992_92288_13265e-7, 2.71155_55687_43487_57815e-5, 1.24266_09473_88078_43860e-3,
  2.65321_89526_57612_30930e-2, 2.96560_57182_85048_91230e-1, 1.78482_65399_17291_33580e+0,
  5.46378_49111_64114_36990e+0, 6.65790_46435_01103_77720e+0,
];
const AS241_FAR_DENOMINATOR = [
  2.04426_31033_89939_78564e-15, 1.42151_17583_16445_88870e-7, 1.84631_83175_10054_68180e-5,
  7.86869_13114_56132_59100e-4, 1.48753_61290_85061_48525e-2, 1.36929_88092_27358_05310e-1,
  5.99832_20655_58879_37690e-1, 1,
];
/* eslint-enable no-loss-of-precision */

/** A polynomial with coefficients highest power first, by Horner's rule. */
function horner(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (const c of coefficients) value = value * x + c;
  return value;
}

function assertConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must lie in (0, 1) (got ${confidence})`);
}

function assertProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must lie in [0, 1] (got ${p})`);
}

/** The upper quantile a two-sided interval at this confidence needs, e.g. 0.95 → 0.975. */
function twoSidedUpperP(confidence: number): number {
  return 1 - (1 - confidence) / 2;
}

/** P(B = k) for B ~ Bin(n, ½), in logs so 2^−n does not underflow for large n. */
function binomialHalfPmf(n: number, k: number): number {
  return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) - n * Math.LN2);
}

/** Abramowitz & Stegun 26.7.5: t quantile as a series in 1/df around the normal quantile z (four terms). */
function cornishFisherTQuantile(z: number, df: number): number {
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

/** t > 0 with P(T > t) = tail, for 0 < tail < ½: safeguarded Newton (Numerical Recipes' rtsafe). */
function upperTailQuantile(tail: number, df: number): number {
  const excess = (t: number) => studentTUpperTail(t, df) - tail; // decreasing in t
  // Bracket: excess(0) = ½ − tail > 0; double the upper end until the tail falls below the target.
  let lo = 0;
  // −Φ⁻¹(tail), not Φ⁻¹(1 − tail): below 2⁻⁵³ the latter rounds to Φ⁻¹(1) = ∞ and the quantile came out infinite.
  let hi = Math.max(1, -2 * normalQuantile(tail));
  while (excess(hi) > 0) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) return Infinity; // beyond double range (tiny df with a tiny tail)
  }
  let t = Math.min(Math.max(-normalQuantile(tail), lo), hi);
  let stepBefore = hi - lo;
  let step = stepBefore;
  for (let i = 0; i < 500; i++) {
    const f = excess(t);
    if (f === 0) return t;
    if (f > 0) lo = t;
    else hi = t;
    const newton = t + f / studentTDensity(t, df); // d(excess)/dt = −density
    // Bisect when Newton would leave the bracket or is not at least halving the step (convergence guaranteed).
    if (!(newton > lo && newton < hi) || Math.abs(2 * f) > Math.abs(stepBefore * studentTDensity(t, df))) {
      stepBefore = step;
      step = (hi - lo) / 2;
      t = lo + step;
    } else {
      stepBefore = step;
      step = newton - t;
      t = newton;
    }
    if (Math.abs(step) <= 4 * Number.EPSILON * Math.max(1, Math.abs(t)) || hi - lo <= 4 * Number.EPSILON * hi) return t;
  }
  return t;
}

/** P(T > t) for t ≥ 0: ½·I_x(df/2, ½) with x = df/(df + t²); 1 − x is passed exactly to keep precision near 0. */
function studentTUpperTail(t: number, df: number): number {
  const t2 = t * t;
  // Past t ≈ 1e154, t² overflows (the tail read 0 and the bracket stopped there); x = df/t² < 1e-300 is then so small
  // that I_x(a, ½) = xᵃ / (a·B(a, ½)) to double precision, taken in logs since x itself may underflow.
  if (t2 === Infinity) {
    const a = df / 2;
    const logX = Math.log(df) - 2 * Math.log(t);
    return 0.5 * Math.exp(a * logX - Math.log(a) - logGamma(a) - logGamma(0.5) + logGamma(a + 0.5));
  }
  return 0.5 * regularisedIncompleteBeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5);
}

function studentTDensity(t: number, df: number): number {
  const logNorm = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logNorm - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** I_x(a, b) with x and its complement xc = 1 − x (Numerical Recipes §6.4: continued fraction on the converging side). */
export function regularisedIncompleteBeta(x: number, xc: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (xc <= 0) return 1;
  const logX = x < 0.5 ? Math.log(x) : Math.log1p(-xc);
  const logXc = xc < 0.5 ? Math.log(xc) : Math.log1p(-x);
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * logX + b * logXc);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(xc, b, a)) / b;
}

/** Continued fraction for I_x(a, b) by the modified Lentz method. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  // It converges in O(√max(a, b)) steps (Numerical Recipes §6.4; a sweep of a, b in [0.01, 1e7] and x up to the
  // switch needed at most 13·√max(a, b, 1), and ≤ 0.75·√max(a, b) past 1e4), so this bound is never reached by
  // valid input. It keeps a broken iteration cheap: it ends in ~10·√max(a, b) steps, not 100,000.
  const limit = 200 + 10 * Math.sqrt(Math.max(a, b));
  for (let m = 1; m <= limit; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) return h;
  }
  return h; // not reached by valid input (above); the value would then still be close
}

/** ln Γ(x) for x > 0: Lanczos (g = 7, 9 terms, ≈1e-15 relative), with the reflection formula below ½. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let sum = coefficients[0];
  for (let i = 1; i < coefficients.length; i++) sum += coefficients[i] / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}
