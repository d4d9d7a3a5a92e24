import { DateTime } from 'luxon';
import {
  clipIntervals,
  contains,
  DateRangeLike,
  Interval,
  localWeek,
  rangeInterval,
  repeatedPeriods,
  subtractIntervals,
  weeklyIntervals,
} from './calendar.js';
import { SeededRandom, seededKey } from './random.js';

/**
 * The planner: pure functions of their inputs (the current time included). Given a campaign, one
 * week, the touchpoints, the testers and what is already planned, it draws each touchpoint's test
 * windows inside its opening hours and gives each window an eligible tester. No I/O.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Windows start on local quarter hours: "between 14:15 and 15:15" is something a person can keep. */
const STEP = 15 * MINUTE;
/** Time-of-day blocks for stratification: 2 local hours each. */
const BLOCK_HOURS = 2;

export interface PlannerCampaign {
  id: string;
  seed: string;
  contactsPerTouchpointPerWeek: number;
  windowMinutes: number;
  revealLeadMinutes: number;
  holdLeadMinutes: number | null;
  minSpacingHours: number;
  testerWeeklyCap: number;
  rotationDays: number;
  allowOwnerSelfTest: boolean;
  /** YYYY-MM-DD, inclusive, read in each touchpoint's zone. */
  startsOn: string;
  endsOn: string | null;
}

export interface PlannerTouchpoint {
  id: string;
  channel: string;
  timezone: string;
  openingHours: Array<{ day: string; open: string; close: string }>;
  closures: DateRangeLike[];
  ownerId: string | null;
}

export interface PlannerTester {
  id: string;
  timezone: string;
  workingHours: Array<{ day: string; start: string; end: string }>;
  leave: DateRangeLike[];
}

export interface PlannerScenario {
  id: string;
  channels: string[];
}

/** An assignment that already exists (any campaign of the organization), for caps, spacing and rotation. */
export interface ExistingAssignment {
  campaignId: string;
  testerId: string | null;
  touchpointId: string;
  scenarioId: string | null;
  weekStart: string;
  windowStart: number;
  windowEnd: number;
}

export interface PlanWeekInput {
  campaign: PlannerCampaign;
  /** The Monday of the week to plan (YYYY-MM-DD). */
  weekStart: string;
  touchpoints: PlannerTouchpoint[];
  testers: PlannerTester[];
  scenarios: PlannerScenario[];
  existing: ExistingAssignment[];
  now: number;
}

export interface PlannedAssignment {
  touchpointId: string;
  slot: number;
  testerId: string;
  scenarioId: string | null;
  windowStart: number;
  windowEnd: number;
  revealAt: number;
  holdAt: number | null;
}

export type UnfilledReason =
  | 'no_open_time'
  | 'spacing'
  | 'no_tester_available'
  | 'only_owner_available'
  | 'tester_weekly_cap_reached'
  | 'rotation'
  | 'testers_busy'
  | 'declined_too_late'
  | 'not_revealed_in_time'
  | 'tester_became_owner';

export const UNFILLED_REASONS: Record<UnfilledReason, string> = {
  no_open_time: 'no opening hours left in the week (closed, outside the campaign, or too soon to reveal)',
  spacing: 'every open window is too close to another test of this touchpoint',
  no_tester_available: 'no tester of the pool works then (working hours, leave)',
  only_owner_available: 'only the touchpoint\'s owner could test then',
  tester_weekly_cap_reached: 'every available tester has reached the weekly cap',
  rotation: 'every available tester tested this touchpoint within the rotation period',
  testers_busy: 'every available tester already has a test at that time',
  declined_too_late: 'declined too close to the window for anyone else to take it',
  not_revealed_in_time: 'the window began before the test could be revealed (the service was down)',
  tester_became_owner: 'the tester became the touchpoint\'s owner after planning',
};

export interface UnfilledSlot {
  touchpointId: string;
  slot: number;
  reason: UnfilledReason;
}

export interface WeekPlan {
  assignments: PlannedAssignment[];
  unfilled: UnfilledSlot[];
}

interface Candidate {
  start: number;
  end: number;
  day: number;
  block: number;
}

/** Where a touchpoint can be tested this week: opening hours minus closures, inside the campaign and after the reveal lead. */
export function openTime(tp: PlannerTouchpoint, campaign: PlannerCampaign, weekStart: string, now: number): Interval[] {
  const week = localWeek(weekStart, tp.timezone);
  const open = weeklyIntervals(
    tp.openingHours.map((h) => ({ day: h.day, from: h.open, to: h.close })),
    tp.timezone,
    weekStart,
    7,
  );
  const closed = [...tp.closures.map((c) => rangeInterval(c, tp.timezone)), ...repeatedPeriods(tp.timezone, week.start, week.end)];
  const campaignSpan = rangeInterval({ from: campaign.startsOn, to: campaign.endsOn ?? '9999-12-31' }, tp.timezone);
  const earliest = now + campaign.revealLeadMinutes * MINUTE;
  const bounds = {
    start: Math.max(week.start, campaignSpan.start, earliest),
    end: Math.min(week.end, campaignSpan.end),
  };
  return clipIntervals(subtractIntervals(open, closed), bounds);
}

/**
 * Every window start on a local quarter hour that fits in one open interval, labelled with its
 * local weekday and 2-hour block. (Open time already excludes the second pass of a repeated hour.)
 */
const candidateMemo = new Map<string, Candidate[]>();

/** Touchpoints sharing a zone and hours share their candidates (read-only). Bounded. */
export function candidateWindows(open: Interval[], zone: string, windowMinutes: number): Candidate[] {
  const key = `${zone}|${windowMinutes}|${open.map((i) => `${i.start}-${i.end}`).join(',')}`;
  let found = candidateMemo.get(key);
  if (!found) {
    if (candidateMemo.size >= 5_000) candidateMemo.clear();
    candidateMemo.set(key, (found = computeCandidates(open, zone, windowMinutes)));
  }
  return found;
}

function computeCandidates(open: Interval[], zone: string, windowMinutes: number): Candidate[] {
  const length = windowMinutes * MINUTE;
  const out: Candidate[] = [];
  for (const i of open) {
    const first = DateTime.fromMillis(i.start, { zone });
    const misalign = (first.minute % 15) * MINUTE + first.second * 1000 + first.millisecond;
    // Within an interval of a day or less the offset is constant unless the clocks change in it;
    // then local time is plain arithmetic, and luxon is asked only across a change.
    const offset = first.offset;
    const constant = DateTime.fromMillis(i.end, { zone }).offset === offset;
    for (let t = misalign === 0 ? i.start : i.start + STEP - misalign; t + length <= i.end; t += STEP) {
      let day: number;
      let hour: number;
      if (constant) {
        const local = new Date(t + offset * MINUTE);
        day = (local.getUTCDay() + 6) % 7;
        hour = local.getUTCHours();
      } else {
        const local = DateTime.fromMillis(t, { zone });
        day = local.weekday - 1;
        hour = local.hour;
      }
      out.push({ start: t, end: t + length, day, block: Math.floor(hour / BLOCK_HOURS) });
    }
  }
  return out;
}

function weeksBetween(fromDate: string, weekStart: string): number {
  const from = DateTime.fromISO(fromDate, { zone: 'utc' }).startOf('week');
  return Math.max(0, Math.round(DateTime.fromISO(weekStart, { zone: 'utc' }).diff(from, 'weeks').weeks));
}

/** The weekdays and 2-hour blocks a touchpoint is ever open in, from its regular hours. */
function strata(tp: PlannerTouchpoint): { days: number[]; blocks: number[] } {
  const days = new Set<number>();
  const blocks = new Set<number>();
  const order = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  for (const h of tp.openingHours) {
    days.add(order.indexOf(h.day));
    const [oh, om] = h.open.split(':').map(Number);
    const [ch, cm] = h.close.split(':').map(Number);
    const first = Math.floor(oh / BLOCK_HOURS);
    const last = Math.floor((ch * 60 + cm - 1) / 60 / BLOCK_HOURS);
    for (let b = first; b <= last; b++) blocks.add(b);
    void om;
  }
  return { days: [...days].sort((a, b) => a - b), blocks: [...blocks].sort((a, b) => a - b) };
}

interface TesterState {
  tester: PlannerTester;
  available: Interval[];
  weekLoad: number;
  campaignLoad: number;
  /** Windows this tester holds in and around the week (all campaigns), for overlaps. */
  windows: Interval[];
  /** Touchpoint → starts of this tester's tests of it, for rotation. */
  tested: Map<string, number[]>;
  /** Position in a seeded random order of the testers, for tie-breaks. */
  rank: number;
}

/** Testers indexed by the quarter hour of the week they are available in, so a window scans only candidates. */
class TesterIndex {
  private readonly buckets = new Map<number, TesterState[]>();

  constructor(
    readonly states: TesterState[],
    private readonly origin: number,
  ) {
    for (const s of states) {
      for (const i of s.available) {
        for (let t = Math.ceil((i.start - origin) / STEP) * STEP + origin; t < i.end; t += STEP) {
          const key = Math.round((t - origin) / STEP);
          let list = this.buckets.get(key);
          if (!list) this.buckets.set(key, (list = []));
          list.push(s);
        }
      }
    }
  }

  at(start: number): TesterState[] {
    return this.buckets.get(Math.round((start - this.origin) / STEP)) ?? [];
  }
}

function overlaps(list: Interval[], start: number, end: number): boolean {
  for (const w of list) if (w.start < end && start < w.end) return true;
  return false;
}

interface TesterContext {
  states: TesterState[];
  horizon: Interval;
  touchpointWindows: Map<string, number[]>;
  scenarioUse: Map<string, number>;
}

/** Tester availability in real time around the week, and every load the existing plan puts on them. */
function testerContext(campaign: PlannerCampaign, weekStart: string, testers: PlannerTester[], existing: ExistingAssignment[]): TesterContext {
  const weekUtc = localWeek(weekStart, 'UTC');
  // Zones reach ±14 h, so a local week spans a bit more than the UTC one.
  const horizon = { start: weekUtc.start - DAY, end: weekUtc.end + DAY };
  const firstDay = DateTime.fromMillis(horizon.start, { zone: 'utc' }).toISODate()!;
  const weekLoad = new Map<string, number>();
  const campaignLoad = new Map<string, number>();
  const testerWindows = new Map<string, Interval[]>();
  const touchpointWindows = new Map<string, number[]>();
  const tested = new Map<string, Map<string, number[]>>(); // tester → touchpoint → window starts
  const scenarioUse = new Map<string, number>(); // touchpoint|scenario → count
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const a of existing) {
    push(touchpointWindows, a.touchpointId, a.windowStart);
    if (a.scenarioId) scenarioUse.set(`${a.touchpointId}|${a.scenarioId}`, (scenarioUse.get(`${a.touchpointId}|${a.scenarioId}`) ?? 0) + 1);
    if (!a.testerId) continue;
    if (a.weekStart === weekStart) weekLoad.set(a.testerId, (weekLoad.get(a.testerId) ?? 0) + 1);
    if (a.campaignId === campaign.id) campaignLoad.set(a.testerId, (campaignLoad.get(a.testerId) ?? 0) + 1);
    push(testerWindows, a.testerId, { start: a.windowStart, end: a.windowEnd });
    let byTouchpoint = tested.get(a.testerId);
    if (!byTouchpoint) tested.set(a.testerId, (byTouchpoint = new Map()));
    push(byTouchpoint, a.touchpointId, a.windowStart);
  }
  const repeated = new Map<string, Interval[]>();
  const repeatedIn = (zone: string) => {
    let periods = repeated.get(zone);
    if (!periods) repeated.set(zone, (periods = repeatedPeriods(zone, horizon.start, horizon.end)));
    return periods;
  };
  const ranks = new Map(
    new SeededRandom(campaign.seed, weekStart, 'testers')
      .shuffle([...testers].sort((a, b) => (a.id < b.id ? -1 : 1)))
      .map((t, i) => [t.id, i] as const),
  );
  const states: TesterState[] = [...testers]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((tester) => {
      const working = weeklyIntervals(
        tester.workingHours.map((h) => ({ day: h.day, from: h.start, to: h.end })),
        tester.timezone,
        firstDay,
        9,
      );
      const away = [...tester.leave.map((l) => rangeInterval(l, tester.timezone)), ...repeatedIn(tester.timezone)];
      return {
        tester,
        available: clipIntervals(subtractIntervals(working, away), horizon),
        weekLoad: weekLoad.get(tester.id) ?? 0,
        campaignLoad: campaignLoad.get(tester.id) ?? 0,
        // Only windows near this week can overlap a new one.
        windows: (testerWindows.get(tester.id) ?? []).filter((w) => w.end > horizon.start && w.start < horizon.end),
        tested: tested.get(tester.id) ?? new Map(),
        rank: ranks.get(tester.id) ?? 0,
      };
    });
  return { states, horizon, touchpointWindows, scenarioUse };
}

export interface ReplacementInput {
  campaign: PlannerCampaign;
  weekStart: string;
  touchpoint: PlannerTouchpoint;
  testers: PlannerTester[];
  existing: ExistingAssignment[];
  window: Interval;
  /** Who may not take it (the tester who declined). */
  exclude: string[];
}

/** A tester for one given window (a declined slot), by the same rules as planning. */
export function findReplacement(input: ReplacementInput): { testerId: string } | { reason: UnfilledReason } {
  const { campaign, weekStart, touchpoint, window } = input;
  const excluded = new Set(input.exclude);
  const ctx = testerContext(campaign, weekStart, input.testers.filter((t) => !excluded.has(t.id)), input.existing);
  const local = DateTime.fromMillis(window.start, { zone: touchpoint.timezone });
  const candidate = { start: window.start, end: window.end, day: local.weekday - 1, block: Math.floor(local.hour / BLOCK_HOURS) };
  const rng = new SeededRandom(campaign.seed, 'replacement', touchpoint.id, String(window.start), ...input.exclude);
  const pick = pickTester(ctx.states, candidate, touchpoint, campaign, campaign.rotationDays * DAY, rng, ctx.states.length);
  return 'state' in pick ? { testerId: pick.state.tester.id } : pick;
}

export interface ReplacementsInput {
  campaign: PlannerCampaign;
  weekStart: string;
  testers: PlannerTester[];
  existing: ExistingAssignment[];
  /** Windows of this week to fill, in order; who may not take each (those who held it before). */
  slots: Array<{ touchpoint: PlannerTouchpoint; window: Interval; exclude: string[] }>;
}

/**
 * Testers for many given windows of one week (withdrawn tests' slots), by the same rules as
 * findReplacement, with the testers' availability worked out once; each pick counts (load, overlap,
 * rotation) for the windows after it.
 */
export function findReplacements(input: ReplacementsInput): Array<{ testerId: string } | { reason: UnfilledReason }> {
  const { campaign, weekStart } = input;
  const ctx = testerContext(campaign, weekStart, input.testers, input.existing);
  return input.slots.map(({ touchpoint, window, exclude }) => {
    const excluded = new Set(exclude);
    const states = ctx.states.filter((st) => !excluded.has(st.tester.id));
    const local = DateTime.fromMillis(window.start, { zone: touchpoint.timezone });
    const block = Math.floor(local.hour / BLOCK_HOURS);
    const candidate = { start: window.start, end: window.end, day: local.weekday - 1, block };
    const rng = new SeededRandom(campaign.seed, 'replacement', touchpoint.id, String(window.start), ...exclude);
    const rotation = campaign.rotationDays * DAY;
    const pick = pickTester(states, candidate, touchpoint, campaign, rotation, rng, ctx.states.length);
    if (!('state' in pick)) return pick;
    const chosen = pick.state;
    chosen.weekLoad++;
    chosen.campaignLoad++;
    chosen.windows.push({ start: window.start, end: window.end });
    chosen.tested.set(touchpoint.id, [...(chosen.tested.get(touchpoint.id) ?? []), window.start]);
    return { testerId: chosen.tester.id };
  });
}

/** Plans one week of one campaign. Same input ⇒ same plan. */
export function planWeek(input: PlanWeekInput): WeekPlan {
  const { campaign, weekStart, now } = input;
  const k = campaign.contactsPerTouchpointPerWeek;
  const weekIndex = weeksBetween(campaign.startsOn, weekStart);
  const { states, horizon, touchpointWindows, scenarioUse } = testerContext(campaign, weekStart, input.testers, input.existing);
  const index = new TesterIndex(states, horizon.start);
  const rotation = campaign.rotationDays * DAY;
  const spacing = campaign.minSpacingHours * HOUR;

  const assignments: PlannedAssignment[] = [];
  const unfilled: UnfilledSlot[] = [];
  // A seeded order, so no touchpoint always gets first pick of the testers.
  const touchpoints = [...input.touchpoints].sort(
    (a, b) => seededKey(campaign.seed, weekStart, a.id) - seededKey(campaign.seed, weekStart, b.id) || (a.id < b.id ? -1 : 1),
  );

  for (const tp of touchpoints) {
    const rng = new SeededRandom(campaign.seed, weekStart, tp.id);
    const cycle = new SeededRandom(campaign.seed, 'strata', tp.id);
    const { days, blocks } = strata(tp);
    const dayOrder = cycle.shuffle(days);
    const blockOrder = cycle.shuffle(blocks);
    const candidates = candidateWindows(openTime(tp, campaign, weekStart, now), tp.timezone, campaign.windowMinutes);
    const chosenStarts = touchpointWindows.get(tp.id) ?? [];
    touchpointWindows.set(tp.id, chosenStarts);
    const fits = input.scenarios.filter((s) => s.channels.includes(tp.channel));

    for (let slot = 0; slot < k; slot++) {
      if (candidates.length === 0) {
        unfilled.push({ touchpointId: tp.id, slot, reason: 'no_open_time' });
        continue;
      }
      // Stratified: slot i of the campaign targets block i mod B and a rotating weekday, so over
      // the weeks each touchpoint is tested early, busy and late, on every day it opens.
      const i = weekIndex * k + slot;
      const block = blockOrder.length ? blockOrder[i % blockOrder.length] : -1;
      const day = dayOrder.length ? dayOrder[(i + Math.floor(i / Math.max(1, blockOrder.length))) % dayOrder.length] : -1;
      const ordered = preferenceOrder(candidates, block, day, rng);

      const reasons = new Map<UnfilledReason, number>();
      let placed = false;
      for (const c of ordered) {
        if (chosenStarts.some((s) => Math.abs(s - c.start) < spacing)) {
          reasons.set('spacing', (reasons.get('spacing') ?? 0) + 1);
          continue;
        }
        const pick = pickTester(index.at(c.start), c, tp, campaign, rotation, rng, states.length);
        if ('reason' in pick) {
          reasons.set(pick.reason, (reasons.get(pick.reason) ?? 0) + 1);
          continue;
        }
        const s = pick.state;
        s.weekLoad++;
        s.campaignLoad++;
        s.windows.push({ start: c.start, end: c.end });
        s.tested.set(tp.id, [...(s.tested.get(tp.id) ?? []), c.start]);
        chosenStarts.push(c.start);
        const scenarioId = pickScenario(fits, tp.id, scenarioUse, rng);
        if (scenarioId) scenarioUse.set(`${tp.id}|${scenarioId}`, (scenarioUse.get(`${tp.id}|${scenarioId}`) ?? 0) + 1);
        const revealAt = c.start - campaign.revealLeadMinutes * MINUTE;
        assignments.push({
          touchpointId: tp.id,
          slot,
          testerId: s.tester.id,
          scenarioId,
          windowStart: c.start,
          windowEnd: c.end,
          revealAt,
          holdAt: campaign.holdLeadMinutes === null ? null : Math.max(now, Math.min(revealAt, c.start - campaign.holdLeadMinutes * MINUTE)),
        });
        placed = true;
        break;
      }
      if (!placed) unfilled.push({ touchpointId: tp.id, slot, reason: furthestReason(reasons) });
    }
  }
  return { assignments, unfilled };
}

/**
 * Candidates in order of preference: the target weekday and block, then the block on another day,
 * then the day at another time, then anything. Within each group the first is drawn uniformly at
 * random and the rest follow in time order from there (cheaper than a full shuffle per slot).
 */
function* preferenceOrder(candidates: Candidate[], block: number, day: number, rng: SeededRandom): Generator<Candidate> {
  const groups: Candidate[][] = [[], [], [], []];
  for (const c of candidates) groups[c.block === block && c.day === day ? 0 : c.block === block ? 1 : c.day === day ? 2 : 3].push(c);
  for (const group of groups) {
    if (group.length === 0) continue;
    const first = rng.int(0, group.length - 1);
    for (let j = 0; j < group.length; j++) yield group[(first + j) % group.length];
  }
}

/** How far a window got before failing: the reason of the window that came closest is the one that tells. */
const REASON_STAGE: Partial<Record<UnfilledReason, number>> = {
  spacing: 0,
  no_tester_available: 1,
  only_owner_available: 2,
  tester_weekly_cap_reached: 3,
  rotation: 4,
  testers_busy: 5,
};

function furthestReason(reasons: Map<UnfilledReason, number>): UnfilledReason {
  let best: UnfilledReason = 'no_tester_available';
  let stage = -1;
  for (const reason of reasons.keys()) {
    const s = REASON_STAGE[reason] ?? 0;
    if (s > stage) [best, stage] = [reason, s];
  }
  return best;
}

/** Least-loaded eligible tester (this week, then this campaign), ties broken at random. */
function pickTester(
  available: TesterState[],
  c: Candidate,
  tp: PlannerTouchpoint,
  campaign: PlannerCampaign,
  rotation: number,
  rng: SeededRandom,
  rankCount: number,
): { state: TesterState } | { reason: UnfilledReason } {
  // Ties are broken by a seeded random rotation of a seeded random order of the testers: one
  // random draw per window instead of one per tied tester, and no tester is favoured on average.
  const shift = rng.int(0, Math.max(0, rankCount - 1));
  let best: TesterState | undefined;
  let bestKey = 0;
  let sawAvailable = false;
  let sawNonOwner = false;
  let sawUnderCap = false;
  let sawOutsideRotation = false;
  for (const s of available) {
    if (!contains(s.available, c.start, c.end)) continue;
    sawAvailable = true;
    if (!campaign.allowOwnerSelfTest && s.tester.id === tp.ownerId) continue;
    sawNonOwner = true;
    if (s.weekLoad >= campaign.testerWeeklyCap) continue;
    sawUnderCap = true;
    const past = s.tested.get(tp.id);
    if (past && rotation > 0 && past.some((t) => Math.abs(t - c.start) < rotation)) continue;
    sawOutsideRotation = true;
    if (best && (s.weekLoad > best.weekLoad || (s.weekLoad === best.weekLoad && s.campaignLoad > best.campaignLoad))) continue;
    if (overlaps(s.windows, c.start, c.end)) continue;
    const key = (s.rank - shift + rankCount) % rankCount;
    if (!best || s.weekLoad < best.weekLoad || s.campaignLoad < best.campaignLoad || key < bestKey) {
      best = s;
      bestKey = key;
    }
  }
  if (best) return { state: best };
  if (!sawAvailable) return { reason: 'no_tester_available' };
  if (!sawNonOwner) return { reason: 'only_owner_available' };
  if (!sawUnderCap) return { reason: 'tester_weekly_cap_reached' };
  if (!sawOutsideRotation) return { reason: 'rotation' };
  return { reason: 'testers_busy' };
}

/** The scenario this touchpoint has been tested with least, ties at random. */
function pickScenario(fits: PlannerScenario[], touchpointId: string, use: Map<string, number>, rng: SeededRandom): string | null {
  if (fits.length === 0) return null;
  const min = Math.min(...fits.map((s) => use.get(`${touchpointId}|${s.id}`) ?? 0));
  const least = fits.filter((s) => (use.get(`${touchpointId}|${s.id}`) ?? 0) === min).sort((a, b) => (a.id < b.id ? -1 : 1));
  return least[rng.int(0, least.length - 1)].id;
}
