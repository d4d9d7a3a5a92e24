import { Injectable, NotFoundException } from '@nestjs/common';

import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { OWNER_VIEW_DELAY_DAYS, ownerSeesUpTo } from '../common/owner-view.js';
import { DigestBuilder } from '../digests/digest-builder.service.js';
import type { AlsoWanted, DigestRow } from '../digests/digest-builder.service.js';
import { evidenceOf, intervalOf, rankFractionsFor } from '../digests/digest-evidence.js';
import { DigestEvidenceRepository } from '../digests/digest-evidence.repository.js';
import type { Coverage, DigestScope, EvidenceKey } from '../digests/digest-evidence.repository.js';
import { sumsIn } from '../metrics/counted-contacts.js';
import { fitsChannel, isWait, METRICS, observedOf } from '../metrics/metric-catalogue.js';
import type { MetricDefinition } from '../metrics/metric-catalogue.js';
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

  /**
   * The lean path (issue 14): the scope's claims judged as its digest would judge them (DigestBuilder.judge, the
   * same family) with each week's evidence taken in the same scans, and coverage beside it; none of the rest of
   * a digest (no trend, notes or missed testers).
   */
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
    // a touchpoint shows the metrics its channel measures; a team's waits would pool channels: per touchpoint only
    const shown = METRICS.filter((m) => (scope.touchpointId ? fitsChannel(m, scope.channel!) : !isWait(m)));
    const [judged, coverage] = await Promise.all([
      this.builder.judge(
        { ...digestScope, minContacts: DEFAULT_MIN_CONTACTS },
        { trend: false, also: { keys: weekKeys(digestScope, weeks), quantiles: weekQuantiles(shown) } },
      ),
      staff ? this.evidence.coverageWithReasons(digestScope) : null,
    ]);
    const claims: ResultsClaim[] = judged.rows
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
    const { keys, groups, quantiles } = judged.also;
    const counted = (key: EvidenceKey) => groups.get(`${key.k}|counted`);
    const span = (i: number) => ({ start: weeks[i].start.toISOString(), end: weeks[i].end.toISOString() });
    const metrics = shown.map((m) => ({
      metric: m.key,
      unit: m.unit,
      better: m.better,
      weeks: keys.map((key, i) => {
        const sums = sumsIn(counted(key), m);
        const quantile = quantiles.get(weekQuantileId(m, i)) ?? null;
        const interval = intervalOf(evidenceOf(m, sums, quantile), quantile);
        return {
          ...span(i),
          observed: observedOf(m, sums),
          n: sums.n,
          ciLow: interval?.interval.low ?? null,
          ciHigh: interval?.interval.high ?? null,
        };
      }),
    }));
    return {
      scope,
      period: { start: weeks[0].start.toISOString(), end: end.toISOString() },
      delayDays: staff ? 0 : OWNER_VIEW_DELAY_DAYS,
      contacts: keys.map((key, i) => ({ ...span(i), n: counted(key)?.contacts ?? 0 })),
      metrics,
      claims,
      coverage,
    };
  }
}

/** Each week of the scope as an evidence key (numbered by the builder). */
function weekKeys(scope: DigestScope, weeks: Week[]): AlsoWanted['keys'] {
  return weeks.map((w) => ({
    tp: scope.touchpointIds[0] ?? null,
    team: scope.touchpointIds.length ? null : scope.team,
    channel: null,
    from: w.start,
    to: w.end,
  }));
}

const weekQuantileId = (m: MetricDefinition, week: number) => `${m.key}|week ${week}`;

/** The order statistics of each week's interval, for the quantile metrics shown (the digest's ranks). */
function weekQuantiles(shown: MetricDefinition[]): AlsoWanted['quantiles'] {
  return (keys, groups) =>
    shown
      .filter((m) => m.kind === 'quantile')
      .flatMap((m) =>
        keys.map((key, i) => ({
          id: weekQuantileId(m, i),
          key,
          column: m.column,
          threshold: 0,
          ...rankFractionsFor(m, sumsIn(groups.get(`${key.k}|counted`), m).n),
        })),
      );
}
