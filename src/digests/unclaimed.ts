import { metricByKey, observedOf } from '../metrics/metric-catalogue.js';
import type { MetricDefinition, MetricSums } from '../metrics/metric-catalogue.js';
import { evidenceOf, intervalOf } from './digest-evidence.js';
import type { IntervalMethod, QuantileCounts } from './digest-evidence.js';
import { worseThanBeforePValue } from './two-sample.js';
import {
  binomialUpperTail,
  clopperPearsonInterval,
  DEFAULT_CLAIM_ALPHA,
  DEFAULT_FAMILYWISE_ALPHA,
  holmAdjust,
  judgeClaims,
} from './verdicts.js';

/**
 * What nobody claimed: the journey facts the contacts recorded for each touchpoint and team, beside the
 * organization's own targets and the period before, flagged only where a test says they are worse. Pure: the
 * repository counts in SQL, these decide. The flags are one family of their own (Holm at 5 %, no single flag
 * above 2.5 %), apart from the claims' verdicts: see STATISTICS.md "What nobody claimed".
 */

/** The journey metrics shown for every touchpoint and team, in this order. */
export const UNCLAIMED_METRICS: readonly string[] = [
  'median_hold_seconds',
  'transfer_rate',
  'disconnect_rate',
  'repeat_story_rate',
  'gave_name_rate',
  'resolved_within_7_days_rate',
  'contacts_to_resolution',
  'story_repeats_per_case',
  'case_promises_kept_rate',
];

/** The case metrics among them: shown for a group only when one of its cases went beyond its first contact. */
export const CASE_FACT_METRICS: readonly string[] = [
  'resolved_within_7_days_rate',
  'contacts_to_resolution',
  'story_repeats_per_case',
  'case_promises_kept_rate',
];

/** Whether a group shows a metric: case facts would only repeat first-contact resolution where no case went on. */
export const showsFact = (metric: string, followedCases: number): boolean =>
  followedCases > 0 || !CASE_FACT_METRICS.includes(metric);

/** What a claim row of the digest is about: a touchpoint's metric, or a team's (on a channel, or all). */
export interface ClaimedScope {
  touchpointId: string | null;
  team: string | null;
  channel: string | null;
  metric: string;
}

export type UnclaimedFlag = 'worse_than_target' | 'worse_than_previous';

/** One metric of one touchpoint or team (one channel: never pooled) as SQL counted it, now and the period before. */
export interface FactGroup {
  touchpointId: string | null;
  team: string | null;
  channel: string;
  scopeLabel: string;
  metric: MetricDefinition;
  now: MetricSums;
  before: MetricSums;
  /** Quantile metrics: counts against the target, the interval's order statistics, and against the pooled median. */
  quantile: (QuantileCounts & { nowAbovePooled: number; beforeAbovePooled: number }) | null;
}

export interface UnclaimedFact {
  touchpointId: string | null;
  team: string | null;
  channel: string;
  scopeLabel: string;
  metric: string;
  unit: MetricDefinition['unit'];
  better: MetricDefinition['better'];
  observed: number | null;
  n: number;
  ciLow: number | null;
  ciHigh: number | null;
  intervalMethod: IntervalMethod | null;
  /** The organization's target for the metric, if it set one. */
  target: number | null;
  previous: number | null;
  previousN: number;
  /** One-sided p-values (null when not tested: no target, or too few contacts), and Holm's adjusted ones. */
  pTarget: number | null;
  pPrevious: number | null;
  pTargetAdjusted: number | null;
  pPreviousAdjusted: number | null;
  flags: UnclaimedFlag[];
}

export interface QuestionSummary {
  scenarioId: string;
  scenario: string;
  key: string;
  label: string;
  type: string;
  /** Contacts that answered it. */
  n: number;
  /** yes_no: the yes answers and their share's exact 95 % interval. */
  yes: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** choice: how many chose each option (options never chosen included, most chosen first). */
  choices: Array<{ option: string; count: number }> | null;
  /** number, seconds, rating: the median answer. */
  median: number | null;
}

/** What a digest leaves out of its list of facts (all of them judged, see capFacts). */
export interface UnclaimedOmitted {
  /** Touchpoints and teams (each on one channel) not listed. */
  scopes: number;
  facts: number;
  /** Flagged facts not listed: none unless more than UNCLAIMED_FLAGGED_SHOWN are flagged. */
  flagged: number;
}

export interface UnclaimedSection {
  /** The period before, of the same length, that the "worse than before" tests compare with. */
  previousPeriod: { start: string; end: string };
  /** The facts listed: those of every flagged touchpoint or team first, then others up to the cap (capFacts). */
  facts: UnclaimedFact[];
  /** Facts judged, listed or not (absent in digests stored before the cap: all were listed). */
  factsTotal?: number;
  /** Touchpoints and teams judged, listed or not. */
  scopesTotal?: number;
  omitted?: UnclaimedOmitted;
  /** Tests in the flags' family (targets and previous periods together), over every fact, listed or not. */
  familySize: number;
  /** Flagged facts, listed or not. */
  flagged: number;
  explanation: string;
  questions: QuestionSummary[];
}

export interface FactOptions {
  targets: Readonly<Record<string, number>>;
  minContacts: number;
  gapThatMatters: Readonly<Record<string, number>>;
}

/** The bad contacts of a group for the previous-period test: failures of the metric, or waits above the pooled median. */
function badCounts(g: FactGroup): { now: number; before: number } | null {
  if (g.metric.kind === 'rate') {
    const bad = (s: MetricSums) => (g.metric.better === 'lower' ? Math.round(s.sum) : s.n - Math.round(s.sum));
    return { now: bad(g.now), before: bad(g.before) };
  }
  if (g.metric.kind === 'quantile' && g.quantile && g.metric.better === 'lower') {
    return { now: g.quantile.nowAbovePooled, before: g.quantile.beforeAbovePooled };
  }
  return null; // means per case and "higher is better" waits: no two-sample test here, only the target's
}

/**
 * p of "worse than the target" by the claims' own one-sided test with the target in place of a claim: the exact
 * binomial for rates, the sign test for quantiles (computed here directly, as judgeClaims' flattering side does,
 * without its detectable gap and contacts needed, which a fact does not show); judgeClaims itself for the rest.
 */
export function targetPValue(g: FactGroup, target: number, gapThatMatters: number): number | null {
  const evidence = evidenceOf(g.metric, g.now, g.quantile);
  const higher = g.metric.better === 'higher';
  if (evidence.kind === 'rate') {
    const { n, successes } = evidence;
    return higher ? binomialUpperTail(n - successes, n, 1 - target) : binomialUpperTail(successes, n, target);
  }
  if (evidence.kind === 'quantile') {
    const { n, q, above, below } = evidence;
    return higher ? binomialUpperTail(below, n, q) : binomialUpperTail(above, n, 1 - q);
  }
  if (evidence.kind === 'descriptive') return null;
  const judged = judgeClaims([
    {
      id: 'target',
      claimed: target,
      better: g.metric.better,
      evidence,
      periodComplete: true,
      minContacts: 0,
      gapThatMatters,
    },
  ]);
  return judged.get('target')!.pFlattering;
}

/**
 * Each group's fact, tested against its target (when the organization set one) and against the period before,
 * when both periods have at least `minContacts`. All the p-values of the call form one Holm family.
 */
export function judgeFacts(
  groups: readonly FactGroup[],
  options: FactOptions,
): { facts: UnclaimedFact[]; familySize: number } {
  const pValues: number[] = [];
  const slot = (p: number | null): number | null => (p === null ? null : pValues.push(p) - 1);
  const planned = groups.map((g) => {
    const target = options.targets[g.metric.key] ?? null;
    const enough = g.now.n >= Math.max(1, options.minContacts);
    const bad = badCounts(g);
    const targetSlot =
      enough && target !== null ? slot(targetPValue(g, target, options.gapThatMatters[g.metric.key])) : null;
    const previousSlot =
      enough && bad && g.before.n >= Math.max(1, options.minContacts)
        ? slot(worseThanBeforePValue(bad.now, g.now.n, bad.before, g.before.n))
        : null;
    return { g, target, targetSlot, previousSlot };
  });
  const adjusted = holmAdjust(pValues, DEFAULT_FAMILYWISE_ALPHA, DEFAULT_CLAIM_ALPHA);
  const at = (i: number | null, of: readonly number[]) => (i === null ? null : of[i]);
  const intervals = new Map<string, ReturnType<typeof intervalOf>>();
  const facts = planned.map(({ g, target, targetSlot, previousSlot }): UnclaimedFact => {
    const evidence = evidenceOf(g.metric, g.now, g.quantile);
    // an exact interval costs a bisection: facts share few (successes, n) pairs, so each pair is computed once
    const memoKey = evidence.kind === 'rate' ? `${evidence.successes}|${evidence.n}` : null;
    const shown =
      memoKey !== null && intervals.has(memoKey) ? intervals.get(memoKey)! : intervalOf(evidence, g.quantile);
    if (memoKey !== null) intervals.set(memoKey, shown);
    const pTargetAdjusted = at(targetSlot, adjusted);
    const pPreviousAdjusted = at(previousSlot, adjusted);
    const flags: UnclaimedFlag[] = [];
    if (pTargetAdjusted !== null && pTargetAdjusted <= DEFAULT_FAMILYWISE_ALPHA) flags.push('worse_than_target');
    if (pPreviousAdjusted !== null && pPreviousAdjusted <= DEFAULT_FAMILYWISE_ALPHA) flags.push('worse_than_previous');
    return {
      touchpointId: g.touchpointId,
      team: g.team,
      channel: g.channel,
      scopeLabel: g.scopeLabel,
      metric: g.metric.key,
      unit: g.metric.unit,
      better: g.metric.better,
      observed: observedOf(g.metric, g.now),
      n: g.now.n,
      ciLow: shown?.interval.low ?? null,
      ciHigh: shown?.interval.high ?? null,
      intervalMethod: shown?.method ?? null,
      target,
      previous: observedOf(g.metric, g.before),
      previousN: g.before.n,
      pTarget: at(targetSlot, pValues),
      pPrevious: at(previousSlot, pValues),
      pTargetAdjusted,
      pPreviousAdjusted,
      flags,
    };
  });
  return { facts, familySize: pValues.length };
}

/** A digest lists the facts of at most this many touchpoints and teams, the flagged ones first. */
export const UNCLAIMED_SCOPES_SHOWN = 25;
/** Every flagged touchpoint or team is listed beyond that, until their flagged facts pass this bound. */
export const UNCLAIMED_FLAGGED_SHOWN = 200;

const scopeKey = (f: UnclaimedFact) => `${f.touchpointId}|${f.team}|${f.channel}`;

/**
 * The facts a digest lists, so that its mail stays readable and its payload bounded whatever the organization's
 * size (at 10,000 touchpoints, 42,866 facts made 18.5 MB): whole touchpoints and teams, those with a flag first
 * (until their flagged facts pass `maxFlagged`), then the others in the section's order up to `maxScopes` in all;
 * and what was left out. The facts are judged before this, all in one family: the cap changes no flag.
 */
export function capFacts(
  facts: readonly UnclaimedFact[],
  maxScopes = UNCLAIMED_SCOPES_SHOWN,
  maxFlagged = UNCLAIMED_FLAGGED_SHOWN,
): { shown: UnclaimedFact[]; scopesTotal: number; omitted: UnclaimedOmitted } {
  const scopes = new Map<string, UnclaimedFact[]>();
  for (const f of facts) {
    const list = scopes.get(scopeKey(f));
    if (list) list.push(f);
    else scopes.set(scopeKey(f), [f]);
  }
  const flaggedIn = (list: UnclaimedFact[]) => list.filter((f) => f.flags.length).length;
  const flaggedScopes: UnclaimedFact[][] = [];
  const others: UnclaimedFact[][] = [];
  let flaggedShown = 0;
  for (const list of scopes.values()) {
    const flagged = flaggedIn(list);
    if (!flagged) others.push(list);
    else if (flaggedShown + flagged <= maxFlagged || flaggedScopes.length === 0) {
      flaggedScopes.push(list);
      flaggedShown += flagged;
    }
  }
  const picked = [...flaggedScopes, ...others.slice(0, Math.max(0, maxScopes - flaggedScopes.length))];
  const shown = picked.flat();
  const totalFlagged = facts.filter((f) => f.flags.length).length;
  return {
    shown,
    scopesTotal: scopes.size,
    omitted: {
      scopes: scopes.size - picked.length,
      facts: facts.length - shown.length,
      flagged: totalFlagged - flaggedShown,
    },
  };
}

/** One sentence on what a flag means and how often one is wrong. */
export function unclaimedExplanation(familySize: number): string {
  if (familySize === 0) {
    return 'No fact here had a target or a period before with enough contacts to test, so none is flagged.';
  }
  const bound = Math.min(DEFAULT_FAMILYWISE_ALPHA, familySize * DEFAULT_CLAIM_ALPHA);
  const percent = `${Number((bound * 100).toPrecision(2))} %`;
  return (
    `A fact is flagged only when a test says it is worse than the organization's target or than the period ` +
    `before: even if every fact here were exactly on target and unchanged, at most 1 digest in ` +
    `${Math.round(1 / bound)} (${percent}) would carry a wrong flag. These ${familySize} tests are held to that ` +
    `bound on their own, apart from the claims' verdicts.`
  );
}

/** A question's answers as SQL counted them. */
export interface QuestionCounts {
  scenarioId: string;
  scenario: string;
  key: string;
  label: string;
  type: string;
  options: string[];
  n: number;
  yes: number;
  median: number | null;
  chosen: Record<string, number>;
}

/** The summary a reader sees: a yes share with its exact interval, counts per option, or a median. */
export function summariseQuestion(q: QuestionCounts): QuestionSummary {
  const base = { scenarioId: q.scenarioId, scenario: q.scenario, key: q.key, label: q.label, type: q.type, n: q.n };
  const none = { yes: null, ciLow: null, ciHigh: null, choices: null, median: null };
  if (q.type === 'yes_no') {
    const ci = clopperPearsonInterval(q.yes, q.n);
    return { ...base, ...none, yes: q.yes, ciLow: q.n ? ci.low : null, ciHigh: q.n ? ci.high : null };
  }
  if (q.type === 'choice') {
    const options = [...new Set([...q.options, ...Object.keys(q.chosen)])];
    const choices = options
      .map((option) => ({ option, count: q.chosen[option] ?? 0 }))
      .sort((a, b) => b.count - a.count || options.indexOf(a.option) - options.indexOf(b.option));
    return { ...base, ...none, choices };
  }
  if (q.type === 'number' || q.type === 'seconds' || q.type === 'rating') return { ...base, ...none, median: q.median };
  return { ...base, ...none };
}

/** The catalogue's definitions of the journey metrics. */
export const unclaimedMetrics = (): MetricDefinition[] => UNCLAIMED_METRICS.map((k) => metricByKey(k)!);
