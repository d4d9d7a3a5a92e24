import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { METRICS } from './metric-catalogue.js';

export interface ObservedMetric {
  metric: string;
  unit: string;
  better: string;
  value: number | null;
  n: number;
}

export interface MetricScope {
  touchpointId?: string;
  team?: string;
  channel?: string;
  from?: string;
  to?: string;
}

/** Observed values of every catalogue metric for a scope, in one query; no outcome row reaches Node. */
@Injectable()
export class MetricsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async observe(organizationId: string, scope: MetricScope): Promise<ObservedMetric[]> {
    const select = METRICS.map((m, i) => `${m.value} AS v${i}, ${m.n} AS n${i}`).join(',\n       ');
    const [row] = await this.dataSource.query(
      `SELECT ${select}
         FROM outcome o
         JOIN touchpoint t ON t.id = o.touchpoint_id
         LEFT JOIN assignment a ON a.id = o.assignment_id
        WHERE o.organization_id = $1 AND (o.assignment_id IS NULL OR a.status = 'completed')
          AND ($2::uuid IS NULL OR o.touchpoint_id = $2) AND ($3::text IS NULL OR t.team = $3) AND ($4::text IS NULL OR t.channel = $4)
          AND ($5::timestamptz IS NULL OR o.attempted_at >= $5) AND ($6::timestamptz IS NULL OR o.attempted_at < $6)`,
      [organizationId, scope.touchpointId ?? null, scope.team ?? null, scope.channel ?? null, scope.from ?? null, scope.to ?? null],
    );
    return METRICS.map((m, i) => ({
      metric: m.key,
      unit: m.unit,
      better: m.better,
      value: row[`v${i}`] === null ? null : Number(row[`v${i}`]),
      n: Number(row[`n${i}`]),
    }));
  }
}
