import { Injectable } from '@nestjs/common';

import { sumsIn } from './counted-contacts.js';
import type { ContactsProjection } from './counted-contacts.js';
import { fitsChannel, isWait, METRICS, observedOf } from './metric-catalogue.js';
import type { MetricDefinition } from './metric-catalogue.js';
import { MetricsRepository } from './metrics.repository.js';
import type { MetricScope } from './metrics.repository.js';
import { VerdictSettingsService } from './verdict-settings.service.js';

export type { MetricScope };

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

function observed(m: MetricDefinition, group: ContactsProjection | undefined, channel: string | null): ObservedMetric {
  const sums = sumsIn(group, m);
  return { metric: m.key, unit: m.unit, better: m.better, channel, value: observedOf(m, sums), n: sums.n };
}

/**
 * Observed values of every catalogue metric for a scope, in one query; no outcome row reaches Node.
 * Rates and ratings pool the scope's channels that measure them; waits come one item per channel that measures them.
 */
@Injectable()
export class MetricsService {
  constructor(
    private readonly metrics: MetricsRepository,
    private readonly settings: VerdictSettingsService,
  ) {}

  async observe(
    organizationId: string,
    scope: MetricScope,
  ): Promise<{ items: ObservedMetric[]; contacts: ContactCounts }> {
    const { countAdHocInVerdicts } = await this.settings.effective(organizationId);
    const groups = await this.metrics.observe(organizationId, scope, countAdHocInVerdicts);
    const pooled = (kind: string) => groups.find((g) => g.kind === kind && g.channel === null)?.projection;
    const counted = pooled('counted');
    const perChannel = groups
      .filter((g) => g.kind === 'counted' && g.channel !== null)
      .sort((a, b) => String(a.channel).localeCompare(String(b.channel)));
    const items: ObservedMetric[] = [];
    for (const m of METRICS) {
      if (!isWait(m)) items.push(observed(m, counted, null));
      else if (perChannel.length) {
        // a wait is listed only for the channels that measure it: a store has no wait "until a person answered"
        const fitting = perChannel.filter((g) => fitsChannel(m, g.channel!));
        items.push(...fitting.map((g) => observed(m, g.projection, g.channel)));
      } else items.push(observed(m, undefined, scope.channel ?? null));
    }
    return {
      items,
      contacts: {
        counted: counted?.contacts ?? 0,
        adHocNotCounted: pooled('ad_hoc')?.contacts ?? 0,
        adHocCounted: counted?.adHoc ?? 0,
        byOwner: pooled('owner')?.contacts ?? 0,
      },
    };
  }
}
