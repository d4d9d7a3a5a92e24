import { DateTime } from 'luxon';

import { localWeek } from './calendar.js';
import { BLOCK_HOURS, candidateWindows, openTime, PlannerCampaign, PlannerTouchpoint } from './planner.js';
import { SeededRandom } from './random.js';
import { stratumOf } from './window-draw.js';

/**
 * A touchpoint owner's attack on the plan, as a pure function of what the owner sees. The owner knows
 * the opening hours, closures and rules, and sees each completed test (week, window) from the moment
 * the service shows it to them; at each point they guess one weekday × 2-hour block ("stratum") of a
 * period still to come with every predictor a motivated owner would build. A guess hits when a test of
 * that period lands in that stratum. The yardstick is a fair guess: uniform among the same open strata,
 * whose expected hits are (strata of the period holding a test) / (open strata). Leak = hits / that.
 *
 * Two tasks: `next_week` — at the start of each week, guess a stratum of that week; `rest_of_week` —
 * each time a test becomes visible, guess a stratum of the current week that has not begun yet.
 * Used by unpredictability.spec.ts (asserts the leak), the e2e attack and `npm run bench` (prints it).
 */

/** One week of a touchpoint as its owner knows it: the open strata and their first and last window starts. */
export interface WeekFrame {
  weekStart: string;
  start: number;
  end: number;
  strata: Map<number, { first: number; last: number }>;
}

export interface SeenTest {
  week: number;
  start: number;
  stratum: number;
  /** When the owner first sees it. */
  visibleAt: number;
}

/** One touchpoint of one campaign over the weeks: what was planned and when its owner saw each test. */
export interface Timeline {
  label: string;
  frames: WeekFrame[];
  tests: SeenTest[];
  k: number;
  spacing: number;
}

export type Task = 'next_week' | 'rest_of_week';

export interface Leak {
  predictor: string;
  task: Task;
  points: number;
  hits: number;
  /** Expected hits of a uniform guess among the same strata. */
  expected: number;
  ratio: number;
  /** Of the ratio, from the spread between timelines (ratio-estimator formula). */
  standardError: number;
}

/** Strata of a moment in a zone: weekday (0 = Monday) × 2-hour block. */
export function stratumAt(t: number, zone: string): number {
  const local = DateTime.fromMillis(t, { zone });
  return stratumOf({ start: t, end: t, day: local.weekday - 1, block: Math.floor(local.hour / BLOCK_HOURS) });
}

/** The weeks as the owner knows them: opening hours and closures, from the campaign's start. */
export function weekFrames(tp: PlannerTouchpoint, campaign: PlannerCampaign, weeks: string[]): WeekFrame[] {
  return weeks.map((weekStart) => {
    const week = localWeek(weekStart, tp.timezone);
    const strata = new Map<number, { first: number; last: number }>();
    for (const c of candidateWindows(
      openTime(tp, campaign, weekStart, -Infinity),
      tp.timezone,
      campaign.windowMinutes,
    )) {
      const s = stratumOf(c);
      const found = strata.get(s);
      if (found) found.last = c.start;
      else strata.set(s, { first: c.start, last: c.start });
    }
    return { weekStart, start: week.start, end: week.end, strata };
  });
}

/** A timeline from planned window starts; `visibleAt` says when the owner sees each (once done). */
export function timeline(
  label: string,
  tp: PlannerTouchpoint,
  frames: WeekFrame[],
  starts: number[],
  rules: { k: number; spacing: number },
  visibleAt: (start: number) => number,
): Timeline {
  const tests: SeenTest[] = [];
  for (const start of [...starts].sort((a, b) => a - b)) {
    const week = frames.findIndex((f) => f.start <= start && start < f.end);
    if (week >= 0) tests.push({ week, start, stratum: stratumAt(start, tp.timezone), visibleAt: visibleAt(start) });
  }
  return { label, frames, tests, ...rules };
}

interface Context {
  line: Timeline;
  task: Task;
  /** Tests the owner has seen, in time order. */
  visible: SeenTest[];
  now: number;
  /** The week guessed in. */
  target: number;
  /** The strata a guess is among (sorted). */
  candidates: number[];
  rng: SeededRandom;
}

type Predictor = (ctx: Context) => number;

const pickOne = <T>(list: T[], rng: SeededRandom): T => list[rng.int(0, list.length - 1)];

/** The candidate with the best score; ties at random. */
function best(ctx: Context, score: (s: number) => number, direction: 1 | -1): number {
  let top: number[] = [];
  let topScore = -Infinity;
  for (const s of ctx.candidates) {
    const v = direction * score(s);
    if (v > topScore) [top, topScore] = [[s], v];
    else if (v === topScore) top.push(s);
  }
  return pickOne(top, ctx.rng);
}

function counts(tests: SeenTest[], key: (t: SeenTest) => number): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of tests) out.set(key(t), (out.get(key(t)) ?? 0) + 1);
  return out;
}

const dayOf = (stratum: number) => Math.floor(stratum / 12);
const blockOf = (stratum: number) => stratum % 12;

/**
 * The old planner's model, fitted by votes: slot i = week × k + n targeted block order[i mod B] and day
 * order[(i + ⌊i / B⌋) mod D]. Each visible week votes its blocks to its block positions and its days to
 * its day positions; the positions of the target week then name the strata to guess (the brute force
 * over orders, without enumerating B! × D! of them).
 */
const openCounts = new WeakMap<Timeline, { B: number; D: number }>();

const fixedCycle: Predictor = (ctx) => {
  const { line } = ctx;
  let open = openCounts.get(line);
  if (!open) {
    const strata = new Set(line.frames.flatMap((f) => [...f.strata.keys()]));
    open = { B: new Set([...strata].map(blockOf)).size, D: new Set([...strata].map(dayOf)).size };
    openCounts.set(line, open);
  }
  const { B, D } = open;
  const positions = (week: number) =>
    Array.from({ length: line.k }, (_, n) => {
      const i = week * line.k + n;
      return { block: i % B, day: (i + Math.floor(i / B)) % D };
    });
  const blockVotes = new Map<number, Map<number, number>>();
  const dayVotes = new Map<number, Map<number, number>>();
  const vote = (votes: Map<number, Map<number, number>>, position: number, value: number) => {
    let tally = votes.get(position);
    if (!tally) votes.set(position, (tally = new Map<number, number>()));
    tally.set(value, (tally.get(value) ?? 0) + 1);
  };
  for (const t of ctx.visible) {
    for (const p of positions(t.week)) {
      vote(blockVotes, p.block, blockOf(t.stratum));
      vote(dayVotes, p.day, dayOf(t.stratum));
    }
  }
  const top = (tally: Map<number, number> | undefined) => {
    if (!tally) return null;
    let found: number | null = null;
    let most = 0;
    for (const [value, n] of tally) if (n > most) [found, most] = [value, n];
    return found;
  };
  const predicted = positions(ctx.target).flatMap((p) => {
    const block = top(blockVotes.get(p.block));
    const day = top(dayVotes.get(p.day));
    return block === null || day === null ? [] : [day * 12 + block];
  });
  const inReach = predicted.filter((s) => ctx.candidates.includes(s));
  return inReach.length ? pickOne(inReach, ctx.rng) : pickOne(ctx.candidates, ctx.rng);
};

/** The predictors a motivated owner would build (and a uniform guess, as a check of the yardstick). */
export const PREDICTORS: Record<string, Predictor> = {
  uniform: (ctx) => pickOne(ctx.candidates, ctx.rng),
  most_tested_block: (ctx) => {
    const n = counts(ctx.visible, (t) => t.stratum);
    return best(ctx, (s) => n.get(s) ?? 0, 1);
  },
  least_tested_block: (ctx) => {
    const n = counts(ctx.visible, (t) => t.stratum);
    return best(ctx, (s) => n.get(s) ?? 0, -1);
  },
  fixed_cycle_fit: fixedCycle,
  same_as_last: (ctx) => {
    const last = ctx.visible[ctx.visible.length - 1];
    return last && ctx.candidates.includes(last.stratum) ? last.stratum : pickOne(ctx.candidates, ctx.rng);
  },
  block_after_last: (ctx) => {
    const last = ctx.visible[ctx.visible.length - 1];
    if (!last) return pickOne(ctx.candidates, ctx.rng);
    return ctx.candidates.find((s) => s > last.stratum) ?? ctx.candidates[0];
  },
  not_same_day_twice: (ctx) => {
    // Days already tested in the week guessed (or, for a new week, in the last week seen), and any
    // stratum the spacing rules out next to a seen test, are skipped.
    const lastWeek = ctx.visible.length ? ctx.visible[ctx.visible.length - 1].week : -1;
    const week = ctx.task === 'rest_of_week' ? ctx.target : lastWeek;
    const days = new Set(ctx.visible.filter((t) => t.week === week).map((t) => dayOf(t.stratum)));
    const frame = ctx.line.frames[ctx.target];
    // A stratum whose windows still ahead all lie within the spacing of one seen test cannot hold a test.
    const ruledOut = (s: number) => {
      const { first, last } = frame.strata.get(s)!;
      return ctx.visible.some((t) => t.start - ctx.line.spacing < first && last < t.start + ctx.line.spacing);
    };
    const left = ctx.candidates.filter((s) => !days.has(dayOf(s)) && !ruledOut(s));
    return pickOne(left.length ? left : ctx.candidates, ctx.rng);
  },
  weekday_habit: (ctx) => {
    const byDay = counts(ctx.visible, (t) => dayOf(t.stratum));
    const day = best(ctx, (s) => byDay.get(dayOf(s)) ?? 0, 1);
    const n = counts(ctx.visible, (t) => t.stratum);
    return best({ ...ctx, candidates: ctx.candidates.filter((s) => dayOf(s) === dayOf(day)) }, (s) => n.get(s) ?? 0, 1);
  },
};

interface Tally {
  hits: number;
  expected: number;
  points: number;
}

/** Every prediction point of one timeline, for one task: when, which week, which strata, which strata hold a test. */
function points(
  line: Timeline,
  task: Task,
  warmUpWeeks: number,
): Array<{ now: number; target: number; candidates: number[]; future: Set<number> }> {
  const out = [];
  if (task === 'next_week') {
    for (let w = warmUpWeeks; w < line.frames.length; w++) {
      const frame = line.frames[w];
      const candidates = [...frame.strata.keys()].sort((a, b) => a - b);
      if (candidates.length === 0) continue;
      out.push({
        now: frame.start,
        target: w,
        candidates,
        future: new Set(line.tests.filter((t) => t.week === w).map((t) => t.stratum)),
      });
    }
    return out;
  }
  for (const seen of line.tests) {
    const now = seen.visibleAt;
    const target = line.frames.findIndex((f) => f.start <= now && now < f.end);
    if (target < warmUpWeeks) continue;
    const frame = line.frames[target];
    // Blocks not yet begun: one under way is partly past, and would lower the yardstick unfairly.
    const candidates = [...frame.strata]
      .filter(([, s]) => s.first > now)
      .map(([s]) => s)
      .sort((a, b) => a - b);
    if (candidates.length === 0) continue;
    const future = new Set(line.tests.filter((t) => t.week === target && t.start > now).map((t) => t.stratum));
    out.push({ now, target, candidates, future });
  }
  return out;
}

/** The leak of every predictor on both tasks, over all the timelines. */
export function measureLeak(lines: Timeline[], options: { seed?: string; warmUpWeeks?: number } = {}): Leak[] {
  const warmUp = options.warmUpWeeks ?? 4;
  const out: Leak[] = [];
  for (const task of ['next_week', 'rest_of_week'] as const) {
    for (const [name, predictor] of Object.entries(PREDICTORS)) {
      const groups: Tally[] = [];
      for (const line of lines) {
        const rng = new SeededRandom(options.seed ?? 'owner-attack', name, task, line.label);
        const tally: Tally = { hits: 0, expected: 0, points: 0 };
        for (const p of points(line, task, warmUp)) {
          const visible = line.tests.filter((t) => t.visibleAt <= p.now);
          const guess = predictor({ line, task, visible, now: p.now, target: p.target, candidates: p.candidates, rng });
          tally.hits += p.future.has(guess) ? 1 : 0;
          tally.expected += p.candidates.filter((s) => p.future.has(s)).length / p.candidates.length;
          tally.points++;
        }
        groups.push(tally);
      }
      out.push(summarise(name, task, groups));
    }
  }
  return out;
}

function summarise(predictor: string, task: Task, groups: Tally[]): Leak {
  const hits = groups.reduce((a, g) => a + g.hits, 0);
  const expected = groups.reduce((a, g) => a + g.expected, 0);
  const ratio = expected > 0 ? hits / expected : 0;
  const n = groups.length;
  const spread = groups.reduce((a, g) => a + (g.hits - ratio * g.expected) ** 2, 0);
  const standardError = n > 1 && expected > 0 ? Math.sqrt((n / (n - 1)) * spread) / expected : Infinity;
  return { predictor, task, points: groups.reduce((a, g) => a + g.points, 0), hits, expected, ratio, standardError };
}

/**
 * Share of the open strata an owner knows hold no test, whatever they predict: those still to begin in a week
 * whose k tests they have all seen already. A test seen only after its week has ended makes it 0.
 */
export function knownSafeShare(lines: Timeline[]): number {
  let safe = 0;
  let open = 0;
  for (const line of lines) {
    line.frames.forEach((frame, week) => {
      open += frame.strata.size;
      const tests = line.tests.filter((t) => t.week === week);
      if (tests.length === 0 || tests.length < line.k) return;
      const allSeen = Math.max(...tests.map((t) => t.visibleAt));
      for (const { first } of frame.strata.values()) if (first > allSeen) safe++;
    });
  }
  return open ? safe / open : 0;
}

/** Share of the open strata of the first `weeks` weeks that held at least one test in them. */
export function coverage(line: Timeline, weeks = 13): number {
  const open = new Set(line.frames.slice(0, weeks).flatMap((f) => [...f.strata.keys()]));
  const tested = new Set(line.tests.filter((t) => t.week < weeks).map((t) => t.stratum));
  return open.size ? [...tested].filter((s) => open.has(s)).length / open.size : 0;
}
