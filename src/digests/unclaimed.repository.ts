import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { metricAggregates, sumsOf } from '../metrics/metric-catalogue.js';
import type { MetricDefinition, MetricSums } from '../metrics/metric-catalogue.js';
import type { QuantileCounts } from './digest-evidence.js';
import { scopedContacts } from './digest-evidence.repository.js';
import type { DigestScope } from './digest-evidence.repository.js';
import type { QuestionCounts } from './unclaimed.js';

/** One touchpoint's or team's contacts on one channel (teams are never pooled across channels). */
export interface FactScopeKey {
  touchpointId: string | null;
  team: string | null;
  channel: string;
}

/** The sums of each journey metric for one scope: this period, the period before and both together. */
export interface ScopeSums extends FactScopeKey {
  touchpointName: string | null;
  /** Distinct touchpoints with contacts in this period (a team of one touchpoint repeats that touchpoint). */
  touchpoints: number;
  /** Cases of this period followed beyond their first contact (or still open). */
  followedCases: number;
  now: Record<string, MetricSums>;
  before: Record<string, MetricSums>;
  pooled: Record<string, MetricSums>;
}

/** What a quantile fact needs counted beyond its sums, for one scope. */
export interface QuantileWant extends FactScopeKey {
  pooledMedian: number | null;
  target: number | null;
  /** percentile_disc fractions that give the interval's order statistics (null: n too small). */
  lower: number | null;
  upper: number | null;
}

export type QuantileFactCounts = QuantileCounts & { nowAbovePooled: number; beforeAbovePooled: number };

/**
 * Parameters $1–$8: the scope, from the start of the period before to the end of this one, whether ad-hoc
 * contacts count, the owner's cut-off, and where this period starts.
 */
function params(scope: DigestScope, previousStart: Date, countAdHoc: boolean): unknown[] {
  return [
    scope.organizationId,
    scope.touchpointIds,
    scope.team,
    previousStart,
    scope.periodEnd,
    countAdHoc,
    scope.windowsStartedBefore ?? null,
    scope.periodStart,
  ];
}

/** Counted contacts of the scope over both periods, with `cur` true in this one (alias `o`). */
const COUNTED = `(SELECT o.*, o.attempted_at >= $8 AS cur FROM ${scopedContacts(4, 6, 7)} WHERE o.kind = 'counted')`;

/** The reads of "what nobody claimed": every aggregate in PostgreSQL, no outcome row reaches Node. */
@Injectable()
export class UnclaimedRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A query over most of both periods' contacts, as the digest's evidence scan runs (see DigestEvidenceRepository):
   * hash joins rather than a probe per contact, and room to sort in memory (the medians sort every hold).
   */
  private scan<T>(sql: string, params: unknown[]): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL enable_nestloop = off`);
      await manager.query(`SET LOCAL work_mem = '64MB'`);
      return manager.query<T>(sql, params);
    });
  }

  /**
   * The journey metrics' sums per touchpoint and per (team, channel), for this period, the one before and both,
   * in one pass over the contacts (grouping sets).
   */
  async sums(
    scope: DigestScope,
    previousStart: Date,
    countAdHoc: boolean,
    metrics: readonly MetricDefinition[],
  ): Promise<ScopeSums[]> {
    const aggregates = metrics.map((m, i) => metricAggregates(m, `u${i}_`)).join(', ');
    const rows: Array<
      Record<string, unknown> & {
        touchpoint_id: string | null;
        team: string | null;
        channel: string;
        cur: boolean | null;
        pooled: number;
        tp_name: string | null;
        touchpoints: number;
        followed: number;
      }
    > = await this.scan(
      `SELECT g.*, tp.name AS tp_name
         FROM (SELECT o.touchpoint_id, o.team, o.channel, o.cur, GROUPING(o.cur)::int AS pooled,
                      count(DISTINCT o.touchpoint_id) FILTER (WHERE o.cur)::int AS touchpoints,
                      count(*) FILTER (WHERE o.cur AND (o.case_contacts > 1 OR o.case_status = 'open'))::int
                        AS followed,
                      ${aggregates}
                 FROM ${COUNTED} o
                GROUP BY GROUPING SETS ((o.touchpoint_id, o.channel, o.cur), (o.touchpoint_id, o.channel),
                                        (o.team, o.channel, o.cur), (o.team, o.channel))
               HAVING GROUPING(o.touchpoint_id) = 0 OR o.team IS NOT NULL) g
         LEFT JOIN touchpoint tp ON tp.id = g.touchpoint_id`,
      params(scope, previousStart, countAdHoc),
    );
    const out = new Map<string, ScopeSums>();
    for (const r of rows) {
      // in a team's grouping set the touchpoint column is null, and the other way round
      const key: FactScopeKey = r.touchpoint_id
        ? { touchpointId: r.touchpoint_id, team: null, channel: r.channel }
        : { touchpointId: null, team: r.team, channel: r.channel };
      const id = `${key.touchpointId}|${key.team}|${key.channel}`;
      let entry = out.get(id);
      if (!entry) {
        entry = { ...key, touchpointName: null, touchpoints: 0, followedCases: 0, now: {}, before: {}, pooled: {} };
        out.set(id, entry);
      }
      const span = r.pooled ? 'pooled' : r.cur ? 'now' : 'before';
      if (span !== 'before') entry.touchpoints = Math.max(entry.touchpoints, r.touchpoints);
      if (span !== 'before') entry.followedCases = Math.max(entry.followedCases, Number(r.followed));
      if (key.touchpointId) entry.touchpointName = r.tp_name;
      for (const [i, m] of metrics.entries()) entry[span][m.key] = sumsOf(r, `u${i}_`);
    }
    return [...out.values()];
  }

  /**
   * For one quantile metric and each wanted scope: this period's values above and below the target, its interval's
   * order statistics and log spread, and each period's values above the pooled median of both (Mood's test).
   */
  async quantileCounts(
    scope: DigestScope,
    previousStart: Date,
    countAdHoc: boolean,
    metric: MetricDefinition,
    wanted: QuantileWant[],
  ): Promise<QuantileFactCounts[]> {
    if (!wanted.length) return [];
    const rows: Array<{
      k: number;
      now_above_pooled: number;
      before_above_pooled: number;
      above: number;
      below: number;
      low: unknown;
      high: unknown;
      log_sd: unknown;
    }> = await this.scan(
      `WITH c AS ${COUNTED},
            want AS (SELECT * FROM unnest($9::int[], $10::uuid[], $11::text[], $12::text[], $13::float8[],
                                          $14::float8[], $15::float8[], $16::float8[])
                       AS w(k, tp, team, channel, pooled, thr, lo, hi))
       SELECT j.k,
              count(*) FILTER (WHERE j.cur AND j.x > j.pooled)::int AS now_above_pooled,
              count(*) FILTER (WHERE NOT j.cur AND j.x > j.pooled)::int AS before_above_pooled,
              count(*) FILTER (WHERE j.cur AND j.x > j.thr)::int AS above,
              count(*) FILTER (WHERE j.cur AND j.x < j.thr)::int AS below,
              percentile_disc(j.lo) WITHIN GROUP (ORDER BY j.x) FILTER (WHERE j.cur) AS low,
              percentile_disc(j.hi) WITHIN GROUP (ORDER BY j.x) FILTER (WHERE j.cur) AS high,
              stddev_samp(ln(greatest(j.x, 1))) FILTER (WHERE j.cur) AS log_sd
         FROM (SELECT w.k, w.pooled, w.thr, w.lo, w.hi, o.cur, (${metric.column}) AS x
                 FROM want w JOIN c o ON o.touchpoint_id = w.tp AND o.channel = w.channel WHERE w.tp IS NOT NULL
               UNION ALL
               SELECT w.k, w.pooled, w.thr, w.lo, w.hi, o.cur, (${metric.column}) AS x
                 FROM want w JOIN c o ON o.team = w.team AND o.channel = w.channel WHERE w.tp IS NULL) j
        WHERE j.x IS NOT NULL
        GROUP BY j.k, j.pooled, j.thr, j.lo, j.hi`,
      [
        ...params(scope, previousStart, countAdHoc),
        wanted.map((_, i) => i),
        wanted.map((w) => w.touchpointId),
        wanted.map((w) => w.team),
        wanted.map((w) => w.channel),
        wanted.map((w) => w.pooledMedian),
        wanted.map((w) => w.target),
        wanted.map((w) => w.lower),
        wanted.map((w) => w.upper),
      ],
    );
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const out: QuantileFactCounts[] = wanted.map(() => ({
      above: 0,
      below: 0,
      low: null,
      high: null,
      logSd: null,
      nowAbovePooled: 0,
      beforeAbovePooled: 0,
    }));
    for (const r of rows) {
      out[Number(r.k)] = {
        above: r.above,
        below: r.below,
        low: num(r.low),
        high: num(r.high),
        logSd: num(r.log_sd),
        nowAbovePooled: r.now_above_pooled,
        beforeAbovePooled: r.before_above_pooled,
      };
    }
    return out;
  }

  /** The scenarios' own questions, as this period's counted contacts answered them, in the scenarios' order. */
  async questions(scope: DigestScope, countAdHoc: boolean): Promise<QuestionCounts[]> {
    const rows: Array<{
      scenario_id: string;
      title: string;
      key: string;
      label: string;
      type: string;
      options: string[];
      n: number;
      yes: number;
      median: unknown;
      chosen: Record<string, number>;
    }> = await this.dataSource.query(
      `WITH qa AS (
         SELECT s.id AS scenario_id, s.title, q.ord, q.value->>'key' AS key, q.value->>'label' AS label,
                q.value->>'type' AS type, coalesce(q.value->'options', '[]'::jsonb) AS options,
                nullif(o.answers -> (q.value->>'key'), 'null'::jsonb) AS v
           FROM ${COUNTED} o JOIN scenario s ON s.id = o.scenario_id AND s.organization_id = o.organization_id
           CROSS JOIN LATERAL jsonb_array_elements(s.questions) WITH ORDINALITY q(value, ord)
          WHERE o.cur),
       chosen AS (
         SELECT scenario_id, key, v #>> '{}' AS option, count(*)::int AS n
           FROM qa WHERE type = 'choice' AND jsonb_typeof(v) = 'string' GROUP BY 1, 2, 3)
       SELECT qa.scenario_id, qa.title, qa.key, qa.label, qa.type, qa.options,
              count(qa.v)::int AS n, count(*) FILTER (WHERE qa.v = 'true'::jsonb)::int AS yes,
              percentile_cont(0.5) WITHIN GROUP (
                ORDER BY CASE WHEN jsonb_typeof(qa.v) = 'number' THEN (qa.v)::float8 END) AS median,
              (SELECT coalesce(jsonb_object_agg(ch.option, ch.n), '{}'::jsonb) FROM chosen ch
                WHERE ch.scenario_id = qa.scenario_id AND ch.key = qa.key) AS chosen
         FROM qa
        GROUP BY qa.scenario_id, qa.title, qa.ord, qa.key, qa.label, qa.type, qa.options
        ORDER BY qa.title, qa.scenario_id, qa.ord`,
      params(scope, scope.periodStart, countAdHoc),
    );
    return rows.map((r) => ({
      scenarioId: r.scenario_id,
      scenario: r.title,
      key: r.key,
      label: r.label,
      type: r.type,
      options: Array.isArray(r.options) ? r.options.map(String) : [],
      n: r.n,
      yes: r.yes,
      median: r.median === null || r.median === undefined ? null : Number(r.median),
      chosen: r.chosen ?? {},
    }));
  }
}
