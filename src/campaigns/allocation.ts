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
  /**
   * The share of planned tests expected to be completed (completionRate), so a claim is asked enough tests that
   * the completed ones reach what it needs; 1 when absent.
   */
  completion?: number;
}

/** The completion rate assumed before a campaign has any history: a prior worth PRIOR_TESTS tests. */
export const PRIOR_COMPLETION = 0.9;
export const PRIOR_TESTS = 10;
/** Never plan on fewer than half the tests completed: a campaign whose testers stopped would ask twice over. */
export const MIN_COMPLETION = 0.5;

/**
 * A campaign's expected share of planned tests completed: completed ÷ planned of its past tests (a count of what
 * its testers did, never of what a test showed), shrunk towards PRIOR_COMPLETION as if PRIOR_TESTS more had gone
 * at that rate, so a new campaign plans on the prior and a long one on its own record; at least MIN_COMPLETION.
 */
export function completionRate(completed: number, planned: number): number {
  const rate = (completed + PRIOR_COMPLETION * PRIOR_TESTS) / (planned + PRIOR_TESTS);
  return Math.min(1, Math.max(MIN_COMPLETION, rate));
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A campaign touchpoint as a team or organization claim's scope sees it. */
export interface ScopedTouchpoint {
  id: string;
  team: string | null;
  channel: string;
}

/**
 * The campaign's touchpoints in each team or organization claim's scope (its team, or all, of its channel if it
 * names one), keyed by claim id, ids sorted. Touchpoint claims are not keyed: their scope is their touchpoint.
 */
export function claimScopes(
  claims: ReadonlyArray<Pick<OpenClaim, 'id' | 'touchpointId' | 'team' | 'channel'>>,
  touchpoints: readonly ScopedTouchpoint[],
): Map<string, string[]> {
  const sorted = [...touchpoints].sort((a, b) => byText(a.id, b.id));
  const scopes = new Map<string, string[]>();
  for (const c of claims) {
    if (c.touchpointId !== null) continue;
    const inScope = (t: ScopedTouchpoint) =>
      (c.team == null || t.team === c.team) && (c.channel == null || t.channel === c.channel);
    scopes.set(
      c.id,
      sorted.filter(inScope).map((t) => t.id),
    );
  }
  return scopes;
}

/** What one claim asks of a week: that its scope's touchpoints get `total` tests between them. */
interface Ask {
  id: string;
  scope: readonly string[];
  total: number;
}

/** The campaign touchpoints a claim's tests would count for: its touchpoint, or its team's or all (`scopes`). */
function scopeOf(
  claim: OpenClaim,
  counts: ReadonlyMap<string, number>,
  scopes: ReadonlyMap<string, readonly string[]>,
) {
  if (claim.touchpointId !== null) return counts.has(claim.touchpointId) ? [claim.touchpointId] : [];
  return (scopes.get(claim.id) ?? []).filter((id) => counts.has(id));
}

/**
 * Tests per touchpoint for the week starting `weekStart`. Each touchpoint gets the floor. A claim asks for the tests
 * a week that, at the campaign's completion rate, complete its tests still needed (ClaimNeed.testsStillNeeded: a count
 * of tests, never of what they showed; a fallback of a smaller family when that is more than the cap allows) by the end
 * of its period, less those already planned, from the
 * touchpoints of its scope between them: its touchpoint's, or — a team or organization claim, `scopes` from
 * claimScopes — those of the campaign in its team, or all. Claims that no allowed count could decide in their period
 * ask for nothing. The rest of the budget funds whole asks, cheapest first — funding every ask a little would decide
 * none (bench:sampling) — each costing only what its scope lacks when its turn comes, so a test that serves a
 * touchpoint claim and a team claim counts for both; a team claim's tests go one at a time to the touchpoint of its
 * scope with the fewest. What is left is spread evenly, so the campaign spends its budget. Without `scopes`, team
 * and organization claims ask nothing. Deterministic: ties go by touchpoint id, then claim id.
 */
export function allocateByNeed(
  touchpointIds: readonly string[],
  claims: readonly OpenClaim[],
  needs: ReadonlyMap<string, ClaimNeed>,
  rules: ByNeedRules,
  weekStart: string,
  scopes: ReadonlyMap<string, readonly string[]> = new Map(),
): Map<string, number> {
  const cap = Math.max(rules.cap, rules.floor);
  const completion = rules.completion ?? 1;
  const ids = [...touchpointIds].sort();
  const counts = new Map(ids.map((id) => [id, rules.floor]));
  const asks: Ask[] = [];
  for (const c of claims) {
    const need = needs.get(c.id);
    const scope = scopeOf(c, counts, scopes);
    if (!need || scope.length === 0 || !inPeriod(c, weekStart)) continue;
    const weeks = weeksLeft(c.periodEnd, weekStart);
    if (weeks === 0) continue;
    // planned tests a week whose expected completions reach `still` (a float's dust is not a test)
    const perWeek = (still: number) => Math.ceil(Math.max(0, Math.ceil(still / completion - c.pending - 1e-9)) / weeks);
    // at the family planned for; if no allowed count could meet that, at the largest smaller one that can, down to
    // its week's (the least it is judged in); if none, nothing: tests there would decide nothing
    const total = (
      need.testsStillNeeded === null ? [] : [need.testsStillNeeded, ...(need.testsStillNeededFallbacks ?? [])]
    )
      .map(perWeek)
      .find((t) => t <= cap * scope.length);
    if (total === undefined || total <= 0) continue;
    asks.push({ id: c.id, scope, total });
  }
  const lacks = (a: Ask) => a.total - a.scope.reduce((sum, id) => sum + counts.get(id)!, 0);
  const order = asks
    .map((a) => ({ a, cost: lacks(a) }))
    .filter((x) => x.cost > 0)
    .sort((x, y) => x.cost - y.cost || byText(x.a.scope[0], y.a.scope[0]) || byText(x.a.id, y.a.id));
  let left = rules.budget - rules.floor * ids.length;
  for (const { a } of order) {
    const cost = lacks(a); // less than when sorted if an ask funded before it shares touchpoints with it
    if (cost <= 0 || cost > left) continue;
    left -= cost;
    giveFewest(counts, a.scope, cap, cost);
  }
  giveFewest(counts, ids, cap, left); // the rest evenly
  return counts;
}

/** Gives `n` tests one at a time to the touchpoint of `among` with the fewest (ties by id), up to the cap. */
function giveFewest(counts: Map<string, number>, among: readonly string[], cap: number, n: number): void {
  for (let given = 0; given < n; given++) {
    let pick: string | null = null;
    for (const id of among)
      if (counts.get(id)! < cap && (pick === null || counts.get(id)! < counts.get(pick)!)) pick = id;
    if (pick === null) return;
    counts.set(pick, counts.get(pick)! + 1);
  }
}

/**
 * Tests per touchpoint for several weeks planned at once (a plan reaches ahead to its horizon): each week is divided
 * as allocateByNeed does, with the tests given to earlier weeks counted as planned for the claims whose period
 * holds them and whose scope holds their touchpoint. Keyed by week, then touchpoint.
 */
export function allocateWeeks(
  touchpointIds: readonly string[],
  claims: readonly OpenClaim[],
  needs: ReadonlyMap<string, ClaimNeed>,
  rules: ByNeedRules,
  weeks: readonly string[],
  scopes: ReadonlyMap<string, readonly string[]> = new Map(),
): Record<string, Record<string, number>> {
  const planned = new Map(claims.map((c) => [c.id, c.pending]));
  const out: Record<string, Record<string, number>> = {};
  for (const week of weeks) {
    const now = claims.map((c) => ({ ...c, pending: planned.get(c.id)! }));
    const counts = allocateByNeed(touchpointIds, now, needs, rules, week, scopes);
    out[week] = Object.fromEntries(counts);
    for (const c of claims) {
      if (!inPeriod(c, week)) continue;
      const n = scopeOf(c, counts, scopes).reduce((sum, id) => sum + counts.get(id)!, 0);
      planned.set(c.id, planned.get(c.id)! + n);
    }
  }
  return out;
}
