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
    const cache = new Map<string, Map<string, Observed>>();
    const observe = async (scope: Scope, from: Date, to: Date) => {
      const key = `${scope.touchpointId}|${scope.team}|${from.toISOString()}`;
      let found = cache.get(key);
      if (!found) cache.set(key, (found = await this.observe(req.organizationId, scope, from, to)));
      return found;
    };

    const rows: DigestRow[] = [];
    const trend: DigestPayload['trend'] = [];
    for (const c of claims) {
      const metric = METRICS.find((m) => m.key === c.metric);
      if (!metric) continue;
      const scope = { touchpointId: c.touchpoint_id, team: c.team };
      const scopeLabel = c.tp_name ?? (c.team ? `team ${c.team}` : 'whole organization');
      const now = (await observe(scope, req.periodStart, req.periodEnd)).get(metric.key)!;
      const before = (await observe(scope, previousStart, req.periodStart)).get(metric.key)!;
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

  /** Every catalogue metric for one scope and period, with its interval: one aggregate query, plus two order statistics per median. */
  private async observe(organizationId: string, scope: Scope, from: Date, to: Date): Promise<Map<string, Observed>> {
    const where = `o.organization_id = $1 AND (o.assignment_id IS NULL OR a.status = 'completed')
      AND ($2::uuid IS NULL OR o.touchpoint_id = $2) AND ($3::text IS NULL OR t.team = $3)
      AND o.attempted_at >= $4 AND o.attempted_at < $5`;
    const from_ = `FROM outcome o JOIN touchpoint t ON t.id = o.touchpoint_id LEFT JOIN assignment a ON a.id = o.assignment_id`;
    const params = [organizationId, scope.touchpointId, scope.team, from, to];
    const select = METRICS.map((m, i) => `${m.value} AS v${i}, ${m.n} AS n${i}${m.sd ? `, ${m.sd} AS s${i}` : ''}`).join(', ');
    const [row] = await this.dataSource.query(`SELECT ${select} ${from_} WHERE ${where}`, params);
    const out = new Map<string, Observed>();
    for (const [i, m] of METRICS.entries()) {
      const value = row[`v${i}`] === null ? null : Number(row[`v${i}`]);
      const n = Number(row[`n${i}`]);
      let interval: Interval | null = null;
      if (value !== null && n > 0) {
        if (m.interval === 'wilson') interval = wilsonInterval(Math.round(value * n), n);
        else if (m.interval === 't') interval = tInterval(value, row[`s${i}`] === null ? 0 : Number(row[`s${i}`]), n);
        else {
          const ranks = medianRanks(n);
          if (!ranks) interval = { low: -Infinity, high: Infinity };
          else {
            // x(k) is the smallest value whose cumulative share reaches k/n; (k − ½)/n avoids rounding at the edge.
            const [bounds] = await this.dataSource.query(
              `SELECT percentile_disc($6) WITHIN GROUP (ORDER BY ${m.column}) AS low, percentile_disc($7) WITHIN GROUP (ORDER BY ${m.column}) AS high
                 ${from_} WHERE ${where} AND ${m.filter}`,
              [...params, (ranks.lower - 0.5) / n, (ranks.upper - 0.5) / n],
            );
            interval = { low: Number(bounds.low), high: Number(bounds.high) };
          }
        }
      }
      out.set(m.key, { value, n, interval });
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
        WHERE a.organization_id = $1 AND a.window_start >= $2 AND a.window_start < $3 AND ${this.scopeSql(4)}`,
      [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
    );
    const [unfilled] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM unfilled_slot u JOIN touchpoint t ON t.id = u.touchpoint_id
        WHERE u.organization_id = $1 AND u.week_start >= $2::timestamptz::date AND u.week_start < $3::timestamptz::date AND ${this.scopeSql(4)}`,
      [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
    );
    return { ...row, unfilled: unfilled.n };
  }

  private async missedTesters(req: DigestRequest): Promise<DigestPayload['missedTesters']> {
    const rows = await this.dataSource.query(
      `SELECT p.id, p.name, count(*)::int AS missed FROM assignment a JOIN person p ON p.id = a.tester_id JOIN touchpoint t ON t.id = a.touchpoint_id
        WHERE a.organization_id = $1 AND a.status = 'missed' AND a.window_start >= $2 AND a.window_start < $3 AND ${this.scopeSql(4)}
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
