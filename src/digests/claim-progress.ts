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
 * Only claims, counts of contacts and counts of planned tests enter, never an outcome's value: the number of
 * tests a claim gets does not depend on what its contacts showed, so its fixed-n test stays exact (STATISTICS.md)
 * and a count an owner may see says nothing about their touchpoint's results.
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
  /** Counted contacts recorded in its period so far. */
  contactsSoFar: number;
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
}

/** The Monday of the ISO week holding a date. */
export const mondayOf = (date: string): string => DateTime.fromISO(date, { zone: 'utc' }).startOf('week').toISODate()!;

const WEEK = 7 * 86_400_000;
/** Whole weeks from one Monday to another. */
const weeksBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / WEEK);
const plusWeeks = (monday: string, weeks: number) =>
  DateTime.fromISO(monday, { zone: 'utc' }).plus({ weeks }).toISODate()!;

/**
 * The family each claim is expected to be judged in: the tested claims whose periods end in the same week (those a
 * weekly digest of the organization judges together). A descriptive metric is never tested and counts in none.
 */
export function familySizes(
  claims: ReadonlyArray<Pick<OpenClaim, 'id' | 'metric' | 'periodEnd'>>,
): Map<string, number> {
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
 * that matters: verdicts.contactsNeededFor), and how many of those it still lacks.
 */
export function claimNeeds(
  claims: readonly OpenClaim[],
  settings: NeedSettings,
  family: ReadonlyMap<string, number> = familySizes(claims),
): ClaimNeed[] {
  return claims.map((c) => {
    const metric = metricByKey(c.metric);
    const size = family.get(c.id);
    if (!metric || size === undefined) return { id: c.id, needed: null, stillNeeded: null };
    const needed = contactsNeededFor(
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
    return { id: c.id, needed, stillNeeded: needed === null ? null : Math.max(0, needed - c.contactsSoFar) };
  });
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
 * The Monday of the week in which a claim's contacts are expected to reach the number its verdict needs: the tests
 * already planned in its period first, week by week, then `perWeek` a week after the last planned week (or from
 * `weekStart`, the current week, when none is). Null when that would be after its period ends, or it is never
 * decided. The verdict itself comes in the first digest after the period.
 */
export function decisionWeek(
  claim: Pick<OpenClaim, 'periodEnd'>,
  need: ClaimNeed,
  planned: PlannedWeeks,
  perWeek: number,
  weekStart: string,
): string | null {
  if (need.stillNeeded === null) return null;
  const last = mondayOf(claim.periodEnd);
  const within = (week: string) => (week <= last ? week : null);
  if (need.stillNeeded === 0) return weekStart > last ? last : weekStart;
  let reached = 0;
  let after = plusWeeks(weekStart, -1);
  for (const { week, tests } of [...planned].sort((a, b) => (a.week < b.week ? -1 : 1))) {
    reached += tests;
    if (reached >= need.stillNeeded) return within(week < weekStart ? weekStart : week);
    if (week > after) after = week;
  }
  if (perWeek <= 0) return null;
  return within(plusWeeks(after, Math.ceil((need.stillNeeded - reached) / perWeek)));
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
