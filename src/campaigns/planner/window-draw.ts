import { SeededRandom } from './random.js';

/**
 * How a touchpoint's k windows of one week are drawn, so that nothing an owner sees predicts the next
 * test. Pure functions, no I/O.
 *
 * Each week is drawn afresh from its own seeded stream (past weeks say nothing of the next). The k
 * windows are drawn jointly, from the distribution p(set) ∝ Π w(window) over the sets whose starts
 * keep the spacing, sampled exactly by a forward pass over the windows in time order (a set with
 * gaps ≥ spacing is a chain, so the sums over all valid sets take O(k × windows)). The weights start
 * uniform over (weekday, 2-hour block) strata — every open block equally likely, a half-open block
 * not under-weighted — and are then fitted (iterative proportional fitting on the exact marginals)
 * so that every stratum holds a test with the same probability k / B even though the spacing rule
 * favours the edges of the week: an owner who counts which blocks were tested learns nothing.
 */

/** A window a touchpoint could be tested in, with its local weekday (0 = Monday) and 2-hour block. */
export interface Candidate {
  start: number;
  end: number;
  day: number;
  block: number;
}

export const stratumOf = (c: Candidate): number => c.day * 12 + c.block;

/** Fitted weights of one candidate set, and how flat the stratum marginals came out. */
export interface StrataFit {
  weights: Float64Array;
  /** Largest stratum probability over the mean (1 = perfectly flat). */
  flatness: number;
  /** How many windows a valid set can hold at most (≤ k). */
  length: number;
}

const FIT_TOLERANCE = 0.002;
const FIT_ITERATIONS = 200;
const MIN_WEIGHT = 1e-30;

/** Starts closer than this are one window twice: a spacing of 0 still means two different windows. */
const minimumGap = (spacing: number) => Math.max(spacing, 1);

/**
 * For each candidate i (sorted by start), the last index j with start[j] ≤ start[i] - gap, or -1: the
 * windows a set may hold before it.
 */
function previousIndex(candidates: Candidate[], gap: number): Int32Array {
  const prev = new Int32Array(candidates.length);
  let p = -1;
  for (let i = 0; i < candidates.length; i++) {
    while (p + 1 < candidates.length && candidates[p + 1].start <= candidates[i].start - gap) p++;
    prev[i] = p;
  }
  return prev;
}

/** Forward sums: row j, entry i = total weight of the valid sets of j + 1 windows whose last is i. */
function forwardRows(weights: Float64Array, prev: Int32Array, k: number): Float64Array[] {
  const n = weights.length;
  const rows = [Float64Array.from(weights)];
  for (let j = 1; j < k; j++) {
    const below = rows[j - 1];
    const prefix = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + below[i];
    const row = new Float64Array(n);
    for (let i = 0; i < n; i++) row[i] = weights[i] * prefix[prev[i] + 1];
    rows.push(row);
  }
  return rows;
}

/** Backward sums: row j, entry i = total weight of the valid sets of j + 1 windows whose first is i. */
function backwardRows(weights: Float64Array, next: Int32Array, k: number): Float64Array[] {
  const n = weights.length;
  const rows = [Float64Array.from(weights)];
  for (let j = 1; j < k; j++) {
    const above = rows[j - 1];
    const suffix = new Float64Array(n + 1);
    for (let i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + above[i];
    const row = new Float64Array(n);
    for (let i = 0; i < n; i++) row[i] = weights[i] * suffix[next[i]];
    rows.push(row);
  }
  return rows;
}

function nextIndex(candidates: Candidate[], gap: number): Int32Array {
  const next = new Int32Array(candidates.length);
  let q = candidates.length;
  for (let i = candidates.length - 1; i >= 0; i--) {
    while (q - 1 >= 0 && candidates[q - 1].start >= candidates[i].start + gap) q--;
    next[i] = q;
  }
  return next;
}

const total = (row: Float64Array) => row.reduce((a, b) => a + b, 0);

/** The longest valid set, up to k (a short week or a long spacing may not hold k windows). */
function chainLength(rows: Float64Array[]): number {
  let length = 0;
  while (length < rows.length && total(rows[length]) > 0) length++;
  return length;
}

/**
 * Probability that each candidate is in the drawn set of `k` windows: Σ_j forward_j(i) × backward_{k-1-j}(i)
 * / w(i) / Z (the candidate's own weight is counted in both halves).
 */
export function candidateMarginals(
  candidates: Candidate[],
  weights: Float64Array,
  k: number,
  spacing: number,
): Float64Array {
  const gap = minimumGap(spacing);
  const forward = forwardRows(weights, previousIndex(candidates, gap), k);
  const backward = backwardRows(weights, nextIndex(candidates, gap), k);
  const z = total(forward[k - 1]);
  const out = new Float64Array(candidates.length);
  if (!(z > 0)) return out;
  for (let i = 0; i < candidates.length; i++) {
    if (weights[i] === 0) continue;
    let m = 0;
    for (let j = 0; j < k; j++) m += (forward[j][i] * backward[k - 1 - j][i]) / weights[i];
    out[i] = m / z;
  }
  return out;
}

/** Sums candidate values by stratum. */
export function byStratum(candidates: Candidate[], values: ArrayLike<number>): Map<number, number> {
  const out = new Map<number, number>();
  candidates.forEach((c, i) => out.set(stratumOf(c), (out.get(stratumOf(c)) ?? 0) + values[i]));
  return out;
}

/**
 * Weights that make every stratum equally likely to hold a test: uniform over strata (and uniform over
 * the windows inside one), then scaled stratum by stratum until the exact marginals are flat.
 */
export function fitStrata(candidates: Candidate[], k: number, spacing: number): StrataFit {
  const n = candidates.length;
  const strata = candidates.map(stratumOf);
  const count = new Map<number, number>();
  for (const s of strata) count.set(s, (count.get(s) ?? 0) + 1);
  let weights = Float64Array.from(strata, (s) => 1 / count.get(s)!);
  const gap = minimumGap(spacing);
  const length = n === 0 ? 0 : chainLength(forwardRows(weights, previousIndex(candidates, gap), k));
  if (length <= 1) return { weights, flatness: 1, length };
  const target = length / count.size;
  let best = { weights, flatness: Infinity };
  for (let iteration = 0; iteration < FIT_ITERATIONS; iteration++) {
    const marginal = byStratum(candidates, candidateMarginals(candidates, weights, length, spacing));
    const ratios = [...marginal.values()].map((m) => m / target);
    // Flat marginals may be out of reach (a rule that leaves a block untestable): keep the flattest seen.
    if (!ratios.every(Number.isFinite) || Math.max(...ratios) === 0) break;
    const worst = Math.max(...ratios);
    if (worst < best.flatness) best = { weights, flatness: worst };
    if (ratios.every((r) => Math.abs(r - 1) < FIT_TOLERANCE)) break;
    const next = new Float64Array(n);
    // A stratum no valid set can reach keeps its weight; the others are scaled towards the target.
    for (let i = 0; i < n; i++) {
      const m = marginal.get(strata[i])!;
      next[i] = weights[i] * (m > 0 ? target / m : 1);
    }
    // Scale freely (the draw only depends on ratios): the largest weight is 1, and none falls to nothing,
    // so that a fit chasing an unreachable target cannot underflow.
    const top = Math.max(...next);
    for (let i = 0; i < n; i++) next[i] = Math.max(next[i] / top, MIN_WEIGHT);
    weights = next;
  }
  return { weights: best.weights, flatness: best.flatness, length };
}

/** Fits are shared by every touchpoint with the same open windows (the candidate list is memoised). */
const fits = new WeakMap<Candidate[], Map<string, StrataFit>>();
/** …and by weeks whose windows have the same shape (relative starts and strata): most weeks. Bounded. */
const fitsByShape = new Map<string, StrataFit>();

export function strataFit(candidates: Candidate[], k: number, spacing: number): StrataFit {
  let byRule = fits.get(candidates);
  if (!byRule) fits.set(candidates, (byRule = new Map<string, StrataFit>()));
  const key = `${k}|${spacing}`;
  let fit = byRule.get(key);
  if (!fit) {
    const first = candidates.length ? candidates[0].start : 0;
    const shape = `${key}|${candidates.map((c) => `${(c.start - first) / 60_000}:${stratumOf(c)}`).join(',')}`;
    fit = fitsByShape.get(shape);
    if (!fit) {
      if (fitsByShape.size >= 2_000) fitsByShape.clear();
      fitsByShape.set(shape, (fit = fitStrata(candidates, k, spacing)));
    }
    byRule.set(key, fit);
  }
  return fit;
}

/** An index drawn with probability ∝ prefix[i + 1] - prefix[i], among i < limit. */
function drawFromPrefix(prefix: Float64Array, limit: number, rng: SeededRandom): number {
  const u = rng.fraction() * prefix[limit];
  let lo = 0;
  let hi = limit - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (prefix[mid + 1] > u) hi = mid;
    else lo = mid + 1;
  }
  // Skip zero-weight entries that a rounding edge could land on.
  while (lo > 0 && prefix[lo + 1] === prefix[lo]) lo--;
  return lo;
}

/**
 * Draws up to k windows from `candidates` (sorted by start) with p(set) ∝ Π weights over the sets whose
 * starts are at least `spacing` apart. Returns the chosen indexes in time order; fewer than k when no
 * valid set holds k.
 */
export function drawWindows(
  candidates: Candidate[],
  weights: Float64Array,
  k: number,
  spacing: number,
  rng: SeededRandom,
): number[] {
  if (candidates.length === 0 || k === 0) return [];
  const { prev, prefixes } = drawTables(candidates, weights, k, spacing);
  // The last window first, then each earlier one among those the spacing allows before it.
  const chosen: number[] = [];
  let limit = candidates.length;
  for (let j = prefixes.length - 1; j >= 0; j--) {
    const i = drawFromPrefix(prefixes[j], limit, rng);
    chosen.push(i);
    limit = prev[i] + 1;
  }
  return chosen.reverse();
}

interface DrawTables {
  prev: Int32Array;
  /** Cumulative forward sums, one row per set size up to the longest valid set. */
  prefixes: Float64Array[];
}

/** Touchpoints with the same open windows draw from the same tables (the fitted weights are shared). */
const tables = new WeakMap<Float64Array, Map<string, DrawTables>>();

function drawTables(candidates: Candidate[], weights: Float64Array, k: number, spacing: number): DrawTables {
  let byRule = tables.get(weights);
  if (!byRule) tables.set(weights, (byRule = new Map<string, DrawTables>()));
  const key = `${k}|${spacing}`;
  let found = byRule.get(key);
  if (!found) {
    const prev = previousIndex(candidates, minimumGap(spacing));
    const rows = forwardRows(weights, prev, k);
    const prefixes = rows.slice(0, chainLength(rows)).map((row) => {
      const prefix = new Float64Array(row.length + 1);
      for (let i = 0; i < row.length; i++) prefix[i + 1] = prefix[i] + row[i];
      return prefix;
    });
    byRule.set(key, (found = { prev, prefixes }));
  }
  return found;
}

/**
 * The candidates in a random order where each next one is drawn ∝ its weight among those left
 * (Efraimidis–Spirakis keys, kept in a heap and taken lazily): the fall-back order when a drawn window
 * finds no tester. Usually only the first few are wanted.
 */
export function* weightedOrder(indexes: number[], weights: Float64Array, rng: SeededRandom): Generator<number> {
  const heap: Array<{ i: number; key: number }> = [];
  for (const i of indexes) if (weights[i] > 0) heap.push({ i, key: Math.log(1 - rng.fraction()) / weights[i] });
  // Largest key first; ties (never in practice) by index, for a deterministic order.
  const above = (a: { i: number; key: number }, b: { i: number; key: number }) =>
    a.key > b.key || (a.key === b.key && a.i < b.i);
  const down = (from: number) => {
    for (let j = from; ;) {
      const l = 2 * j + 1;
      const r = l + 1;
      let top = j;
      if (l < heap.length && above(heap[l], heap[top])) top = l;
      if (r < heap.length && above(heap[r], heap[top])) top = r;
      if (top === j) return;
      [heap[j], heap[top]] = [heap[top], heap[j]];
      j = top;
    }
  };
  for (let j = (heap.length >> 1) - 1; j >= 0; j--) down(j);
  while (heap.length) {
    const first = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      down(0);
    }
    yield first.i;
  }
}
