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
import type {
  PlannerCampaign,
  PlannerTouchpoint,
  PlannerTester,
  PlannerScenario,
  ExistingAssignment,
  PlanWeekInput,
  PlannedAssignment,
  UnfilledReason,
} from './planner-types.js';
import { SeededRandom, seededKey } from './random.js';
import { assign, pickLinear, TesterIndex, testerContext, TesterState, WindowRules } from './tester-index.js';
import { Candidate, drawWindows, strataFit, weightedOrder } from './window-draw.js';

export type { Candidate } from './window-draw.js';
export type {
  PlannerCampaign,
  PlannerTouchpoint,
  PlannerTester,
  PlannerScenario,
  ExistingAssignment,
  PlanWeekInput,
  PlannedAssignment,
  UnfilledReason,
} from './planner-types.js';

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
/** Time-of-day blocks: 2 local hours each. A test's weekday × block is what an owner would try to predict. */
export const BLOCK_HOURS = 2;

export const UNFILLED_REASONS: Record<UnfilledReason, string> = {
  no_open_time: 'no opening hours left in the week (closed, outside the campaign, or too soon to reveal)',
  spacing: 'every open window is too close to another test of this touchpoint',
  no_tester_available: 'no tester of the pool works then (working hours, leave)',
  only_owner_available: "only the touchpoint's owner could test then",
  tester_weekly_cap_reached: 'every available tester has reached the weekly cap',
  rotation: 'every available tester tested this touchpoint within the rotation period',
  testers_busy: 'every available tester already has a test at that time',
  declined_too_late: 'declined too close to the window for anyone else to take it',
  not_revealed_in_time: 'the window began before the test could be revealed (the service was down)',
  tester_became_owner: "the tester became the touchpoint's owner after planning",
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

/** Where a touchpoint can be tested this week: open hours less closures, inside the campaign, after the reveal lead. */
export function openTime(tp: PlannerTouchpoint, campaign: PlannerCampaign, weekStart: string, now: number): Interval[] {
  const week = localWeek(weekStart, tp.timezone);
  const open = weeklyIntervals(
    tp.openingHours.map((h) => ({ day: h.day, from: h.open, to: h.close })),
    tp.timezone,
    weekStart,
    7,
  );
  const closed = [
    ...tp.closures.map((c) => rangeInterval(c, tp.timezone)),
    ...repeatedPeriods(tp.timezone, week.start, week.end),
  ];
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

const identities = new WeakMap<Candidate[], number[]>();
function allIndexes(candidates: Candidate[]): number[] {
  let found = identities.get(candidates);
  if (!found) identities.set(candidates, (found = candidates.map((_, i) => i)));
  return found;
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

const rulesFor = (tp: PlannerTouchpoint, campaign: PlannerCampaign): WindowRules => ({
  touchpointId: tp.id,
  ownerId: tp.ownerId,
  allowOwnerSelfTest: campaign.allowOwnerSelfTest,
  weeklyCap: campaign.testerWeeklyCap,
  rotation: campaign.rotationDays * DAY,
});

/** A tester for one given window (a declined slot), by the same rules as planning. */
export function findReplacement(input: ReplacementInput): { testerId: string } | { reason: UnfilledReason } {
  const { campaign, weekStart, touchpoint, window } = input;
  const excluded = new Set(input.exclude);
  const ctx = testerContext(
    campaign,
    weekStart,
    input.testers.filter((t) => !excluded.has(t.id)),
    input.existing,
  );
  const pick = pickLinear(ctx.states, window, rulesFor(touchpoint, campaign));
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
    const pick = pickLinear(states, window, rulesFor(touchpoint, campaign));
    if (!('state' in pick)) return pick;
    assign(pick.state, touchpoint.id, window);
    return { testerId: pick.state.tester.id };
  });
}

export interface PlanWeeksInput extends Omit<PlanWeekInput, 'weekStart' | 'onPlanned' | 'counts'> {
  /** Mondays (YYYY-MM-DD), in order. */
  weeks: string[];
  /** A by-need campaign's tests per touchpoint, by week (see PlanWeekInput.counts). */
  countsByWeek?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  onPlanned?: (weekStart: string, assignment: PlannedAssignment) => void;
}

/** Plans several weeks one after the other; each later week sees the earlier ones' plans (caps, spacing, rotation). */
export function planWeeks(input: PlanWeeksInput): Array<{ weekStart: string; plan: WeekPlan }> {
  const existing = [...input.existing];
  return input.weeks.map((weekStart) => {
    const onPlanned = input.onPlanned && ((a: PlannedAssignment) => input.onPlanned!(weekStart, a));
    const plan = planWeek({ ...input, weekStart, existing, onPlanned, counts: input.countsByWeek?.[weekStart] });
    for (const a of plan.assignments) {
      existing.push({
        campaignId: input.campaign.id,
        testerId: a.testerId,
        touchpointId: a.touchpointId,
        scenarioId: a.scenarioId,
        weekStart,
        windowStart: a.windowStart,
        windowEnd: a.windowEnd,
      });
    }
    return { weekStart, plan };
  });
}

/**
 * Plans one week of one campaign. Same input ⇒ same plan.
 *
 * Each touchpoint's k windows are drawn afresh for the week (window-draw.ts: every open weekday ×
 * 2-hour block equally likely, the spacing kept, nothing carried over from earlier weeks); then each
 * window gets the least-loaded eligible tester. A window no one can take is replaced by another drawn
 * the same way among those the spacing still allows.
 */
export function planWeek(input: PlanWeekInput): WeekPlan {
  const { campaign, weekStart, now } = input;
  const countOf = (tp: PlannerTouchpoint) => input.counts?.[tp.id] ?? campaign.contactsPerTouchpointPerWeek;
  const ctx = testerContext(campaign, weekStart, input.testers, input.existing);
  const index = new TesterIndex(ctx.states, ctx.horizon.start, campaign.windowMinutes * MINUTE);
  const spacing = campaign.minSpacingHours * HOUR;

  const assignments: PlannedAssignment[] = [];
  const unfilled: UnfilledSlot[] = [];
  // A seeded order, so no touchpoint always gets first pick of the testers.
  const order = new Map(input.touchpoints.map((tp) => [tp, seededKey(campaign.seed, weekStart, tp.id)]));
  const touchpoints = [...input.touchpoints].sort((a, b) => order.get(a)! - order.get(b)! || (a.id < b.id ? -1 : 1));

  // Touchpoints with the same zone, hours and closures share their windows (read only): most of a campaign.
  const windowsByCalendar = new Map<string, Candidate[]>();
  const windowsOf = (tp: PlannerTouchpoint) => {
    const key = `${tp.timezone}|${JSON.stringify(tp.openingHours)}|${JSON.stringify(tp.closures)}`;
    let found = windowsByCalendar.get(key);
    if (!found)
      windowsByCalendar.set(
        key,
        (found = candidateWindows(openTime(tp, campaign, weekStart, now), tp.timezone, campaign.windowMinutes)),
      );
    return found;
  };

  for (const tp of touchpoints) {
    // A count changes how many windows are drawn, never how: each touchpoint has its own seeded stream.
    const k = countOf(tp);
    if (k <= 0) continue;
    const rng = new SeededRandom(campaign.seed, weekStart, tp.id);
    const candidates = windowsOf(tp);
    const chosenStarts = ctx.touchpointWindows.get(tp.id) ?? [];
    ctx.touchpointWindows.set(tp.id, chosenStarts);
    const fits = input.scenarios.filter((s) => s.channels.includes(tp.channel));
    const rules = rulesFor(tp, campaign);
    const gap = Math.max(spacing, 1);
    const keepsSpacing = (start: number, others: number[]) => others.every((s) => Math.abs(s - start) >= gap);

    // Tests of this touchpoint already planned (other campaigns, the week before) rule out the windows near them.
    const near = candidates.length
      ? chosenStarts.filter((s) => s > candidates[0].start - gap && s < candidates[candidates.length - 1].start + gap)
      : [];
    const allowed = near.length
      ? candidates.flatMap((c, i) => (keepsSpacing(c.start, near) ? [i] : []))
      : allIndexes(candidates);
    const { weights } = strataFit(candidates, k, spacing);
    const drawn =
      allowed.length === candidates.length
        ? drawWindows(candidates, weights, k, spacing, rng)
        : drawWindows(
            allowed.map((i) => candidates[i]),
            Float64Array.from(allowed, (i) => weights[i]),
            k,
            spacing,
            rng,
          ).map((j) => allowed[j]);
    const windows: Array<number | null> = drawn.slice();
    // The drawn window first; if no one can take it, others by the same weights among those the spacing allows.
    function* windowsToTry(slot: number): Generator<number> {
      yield drawn[slot];
      const taken = [...near, ...windows.flatMap((w, j) => (w === null || j === slot ? [] : [candidates[w].start]))];
      const rest = allowed.filter((i) => i !== drawn[slot] && keepsSpacing(candidates[i].start, taken));
      yield* weightedOrder(rest, weights, rng);
    }

    for (let slot = 0; slot < k; slot++) {
      if (slot >= drawn.length) {
        unfilled.push({ touchpointId: tp.id, slot, reason: candidates.length === 0 ? 'no_open_time' : 'spacing' });
        continue;
      }
      const reasons = new Map<UnfilledReason, number>();
      let placed: { c: Candidate; state: TesterState } | undefined;
      for (const i of windowsToTry(slot)) {
        const pick = index.pick(candidates[i].start, rules);
        if ('reason' in pick) {
          reasons.set(pick.reason, (reasons.get(pick.reason) ?? 0) + 1);
          continue;
        }
        placed = { c: candidates[i], state: pick.state };
        windows[slot] = i;
        break;
      }
      if (!placed) {
        windows[slot] = null;
        unfilled.push({ touchpointId: tp.id, slot, reason: furthestReason(reasons) });
        continue;
      }
      const { c, state } = placed;
      assign(state, tp.id, c);
      chosenStarts.push(c.start);
      const scenarioId = pickScenario(fits, tp.id, ctx.scenarioUse, rng);
      if (scenarioId)
        ctx.scenarioUse.set(`${tp.id}|${scenarioId}`, (ctx.scenarioUse.get(`${tp.id}|${scenarioId}`) ?? 0) + 1);
      const revealAt = c.start - campaign.revealLeadMinutes * MINUTE;
      const planned: PlannedAssignment = {
        touchpointId: tp.id,
        slot,
        testerId: state.tester.id,
        scenarioId,
        windowStart: c.start,
        windowEnd: c.end,
        revealAt,
        holdAt:
          campaign.holdLeadMinutes === null
            ? null
            : Math.max(now, Math.min(revealAt, c.start - campaign.holdLeadMinutes * MINUTE)),
      };
      assignments.push(planned);
      input.onPlanned?.(planned);
    }
  }
  return { assignments, unfilled };
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

/** The scenario this touchpoint has been tested with least, ties at random. */
function pickScenario(
  fits: PlannerScenario[],
  touchpointId: string,
  use: Map<string, number>,
  rng: SeededRandom,
): string | null {
  if (fits.length === 0) return null;
  const min = Math.min(...fits.map((s) => use.get(`${touchpointId}|${s.id}`) ?? 0));
  const least = fits
    .filter((s) => (use.get(`${touchpointId}|${s.id}`) ?? 0) === min)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return least[rng.int(0, least.length - 1)].id;
}
