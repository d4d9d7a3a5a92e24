import { DateTime } from 'luxon';

import { metricByKey } from '../metrics/metric-catalogue.js';
import { contactsNeededFor } from './verdicts.js';
import type { Evidence } from './verdicts.js';

/**
 * How far each open claim is from a verdict: the contacts its test needs (the digest's test at the familywise
 * level of the claims judged with it), how many it still lacks, and the week those are expected at a given number
 * of tests a week. Pure functions, no I/O; a by-need campaign divides its budget by these (campaigns/allocation.ts),
 * the claims API, the console and the digest show them.
 *
 * Only claims and counts of tests (completed, planned) enter the allocation, never an outcome's value: the number of
 * tests a claim gets does not depend on what its contacts showed, so its fixed-n test stays exact (STATISTICS.md)
 * and a count an owner may see says nothing about their touchpoint's results. A claim's contacts so far (what its
 * test rests on: a wait's are the answered ones) are shown, never planned on: the planner counts completed tests.
 */

/** The digest's default minimum of contacts (a subscription's own may be higher). */
export const DEFAULT_MIN_CONTACTS = 5;

/** An open claim as allocation sees it: what it says, and how many contacts it has and will have. */
export interface OpenClaim {
  id: string;
  /** null for a team or organization claim: its tests are spread over its scope (allocation.ts claimScopes) */
  touchpointId: string | null;
  /** a team claim's team (null or absent: the whole organization; ignored for a touchpoint claim) */
  team?: string | null;
  /** a team or organization claim's channel, when it names one */
  channel?: string | null;
  metric: string;
  value: number;
  /** YYYY-MM-DD, both inclusive */
  periodStart: string;
  periodEnd: string;
  /** Counted contacts recorded in its period so far that measure its metric (a wait's: the answered): shown only. */
  contactsSoFar: number;
  /**
   * Counted contacts recorded in its period so far on a channel its metric fits, whatever they showed: completed
   * tests, the count the allocation plans on.
   */
  testsSoFar: number;
  /** Tests planned in its period and not done yet (they are expected to count). */
  pending: number;
}

export interface NeedSettings {
  /** the gap that matters per metric key (the organization's, VerdictSettingsService) */
  gapThatMatters: Readonly<Record<string, number>>;
  minContacts?: number;
}

export interface ClaimNeed {
  id: string;
  /** contacts its verdict needs (judgeClaims' contactsNeeded at its digest's family); null: never decided */
  needed: number | null;
  /** needed − contacts so far, never below 0; null with needed */
  stillNeeded: number | null;
  /**
   * Completed tests still needed: ⌈needed ÷ the metric's planning yield⌉ − tests so far, never below 0; null with
   * needed. What the allocation asks for (it depends on tests counted, not on what they showed).
   */
  testsStillNeeded: number | null;
  /**
   * The same at smaller families, from the family planned for down to that of the claims ending in its week
   * (weekFamilySizes, the least a digest judges it with), largest first: what it asks when its tests still needed
   * cannot be had within the cap. Absent or empty: no fallback.
   */
  testsStillNeededFallbacks?: number[];
}

/**
 * The share of a metric's completed contacts assumed to measure it when planning: a fixed assumption, never the
 * touchpoint's observed share (that is an outcome, e.g. its answer rate). 1 where every contact on a fitting channel
 * measures it; below where only some do (a wait needs a person to answer; a kept promise, a promise). Too low a
 * yield costs tests, too high leaves a claim short; the digest judges on what came (STATISTICS.md).
 */
export const PLANNING_YIELD: Readonly<Record<string, number>> = {
  avg_seconds_to_human: 0.8,
  median_seconds_to_human: 0.8,
  p90_seconds_to_human: 0.8,
  median_hold_seconds: 0.5,
  bot_first_rate: 0.8,
  answered_question_rate: 0.7,
  options_explained_rate: 0.4,
  gave_name_rate: 0.8,
  promise_kept_rate: 0.3,
  queue_system_worked_rate: 0.5,
  staff_free_rate: 0.8,
};

/** The planning yield of a metric (PLANNING_YIELD, else 1). */
export const planningYield = (metric: string): number => PLANNING_YIELD[metric] ?? 1;

/** The Monday of the ISO week holding a date. */
export const mondayOf = (date: string): string => DateTime.fromISO(date, { zone: 'utc' }).startOf('week').toISODate()!;

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Whole weeks from one Monday to another. */
const weeksBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / WEEK);
const plusWeeks = (monday: string, weeks: number) =>
  DateTime.fromISO(monday, { zone: 'utc' }).plus({ weeks }).toISODate()!;

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`);
const overlaps = (a: FamilyClaim, from: number, to: number) => dayOf(a.periodStart) <= to && dayOf(a.periodEnd) >= from;

/** A claim as its family sees it: its metric and its period (YYYY-MM-DD, both inclusive). */
export type FamilyClaim = Pick<OpenClaim, 'id' | 'metric' | 'periodStart' | 'periodEnd'>;

/**
 * The family each claim is planned for: a conservative size, at least that of any digest that may judge it. A
 * weekly digest judges the claims ending in its week, a four-weekly one every claim ending in its four weeks, and
 * claims entered later (a weekly review's) join them. So a claim's family is the larger of the tested claims whose
 * period overlaps its own or ends in the same week (it included), and those whose period overlapped the span of the
 * same length just before its own (the organization's habit, for the claims not entered yet). Claims only, never
 * contacts or outcomes. A descriptive metric is never tested and counts in none. `claims` should hold every claim
 * recorded so far whose period ends on or after the earliest such span's start.
 */
export function familySizes(claims: readonly FamilyClaim[]): Map<string, number> {
  const tested = claims.filter((c) => metricByKey(c.metric)?.kind !== 'descriptive');
  return new Map(
    tested.map((c) => {
      const from = dayOf(c.periodStart);
      const to = dayOf(c.periodEnd);
      const week = mondayOf(c.periodEnd);
      const now = tested.filter((o) => overlaps(o, from, to) || mondayOf(o.periodEnd) === week).length;
      const before = tested.filter((o) => overlaps(o, from - (to - from) - DAY, from - DAY)).length;
      return [c.id, Math.max(now, before)];
    }),
  );
}

/**
 * The family a weekly digest of the organization judges each claim with: the tested claims whose periods end in the
 * same week, those recorded so far. The least family a claim is judged in.
 */
export function weekFamilySizes(claims: readonly FamilyClaim[]): Map<string, number> {
  const tested = claims.filter((c) => metricByKey(c.metric)?.kind !== 'descriptive');
  const perWeek = new Map<string, number>();
  for (const c of tested) perWeek.set(mondayOf(c.periodEnd), (perWeek.get(mondayOf(c.periodEnd)) ?? 0) + 1);
  return new Map(tested.map((c) => [c.id, perWeek.get(mondayOf(c.periodEnd))!]));
}

/** Evidence of n contacts that carries no outcome: contactsNeeded depends on the claim and its scale alone. */
function blindEvidence(kind: 'rate' | 'bounded_mean' | 'quantile' | 'descriptive', q?: number): Evidence {
  switch (kind) {
    case 'rate':
      return { kind: 'rate', n: 0, successes: 0 };
    case 'bounded_mean':
      return { kind: 'bounded_mean', n: 0, mean: 1, variance: null, min: 1, max: 5 };
    case 'quantile':
      // the verdicts' default spread, never the observed one: allocation must not follow outcomes
      return { kind: 'quantile', q: q ?? 0.5, n: 0, above: 0, below: 0, logSd: null };
    case 'descriptive':
      return { kind: 'descriptive', n: 0 };
  }
}

/**
 * Contacts each claim needs for a verdict (the digest's test at its familywise level and 80 % power against the gap
 * that matters: verdicts.contactsNeededFor) in the family `family` plans for (familySizes), how many of those it
 * still lacks, and the completed tests still needed for them — and for smaller families down to `inWeek`'s
 * (weekFamilySizes), what it asks when the first cannot be met.
 */
export function claimNeeds(
  claims: readonly OpenClaim[],
  settings: NeedSettings,
  family: ReadonlyMap<string, number> = familySizes(claims),
  inWeek: ReadonlyMap<string, number> = weekFamilySizes(claims),
): ClaimNeed[] {
  return claims.map((c) => {
    const size = family.get(c.id);
    const needed = contactsNeeded(c, settings, size);
    if (needed === null) return { id: c.id, needed, stillNeeded: null, testsStillNeeded: null };
    const tests = (n: number) => Math.max(0, Math.ceil(n / planningYield(c.metric)) - c.testsSoFar);
    const testsStillNeeded = tests(needed);
    const fallbacks: number[] = [];
    for (const m of smallerFamilies(size!, inWeek.get(c.id) ?? 1)) {
      const n = tests(contactsNeeded(c, settings, m)!);
      if (n < (fallbacks.at(-1) ?? testsStillNeeded)) fallbacks.push(n);
    }
    return {
      id: c.id,
      needed,
      stillNeeded: Math.max(0, needed - c.contactsSoFar),
      testsStillNeeded,
      testsStillNeededFallbacks: fallbacks,
    };
  });
}

/** Family sizes below `top` down to `bottom`, each about two thirds of the one before (a few, not every one). */
export function smallerFamilies(top: number, bottom: number): number[] {
  const out: number[] = [];
  for (let m = top; m > Math.max(1, bottom);) {
    m = Math.max(bottom, Math.min(m - 1, Math.ceil((m * 2) / 3)));
    out.push(m);
  }
  return out;
}

/** The contacts a claim's verdict needs in a family of `size` (null: never decided, or no family). */
function contactsNeeded(c: OpenClaim, settings: NeedSettings, size: number | undefined): number | null {
  const metric = metricByKey(c.metric);
  if (!metric || size === undefined) return null;
  return contactsNeededFor(
    {
      id: c.id,
      claimed: c.value,
      better: metric.better,
      evidence: blindEvidence(metric.kind, metric.q),
      periodComplete: false,
      minContacts: settings.minContacts ?? DEFAULT_MIN_CONTACTS,
      gapThatMatters: settings.gapThatMatters[metric.key] ?? metric.gapThatMatters,
    },
    size,
  );
}

/** The weeks of a claim's period from `weekStart` (a Monday) on, the week holding its last day included. */
export const weeksLeft = (periodEnd: string, weekStart: string): number =>
  Math.max(0, weeksBetween(weekStart, mondayOf(periodEnd)) + 1);

/** Whether the week starting `weekStart` (a Monday) overlaps the claim's period: only then do its tests count. */
export const inPeriod = (claim: Pick<OpenClaim, 'periodStart' | 'periodEnd'>, weekStart: string): boolean =>
  claim.periodEnd >= weekStart && claim.periodStart < plusWeeks(weekStart, 1);

/** Tests of a claim's scope planned (not yet done) in its period, by week (Monday), in any order. */
export type PlannedWeeks = ReadonlyArray<{ week: string; tests: number }>;

/**
 * The Monday of the week in which a claim's tests are expected to reach what its verdict needs (its tests still
 * needed, or without those its contacts still needed): the tests already planned in its period first, week by week,
 * then `perWeek` a week after the last planned week (or from `weekStart`, the current week, when none is). Null when
 * that would be after its period ends, or it is never decided. The verdict itself comes in the first digest after
 * the period.
 */
export function decisionWeek(
  claim: Pick<OpenClaim, 'periodEnd'>,
  need: Pick<ClaimNeed, 'stillNeeded'> & { testsStillNeeded?: number | null },
  planned: PlannedWeeks,
  perWeek: number,
  weekStart: string,
): string | null {
  const still = need.testsStillNeeded === undefined ? need.stillNeeded : need.testsStillNeeded;
  if (still === null) return null;
  const last = mondayOf(claim.periodEnd);
  const within = (week: string) => (week <= last ? week : null);
  if (still === 0) return weekStart > last ? last : weekStart;
  let reached = 0;
  let after = plusWeeks(weekStart, -1);
  for (const { week, tests } of [...planned].sort((a, b) => (a.week < b.week ? -1 : 1))) {
    reached += tests;
    if (reached >= still) return within(week < weekStart ? weekStart : week);
    if (week > after) after = week;
  }
  if (perWeek <= 0) return null;
  return within(plusWeeks(after, Math.ceil((still - reached) / perWeek)));
}

/** What the claims API, the console and the digest show beside an open claim. */
export interface ClaimProgress {
  /** counted contacts of its period recorded so far */
  contactsSoFar: number;
  /** contacts its verdict needs (null: never decided, e.g. a mean wait, or more than the cap) */
  contactsNeeded: number | null;
  contactsStillNeeded: number | null;
  /** live tests of its scope in the latest week planned (this week if none later): the current allocation */
  testsPerWeek: number;
  /** Monday of the week its contacts should reach contactsNeeded (decisionWeek); null: not within its period */
  decisionExpectedWeek: string | null;
}

/** A claim's progress at the week starting `weekStart`, from its counts and its need. */
export function progressOf(
  claim: OpenClaim & { testsPerWeek: number; planned: PlannedWeeks },
  need: ClaimNeed,
  weekStart: string,
): ClaimProgress {
  return {
    contactsSoFar: claim.contactsSoFar,
    contactsNeeded: need.needed,
    contactsStillNeeded: need.stillNeeded,
    testsPerWeek: claim.testsPerWeek,
    decisionExpectedWeek: decisionWeek(claim, need, claim.planned, claim.testsPerWeek, weekStart),
  };
}
