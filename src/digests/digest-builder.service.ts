import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isWait, metricAggregates, metricByKey, METRICS, MetricDefinition } from '../metrics/metric-catalogue.js';
import { completedContacts } from '../metrics/counted-contacts.js';
import { effectiveSettings } from '../organizations/organization-settings.js';
import {
  evidenceOf,
  gapDirection,
  headlineOf,
  IntervalMethod,
  intervalOf,
  MetricSums,
  observedOf,
  QuantileCounts,
  ranksFor,
  sumsOf,
  TESTED_VERDICTS,
} from './digest-evidence.js';
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
  coverage: { planned: number; completed: number; missed: number; declined: number; unfilled: number };
  missedTesters: Array<{ testerId: string; name: string; missed: number }>;
  notes: Array<{
    touchpointId: string;
    touchpoint: string;
    attemptedAt: string;
    resolution: string;
    notes: string;
    adHoc: boolean;
  }>;
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

export interface DigestRequest {
  organizationId: string;
  /** The subscription's scope: touchpoints by id, else a team, else everything. */
  touchpointIds: string[];
  team: string | null;
  periodStart: Date;
  periodEnd: Date;
  minContacts: number;
  /**
   * For a digest a touchpoint's owner reads: only tests whose window began before this (a contact may be made an
   * hour before its window, so its time alone could show a test the assignments API still hides).
   */
  windowsStartedBefore?: Date | null;
  /**
   * Claims whose judgement moment lies after this (and by periodEnd) are judged here; default periodStart. The
   * digest job passes the end of the subscription's previous run, so periods that overlap (a 28-day digest sent
   * weekly) judge a claim once, and periods with gaps between them (7 days, monthly) lose none.
   */
  judgedAfter?: Date;
}

interface ClaimRow {
  id: string;
  touchpoint_id: string | null;
  team: string | null;
  channel: string | null;
  metric: string;
  value: number;
  source: string;
  period_start: string;
  period_end: string;
  starts: Date;
  ends: Date;
  tp_name: string | null;
}

/** One set of contacts evidence is taken over: a scope, a channel (or all) and a span of time. */
interface EvidenceKey {
  k: number;
  tp: string | null;
  team: string | null;
  channel: string | null;
  from: Date;
  to: Date;
}

type Level = 'touchpoint' | 'team' | 'organization';

const NOTES_SHOWN = 5;

/**
 * A test belongs to the period in which its window ended, and an unfilled slot to the period in
 * which its week ended: a digest that goes out while a window is open, or mid-week, says nothing
 * of a test that has not happened yet (the touchpoint's owner may read it). The window_start bound
 * only lets the index help (windows are at most 8 hours long).
 */
const WINDOW_ENDED_IN_PERIOD = `a.window_start >= $2::timestamptz - interval '1 day' AND a.window_start < $3
  AND a.window_end > $2 AND a.window_end <= $3`;

/** A claim's period as instants: its dates in its touchpoint's zone, UTC for team and organization claims. */
const CLAIM_STARTS = `(c.period_start::timestamp AT TIME ZONE coalesce(t.timezone, 'UTC'))`;
const CLAIM_ENDS = `((c.period_end + 1)::timestamp AT TIME ZONE coalesce(t.timezone, 'UTC'))`;
/**
 * A claim is judged once, in the digest whose period holds the later of its period's end and the moment what it
 * says was last set (its recording, or a change of its scope, metric, period or value: see Claim.revisedAt).
 */
const JUDGED_AT = `greatest(${CLAIM_ENDS}, c.revised_at)`;

const levelOf = (key: { tp: string | null; team: string | null }): Level =>
  key.tp !== null ? 'touchpoint' : key.team !== null ? 'team' : 'organization';

/**
 * Contacts of each wanted key, one equi-join per level (touchpoint, team, everything): an OR-ed join
 * condition made the planner pair every key with every row. `contacts` is the contacts subquery
 * (aliased `o`); keys come as `want w (k, tp, team, channel, t0, t1, …)`.
 */
function joinedPerLevel(levels: Set<Level>, contacts: string, extra = ''): string {
  const inRange = `o.attempted_at >= w.t0 AND o.attempted_at < w.t1 AND (w.channel IS NULL OR o.channel = w.channel)`;
  const parts: string[] = [];
  if (levels.has('touchpoint')) {
    parts.push(
      `SELECT w.k${extra}, o.* FROM want w JOIN ${contacts} ON o.touchpoint_id = w.tp
        WHERE w.tp IS NOT NULL AND ${inRange}`,
    );
  }
  if (levels.has('team')) {
    parts.push(
      `SELECT w.k${extra}, o.* FROM want w JOIN ${contacts} ON o.team = w.team
        WHERE w.tp IS NULL AND w.team IS NOT NULL AND ${inRange}`,
    );
  }
  if (levels.has('organization')) {
    parts.push(
      `SELECT w.k${extra}, o.* FROM want w JOIN ${contacts} ON ${inRange} WHERE w.tp IS NULL AND w.team IS NULL`,
    );
  }
  return parts.join('\nUNION ALL\n');
}

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

/**
 * Builds a digest's payload. Each claim is judged on the contacts inside its own period, once: in the
 * digest whose period holds the end of the claim's period (or its recording, if it was recorded after);
 * a claim whose period still runs at the digest's end is shown `in_progress` with the evidence so far.
 * Contacts never count for a touchpoint its tester owns or owned; ad-hoc contacts count only where the
 * organization says so. Waits are never pooled across channels. All aggregation happens in PostgreSQL.
 */
@Injectable()
export class DigestBuilder {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async build(req: DigestRequest): Promise<DigestPayload> {
    const [org] = await this.dataSource.query('SELECT settings FROM organization WHERE id = $1', [req.organizationId]);
    const settings = effectiveSettings(org?.settings);
    const claims = await this.claims(req);

    // The distinct evidence keys: the claims' own periods (cut at the digest's end) and the period before each.
    const keys: EvidenceKey[] = [];
    const byText = new Map<string, EvidenceKey>();
    const keyOf = (c: ClaimRow, from: Date, to: Date): EvidenceKey => {
      // a touchpoint's claim is about its own channel: filtering on it again changes nothing
      const channel = c.touchpoint_id ? null : c.channel;
      const text = `${c.touchpoint_id}|${c.team}|${channel}|${from.getTime()}|${to.getTime()}`;
      let key = byText.get(text);
      if (!key) {
        key = { k: keys.length, tp: c.touchpoint_id, team: c.touchpoint_id ? null : c.team, channel, from, to };
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
      const pooledWait = isWait(metric) && !c.touchpoint_id && !c.channel;
      return {
        c,
        metric,
        complete,
        pooledWait,
        now: keyOf(c, c.starts, to),
        before: keyOf(c, new Date(c.starts.getTime() - length), c.starts),
      };
    });

    const groups = await this.aggregate(req, keys, settings.countAdHocInVerdicts);
    const sums = (key: EvidenceKey, kind: string, metric: MetricDefinition): MetricSums =>
      sumsOf(groups.get(`${key.k}|${kind}`), `m${METRICS.indexOf(metric)}_`);
    const contactsIn = (key: EvidenceKey, kind: string) => Number(groups.get(`${key.k}|${kind}`)?.contacts ?? 0);

    const quantileWanted = plan.filter((p) => p.metric.kind === 'quantile' && !p.pooledWait);
    const quantiles = await this.quantileCounts(
      req,
      quantileWanted.map((p) => {
        const n = sums(p.now, 'counted', p.metric).n;
        const ranks = ranksFor(p.metric, n);
        // percentile_disc(f) is x(⌈f·n⌉): half a rank below k gives x(k) whatever the rounding
        const at = (k: number | undefined) => (k === undefined ? null : (k - 0.5) / n);
        return {
          id: p.c.id,
          key: p.now,
          metric: p.metric,
          threshold: p.c.value,
          lower: at(ranks?.lower),
          upper: at(ranks?.upper),
        };
      }),
      settings.countAdHocInVerdicts,
    );

    const toJudge: ClaimToJudge[] = plan.map((p) => {
      const counted = p.pooledWait ? { ...sums(p.now, 'none', p.metric) } : sums(p.now, 'counted', p.metric);
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
      const counted = p.pooledWait ? sums(p.now, 'none', metric) : sums(p.now, 'counted', metric);
      const observed = observedOf(metric, counted);
      const shown = p.pooledWait ? null : intervalOf(toJudge[i].evidence, quantiles.get(c.id) ?? null);
      const scope = c.tp_name ?? (c.team ? `team ${c.team}` : 'whole organization');
      const scopeLabel = c.channel && !c.touchpoint_id ? `${scope} (${c.channel})` : scope;
      const gap = observed === null ? null : observed - c.value;
      const adHocSums = sums(p.now, 'ad_hoc', metric);
      rows.push({
        claimId: c.id,
        touchpointId: c.touchpoint_id,
        team: c.team,
        channel: c.channel,
        scopeLabel,
        metric: metric.key,
        unit: metric.unit,
        better: metric.better,
        claimed: c.value,
        source: c.source,
        claimPeriod: { start: c.period_start, end: c.period_end },
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
        gapThatMatters: toJudge[i].gapThatMatters,
        adHoc: settings.countAdHocInVerdicts
          ? { contacts: Number(groups.get(`${p.now.k}|counted`)?.ad_hoc ?? 0), observed: null, counted: true }
          : { contacts: contactsIn(p.now, 'ad_hoc'), observed: observedOf(metric, adHocSums), counted: false },
        ownerContacts: contactsIn(p.now, 'owner'),
      });
      const previous = p.pooledWait ? sums(p.before, 'none', metric) : sums(p.before, 'counted', metric);
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
      coverage: await this.coverage(req),
      missedTesters: await this.missedTesters(req),
      notes: await this.worstNotes(req),
      trend,
    };
  }

  /**
   * The claims this digest shows: those judged in it, then those still running at its end (recorded by
   * then). A claim judged by an earlier digest is not shown again, and never tested afresh.
   */
  private async claims(req: DigestRequest): Promise<ClaimRow[]> {
    const rows: ClaimRow[] = await this.dataSource.query(
      `SELECT c.id, c.touchpoint_id, c.team, c.channel, c.metric, c.value, c.source,
              c.period_start::text AS period_start, c.period_end::text AS period_end,
              ${CLAIM_STARTS} AS starts, ${CLAIM_ENDS} AS ends, t.name AS tp_name
         FROM claim c LEFT JOIN touchpoint t ON t.id = c.touchpoint_id
        WHERE c.organization_id = $1 AND c.created_at <= $3 AND c.metric = ANY($6::text[])
          -- a cheap bound first: a claim shown here ends after the judging starts, or was revised since
          AND (c.period_end >= ($2::timestamptz AT TIME ZONE 'UTC')::date - 2 OR c.revised_at > $2)
          AND ((${JUDGED_AT} > $2 AND ${JUDGED_AT} <= $3) OR (${CLAIM_ENDS} > $3 AND ${CLAIM_STARTS} < $3))
          AND (cardinality($4::uuid[]) = 0 OR c.touchpoint_id = ANY($4::uuid[]))
          AND ($5::text IS NULL OR c.team = $5 OR t.team = $5)
        ORDER BY ${CLAIM_ENDS} > $3, c.touchpoint_id IS NULL, t.name, c.touchpoint_id, c.team NULLS LAST,
                 c.channel NULLS FIRST,
                 c.metric, c.period_end, c.reported_at DESC, c.id`,
      [
        req.organizationId,
        req.judgedAfter ?? req.periodStart,
        req.periodEnd,
        req.touchpointIds,
        req.team,
        METRICS.map((m) => m.key),
      ],
    );
    return rows.map((r) => ({ ...r, value: Number(r.value), starts: new Date(r.starts), ends: new Date(r.ends) }));
  }

  /**
   * A query that reads most of the period's contacts: the planner cannot see how many contacts each key
   * holds (it guessed 11 where there were 50) and chose an index probe per key, a million random heap
   * reads; one sequential pass hashed against the keys costs half as much. Its sort gets room in memory.
   */
  private scan(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL enable_nestloop = off`);
      await manager.query(`SET LOCAL work_mem = '64MB'`);
      return manager.query(sql, params);
    });
  }

  /** The contacts of the subscription's scope between `from` and `to` (subquery `o`, see completedContacts). */
  private contacts(req: DigestRequest, from: number, countAdHoc: number, windowsBefore: number): string {
    const where = `o.organization_id = $1 AND (cardinality($2::uuid[]) = 0 OR o.touchpoint_id = ANY($2::uuid[]))
      AND ($3::text IS NULL OR t.team = $3) AND o.attempted_at >= $${from} AND o.attempted_at < $${from + 1}
      AND ($${windowsBefore}::timestamptz IS NULL OR a.window_start IS NULL OR a.window_start < $${windowsBefore})`;
    return completedContacts(where, `$${countAdHoc}::boolean`);
  }

  /**
   * Every catalogue metric's sums for every key, per kind of contact (counted, ad hoc, the owner's), in one
   * scan: each contact is joined to the keys of its touchpoint, team and organization. No outcome row reaches Node.
   */
  private async aggregate(
    req: DigestRequest,
    keys: EvidenceKey[],
    countAdHoc: boolean,
  ): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    if (!keys.length) return out;
    const from = new Date(Math.min(...keys.map((k) => k.from.getTime())));
    const to = new Date(Math.max(...keys.map((k) => k.to.getTime())));
    const select = METRICS.map((m, i) => metricAggregates(m, `m${i}_`)).join(', ');
    const rows: Array<Record<string, unknown>> = await this.scan(
      `WITH want AS (SELECT * FROM unnest($7::int[], $8::uuid[], $9::text[], $10::text[],
                                          $11::timestamptz[], $12::timestamptz[])
                       AS w(k, tp, team, channel, t0, t1))
       SELECT o.k, o.kind, count(*)::int AS contacts,
              count(*) FILTER (WHERE o.assignment_id IS NULL)::int AS ad_hoc, ${select}
         FROM (${joinedPerLevel(new Set(keys.map(levelOf)), this.contacts(req, 4, 6, 13))}) o
        GROUP BY o.k, o.kind`,
      [
        req.organizationId,
        req.touchpointIds,
        req.team,
        from,
        to,
        countAdHoc,
        keys.map((k) => k.k),
        keys.map((k) => k.tp),
        keys.map((k) => k.team),
        keys.map((k) => k.channel),
        keys.map((k) => k.from),
        keys.map((k) => k.to),
        req.windowsStartedBefore ?? null,
      ],
    );
    for (const row of rows) out.set(`${row.k}|${row.kind}`, row);
    return out;
  }

  /**
   * For each quantile claim, its counted contacts strictly above and below the claimed value, the two order
   * statistics of its interval and the spread of ln(wait): one set-based join of claims to contacts per
   * metric column, never a query per claim.
   */
  private async quantileCounts(
    req: DigestRequest,
    wanted: Array<{
      id: string;
      key: EvidenceKey;
      metric: MetricDefinition;
      threshold: number;
      lower: number | null;
      upper: number | null;
    }>,
    countAdHoc: boolean,
  ): Promise<Map<string, QuantileCounts>> {
    const out = new Map<string, QuantileCounts>();
    const byColumn = new Map<string, typeof wanted>();
    for (const w of wanted) byColumn.set(w.metric.column, [...(byColumn.get(w.metric.column) ?? []), w]);
    for (const [column, list] of byColumn) {
      const from = new Date(Math.min(...list.map((w) => w.key.from.getTime())));
      const to = new Date(Math.max(...list.map((w) => w.key.to.getTime())));
      const levels = new Set(list.map((w) => levelOf(w.key)));
      const rows: Array<Record<string, unknown>> = await this.dataSource.query(
        `WITH want AS (SELECT * FROM unnest($7::int[], $8::uuid[], $9::text[], $10::text[],
                                            $11::timestamptz[], $12::timestamptz[],
                                            $13::float8[], $14::float8[], $15::float8[])
                         AS w(k, tp, team, channel, t0, t1, thr, lo, hi))
         SELECT j.k, count(*) FILTER (WHERE j.x > j.thr)::int AS above,
                count(*) FILTER (WHERE j.x < j.thr)::int AS below,
                percentile_disc(j.lo) WITHIN GROUP (ORDER BY j.x) AS low,
                percentile_disc(j.hi) WITHIN GROUP (ORDER BY j.x) AS high,
                stddev_samp(ln(greatest(j.x, 1))) AS log_sd
           FROM (SELECT o.k, o.thr, o.lo, o.hi, (${column}) AS x
                   FROM (${joinedPerLevel(levels, this.contacts(req, 4, 6, 16), ', w.thr, w.lo, w.hi')}) o
                  WHERE o.kind = 'counted') j
          WHERE j.x IS NOT NULL
          GROUP BY j.k, j.thr, j.lo, j.hi`,
        [
          req.organizationId,
          req.touchpointIds,
          req.team,
          from,
          to,
          countAdHoc,
          list.map((_, i) => i),
          list.map((w) => w.key.tp),
          list.map((w) => w.key.team),
          list.map((w) => w.key.channel),
          list.map((w) => w.key.from),
          list.map((w) => w.key.to),
          list.map((w) => w.threshold),
          list.map((w) => w.lower),
          list.map((w) => w.upper),
          req.windowsStartedBefore ?? null,
        ],
      );
      for (const row of rows) {
        const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
        out.set(list[Number(row.k)].id, {
          above: Number(row.above),
          below: Number(row.below),
          low: num(row.low),
          high: num(row.high),
          logSd: num(row.log_sd),
        });
      }
    }
    return out;
  }

  private scopeSql(offset: number): string {
    const [ids, team] = [`$${offset}`, `$${offset + 1}`];
    return `(cardinality(${ids}::uuid[]) = 0 OR t.id = ANY(${ids}::uuid[]))
      AND (${team}::text IS NULL OR t.team = ${team})`;
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
        WHERE u.organization_id = $1 AND u.week_start + 7 > $2::timestamptz::date
          AND u.week_start + 7 <= $3::timestamptz::date AND ${this.scopeSql(4)}`,
      [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
    );
    return { ...row, unfilled: unfilled.n };
  }

  private async missedTesters(req: DigestRequest): Promise<DigestPayload['missedTesters']> {
    const rows = await this.dataSource.query(
      `SELECT p.id, p.name, count(*)::int AS missed
         FROM assignment a JOIN person p ON p.id = a.tester_id JOIN touchpoint t ON t.id = a.touchpoint_id
        WHERE a.organization_id = $1 AND a.status = 'missed' AND ${WINDOW_ENDED_IN_PERIOD} AND ${this.scopeSql(4)}
        GROUP BY p.id, p.name ORDER BY missed DESC, p.name`,
      [req.organizationId, req.periodStart, req.periodEnd, req.touchpointIds, req.team],
    );
    return rows.map((r: { id: string; name: string; missed: number }) => ({
      testerId: r.id,
      name: r.name,
      missed: r.missed,
    }));
  }

  /**
   * The notes of the worst contacts of the period: no person reached, drops, transfers, unresolved, poor
   * ratings. Never an owner's contact with their own touchpoint; ad-hoc ones are marked.
   */
  private async worstNotes(req: DigestRequest): Promise<DigestPayload['notes']> {
    const rows = await this.dataSource.query(
      `SELECT o.touchpoint_id, tp.name, o.attempted_at, o.resolution, o.notes, o.assignment_id IS NULL AS ad_hoc
         FROM ${this.contacts(req, 4, 6, 7)} JOIN touchpoint tp ON tp.id = o.touchpoint_id
        WHERE o.kind <> 'owner' AND o.notes IS NOT NULL
        ORDER BY (3 * (NOT o.reached_human)::int + 2 * least(o.disconnects, 3) + least(o.transfers, 3)
                  + o.repeated_story::int + 2 * (o.resolution = 'unresolved')::int
                  + (5 - coalesce(o.courtesy, 3)) + (5 - coalesce(o.knowledge, 3))) DESC,
                 o.attempted_at, o.id
        LIMIT ${NOTES_SHOWN}`,
      [
        req.organizationId,
        req.touchpointIds,
        req.team,
        req.periodStart,
        req.periodEnd,
        true,
        req.windowsStartedBefore ?? null,
      ],
    );
    return rows.map((r: Record<string, never>) => ({
      touchpointId: r.touchpoint_id,
      touchpoint: r.name,
      attemptedAt: (r.attempted_at as Date).toISOString(),
      resolution: r.resolution,
      notes: r.notes,
      adHoc: r.ad_hoc,
    }));
  }
}
