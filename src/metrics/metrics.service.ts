import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { effectiveSettings } from '../organizations/organization-settings.js';
import { isWait, metricAggregates, METRICS, observedValue } from './metric-catalogue.js';
import { completedContacts } from './counted-contacts.js';

export interface ObservedMetric {
  metric: string;
  unit: string;
  better: string;
  /** The channel a wait is measured on (waits are never pooled across channels); null for other metrics. */
  channel: string | null;
  value: number | null;
  n: number;
}

export interface ContactCounts {
  /** Contacts the values rest on. */
  counted: number;
  /** Ad-hoc contacts left out (the organization counts planned tests only); 0 when they are counted. */
  adHocNotCounted: number;
  /** Ad-hoc contacts among the counted ones. */
  adHocCounted: number;
  /** Contacts by the touchpoint's owner (now or when made): never counted. */
  byOwner: number;
}

export interface MetricScope {
  touchpointId?: string;
  team?: string;
  channel?: string;
  from?: string;
  to?: string;
}

/**
 * Observed values of every catalogue metric for a scope, in one query; no outcome row reaches Node.
 * Rates and ratings pool the scope's channels; waits come one item per channel.
 */
@Injectable()
export class MetricsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async observe(
    organizationId: string,
    scope: MetricScope,
  ): Promise<{ items: ObservedMetric[]; contacts: ContactCounts }> {
    const [org] = await this.dataSource.query('SELECT settings FROM organization WHERE id = $1', [organizationId]);
    const countAdHoc = effectiveSettings(org?.settings).countAdHocInVerdicts;
    const where = `o.organization_id = $1 AND ($2::uuid IS NULL OR o.touchpoint_id = $2)
      AND ($3::text IS NULL OR t.team = $3)
      AND ($4::text IS NULL OR t.channel = $4) AND ($5::timestamptz IS NULL OR o.attempted_at >= $5)
      AND ($6::timestamptz IS NULL OR o.attempted_at < $6)`;
    const select = METRICS.map((m, i) => metricAggregates(m, `m${i}_`)).join(',\n       ');
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT o.kind, o.channel, GROUPING(o.channel) AS pooled, count(*)::int AS contacts,
              count(*) FILTER (WHERE o.assignment_id IS NULL)::int AS ad_hoc, ${select}
         FROM ${completedContacts(where, '$7::boolean')}
        GROUP BY GROUPING SETS ((o.kind), (o.kind, o.channel))`,
      [
        organizationId,
        scope.touchpointId ?? null,
        scope.team ?? null,
        scope.channel ?? null,
        scope.from ?? null,
        scope.to ?? null,
        countAdHoc,
      ],
    );
    const pooled = (kind: string) => rows.find((r) => r.kind === kind && Number(r.pooled) === 1);
    const counted = pooled('counted') ?? {};
    const perChannel = rows
      .filter((r) => r.kind === 'counted' && Number(r.pooled) === 0)
      .sort((a, b) => String(a.channel).localeCompare(String(b.channel)));
    const items: ObservedMetric[] = [];
    for (const [i, m] of METRICS.entries()) {
      const item = (row: Record<string, unknown>, channel: string | null): ObservedMetric => ({
        metric: m.key,
        unit: m.unit,
        better: m.better,
        channel,
        value: observedValue(m, row, `m${i}_`),
        n: Number(row[`m${i}_n`] ?? 0),
      });
      if (!isWait(m)) items.push(item(counted, null));
      else if (perChannel.length) items.push(...perChannel.map((row) => item(row, String(row.channel))));
      else items.push(item({}, scope.channel ?? null));
    }
    return {
      items,
      contacts: {
        counted: Number(counted.contacts ?? 0),
        adHocNotCounted: Number(pooled('ad_hoc')?.contacts ?? 0),
        adHocCounted: Number(counted.ad_hoc ?? 0),
        byOwner: Number(pooled('owner')?.contacts ?? 0),
      },
    };
  }
}
