import { DateTime } from 'luxon';

import { ownerSeesFrom } from '../../common/owner-view.js';
import type { ClaimNeed, OpenClaim } from '../../digests/claim-progress.js';
import { allocateByNeed, completionRate } from '../allocation.js';
import { coverage, knownSafeShare, Leak, measureLeak, Timeline, timeline, weekFrames } from './owner-attack.js';
import { HOUR, PlannerCampaign, PlannerTester, PlannerTouchpoint, planWeek, planWeeks } from './planner.js';
import type { ExistingAssignment } from './planner.js';
import { SeededRandom } from './random.js';

/**
 * The standard attack: a year of plans for four realistic touchpoints (an office open Mon–Fri
 * 09:00–17:30, a store with Saturday hours, a 24/7 line, an office with closures), one campaign per
 * seed with the default rules (60-minute windows, 24 h spacing), and testers always available so every
 * slot fills. unpredictability.spec.ts asserts its leak; `npm run bench` prints it.
 */

export const ATTACK_WEEKS = 52;
const FIRST_WEEK = '2027-01-04';
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const hours = (days: string[], open: string, close: string) => days.map((day) => ({ day, open, close }));

export const ATTACK_TOUCHPOINTS: PlannerTouchpoint[] = [
  {
    id: 'office',
    channel: 'phone',
    timezone: 'Europe/London',
    openingHours: hours(DAYS.slice(0, 5), '09:00', '17:30'),
    closures: [],
    ownerId: 'owner',
  },
  {
    id: 'store',
    channel: 'in_person',
    timezone: 'America/New_York',
    openingHours: [...hours(DAYS.slice(0, 5), '09:00', '17:30'), ...hours(['sat'], '09:00', '13:00')],
    closures: [],
    ownerId: 'owner',
  },
  {
    id: 'line',
    channel: 'phone',
    timezone: 'Asia/Kolkata',
    openingHours: hours(DAYS, '00:00', '24:00'),
    closures: [],
    ownerId: 'owner',
  },
  {
    id: 'closure',
    channel: 'phone',
    timezone: 'Australia/Sydney',
    openingHours: hours(DAYS.slice(0, 5), '08:00', '18:00'),
    closures: [
      { from: '2027-04-12', to: '2027-04-25' },
      { from: '2027-06-02', to: '2027-06-02' },
      { from: '2027-08-16', to: '2027-08-18' },
      { from: '2027-12-24', to: '2027-12-31' },
    ],
    ownerId: 'owner',
  },
];

const TESTERS: PlannerTester[] = Array.from({ length: 12 }, (_, i) => ({
  id: `t${String(i).padStart(2, '0')}`,
  timezone: 'UTC',
  workingHours: DAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
  leave: [],
}));

export const SPACING_HOURS = 24;

export const attackCampaign = (seed: string, k: number): PlannerCampaign => ({
  id: `c-${seed}`,
  seed,
  contactsPerTouchpointPerWeek: k,
  windowMinutes: 60,
  revealLeadMinutes: 120,
  holdLeadMinutes: null,
  minSpacingHours: SPACING_HOURS,
  testerWeeklyCap: 50,
  rotationDays: 0,
  allowOwnerSelfTest: false,
  startsOn: FIRST_WEEK,
  endsOn: null,
});

export const ATTACK_WEEK_STARTS = Array.from({ length: ATTACK_WEEKS }, (_, i) =>
  DateTime.fromISO(FIRST_WEEK, { zone: 'utc' }).plus({ weeks: i }).toISODate()!,
);

/** Window starts per touchpoint of one campaign's year. */
export type YearPlanner = (seed: string, k: number) => Map<string, number[]>;

/** The planner itself (planWeeks, as the service runs it), planned a week ahead of the first week. */
export const planYear: YearPlanner = (seed, k) => {
  const now = Date.parse(`${FIRST_WEEK}T00:00:00Z`) - 7 * 24 * HOUR;
  const plans = planWeeks({
    campaign: attackCampaign(seed, k),
    weeks: ATTACK_WEEK_STARTS,
    touchpoints: ATTACK_TOUCHPOINTS,
    testers: TESTERS,
    scenarios: [],
    existing: [],
    now,
  });
  const starts = new Map<string, number[]>();
  for (const { plan } of plans) {
    for (const a of plan.assignments)
      starts.set(a.touchpointId, [...(starts.get(a.touchpointId) ?? []), a.windowStart]);
  }
  return starts;
};

/**
 * A by-need campaign's year (allocation.ts), planned a week at a time: every four weeks a seeded half of the
 * touchpoints have a claim needing 10–40 contacts in those weeks; each week's count per touchpoint comes from
 * allocateByNeed (budget 4k, floor 1, at most 5: the most 24 h spacing lets an office take), counting the tests
 * planned so far in the claim's period. The counts change from week to week and touchpoint to touchpoint;
 * the windows are drawn as for any campaign.
 */
export const planYearByNeed: YearPlanner = (seed, k) => {
  const claimsRng = new SeededRandom(seed, 'claims');
  const starts = new Map<string, number[]>();
  const existing: ExistingAssignment[] = [];
  const campaign = { ...attackCampaign(seed, k), contactsPerTouchpointPerWeek: 5 };
  // planned on a new campaign's completion rate, as the service plans a first quarter
  const rules = { budget: 4 * k, floor: 1, cap: 5, completion: completionRate(0, 0) };
  let claims: OpenClaim[] = [];
  const needs = new Map<string, ClaimNeed>();
  const soFar = new Map<string, number>();
  ATTACK_WEEK_STARTS.forEach((weekStart, w) => {
    if (w % 4 === 0) {
      const periodEnd = DateTime.fromISO(weekStart, { zone: 'utc' }).plus({ days: 27 }).toISODate()!;
      claims = ATTACK_TOUCHPOINTS.filter(() => claimsRng.fraction() < 0.5).map((tp) => ({
        id: `${tp.id}-${w}`,
        touchpointId: tp.id,
        metric: 'answer_rate',
        value: 0.95,
        periodStart: weekStart,
        periodEnd,
        contactsSoFar: 0,
        testsSoFar: 0,
        pending: 0,
      }));
      for (const c of claims)
        needs.set(c.id, { id: c.id, needed: claimsRng.int(10, 40), stillNeeded: null, testsStillNeeded: null });
      soFar.clear();
    }
    const open = claims.map((c) => {
      const needed = needs.get(c.id)!.needed!;
      const still = Math.max(0, needed - (soFar.get(c.id) ?? 0));
      needs.set(c.id, { id: c.id, needed, stillNeeded: still, testsStillNeeded: still });
      return c;
    });
    const counts = allocateByNeed(
      ATTACK_TOUCHPOINTS.map((tp) => tp.id),
      open,
      needs,
      rules,
      weekStart,
    );
    const now = Date.parse(`${weekStart}T00:00:00Z`) - 7 * 24 * HOUR;
    const plan = planWeek({
      campaign,
      weekStart,
      touchpoints: ATTACK_TOUCHPOINTS,
      testers: TESTERS,
      scenarios: [],
      existing,
      now,
      counts: Object.fromEntries(counts),
    });
    for (const a of plan.assignments) {
      existing.push({ campaignId: campaign.id, ...a, weekStart });
      starts.set(a.touchpointId, [...(starts.get(a.touchpointId) ?? []), a.windowStart]);
      const c = open.find((x) => x.touchpointId === a.touchpointId);
      if (c) soFar.set(c.id, (soFar.get(c.id) ?? 0) + 1);
    }
  });
  return starts;
};

/** When the owner first sees a test of a touchpoint, from its window start. */
export type OwnerView = (start: number, tp: PlannerTouchpoint) => number;

/** The first `hour`:00 local (on ISO `weekday` 1–7, if given) strictly after `t`. */
export function nextLocalHour(t: number, zone: string, hour: number, weekday?: number): number {
  let at = DateTime.fromMillis(t, { zone }).startOf('day').set({ hour });
  while (at.toMillis() <= t || (weekday !== undefined && at.weekday !== weekday)) {
    at = at.plus({ days: 1 }).startOf('day').set({ hour });
  }
  return at.toMillis();
}

/**
 * A digest the owner receives at `hour` local time (Mondays only, if weekly) that counts a test whose window
 * began before its period's end, `delayMs` before it is sent: the first such digest after the test.
 */
export const digestView =
  (schedule: { hour: number; weekday?: number }, delayMs: number): OwnerView =>
  (start, tp) =>
    nextLocalHour(start + delayMs, tp.timezone, schedule.hour, schedule.weekday);

/** An owner who reads the assignments API and digests sees each test at the first of the two that shows it. */
export const firstOf =
  (...views: OwnerView[]): OwnerView =>
  (start, tp) =>
    Math.min(...views.map((v) => v(start, tp)));

/** One timeline per seed and touchpoint. */
export function attackTimelines(options: {
  k: number;
  seeds: number;
  visibleAt?: OwnerView;
  planner?: YearPlanner;
}): Timeline[] {
  const out: Timeline[] = [];
  for (let s = 0; s < options.seeds; s++) {
    const seed = `attack-${s}`;
    const starts = (options.planner ?? planYear)(seed, options.k);
    for (const tp of ATTACK_TOUCHPOINTS) {
      const frames = weekFrames(tp, attackCampaign(seed, options.k), ATTACK_WEEK_STARTS);
      const rules = { k: options.k, spacing: SPACING_HOURS * HOUR };
      const view = options.visibleAt ?? ownerSeesFrom;
      out.push(timeline(`${seed}/${tp.id}`, tp, frames, starts.get(tp.id) ?? [], rules, (start) => view(start, tp)));
    }
  }
  return out;
}

export interface AttackReport {
  k: number;
  seeds: number;
  /** Mean share of open weekday × block strata tested within the first 13 weeks. */
  coverage13Weeks: number;
  /** Share of open strata the owner knows hold no test (the week's tests all seen before it ended). */
  knownSafe: number;
  leaks: Leak[];
}

export function runAttack(k: number, seeds: number, visibleAt?: OwnerView): AttackReport {
  const lines = attackTimelines({ k, seeds, visibleAt });
  return {
    k,
    seeds,
    coverage13Weeks: lines.reduce((a, l) => a + coverage(l, 13), 0) / lines.length,
    knownSafe: knownSafeShare(lines),
    leaks: measureLeak(lines),
  };
}
