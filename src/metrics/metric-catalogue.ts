import { MAX_CASE_CONTACTS } from '../common/case-limits.js';
import { MAX_WAIT_SECONDS } from '../common/durations.js';
import { ALL_CHANNELS, channelsAsking } from '../touchpoints/channel-fields.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';

/**
 * The metric catalogue: each KPI defined once, by the value one completed outcome (alias `o`) gives
 * it, its unit, which direction is better, how its evidence is judged and the gap that matters.
 * Every aggregate is built from `column` here, and always runs in PostgreSQL.
 */
export interface MetricDefinition {
  key: string;
  /** `count`: contacts or times per case (a bounded mean over cases). */
  unit: 'rate' | 'seconds' | 'rating' | 'count';
  better: 'higher' | 'lower';
  description: string;
  /**
   * How the evidence is judged: `rate` (successes of n, exact binomial), `bounded_mean` (1–5 ratings),
   * `quantile` (order statistics of waits) or `descriptive` (shown, never judged: a mean of heavy-tailed waits).
   */
  kind: 'rate' | 'bounded_mean' | 'quantile' | 'descriptive';
  /**
   * SQL of one outcome's value: 0/1 for rates, the rating, the seconds; NULL when it does not count for it,
   * and always NULL on a channel the metric does not fit (alias `o` carries the touchpoint's `channel`).
   */
  column: string;
  /** The channels whose contacts measure it: a store has no dropped lines, a phone call no queue. */
  channels: readonly Channel[];
  /** For quantiles: which one (0.5 the median, 0.9 the p90). */
  q?: number;
  /** For bounded means: the scale's ends. */
  min?: number;
  max?: number;
  /** The smallest gap worth detecting (metric unit), unless an organization sets its own. */
  gapThatMatters: number;
}

/** Defaults of the gap that matters: 10 points for rates, 30 s for waits, half a point for ratings and counts. */
export const DEFAULT_GAP: Record<MetricDefinition['unit'], number> = {
  rate: 0.1,
  seconds: 30,
  rating: 0.5,
  count: 0.5,
};

/** The largest gap an organization may set per unit (a gap as wide as the scale detects nothing). */
export const MAX_GAP: Record<MetricDefinition['unit'], number> = {
  rate: 1,
  seconds: 7 * 86_400,
  rating: 4,
  count: MAX_CASE_CONTACTS,
};

const WAIT = 'CASE WHEN o.reached_human THEN o.seconds_to_human END';
const rate = (
  key: string,
  better: 'higher' | 'lower',
  column: string,
  description: string,
  channels: readonly Channel[] = ALL_CHANNELS,
): MetricDefinition => ({
  key,
  unit: 'rate',
  better,
  description,
  kind: 'rate',
  column,
  channels,
  gapThatMatters: DEFAULT_GAP.rate,
});
const rating = (key: string, column: string, description: string): MetricDefinition => ({
  key,
  channels: ALL_CHANNELS,
  unit: 'rating',
  better: 'higher',
  description,
  kind: 'bounded_mean',
  column,
  min: 1,
  max: 5,
  gapThatMatters: DEFAULT_GAP.rating,
});
const wait = (key: string, kind: 'quantile' | 'descriptive', description: string, q?: number): MetricDefinition => ({
  key,
  unit: 'seconds',
  better: 'lower',
  description,
  kind,
  column: WAIT,
  channels: channelsAsking('secondsToHuman'),
  ...(q === undefined ? {} : { q }),
  gapThatMatters: DEFAULT_GAP.seconds,
});

/**
 * A case's metrics sit on its first contact's row (see case-rules.ts): days count from the first contact to the
 * resolving one, in 24-hour days. An open case is never counted resolved: a within-N-days rate counts it as not
 * resolved once a contact more than N days after the first shows it still open, and leaves it out before that; a
 * given-up case was not resolved (see STATISTICS.md "Cases").
 */
const resolvedWithin = (days: number): MetricDefinition =>
  rate(
    `resolved_within_${days}_days_rate`,
    'higher',
    `CASE WHEN o.case_status = 'resolved' AND o.case_ended_at <= o.attempted_at + interval '${days} days' THEN 1
          WHEN o.case_status <> 'open'
            OR coalesce(o.case_last_contact_at, o.attempted_at) > o.attempted_at + interval '${days} days' THEN 0 END`,
    `share of cases resolved within ${days} days of the first contact (open cases counted once known)`,
  );
const perCase = (key: string, column: string, description: string, min: number): MetricDefinition => ({
  key,
  unit: 'count',
  better: 'lower',
  description,
  kind: 'bounded_mean',
  column,
  channels: ALL_CHANNELS,
  min,
  max: MAX_CASE_CONTACTS,
  gapThatMatters: DEFAULT_GAP.count,
});

/** A metric's column, NULL on the channels it does not fit, so no aggregate ever pools what they measure. */
function fitted(m: MetricDefinition): MetricDefinition {
  if (m.channels.length === ALL_CHANNELS.length) return m;
  const list = m.channels.map((c) => `'${c}'`).join(', ');
  return { ...m, column: `CASE WHEN o.channel IN (${list}) THEN ${m.column} END` };
}

export const METRICS: readonly MetricDefinition[] = (
  [
    rate('answer_rate', 'higher', 'o.reached_human::int', 'share of contacts that reached a person'),
    wait(
      'avg_seconds_to_human',
      'descriptive',
      'mean wait until a person answered, among contacts that reached one (shown, not judged)',
    ),
    wait(
      'median_seconds_to_human',
      'quantile',
      'median wait until a person answered, among contacts that reached one',
      0.5,
    ),
    wait(
      'p90_seconds_to_human',
      'quantile',
      'wait within which 90 % of the contacts that reached a person were answered',
      0.9,
    ),
    {
      key: 'median_hold_seconds',
      unit: 'seconds',
      better: 'lower',
      description: 'median time on hold, among contacts whose hold was recorded',
      kind: 'quantile',
      column: 'o.hold_seconds',
      q: 0.5,
      channels: channelsAsking('holdSeconds'),
      gapThatMatters: DEFAULT_GAP.seconds,
    },
    rate('first_contact_resolution', 'higher', "(o.resolution = 'resolved')::int", 'share resolved on that contact'),
    rate(
      'transfer_rate',
      'lower',
      '(o.transfers > 0)::int',
      'share with at least one transfer',
      channelsAsking('transfers'),
    ),
    rate(
      'disconnect_rate',
      'lower',
      '(o.disconnects > 0)::int',
      'share with at least one dropped line or chat',
      channelsAsking('disconnects'),
    ),
    rate(
      'bot_first_rate',
      'lower',
      'o.bot_first::int',
      'among chats where it was noted, share where a bot answered before any person',
      channelsAsking('botFirst'),
    ),
    rate(
      'answered_question_rate',
      'higher',
      'o.answered_question::int',
      'among written contacts that got a reply, share whose first reply answered the question',
      channelsAsking('answeredQuestion'),
    ),
    {
      key: 'median_queue_seconds',
      unit: 'seconds',
      better: 'lower',
      description: 'median time queuing on a visit, whether or not anyone served in the end',
      kind: 'quantile',
      column: 'o.queue_seconds',
      q: 0.5,
      channels: channelsAsking('queueSeconds'),
      gapThatMatters: DEFAULT_GAP.seconds,
    },
    rate(
      'queue_system_worked_rate',
      'higher',
      'o.queue_system_worked::int',
      'among visits with a ticket or queue system, share where it worked',
      channelsAsking('queueSystemWorked'),
    ),
    rate(
      'staff_free_rate',
      'higher',
      'o.staff_free::int',
      'among visits where it was noted, share where a member of staff was free on arrival',
      channelsAsking('staffFree'),
    ),
    rate('repeat_story_rate', 'lower', 'o.repeated_story::int', 'share where the story had to be told again'),
    rate(
      'options_explained_rate',
      'higher',
      "CASE WHEN o.resolution <> 'resolved' THEN o.options_explained::int END",
      'among unresolved contacts, share told their options or why not',
    ),
    rate(
      'gave_name_rate',
      'higher',
      'o.staff_gave_name::int',
      'among contacts where it was noted, share where staff gave a name',
    ),
    rating('courtesy_avg', 'o.courtesy', 'mean courtesy rating (1–5)'),
    rating('knowledge_avg', 'o.knowledge', 'mean knowledge rating (1–5)'),
    rate(
      'promise_kept_rate',
      'higher',
      "CASE WHEN o.promise_status IS NOT NULL THEN (o.promise_status = 'kept')::int END",
      'among answered follow-up promises, share kept by the promised date',
    ),
    resolvedWithin(3),
    resolvedWithin(7),
    perCase(
      'contacts_to_resolution',
      "CASE WHEN o.case_status = 'resolved' THEN o.case_contacts END",
      'mean contacts a resolved case took, the first included',
      1,
    ),
    perCase(
      'story_repeats_per_case',
      "CASE WHEN o.case_status <> 'open' THEN o.repeated_story::int + o.case_later_repeats END",
      'mean contacts of an ended case (resolved or given up) on which the story had to be told again',
      0,
    ),
    rate(
      'case_promises_kept_rate',
      'higher',
      `CASE WHEN (o.promise_status IS NOT NULL)::int + o.case_promises_kept + o.case_promises_failed > 0
            THEN (coalesce(o.promise_status, 'kept') = 'kept' AND o.case_promises_failed = 0)::int END`,
      'among cases with an answered follow-up promise, share where every promise was kept by its date',
    ),
  ] satisfies MetricDefinition[]
).map(fitted);

/** The range a target may take per unit (a wait up to 14 days, as an email's reply may take). */
export const TARGET_RANGE: Record<MetricDefinition['unit'], { min: number; max: number }> = {
  rate: { min: 0, max: 1 },
  seconds: { min: 0, max: MAX_WAIT_SECONDS },
  rating: { min: 1, max: 5 },
  count: { min: 0, max: MAX_CASE_CONTACTS },
};

export const METRIC_KEYS = METRICS.map((m) => m.key);

export const metricByKey = (key: string): MetricDefinition | undefined => METRICS.find((m) => m.key === key);

/** Whether a metric is measured on a channel's contacts. */
export const fitsChannel = (m: MetricDefinition, channel: string): boolean =>
  (m.channels as readonly string[]).includes(channel);

/** Waits differ by orders of magnitude between channels (seconds on a phone, hours by email): never pooled. */
export const isWait = (m: MetricDefinition): boolean => m.unit === 'seconds';

/**
 * The aggregates of one metric, as SQL select items named `<prefix>n`, `<prefix>s` (sum), `<prefix>ss`
 * (sum of squares, bounded means) and `<prefix>v` (the observed value where a sum cannot give it).
 */
export function metricAggregates(m: MetricDefinition, prefix: string): string {
  const items = [`count(${m.column}) AS ${prefix}n`, `sum(${m.column})::float8 AS ${prefix}s`];
  if (m.kind === 'bounded_mean') items.push(`sum((${m.column})::float8 ^ 2) AS ${prefix}ss`);
  if (m.kind === 'quantile') items.push(`percentile_cont(${m.q}) WITHIN GROUP (ORDER BY ${m.column}) AS ${prefix}v`);
  return items.join(', ');
}

/** The sums of one metric over one group of contacts, as SQL gave them (see metricAggregates). */
export interface MetricSums {
  n: number;
  sum: number;
  sumOfSquares: number | null;
  /** The quantile's value (quantile metrics only). */
  value: number | null;
}

export const EMPTY_SUMS: MetricSums = { n: 0, sum: 0, sumOfSquares: null, value: null };

/** The sums of metric `prefix` in a row of metricAggregates. */
export function sumsOf(row: Record<string, unknown> | undefined, prefix: string): MetricSums {
  if (!row) return EMPTY_SUMS;
  const num = (key: string) => (row[key] === null || row[key] === undefined ? null : Number(row[key]));
  return {
    n: num(`${prefix}n`) ?? 0,
    sum: num(`${prefix}s`) ?? 0,
    sumOfSquares: num(`${prefix}ss`),
    value: num(`${prefix}v`),
  };
}

/** The observed value: a share, a mean or the quantile; null with no contacts. */
export function observedOf(metric: MetricDefinition, sums: MetricSums): number | null {
  if (sums.n === 0) return null;
  return metric.kind === 'quantile' ? sums.value : sums.sum / sums.n;
}
