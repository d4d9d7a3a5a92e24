import { inPeriod, weeksLeft } from '../digests/claim-progress.js';
import type { ClaimNeed, OpenClaim } from '../digests/claim-progress.js';

/**
 * Claim-driven sampling (issue 16): how a by-need campaign divides its weekly budget of tests among its
 * touchpoints, from the contacts their open claims still need to reach a verdict (digests/claim-progress.ts).
 * Pure functions, no I/O. Nothing here reads an outcome's value (see claim-progress.ts for why that matters).
 */

export const ALLOCATIONS = ['per-touchpoint', 'by-need'] as const;
export type Allocation = (typeof ALLOCATIONS)[number];

export interface ByNeedRules {
  /** tests a week for the whole campaign */
  budget: number;
  /** tests every touchpoint gets each week whatever its claims */
  floor: number;
  /** the most one touchpoint gets in a week (the campaign's contactsPerTouchpointPerWeek) */
  cap: number;
}

/**
 * Tests per touchpoint for the week starting `weekStart`. Each touchpoint gets the floor; a claim asks for the
 * tests a week that reach its contacts still needed (less those already planned) by the end of its period, and a
 * touchpoint for the most any of its claims asks. Claims that no allowed count could decide in their period ask for
 * nothing. The rest of the budget funds whole asks, cheapest first — funding every ask a little would decide none
 * (bench:sampling) — and what is left is spread evenly, so the campaign spends its budget. Deterministic: ties go
 * by touchpoint id.
 */
export function allocateByNeed(
  touchpointIds: readonly string[],
  claims: readonly OpenClaim[],
  needs: ReadonlyMap<string, ClaimNeed>,
  rules: ByNeedRules,
  weekStart: string,
): Map<string, number> {
  const cap = Math.max(rules.cap, rules.floor);
  const ids = [...touchpointIds].sort();
  const counts = new Map(ids.map((id) => [id, rules.floor]));
  const ask = new Map<string, number>();
  for (const c of claims) {
    const still = needs.get(c.id)?.stillNeeded;
    if (c.touchpointId === null || !counts.has(c.touchpointId) || still === null || still === undefined) continue;
    if (!inPeriod(c, weekStart)) continue;
    const weeks = weeksLeft(c.periodEnd, weekStart);
    const lacking = still - c.pending;
    if (weeks === 0 || lacking <= 0) continue;
    const perWeek = Math.ceil(lacking / weeks);
    if (perWeek > cap) continue; // cannot be decided in its period: tests there would decide nothing
    ask.set(c.touchpointId, Math.max(ask.get(c.touchpointId) ?? 0, perWeek));
  }
  let left = rules.budget - rules.floor * ids.length;
  const extras = ids
    .map((id) => ({ id, extra: Math.max(0, (ask.get(id) ?? 0) - rules.floor) }))
    .filter((e) => e.extra > 0)
    .sort((a, b) => a.extra - b.extra || (a.id < b.id ? -1 : 1));
  for (const { id, extra } of extras) {
    if (extra > left) continue;
    counts.set(id, rules.floor + extra);
    left -= extra;
  }
  // The rest evenly: one at a time to the touchpoint with the fewest, up to the cap.
  while (left > 0) {
    let pick: string | null = null;
    for (const id of ids)
      if (counts.get(id)! < cap && (pick === null || counts.get(id)! < counts.get(pick)!)) pick = id;
    if (pick === null) break;
    counts.set(pick, counts.get(pick)! + 1);
    left--;
  }
  return counts;
}

/**
 * Tests per touchpoint for several weeks planned at once (a plan reaches ahead to its horizon): each week is divided
 * as allocateByNeed does, with the tests given to earlier weeks counted as planned for the claims whose period
 * holds them. Keyed by week, then touchpoint.
 */
export function allocateWeeks(
  touchpointIds: readonly string[],
  claims: readonly OpenClaim[],
  needs: ReadonlyMap<string, ClaimNeed>,
  rules: ByNeedRules,
  weeks: readonly string[],
): Record<string, Record<string, number>> {
  const planned = new Map(claims.map((c) => [c.id, c.pending]));
  const out: Record<string, Record<string, number>> = {};
  for (const week of weeks) {
    const now = claims.map((c) => ({ ...c, pending: planned.get(c.id)! }));
    const counts = allocateByNeed(touchpointIds, now, needs, rules, week);
    out[week] = Object.fromEntries(counts);
    for (const c of claims) {
      const n = c.touchpointId === null ? undefined : counts.get(c.touchpointId);
      if (n !== undefined && inPeriod(c, week)) planned.set(c.id, planned.get(c.id)! + n);
    }
  }
  return out;
}
