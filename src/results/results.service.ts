import { Injectable, NotFoundException } from '@nestjs/common';

import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { OWNER_VIEW_DELAY_DAYS, ownerSeesUpTo } from '../common/owner-view.js';
import { DigestBuilder } from '../digests/digest-builder.service.js';
import type { DigestRow } from '../digests/digest-builder.service.js';
import { evidenceOf, intervalOf, ranksFor } from '../digests/digest-evidence.js';
import { DigestEvidenceRepository } from '../digests/digest-evidence.repository.js';
import type { Coverage, DigestScope, EvidenceKey } from '../digests/digest-evidence.repository.js';
import { sumsIn } from '../metrics/counted-contacts.js';
import { fitsChannel, isWait, METRICS, observedOf } from '../metrics/metric-catalogue.js';
import type { MetricDefinition } from '../metrics/metric-catalogue.js';
import { VerdictSettingsService } from '../metrics/verdict-settings.service.js';
import { TouchpointsService } from '../touchpoints/touchpoints.service.js';
import { ResultsRepository } from './results.repository.js';
import type { TeamRow } from './results.repository.js';
import { DEFAULT_WEEKS, weeksEnding } from './weeks.js';
import type { Week } from './weeks.js';

/** One week of one metric: the digest's observation and 95 % interval over that week's counted contacts. */
export interface WeekPoint {
  start: string;
  end: string;
  observed: number | null;
  n: number;
  ciLow: number | null;
  ciHigh: number | null;
}

export interface MetricSeries {
  metric: string;
  unit: MetricDefinition['unit'];
  better: MetricDefinition['better'];
  weeks: WeekPoint[];
}

/** A claim of the scope shown on the results page, judged as the digest judges it. */
export type ResultsClaim = Pick<
  DigestRow,
  'claimId' | 'metric' | 'claimed' | 'claimPeriod' | 'source' | 'observed' | 'n' | 'ciLow' | 'ciHigh' | 'verdict'
>;

export interface Results {
  scope: { touchpointId: string | null; team: string | null; name: string; channel: string | null; timezone: string };
  period: { start: string; end: string };
  /** Days the evidence ends before now: 7 for a touchpoint's owner (src/common/owner-view.ts), else 0. */
  delayDays: number;
  /** Counted contacts per week (the n every metric of the week rests on at most). */
  contacts: Array<{ start: string; end: string; n: number }>;
  metrics: MetricSeries[];
  claims: ResultsClaim[];
  /** Admin and quality only: an owner would date the tests still to come from planned, declined or unfilled counts. */
  coverage: (Coverage & { unfilledReasons: Array<{ reason: string; slots: number }> }) | null;
}

const DEFAULT_MIN_CONTACTS = 5;
const isStaff = (me: Actor) => hasRole(me, 'admin', 'quality');

/**
 * Results of a touchpoint or a team over the weeks: the digest's evidence, intervals and verdicts (the same
 * repository and pure functions, never a second implementation), per week. An owner reads their own
 * touchpoints only, with the owner delay the assignments API applies and completed contacts only.
 */
@Injectable()
export class ResultsService {
  constructor(
    private readonly evidence: DigestEvidenceRepository,
    private readonly builder: DigestBuilder,
    private readonly settings: VerdictSettingsService,
    private readonly touchpoints: TouchpointsService,
    private readonly repository: ResultsRepository,
    private readonly clock: Clock,
  ) {}

  /** The organization's teams with their touchpoint counts (admin and quality: the API's role guard). */
  teams(me: Actor): Promise<TeamRow[]> {
    return this.repository.teams(me.organizationId);
  }

  async touchpoint(me: Actor, id: string, weeks = DEFAULT_WEEKS): Promise<Results> {
    const tp = await this.touchpoints.get(me.organizationId, id).catch(() => null);
    // someone else's touchpoint is not there for an owner: the same 404 as a missing id
    if (!tp || (!isStaff(me) && tp.ownerId !== me.personId)) throw new NotFoundException(`Touchpoint ${id} not found`);
    const scope = { touchpointId: tp.id, team: null, name: tp.name, channel: tp.channel, timezone: tp.timezone };
    return this.results(me, scope, weeks);
  }

  /** A team's results: admin and quality (the API's role guard). Waits are never pooled across channels. */
  async team(me: Actor, team: string, weeks = DEFAULT_WEEKS): Promise<Results> {
    const known = (await this.repository.teams(me.organizationId)).some((t) => t.team === team);
    if (!isStaff(me) || !known) throw new NotFoundException(`Team ${team} not found`);
    return this.results(me, { touchpointId: null, team, name: `team ${team}`, channel: null, timezone: 'UTC' }, weeks);
  }

  private async results(me: Actor, scope: Results['scope'], count: number): Promise<Results> {
    const staff = isStaff(me);
    const now = this.clock.now();
    const end = staff ? now : new Date(ownerSeesUpTo(now.getTime()));
    const weeks = weeksEnding(end, count, scope.timezone);
    const digestScope: DigestScope = {
      organizationId: me.organizationId,
      touchpointIds: scope.touchpointId ? [scope.touchpointId] : [],
      team: scope.team,
      periodStart: weeks[0].start,
      periodEnd: end,
      windowsStartedBefore: staff ? null : end,
    };
    const [metrics, contacts] = await this.series(digestScope, weeks, scope.touchpointId ? scope.channel : null);
    const digest = await this.builder.build({ ...digestScope, minContacts: DEFAULT_MIN_CONTACTS });
    const claims: ResultsClaim[] = digest.rows
      .filter((r) => (scope.touchpointId ? r.touchpointId === scope.touchpointId : !r.touchpointId))
      .map((r) => ({
        claimId: r.claimId,
        metric: r.metric,
        claimed: r.claimed,
        claimPeriod: r.claimPeriod,
        source: r.source,
        observed: r.observed,
        n: r.n,
        ciLow: r.ciLow,
        ciHigh: r.ciHigh,
        verdict: r.verdict,
      }));
    return {
      scope,
      period: { start: weeks[0].start.toISOString(), end: end.toISOString() },
      delayDays: staff ? 0 : OWNER_VIEW_DELAY_DAYS,
      contacts,
      metrics,
      claims,
      coverage: staff
        ? { ...digest.coverage, unfilledReasons: await this.evidence.unfilledReasons(digestScope) }
        : null,
    };
  }

  /** Every metric per week, from one evidence scan and (for medians) one order-statistics query. */
  private async series(
    scope: DigestScope,
    weeks: Week[],
    /** The one touchpoint's channel; null for a team. */
    channel: string | null,
  ): Promise<[MetricSeries[], Results['contacts']]> {
    const { countAdHocInVerdicts } = await this.settings.effective(scope.organizationId);
    const keys: EvidenceKey[] = weeks.map((w, k) => ({
      k,
      tp: scope.touchpointIds[0] ?? null,
      team: scope.touchpointIds.length ? null : scope.team,
      channel: null,
      from: w.start,
      to: w.end,
    }));
    const groups = await this.evidence.evidence(scope, keys, countAdHocInVerdicts);
    const counted = (k: number) => groups.get(`${k}|counted`);
    // a touchpoint shows the metrics its channel measures; a team's waits would pool channels: per touchpoint only
    const shown = METRICS.filter((m) => (channel ? fitsChannel(m, channel) : !isWait(m)));
    const quantiles = await this.evidence.quantileCounts(
      scope,
      shown
        .filter((m) => m.kind === 'quantile')
        .flatMap((m) =>
          keys.map((key) => {
            const n = sumsIn(counted(key.k), m).n;
            const ranks = ranksFor(m, n);
            const at = (r: number | undefined) => (r === undefined ? null : (r - 0.5) / n);
            return {
              id: `${m.key}|${key.k}`,
              key,
              column: m.column,
              threshold: 0,
              lower: at(ranks?.lower),
              upper: at(ranks?.upper),
            };
          }),
        ),
      countAdHocInVerdicts,
    );
    const metrics = shown.map((m) => ({
      metric: m.key,
      unit: m.unit,
      better: m.better,
      weeks: keys.map((key, i) => {
        const sums = sumsIn(counted(key.k), m);
        const quantile = quantiles.get(`${m.key}|${key.k}`) ?? null;
        const interval = intervalOf(evidenceOf(m, sums, quantile), quantile);
        return {
          start: weeks[i].start.toISOString(),
          end: weeks[i].end.toISOString(),
          observed: observedOf(m, sums),
          n: sums.n,
          ciLow: interval?.interval.low ?? null,
          ciHigh: interval?.interval.high ?? null,
        };
      }),
    }));
    const contacts = keys.map((key, i) => ({
      start: weeks[i].start.toISOString(),
      end: weeks[i].end.toISOString(),
      n: counted(key.k)?.contacts ?? 0,
    }));
    return [metrics, contacts];
  }
}
