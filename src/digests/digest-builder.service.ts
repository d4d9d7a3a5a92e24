import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { METRICS, MetricDefinition } from '../metrics/metric-catalogue.js';
import { Interval, medianRanks, tInterval, verdict, Verdict, wilsonInterval } from './statistics.js';

/** Where a row's numbers come from: one touchpoint, a team, or the whole organization. */
export interface Scope {
  touchpointId: string | null;
  team: string | null;
}

export interface DigestRow {
  claimId: string;
  touchpointId: string | null;
  team: string | null;
  scopeLabel: string;
  metric: string;
  unit: MetricDefinition['unit'];
  better: MetricDefinition['better'];
  claimed: number;
  source: string;
  observed: number | null;
  n: number;
  ciLow: number | null;
  ciHigh: number | null;
  /** observed − claimed (null when nothing was observed). */
  gap: number | null;
  verdict: Verdict;
}

export interface DigestPayload {
  period: { start: string; end: string };
  headline: string;
  minContacts: number;
  rows: DigestRow[];
  coverage: { planned: number; completed: number; missed: number; declined: number; unfilled: number };
  missedTesters: Array<{ testerId: string; name: string; missed: number }>;
  notes: Array<{ touchpointId: string; touchpoint: string; attemptedAt: string; resolution: string; notes: string }>;
  trend: Array<{ claimId: string; metric: string; scopeLabel: string; previous: number | null; previousN: number; current: number | null; change: number | null }>;
}

export interface DigestRequest {
  organizationId: string;
  /** The subscription's scope: touchpoints by id, else a team, else everything. */
  touchpointIds: string[];
  team: string | null;
  periodStart: Date;
  periodEnd: Date;
  minContacts: number;
}

interface Observed {
  value: number | null;
  n: number;
  interval: Interval | null;
}

const NOTES_SHOWN = 5;

/**
 * A test belongs to the period in which its window ended, and an unfilled slot to the period in
 * which its week ended: a digest that goes out while a window is open, or mid-week, says nothing
 * of a test that has not happened yet (the touchpoint's owner may read it). The window_start bound
 * only lets the index help (windows are at most 8 hours long).
 */
const WINDOW_ENDED_IN_PERIOD = `a.window_start >= $2::timestamptz - interval '1 day' AND a.window_start < $3 AND a.window_end > $2 AND a.window_end <= $3`;

/**
 * A mean cannot leave its scale: a t interval is cut at 0 s for waits, and at 1 and 5 for ratings
 * (a "−2:36" wait or a 7.2 rating is an artefact of the normal approximation). An unbounded
 * interval (one contact) stays unbounded: it says nothing either way.
 */
export function withinScale(unit: MetricDefinition['unit'], interval: Interval): Interval {
  if (!Number.isFinite(interval.low) || !Number.isFinite(interval.high)) return interval;
  const [min, max] = unit === 'rating' ? [1, 5] : unit === 'rate' ? [0, 1] : [0, Infinity];
  return { low: Math.max(min, interval.low), high: Math.min(max, interval.high) };
}

function groupKey(current: boolean, scope: Scope): string {
  return `${current ? 'now' : 'before'}|${scope.touchpointId ?? ''}|${scope.team ?? ''}`;
}

/**
 * Builds a digest's payload: every claim in scope next to what test contacts found in the period,
 * with a 95 % interval and a verdict. All aggregation happens in PostgreSQL.
 */
@Injectable()
export class DigestBuilder {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async build(req: DigestRequest): Promise<DigestPayload> {
    const claims: Array<{ id: string; touchpoint_id: string | null; team: string | null; metric: string; value: number; source: string; tp_name: string | null }> =
      await this.dataSource.query(
        `SELECT c.id, c.touchpoint_id, c.team, c.metric, c.value, c.source, t.name AS tp_name
           FROM claim c LEFT JOIN touchpoint t ON t.id = c.touchpoint_id
          WHERE c.organization_id = $1 AND c.period_start < $3::timestamptz AND c.period_end >= $2::timestamptz::date
            AND (cardinality($4::uuid[]) = 0 OR c.touchpoint_id = ANY($4::uuid[]))
            AND ($5::text IS NULL OR c.team = $5 OR t.team = $5)
          ORDER BY c.touchpoint_id NULLS LAST, c.team NULLS LAST, c.metric, c.reported_at DESC, c.id`,
        [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
      );
    const length = req.periodEnd.getTime() - req.periodStart.getTime();
    const previousStart = new Date(req.periodStart.getTime() - length);
    const medianScopes = claims.filter((c) => METRICS.find((m) => m.key === c.metric)?.interval === 'order');
    const observed = await this.observeAll(req, previousStart, medianScopes);
    const lookup = (scope: Scope, current: boolean, metric: string): Observed =>
      observed.get(groupKey(current, scope))?.get(metric) ?? { value: null, n: 0, interval: null };

    const rows: DigestRow[] = [];
    const trend: DigestPayload['trend'] = [];
    for (const c of claims) {
      const metric = METRICS.find((m) => m.key === c.metric);
      if (!metric) continue;
      const scope = { touchpointId: c.touchpoint_id, team: c.team };
      const scopeLabel = c.tp_name ?? (c.team ? `team ${c.team}` : 'whole organization');
      const now = lookup(scope, true, metric.key);
      const before = lookup(scope, false, metric.key);
      const interval = now.interval;
      rows.push({
        claimId: c.id,
        touchpointId: c.touchpoint_id,
        team: c.team,
        scopeLabel,
        metric: metric.key,
        unit: metric.unit,
        better: metric.better,
        claimed: c.value,
        source: c.source,
        observed: now.value,
        n: now.n,
        ciLow: interval && Number.isFinite(interval.low) ? interval.low : null,
        ciHigh: interval && Number.isFinite(interval.high) ? interval.high : null,
        gap: now.value === null ? null : now.value - c.value,
        verdict:
          now.value === null || !interval
            ? 'too_few_contacts'
            : verdict({ claimed: c.value, interval, n: now.n, minContacts: req.minContacts, better: metric.better }),
      });
      trend.push({
        claimId: c.id,
        metric: metric.key,
        scopeLabel,
        previous: before.value,
        previousN: before.n,
        current: now.value,
        change: before.value === null || now.value === null ? null : now.value - before.value,
      });
    }
    const contradicted = rows.filter((r) => r.verdict === 'contradicted').length;
    return {
      period: { start: req.periodStart.toISOString(), end: req.periodEnd.toISOString() },
      headline: `${contradicted} of ${rows.length} claim${rows.length === 1 ? '' : 's'} contradicted`,
      minContacts: req.minContacts,
      rows,
      coverage: await this.coverage(req),
      missedTesters: await this.missedTesters(req),
      notes: await this.worstNotes(req),
      trend,
    };
  }

  /**
   * Every catalogue metric for every touchpoint, team and the whole scope, in this period and the
   * previous one, in one scan (GROUPING SETS); then the two order statistics of each median that
   * a claim needs, in one more query. No outcome row reaches Node.
   */
  private async observeAll(req: DigestRequest, previousStart: Date, medianClaims: Array<{ touchpoint_id: string | null; team: string | null }>): Promise<Map<string, Map<string, Observed>>> {
    const from_ = `FROM outcome o JOIN touchpoint t ON t.id = o.touchpoint_id LEFT JOIN assignment a ON a.id = o.assignment_id`;
    const where = `o.organization_id = $1 AND (o.assignment_id IS NULL OR a.status = 'completed')
      AND (cardinality($2::uuid[]) = 0 OR o.touchpoint_id = ANY($2::uuid[])) AND ($3::text IS NULL OR t.team = $3)
      AND o.attempted_at >= $4 AND o.attempted_at < $6`;
    const params = [req.organizationId, req.touchpointIds, req.team, previousStart, req.periodStart, req.periodEnd];
    const select = METRICS.map((m, i) => `${m.value} AS v${i}, ${m.n} AS n${i}${m.sd ? `, ${m.sd} AS s${i}` : ''}`).join(', ');
    const rows = await this.dataSource.query(
      `SELECT (o.attempted_at >= $5) AS current, o.touchpoint_id, t.team, GROUPING(o.touchpoint_id) AS no_tp, GROUPING(t.team) AS no_team, ${select}
         ${from_} WHERE ${where}
        GROUP BY GROUPING SETS ((1, o.touchpoint_id), (1, t.team), (1))`,
      params,
    );
    const out = new Map<string, Map<string, Observed>>();
    const medians: Array<{ key: string; metric: MetricDefinition; n: number; lower: number; upper: number; scope: Scope; current: boolean }> = [];
    const wanted = new Set(medianClaims.map((c) => `${c.touchpoint_id}|${c.team}`));
    for (const row of rows) {
      // GROUPING() says which columns a row is aggregated over: a touchpoint row, a team row, or the total.
      const scope: Scope = row.no_tp === 0 ? { touchpointId: row.touchpoint_id, team: null } : row.no_team === 0 ? { touchpointId: null, team: row.team } : { touchpointId: null, team: null };
      if (row.no_tp !== 0 && row.no_team === 0 && row.team === null) continue; // touchpoints without a team
      const key = groupKey(row.current, scope);
      const metrics = new Map<string, Observed>();
      for (const [i, m] of METRICS.entries()) {
        const value = row[`v${i}`] === null ? null : Number(row[`v${i}`]);
        const n = Number(row[`n${i}`]);
        let interval: Interval | null = null;
        if (value !== null && n > 0) {
          if (m.interval === 'wilson') interval = wilsonInterval(Math.round(value * n), n);
          else if (m.interval === 't') interval = withinScale(m.unit, tInterval(value, row[`s${i}`] === null ? 0 : Number(row[`s${i}`]), n));
          else if (row.current && wanted.has(`${scope.touchpointId}|${scope.team}`)) {
            const ranks = medianRanks(n);
            if (ranks) medians.push({ key, metric: m, n, lower: ranks.lower, upper: ranks.upper, scope, current: true });
            else interval = { low: -Infinity, high: Infinity };
          }
        }
        metrics.set(m.key, { value, n, interval });
      }
      out.set(key, metrics);
    }
    const byMetric = new Map<MetricDefinition, typeof medians>();
    for (const m of medians) byMetric.set(m.metric, [...(byMetric.get(m.metric) ?? []), m]);
    for (const [metric, list] of byMetric) {
      // The k-th smallest value of each group: one window over the groups that need it.
      const found: Array<{ tp: string | null; team: string | null; k: number; x: number }> = await this.dataSource.query(
        `WITH want AS (SELECT * FROM unnest($7::uuid[], $8::text[], $9::int[], $10::int[]) AS w(tp, team, lower, upper)),
              v AS (SELECT o.touchpoint_id, t.team, ${metric.column} AS x ${from_} WHERE ${where} AND o.attempted_at >= $5 AND ${metric.filter}),
              -- One plain equi-join per level (touchpoint, team, everything): an OR-ed join condition
              -- made the planner pair every wanted median with every row.
              ranked AS (
                SELECT w.tp, w.team, w.lower, w.upper, v.x, row_number() OVER (PARTITION BY w.tp ORDER BY v.x) AS k
                  FROM want w JOIN v ON v.touchpoint_id = w.tp WHERE w.tp IS NOT NULL
                UNION ALL
                SELECT w.tp, w.team, w.lower, w.upper, v.x, row_number() OVER (PARTITION BY w.team ORDER BY v.x) AS k
                  FROM want w JOIN v ON v.team = w.team WHERE w.tp IS NULL AND w.team IS NOT NULL
                UNION ALL
                SELECT w.tp, w.team, w.lower, w.upper, v.x, row_number() OVER (ORDER BY v.x) AS k
                  FROM want w CROSS JOIN v WHERE w.tp IS NULL AND w.team IS NULL)
         SELECT tp, team, k, x FROM ranked WHERE k = lower OR k = upper`,
        [...params, list.map((m) => m.scope.touchpointId), list.map((m) => m.scope.team), list.map((m) => m.lower), list.map((m) => m.upper)],
      );
      for (const m of list) {
        const at = (k: number) => found.find((f) => f.tp === m.scope.touchpointId && f.team === m.scope.team && Number(f.k) === k)?.x;
        const low = at(m.lower);
        const high = at(m.upper);
        const observedMetric = out.get(m.key)!.get(metric.key)!;
        observedMetric.interval = low === undefined || high === undefined ? null : { low: Number(low), high: Number(high) };
      }
    }
    return out;
  }

  private scopeSql(offset: number): string {
    return `(cardinality($${offset}::uuid[]) = 0 OR t.id = ANY($${offset}::uuid[])) AND ($${offset + 1}::text IS NULL OR t.team = $${offset + 1})`;
  }

  private async coverage(req: DigestRequest): Promise<DigestPayload['coverage']> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE a.status NOT IN ('cancelled', 'declined'))::int AS planned,
              count(*) FILTER (WHERE a.status = 'completed')::int AS completed,
              count(*) FILTER (WHERE a.status = 'missed')::int AS missed,
              count(*) FILTER (WHERE a.status = 'declined')::int AS declined
         FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id
        WHERE a.organization_id = $1 AND ${WINDOW_ENDED_IN_PERIOD} AND ${this.scopeSql(4)}`,
      [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
    );
    const [unfilled] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM unfilled_slot u JOIN touchpoint t ON t.id = u.touchpoint_id
        WHERE u.organization_id = $1 AND u.week_start + 7 > $2::timestamptz::date AND u.week_start + 7 <= $3::timestamptz::date AND ${this.scopeSql(4)}`,
      [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
    );
    return { ...row, unfilled: unfilled.n };
  }

  private async missedTesters(req: DigestRequest): Promise<DigestPayload['missedTesters']> {
    const rows = await this.dataSource.query(
      `SELECT p.id, p.name, count(*)::int AS missed FROM assignment a JOIN person p ON p.id = a.tester_id JOIN touchpoint t ON t.id = a.touchpoint_id
        WHERE a.organization_id = $1 AND a.status = 'missed' AND ${WINDOW_ENDED_IN_PERIOD} AND ${this.scopeSql(4)}
        GROUP BY p.id, p.name ORDER BY missed DESC, p.name`,
      [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
    );
    return rows.map((r: { id: string; name: string; missed: number }) => ({ testerId: r.id, name: r.name, missed: r.missed }));
  }

  /** The notes of the worst contacts: no person reached, drops, transfers, unresolved, poor ratings. */
  private async worstNotes(req: DigestRequest): Promise<DigestPayload['notes']> {
    const rows = await this.dataSource.query(
      `SELECT o.touchpoint_id, t.name, o.attempted_at, o.resolution, o.notes
         FROM outcome o JOIN touchpoint t ON t.id = o.touchpoint_id LEFT JOIN assignment a ON a.id = o.assignment_id
        WHERE o.organization_id = $1 AND (o.assignment_id IS NULL OR a.status = 'completed') AND o.notes IS NOT NULL
          AND o.attempted_at >= $2 AND o.attempted_at < $3 AND ${this.scopeSql(4)}
        ORDER BY (3 * (NOT o.reached_human)::int + 2 * least(o.disconnects, 3) + least(o.transfers, 3) + o.repeated_story::int
                  + 2 * (o.resolution = 'unresolved')::int + (5 - coalesce(o.courtesy, 3)) + (5 - coalesce(o.knowledge, 3))) DESC,
                 o.attempted_at, o.id
        LIMIT ${NOTES_SHOWN}`,
      [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
    );
    return rows.map((r: Record<string, never>) => ({
      touchpointId: r.touchpoint_id,
      touchpoint: r.name,
      attemptedAt: (r.attempted_at as Date).toISOString(),
      resolution: r.resolution,
      notes: r.notes,
    }));
  }
}
