import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { completedContacts, METRIC_PROJECTION, projectionOf } from './counted-contacts.js';
import type { ContactKind, ContactsProjection } from './counted-contacts.js';

export interface MetricScope {
  touchpointId?: string;
  team?: string;
  channel?: string;
  from?: string;
  to?: string;
}

/** The metric projection of one kind of contact in a scope: pooled over its channels, or of one channel. */
export interface ObservedGroup {
  kind: ContactKind;
  /** Null for the group pooled over the scope's channels. */
  channel: string | null;
  projection: ContactsProjection;
}

/** The metrics API's query: no outcome row reaches Node. */
@Injectable()
export class MetricsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every kind of contact in the scope, pooled and per channel, in one query. */
  async observe(organizationId: string, scope: MetricScope, countAdHoc: boolean): Promise<ObservedGroup[]> {
    const where = `o.organization_id = $1 AND ($2::uuid IS NULL OR o.touchpoint_id = $2)
      AND ($3::text IS NULL OR t.team = $3)
      AND ($4::text IS NULL OR t.channel = $4) AND ($5::timestamptz IS NULL OR o.attempted_at >= $5)
      AND ($6::timestamptz IS NULL OR o.attempted_at < $6)`;
    const rows: Array<Record<string, unknown> & { kind: ContactKind; channel: string | null; pooled: number }> =
      await this.dataSource.query(
        `SELECT o.kind, o.channel, GROUPING(o.channel) AS pooled, ${METRIC_PROJECTION}
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
    return rows.map((r) => ({
      kind: r.kind,
      channel: Number(r.pooled) === 1 ? null : r.channel,
      projection: projectionOf(r),
    }));
  }
}
