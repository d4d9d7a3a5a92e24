import { Injectable } from '@nestjs/common';

import { sumsIn } from '../metrics/counted-contacts.js';
import type { ContactKind } from '../metrics/counted-contacts.js';
import { EMPTY_SUMS, isWait, metricByKey, observedOf } from '../metrics/metric-catalogue.js';
import type { MetricDefinition, MetricSums } from '../metrics/metric-catalogue.js';
import type { EffectiveSettings } from '../metrics/verdict-settings.js';
import { VerdictSettingsService } from '../metrics/verdict-settings.service.js';
import { decisionWeek, mondayOf } from './claim-progress.js';
import type { PlannedWeeks } from './claim-progress.js';
import { ClaimProgressRepository } from './claim-progress.repository.js';
import {
  evidenceOf,
  gapDirection,
  headlineOf,
  intervalOf,
  rankFractionsFor,
  TESTED_VERDICTS,
} from './digest-evidence.js';
import type { IntervalMethod, QuantileCounts } from './digest-evidence.js';
import { DigestEvidenceRepository } from './digest-evidence.repository.js';
import type {
  ClaimToShow,
  Coverage,
  DigestScope,
  EvidenceGroups,
  EvidenceKey,
  MissedTester,
  QuantileWanted,
  TouchpointCoverage,
  WorstNote,
} from './digest-evidence.repository.js';
import type { UnclaimedSection } from './unclaimed.js';
import { UnclaimedFacts } from './unclaimed.service.js';
import { judgeClaims, verdictExplanation } from './verdicts.js';
import type { ClaimToJudge, Judgement, Verdict } from './verdicts.js';

export type { Verdict };

/** Where a row's numbers come from: one touchpoint, a team, or the whole organization. */
export interface Scope {
  touchpointId: string | null;
  team: string | null;
}

export interface DigestRow {
  claimId: string;
  touchpointId: string | null;
  team: string | null;
  /** The channel the claim is about: a touchpoint's own, or the one a team or organization claim names. */
  channel: string | null;
  scopeLabel: string;
  metric: string;
  unit: MetricDefinition['unit'];
  better: MetricDefinition['better'];
  claimed: number;
  source: string;
  /** The claim's own period (its dates, in its touchpoint's zone; UTC for team and organization claims). */
  claimPeriod: { start: string; end: string };
  observed: number | null;
  /** Counted contacts the observation rests on (planned tests, and ad-hoc ones where the organization counts them). */
  n: number;
  ciLow: number | null;
  ciHigh: number | null;
  /** How the 95 % interval was made; null when none is shown (a mean wait, or too few contacts). */
  intervalMethod: IntervalMethod | null;
  /** observed − claimed (null when nothing was observed). */
  gap: number | null;
  /** Whether the gap is good or bad news for this metric's direction. */
  gapDirection: 'better' | 'worse' | 'same' | null;
  verdict: Verdict;
  pFlattering: number | null;
  pAdjusted: number | null;
  /** Smallest gap (metric unit) these contacts could detect at 80 % power; null when not tested. */
  detectableGap: number | null;
  /** Contacts it would take to detect gapThatMatters; null when not computable or over the cap (see below). */
  contactsNeeded: number | null;
  contactsNeededOverCap: boolean;
  /**
   * A claim in progress: contactsNeeded less n, and the Monday of the week its contacts should reach contactsNeeded
   * at the tests planned and the current pace (claim-progress.ts). Null otherwise, and in a digest an owner reads
   * (the pace would tell them this week's count of tests). Absent from digests stored before them.
   */
  contactsStillNeeded?: number | null;
  decisionExpectedWeek?: string | null;
  gapThatMatters: number;
  /** Ad-hoc contacts in the claim's period: counted only where the organization says so, shown either way. */
  adHoc: { contacts: number; observed: number | null; counted: boolean };
  /** Contacts by the touchpoint's owner (now or when made) in the claim's period: never counted. */
  ownerContacts: number;
}

export interface DigestPayload {
  period: { start: string; end: string };
  headline: string;
  minContacts: number;
  /** One plain sentence: what "contradicted" means here and how many false flags to expect. */
  explanation: string;
  /** Claims tested in this digest (Holm's family). */
  familySize: number;
  countAdHocInVerdicts: boolean;
  rows: DigestRow[];
  coverage: Coverage;
  /** The same counts per touchpoint (absent from runs stored before it was added). */
  coverageByTouchpoint?: TouchpointCoverage[];
  missedTesters: MissedTester[];
  notes: WorstNote[];
  /** What nobody claimed: journey facts per touchpoint and team, and the scenarios' questions (absent in older runs). */
  unclaimed?: UnclaimedSection;
  /** Days the period ended before the digest went out: 7 when a touchpoint's owner receives it (owner-readers.ts). */
  delayDays?: number;
  trend: Array<{
    claimId: string;
    metric: string;
    scopeLabel: string;
    previous: number | null;
    previousN: number;
    current: number | null;
    change: number | null;
  }>;
}

/** Spans of the digest's scope whose evidence is wanted beside the claims' (a results page's weeks). */
export interface AlsoWanted {
  keys: Array<Omit<EvidenceKey, 'k'>>;
  /** Order statistics wanted over those spans (ids other than claim ids), given their evidence. */
  quantiles(keys: EvidenceKey[], groups: EvidenceGroups): QuantileWanted[];
}

/** The judged rows of a scope's claims, the trend when asked, and the evidence of the spans also wanted. */
export interface Judged {
  rows: DigestRow[];
  trend: DigestPayload['trend'];
  settings: EffectiveSettings;
  also: { keys: EvidenceKey[]; groups: EvidenceGroups; quantiles: Map<string, QuantileCounts> };
}

/** The subscription's scope (touchpoints by id, else a team, else everything), its period and its minimum. */
export interface DigestRequest extends DigestScope {
  minContacts: number;
}

const NOTES_SHOWN = 5;

/**
 * judgeClaims over every claim; one that it refuses (a value no API lets in, written behind its back) is
 * shown `not_tested` instead of stopping the digest of all the others, which are judged without it.
 */
export function judgeSafely(claims: ClaimToJudge[]): Map<string, Judgement> {
  try {
    return judgeClaims(claims);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const refused = new Set(
      claims.filter((c) => {
        try {
          judgeClaims([c]);
          return false;
        } catch {
          return true;
        }
      }),
    );
    const judged = judgeClaims(claims.filter((c) => !refused.has(c)));
    for (const c of refused) {
      judged.set(c.id, {
        verdict: 'not_tested',
        pFlattering: null,
        pBetter: null,
        pAdjusted: null,
        detectableGap: null,
        contactsNeeded: null,
        contactsNeededOverCap: false,
      });
    }
    return judged;
  }
}

/** A row's progress, from its own contacts needed and its scope's planned tests and pace. */
function withProgress(
  row: DigestRow,
  planned: { planned: PlannedWeeks; testsPerWeek: number } | undefined,
  weekStart: string,
): DigestRow {
  if (row.verdict !== 'in_progress' || row.contactsNeeded === null) return row;
  const stillNeeded = Math.max(0, row.contactsNeeded - row.n);
  const need = { id: row.claimId, needed: row.contactsNeeded, stillNeeded };
  const week = planned
    ? decisionWeek({ periodEnd: row.claimPeriod.end }, need, planned.planned, planned.testsPerWeek, weekStart)
    : null;
  return { ...row, contactsStillNeeded: stillNeeded, decisionExpectedWeek: week };
}

/**
 * Builds a digest's payload. Each claim is judged on the contacts inside its own period, once: in the
 * digest whose period holds the end of the claim's period (or its recording, if it was recorded after);
 * a claim whose period still runs at the digest's end is shown `in_progress` with the evidence so far.
 * Contacts never count for a touchpoint its tester owns or owned; ad-hoc contacts count only where the
 * organization says so. Waits are never pooled across channels. All aggregation happens in PostgreSQL.
 */
@Injectable()
export class DigestBuilder {
  constructor(
    private readonly evidence: DigestEvidenceRepository,
    private readonly settings: VerdictSettingsService,
    private readonly unclaimed: UnclaimedFacts,
    private readonly progress: ClaimProgressRepository,
  ) {}

  async build(req: DigestRequest): Promise<DigestPayload> {
    const { rows, trend, settings } = await this.judge(req, { trend: true });
    if (!req.windowsStartedBefore) await this.addProgress(req, rows);
    const verdicts = rows.map((r) => r.verdict);
    const familySize = verdicts.filter((v) => TESTED_VERDICTS.includes(v)).length;
    return {
      period: { start: req.periodStart.toISOString(), end: req.periodEnd.toISOString() },
      headline: headlineOf(verdicts),
      minContacts: req.minContacts,
      explanation: verdictExplanation(familySize),
      familySize,
      countAdHocInVerdicts: settings.countAdHocInVerdicts,
      rows,
      coverage: await this.evidence.coverage(req),
      coverageByTouchpoint: await this.evidence.coverageByTouchpoint(req),
      missedTesters: await this.evidence.missedTesters(req),
      notes: await this.evidence.worstNotes(req, NOTES_SHOWN),
      trend,
      unclaimed: await this.unclaimed.section(req, settings, rows),
    };
  }

  /**
   * The digest's rows without the rest of it (coverage, missed testers, notes): every claim of the scope judged
   * as `build` judges it (the same family), the trend only when asked, and the evidence of `also`'s spans taken
   * in the same scans as the claims' (a results page's weeks).
   */
  async judge(req: DigestRequest, options: { trend: boolean; also?: AlsoWanted }): Promise<Judged> {
    const [settings, claims] = await Promise.all([
      this.settings.effective(req.organizationId),
      this.evidence.claimsToShow(req),
    ]);
    // The distinct evidence keys: the claims' own periods (cut at the digest's end) and the period before each
    // (for the trend).
    const keys: EvidenceKey[] = [];
    const byText = new Map<string, EvidenceKey>();
    const keyOf = (c: ClaimToShow, from: Date, to: Date): EvidenceKey => {
      // a touchpoint's claim is about its own channel: filtering on it again changes nothing
      const channel = c.touchpointId ? null : c.channel;
      const text = `${c.touchpointId}|${c.team}|${channel}|${from.getTime()}|${to.getTime()}`;
      let key = byText.get(text);
      if (!key) {
        key = { k: keys.length, tp: c.touchpointId, team: c.touchpointId ? null : c.team, channel, from, to };
        keys.push(key);
        byText.set(text, key);
      }
      return key;
    };
    const plan = claims.map((c) => {
      const complete = c.ends.getTime() <= req.periodEnd.getTime();
      const to = complete ? c.ends : req.periodEnd;
      const length = c.ends.getTime() - c.starts.getTime();
      const metric = metricByKey(c.metric)!;
      // never pooled: a wait claimed for a team or the organization without a channel has no evidence
      const pooledWait = isWait(metric) && !c.touchpointId && !c.channel;
      return {
        c,
        metric,
        complete,
        pooledWait,
        now: keyOf(c, c.starts, to),
        before: options.trend ? keyOf(c, new Date(c.starts.getTime() - length), c.starts) : null,
      };
    });
    const also: EvidenceKey[] = (options.also?.keys ?? []).map((key, i) => ({ ...key, k: keys.length + i }));
    keys.push(...also);

    const groups = await this.evidence.evidence(req, keys, settings.countAdHocInVerdicts);
    const group = (key: EvidenceKey, kind: ContactKind) => groups.get(`${key.k}|${kind}`);
    const sums = (key: EvidenceKey, kind: ContactKind, metric: MetricDefinition): MetricSums =>
      sumsIn(group(key, kind), metric);
    // a wait pooled across channels has no evidence
    const countedSums = (p: (typeof plan)[number], key: EvidenceKey): MetricSums =>
      p.pooledWait ? EMPTY_SUMS : sums(key, 'counted', p.metric);
    const contactsIn = (key: EvidenceKey, kind: ContactKind) => group(key, kind)?.contacts ?? 0;

    const quantileWanted = plan.filter((p) => p.metric.kind === 'quantile' && !p.pooledWait);
    const quantiles = await this.evidence.quantileCounts(
      req,
      [
        ...quantileWanted.map((p) => ({
          id: p.c.id,
          key: p.now,
          column: p.metric.column,
          threshold: p.c.value,
          ...rankFractionsFor(p.metric, sums(p.now, 'counted', p.metric).n),
        })),
        ...(options.also?.quantiles(also, groups) ?? []),
      ],
      settings.countAdHocInVerdicts,
    );

    const toJudge: ClaimToJudge[] = plan.map((p) => {
      const counted = countedSums(p, p.now);
      return {
        id: p.c.id,
        claimed: p.c.value,
        better: p.metric.better,
        evidence: p.pooledWait
          ? { kind: 'descriptive', n: 0 }
          : evidenceOf(p.metric, counted, quantiles.get(p.c.id) ?? null),
        periodComplete: p.complete,
        minContacts: req.minContacts,
        gapThatMatters: settings.gapThatMatters[p.metric.key],
      };
    });
    const judged = judgeSafely(toJudge);

    const rows: DigestRow[] = [];
    const trend: DigestPayload['trend'] = [];
    for (const [i, p] of plan.entries()) {
      const { c, metric } = p;
      const j = judged.get(c.id)!;
      const counted = countedSums(p, p.now);
      const observed = observedOf(metric, counted);
      const shown = p.pooledWait ? null : intervalOf(toJudge[i].evidence, quantiles.get(c.id) ?? null);
      const scope = c.touchpointName ?? (c.team ? `team ${c.team}` : 'whole organization');
      const scopeLabel = c.channel && !c.touchpointId ? `${scope} (${c.channel})` : scope;
      const gap = observed === null ? null : observed - c.value;
      const adHocSums = sums(p.now, 'ad_hoc', metric);
      rows.push({
        claimId: c.id,
        touchpointId: c.touchpointId,
        team: c.team,
        channel: c.channel,
        scopeLabel,
        metric: metric.key,
        unit: metric.unit,
        better: metric.better,
        claimed: c.value,
        source: c.source,
        claimPeriod: { start: c.periodStart, end: c.periodEnd },
        observed,
        n: counted.n,
        ciLow: shown?.interval.low ?? null,
        ciHigh: shown?.interval.high ?? null,
        intervalMethod: shown?.method ?? null,
        gap,
        gapDirection: gapDirection(metric.better, gap),
        // a wait without a channel at team or organization scope: never pooled, so never tested
        verdict: p.pooledWait && p.complete ? 'not_tested' : j.verdict,
        pFlattering: j.pFlattering,
        pAdjusted: j.pAdjusted,
        detectableGap: j.detectableGap,
        contactsNeeded: j.contactsNeeded,
        contactsNeededOverCap: j.contactsNeededOverCap,
        contactsStillNeeded: null,
        decisionExpectedWeek: null,
        gapThatMatters: toJudge[i].gapThatMatters,
        adHoc: settings.countAdHocInVerdicts
          ? { contacts: group(p.now, 'counted')?.adHoc ?? 0, observed: null, counted: true }
          : { contacts: contactsIn(p.now, 'ad_hoc'), observed: observedOf(metric, adHocSums), counted: false },
        ownerContacts: contactsIn(p.now, 'owner'),
      });
      if (!p.before) continue;
      const previous = countedSums(p, p.before);
      const before = observedOf(metric, previous);
      trend.push({
        claimId: c.id,
        metric: metric.key,
        scopeLabel,
        previous: before,
        previousN: previous.n,
        current: observed,
        change: before === null || observed === null ? null : observed - before,
      });
    }
    return { rows, trend, settings, also: { keys: also, groups, quantiles } };
  }

  /** In-progress rows' contacts still needed and expected week, at the digest's end (claim-progress.ts). */
  private async addProgress(req: DigestRequest, rows: DigestRow[]): Promise<void> {
    const running = rows.filter((r) => r.verdict === 'in_progress' && r.contactsNeeded !== null);
    if (!running.length) return;
    const day = req.periodEnd.toISOString().slice(0, 10);
    const week = mondayOf(day);
    const ids = running.map((r) => r.claimId);
    const { rows: progress } = await this.progress.openClaims(
      null,
      req.organizationId,
      day,
      req.periodEnd,
      week,
      ids,
      false,
    );
    const byId = new Map(progress.map((p) => [p.id, p]));
    rows.forEach((r, i) => (rows[i] = withProgress(r, byId.get(r.claimId), week)));
  }
}
