import { Injectable } from '@nestjs/common';

import type { EffectiveSettings } from '../metrics/verdict-settings.js';
import { ranksFor } from './digest-evidence.js';
import type { DigestScope } from './digest-evidence.repository.js';
import {
  capFacts,
  judgeFacts,
  showsFact,
  summariseQuestion,
  unclaimedExplanation,
  unclaimedMetrics,
} from './unclaimed.js';
import type { ClaimedScope, FactGroup, UnclaimedSection } from './unclaimed.js';
import { UnclaimedRepository } from './unclaimed.repository.js';
import type { ScopeSums } from './unclaimed.repository.js';

/** What a claim row of the digest already covers: its touchpoint's metric, or its team's (on its channel or all). */
function claimedKeys(rows: readonly ClaimedScope[]): Set<string> {
  return new Set(
    rows.map((r) =>
      r.touchpointId ? `tp|${r.touchpointId}|${r.metric}` : `team|${r.team}|${r.channel ?? '*'}|${r.metric}`,
    ),
  );
}

function isClaimed(claimed: Set<string>, s: ScopeSums, metric: string): boolean {
  if (s.touchpointId) return claimed.has(`tp|${s.touchpointId}|${metric}`);
  return claimed.has(`team|${s.team}|${s.channel}|${metric}`) || claimed.has(`team|${s.team}|*|${metric}`);
}

/**
 * The digest's "what nobody claimed": the journey metrics of each touchpoint and team (one channel at a time)
 * that no claim row of the digest covers, flagged against the organization's targets and the period before,
 * and the summaries of the scenarios' own questions.
 */
@Injectable()
export class UnclaimedFacts {
  constructor(private readonly repository: UnclaimedRepository) {}

  async section(
    scope: DigestScope & { minContacts: number },
    settings: EffectiveSettings,
    rows: readonly ClaimedScope[],
    /** How many scopes and flagged facts to list (see capFacts); bench:digest lifts them to measure the uncapped. */
    cap: { maxScopes?: number; maxFlagged?: number } = {},
  ): Promise<UnclaimedSection> {
    const length = scope.periodEnd.getTime() - scope.periodStart.getTime();
    const previousStart = new Date(scope.periodStart.getTime() - length);
    const metrics = unclaimedMetrics();
    const countAdHoc = settings.countAdHocInVerdicts;
    const claimed = claimedKeys(rows);
    const scopes = (await this.repository.sums(scope, previousStart, countAdHoc, metrics))
      // a team of one touchpoint would only repeat that touchpoint's facts
      .filter((s) => s.touchpointId !== null || s.touchpoints > 1)
      .sort(
        (a, b) =>
          Number(a.touchpointId === null) - Number(b.touchpointId === null) ||
          (a.touchpointName ?? a.team ?? '').localeCompare(b.touchpointName ?? b.team ?? '') ||
          a.channel.localeCompare(b.channel) ||
          String(a.touchpointId).localeCompare(String(b.touchpointId)),
      );
    const groups: FactGroup[] = [];
    for (const s of scopes) {
      const scopeLabel = s.touchpointId ? (s.touchpointName ?? '') : `team ${s.team} (${s.channel})`;
      for (const metric of metrics) {
        const now = s.now[metric.key];
        if (!now?.n || isClaimed(claimed, s, metric.key) || !showsFact(metric.key, s.followedCases)) continue;
        const before = s.before[metric.key] ?? { n: 0, sum: 0, sumOfSquares: null, value: null };
        groups.push({ ...s, scopeLabel, metric, now, before, quantile: null });
      }
    }
    for (const metric of metrics.filter((m) => m.kind === 'quantile')) {
      const wanted = groups.filter((g) => g.metric === metric);
      const counts = await this.repository.quantileCounts(
        scope,
        previousStart,
        countAdHoc,
        metric,
        wanted.map((g) => {
          const ranks = ranksFor(metric, g.now.n);
          // percentile_disc(f) is x(⌈f·n⌉): half a rank below k gives x(k) whatever the rounding
          const at = (k: number | undefined) => (k === undefined ? null : (k - 0.5) / g.now.n);
          const pooled = scopes.find(
            (s) => s.touchpointId === g.touchpointId && s.team === g.team && s.channel === g.channel,
          )?.pooled[metric.key];
          return {
            touchpointId: g.touchpointId,
            team: g.team,
            channel: g.channel,
            pooledMedian: pooled?.value ?? null,
            target: settings.targets[metric.key] ?? null,
            lower: at(ranks?.lower),
            upper: at(ranks?.upper),
          };
        }),
      );
      wanted.forEach((g, i) => (g.quantile = counts[i]));
    }
    const { facts, familySize } = judgeFacts(groups, {
      targets: settings.targets,
      minContacts: scope.minContacts,
      gapThatMatters: settings.gapThatMatters,
    });
    const questions = (await this.repository.questions(scope, countAdHoc)).map(summariseQuestion);
    // judged all together above; listed within a bound (the flagged first), with a count of the rest
    const { shown, scopesTotal, omitted } = capFacts(facts, cap.maxScopes, cap.maxFlagged);
    return {
      previousPeriod: { start: previousStart.toISOString(), end: scope.periodStart.toISOString() },
      facts: shown,
      factsTotal: facts.length,
      scopesTotal,
      omitted,
      familySize,
      flagged: facts.filter((f) => f.flags.length).length,
      explanation: unclaimedExplanation(familySize),
      questions,
    };
  }
}
