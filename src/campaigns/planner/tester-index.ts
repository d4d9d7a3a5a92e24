import { DateTime } from 'luxon';

import {
  clipIntervals,
  Interval,
  localWeek,
  rangeInterval,
  repeatedPeriods,
  subtractIntervals,
  weeklyIntervals,
} from './calendar.js';
import type { ExistingAssignment, PlannerCampaign, PlannerTester, UnfilledReason } from './planner-types.js';
import { SeededRandom } from './random.js';

/**
 * Who may take a window, found without looking at the whole tester pool: testers are indexed by the
 * quarter hours at which a window of the campaign's length fits their availability, and inside each
 * such bucket by load level (this week's tests, then this campaign's), lowest first, in a seeded
 * random order within a level. Filling a slot walks the lowest level from its front and takes the
 * first eligible tester; a tester whose load has grown since is moved up when met (lazily), so a
 * slot looks at a few testers whatever the size of the pool. Pure data structures, no I/O.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Windows start on quarter hours (every zone's offset is a multiple of 15 minutes). */
export const STEP = 15 * MINUTE;

export interface TesterState {
  tester: PlannerTester;
  /** Shared by testers of the same calendar: never changed. */
  available: readonly Interval[];
  weekLoad: number;
  campaignLoad: number;
  /** Windows this tester holds in and around the week (all campaigns), for overlaps. */
  windows: Interval[];
  /** Touchpoint → starts of this tester's tests of it, for rotation. */
  tested: Map<string, number[]>;
  /** Position in a seeded random order of the testers, for ties. */
  rank: number;
}

export interface TesterContext {
  states: TesterState[];
  horizon: Interval;
  touchpointWindows: Map<string, number[]>;
  scenarioUse: Map<string, number>;
}

/** What makes a tester eligible for one window of one touchpoint. */
export interface WindowRules {
  touchpointId: string;
  ownerId: string | null;
  allowOwnerSelfTest: boolean;
  weeklyCap: number;
  rotation: number;
}

export type Pick = { state: TesterState } | { reason: UnfilledReason };

const CAMPAIGN_LOAD_LEVELS = 2 ** 20;
/** Least loaded first: this week's tests, then this campaign's. */
const levelKey = (s: TesterState) =>
  s.weekLoad * CAMPAIGN_LOAD_LEVELS + Math.min(s.campaignLoad, CAMPAIGN_LOAD_LEVELS - 1);
const weekLoadOf = (key: number) => Math.floor(key / CAMPAIGN_LOAD_LEVELS);

/** Tester availability in real time around the week, and every load the existing plan puts on them. */
export function testerContext(
  campaign: PlannerCampaign,
  weekStart: string,
  testers: PlannerTester[],
  existing: ExistingAssignment[],
): TesterContext {
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
    if (a.scenarioId)
      scenarioUse.set(
        `${a.touchpointId}|${a.scenarioId}`,
        (scenarioUse.get(`${a.touchpointId}|${a.scenarioId}`) ?? 0) + 1,
      );
    if (!a.testerId) continue;
    if (a.weekStart === weekStart) weekLoad.set(a.testerId, (weekLoad.get(a.testerId) ?? 0) + 1);
    if (a.campaignId === campaign.id) campaignLoad.set(a.testerId, (campaignLoad.get(a.testerId) ?? 0) + 1);
    // Only windows near this week can overlap a new one.
    if (a.windowEnd > horizon.start && a.windowStart < horizon.end)
      push(testerWindows, a.testerId, { start: a.windowStart, end: a.windowEnd });
    let byTouchpoint = tested.get(a.testerId);
    if (!byTouchpoint) tested.set(a.testerId, (byTouchpoint = new Map<string, number[]>()));
    push(byTouchpoint, a.touchpointId, a.windowStart);
  }
  const repeated = new Map<string, Interval[]>();
  const repeatedIn = (zone: string) => {
    let periods = repeated.get(zone);
    if (!periods) repeated.set(zone, (periods = repeatedPeriods(zone, horizon.start, horizon.end)));
    return periods;
  };
  const byId = [...testers].sort((a, b) => (a.id < b.id ? -1 : 1));
  const ranks = new Map(
    new SeededRandom(campaign.seed, weekStart, 'testers').shuffle(byId).map((t, i) => [t.id, i] as const),
  );
  // Testers with the same zone, hours and leave share their availability (read only): most of a pool.
  const availability = new Map<string, Interval[]>();
  const availableOf = (tester: PlannerTester) => {
    const key = `${tester.timezone}|${JSON.stringify(tester.workingHours)}|${JSON.stringify(tester.leave)}`;
    let found = availability.get(key);
    if (!found) {
      const working = weeklyIntervals(
        tester.workingHours.map((h) => ({ day: h.day, from: h.start, to: h.end })),
        tester.timezone,
        firstDay,
        9,
      );
      const away = [...tester.leave.map((l) => rangeInterval(l, tester.timezone)), ...repeatedIn(tester.timezone)];
      availability.set(key, (found = clipIntervals(subtractIntervals(working, away), horizon)));
    }
    return found;
  };
  const states: TesterState[] = byId.map((tester) => {
    return {
      tester,
      available: availableOf(tester),
      weekLoad: weekLoad.get(tester.id) ?? 0,
      campaignLoad: campaignLoad.get(tester.id) ?? 0,
      windows: testerWindows.get(tester.id) ?? [],
      tested: tested.get(tester.id) ?? new Map(),
      rank: ranks.get(tester.id) ?? 0,
    };
  });
  return { states, horizon, touchpointWindows, scenarioUse };
}

function overlaps(list: readonly Interval[], start: number, end: number): boolean {
  for (const w of list) if (w.start < end && start < w.end) return true;
  return false;
}

const isOwner = (s: TesterState, rules: WindowRules) => !rules.allowOwnerSelfTest && s.tester.id === rules.ownerId;

function inRotation(s: TesterState, rules: WindowRules, start: number): boolean {
  if (rules.rotation <= 0) return false;
  const past = s.tested.get(rules.touchpointId);
  return !!past && past.some((t) => Math.abs(t - start) < rules.rotation);
}

/** Why no one could take a window: the furthest stage any available tester got to. */
function reasonOf(
  sawAvailable: boolean,
  sawNonOwner: boolean,
  sawUnderCap: boolean,
  sawOutsideRotation: boolean,
): UnfilledReason {
  if (!sawAvailable) return 'no_tester_available';
  if (!sawNonOwner) return 'only_owner_available';
  if (!sawUnderCap) return 'tester_weekly_cap_reached';
  if (!sawOutsideRotation) return 'rotation';
  return 'testers_busy';
}

/** Records a new test for a tester (the index notices the new load lazily). */
export function assign(s: TesterState, touchpointId: string, window: Interval): void {
  s.weekLoad++;
  s.campaignLoad++;
  s.windows.push({ ...window });
  const past = s.tested.get(touchpointId);
  if (past) past.push(window.start);
  else s.tested.set(touchpointId, [window.start]);
}

interface Level {
  key: number;
  /** Entries before head have moved to a higher level. */
  head: number;
  list: TesterState[];
}

export class TesterIndex {
  /** Quarter hour since `origin` → load levels, ascending, of the testers a window starting then fits. */
  private readonly buckets: Array<Level[] | undefined> = [];

  constructor(
    private readonly states: TesterState[],
    private readonly origin: number,
    private readonly windowLength: number,
  ) {
    const sorted = [...states].sort((a, b) => levelKey(a) - levelKey(b) || a.rank - b.rank);
    for (const s of sorted) {
      const key = levelKey(s);
      for (const i of s.available) {
        const first = Math.ceil((i.start - origin) / STEP);
        const last = Math.floor((i.end - windowLength - origin) / STEP);
        for (let q = Math.max(0, first); q <= last; q++) {
          let levels = this.buckets[q];
          if (!levels) this.buckets[q] = levels = [];
          const top = levels[levels.length - 1];
          if (top && top.key === key) top.list.push(s);
          else levels.push({ key, head: 0, list: [s] });
        }
      }
    }
  }

  /** The least-loaded eligible tester for [start, start + windowLength), or why there is none. */
  pick(start: number, rules: WindowRules): Pick {
    const offset = start - this.origin;
    // A window off the quarter-hour grid (not produced by the planner) is checked against everyone.
    if (offset % STEP !== 0 || offset < 0)
      return pickLinear(this.states, { start, end: start + this.windowLength }, rules);
    const levels = this.buckets[offset / STEP];
    if (!levels) return { reason: 'no_tester_available' };
    const end = start + this.windowLength;
    let sawNonOwner = false;
    let sawUnderCap = false;
    let sawOutsideRotation = false;
    for (let li = 0; li < levels.length; li++) {
      const level = levels[li];
      if (weekLoadOf(level.key) >= rules.weeklyCap) {
        // Every level from here on is at the cap: only ask whether someone other than the owner is there.
        for (let lj = li; lj < levels.length && !sawNonOwner; lj++) {
          const l = levels[lj];
          for (let j = l.head; j < l.list.length && j < l.head + 2 && !sawNonOwner; j++)
            sawNonOwner = !isOwner(l.list[j], rules);
        }
        break;
      }
      const list = level.list;
      for (let j = level.head; j < list.length; j++) {
        const s = list[j];
        if (levelKey(s) !== level.key) {
          // Loaded since: swap to the front (already passed over) and move up.
          list[j] = list[level.head];
          list[level.head] = s;
          level.head++;
          this.moveUp(levels, li, s);
          continue;
        }
        if (isOwner(s, rules)) continue;
        sawNonOwner = true;
        sawUnderCap = true;
        if (inRotation(s, rules, start)) continue;
        sawOutsideRotation = true;
        if (overlaps(s.windows, start, end)) continue;
        return { state: s };
      }
      if (level.head === list.length) {
        levels.splice(li, 1);
        li--;
      }
    }
    return { reason: reasonOf(levels.length > 0, sawNonOwner, sawUnderCap, sawOutsideRotation) };
  }

  private moveUp(levels: Level[], from: number, s: TesterState): void {
    const key = levelKey(s);
    let lo = from + 1;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (levels[mid].key < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo < levels.length && levels[lo].key === key) levels[lo].list.push(s);
    else levels.splice(lo, 0, { key, head: 0, list: [s] });
  }
}

/** The same choice by a scan of every tester: for one window (a declined slot's), where no index pays off. */
export function pickLinear(states: TesterState[], window: Interval, rules: WindowRules): Pick {
  let best: TesterState | undefined;
  let sawAvailable = false;
  let sawNonOwner = false;
  let sawUnderCap = false;
  let sawOutsideRotation = false;
  for (const s of states) {
    if (!s.available.some((i) => i.start <= window.start && window.end <= i.end)) continue;
    sawAvailable = true;
    if (isOwner(s, rules)) continue;
    sawNonOwner = true;
    if (s.weekLoad >= rules.weeklyCap) continue;
    sawUnderCap = true;
    if (inRotation(s, rules, window.start)) continue;
    sawOutsideRotation = true;
    if (overlaps(s.windows, window.start, window.end)) continue;
    if (!best || levelKey(s) < levelKey(best) || (levelKey(s) === levelKey(best) && s.rank < best.rank)) best = s;
  }
  return best ? { state: best } : { reason: reasonOf(sawAvailable, sawNonOwner, sawUnderCap, sawOutsideRotation) };
}
