/**
 * The metric catalogue: each KPI defined once, with its SQL over completed outcomes (alias `o`),
 * its unit and which direction is better. Aggregation always runs in PostgreSQL.
 */
export interface MetricDefinition {
  key: string;
  unit: 'rate' | 'seconds' | 'rating';
  better: 'higher' | 'lower';
  /** The aggregate for the observed value. */
  value: string;
  /** The sample size the value rests on. */
  n: string;
  description: string;
  /** How its 95 % interval is computed: Wilson (rates), Student t (means), order statistics (medians). */
  interval: 'wilson' | 't' | 'order';
  /** For means: the sample standard deviation. */
  sd?: string;
  /** For medians: the column and the rows it is taken over. */
  column?: string;
  filter?: string;
}

export const METRICS: readonly MetricDefinition[] = [
  { key: 'answer_rate', unit: 'rate', better: 'higher', value: 'avg(o.reached_human::int)', n: 'count(*)', description: 'share of contacts that reached a person', interval: 'wilson' },
  {
    key: 'avg_seconds_to_human',
    unit: 'seconds',
    better: 'lower',
    value: 'avg(o.seconds_to_human) FILTER (WHERE o.reached_human)',
    n: 'count(o.seconds_to_human) FILTER (WHERE o.reached_human)',
    description: 'mean wait until a person answered, among contacts that reached one',
    interval: 't',
    sd: 'stddev_samp(o.seconds_to_human) FILTER (WHERE o.reached_human)',
  },
  {
    key: 'median_seconds_to_human',
    unit: 'seconds',
    better: 'lower',
    value: 'percentile_cont(0.5) WITHIN GROUP (ORDER BY o.seconds_to_human) FILTER (WHERE o.reached_human)',
    n: 'count(o.seconds_to_human) FILTER (WHERE o.reached_human)',
    description: 'median wait until a person answered, among contacts that reached one',
    interval: 'order',
    column: 'o.seconds_to_human',
    filter: 'o.reached_human AND o.seconds_to_human IS NOT NULL',
  },
  { key: 'first_contact_resolution', unit: 'rate', better: 'higher', value: "avg((o.resolution = 'resolved')::int)", n: 'count(*)', description: 'share resolved on that contact', interval: 'wilson' },
  { key: 'transfer_rate', unit: 'rate', better: 'lower', value: 'avg((o.transfers > 0)::int)', n: 'count(*)', description: 'share with at least one transfer', interval: 'wilson' },
  { key: 'disconnect_rate', unit: 'rate', better: 'lower', value: 'avg((o.disconnects > 0)::int)', n: 'count(*)', description: 'share with at least one dropped line or chat', interval: 'wilson' },
  { key: 'repeat_story_rate', unit: 'rate', better: 'lower', value: 'avg(o.repeated_story::int)', n: 'count(*)', description: 'share where the story had to be told again', interval: 'wilson' },
  {
    key: 'options_explained_rate',
    unit: 'rate',
    better: 'higher',
    value: "avg(o.options_explained::int) FILTER (WHERE o.resolution <> 'resolved')",
    n: "count(o.options_explained) FILTER (WHERE o.resolution <> 'resolved')",
    description: 'among unresolved contacts, share told their options or why not',
    interval: 'wilson',
  },
  { key: 'courtesy_avg', unit: 'rating', better: 'higher', value: 'avg(o.courtesy)', n: 'count(o.courtesy)', description: 'mean courtesy rating (1–5)', interval: 't', sd: 'stddev_samp(o.courtesy)' },
  { key: 'knowledge_avg', unit: 'rating', better: 'higher', value: 'avg(o.knowledge)', n: 'count(o.knowledge)', description: 'mean knowledge rating (1–5)', interval: 't', sd: 'stddev_samp(o.knowledge)' },
  {
    key: 'promise_kept_rate',
    unit: 'rate',
    better: 'higher',
    value: "avg((o.promise_status = 'kept')::int) FILTER (WHERE o.promise_status IS NOT NULL)",
    n: 'count(o.promise_status)',
    description: 'among answered follow-up promises, share kept by the promised date',
    interval: 'wilson',
  },
];

export const METRIC_KEYS = METRICS.map((m) => m.key);
