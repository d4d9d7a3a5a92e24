import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { completedContacts, METRIC_PROJECTION, projectionOf } from '../metrics/counted-contacts.js';
import type { ContactKind, ContactsProjection } from '../metrics/counted-contacts.js';
import { METRICS } from '../metrics/metric-catalogue.js';
import type { QuantileCounts } from './digest-evidence.js';

/** A digest's scope and period: touchpoints by id, else a team, else the whole organization. */
export interface DigestScope {
  organizationId: string;
  touchpointIds: string[];
  team: string | null;
  periodStart: Date;
  periodEnd: Date;
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

/** A claim the digest shows, with its period as instants (its dates in its touchpoint's zone, else UTC). */
export interface ClaimToShow {
  id: string;
  touchpointId: string | null;
  team: string | null;
  channel: string | null;
  metric: string;
  value: number;
  source: string;
  periodStart: string;
  periodEnd: string;
  starts: Date;
  ends: Date;
  touchpointName: string | null;
}

/** One set of contacts evidence is taken over: a scope, a channel (or all) and a span of time. */
export interface EvidenceKey {
  k: number;
  tp: string | null;
  team: string | null;
  channel: string | null;
  from: Date;
  to: Date;
}

/** A quantile claim's contacts to count against its value (`column` the metric's), and the ranks wanted. */
export interface QuantileWanted {
  id: string;
  key: EvidenceKey;
  column: string;
  threshold: number;
  lower: number | null;
  upper: number | null;
}

export interface Coverage {
  planned: number;
  completed: number;
  missed: number;
  declined: number;
  unfilled: number;
}

/** One touchpoint's coverage in the period (the touchpoint's name is the organization's own data). */
export interface TouchpointCoverage extends Coverage {
  touchpointId: string;
  touchpoint: string;
  channel: string;
}

export interface MissedTester {
  testerId: string;
  name: string;
  missed: number;
}

export interface WorstNote {
  touchpointId: string;
  touchpoint: string;
  attemptedAt: string;
  resolution: string;
  notes: string;
  adHoc: boolean;
}

/** The metric projection of each evidence key, per kind of contact, keyed `<k>|<kind>`. */
export type EvidenceGroups = Map<`${number}|${ContactKind}`, ContactsProjection>;

type Level = 'touchpoint' | 'team' | 'organization';

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

/** The tests of the scope (params: coverageParams) whose window ended in the period, counted by status. */
const TESTS_BY_STATUS = `SELECT count(*) FILTER (WHERE a.status NOT IN ('cancelled', 'declined'))::int AS planned,
         count(*) FILTER (WHERE a.status = 'completed')::int AS completed,
         count(*) FILTER (WHERE a.status = 'missed')::int AS missed,
         count(*) FILTER (WHERE a.status = 'declined')::int AS declined
    FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id
   WHERE a.organization_id = $1 AND ${WINDOW_ENDED_IN_PERIOD} AND ${scopeSql(4)}`;

/** The scope's unfilled slots (`u`, `t`; params: coverageParams) of weeks that ended in the period. */
const UNFILLED_IN_PERIOD = `u.organization_id = $1 AND u.week_start + 7 > $2::timestamptz::date
      AND u.week_start + 7 <= $3::timestamptz::date AND ${scopeSql(4)}`;

const coverageParams = (scope: DigestScope) => [
  scope.organizationId,
  scope.periodStart,
  scope.periodEnd,
  scope.touchpointIds,
  scope.team,
];

/**
 * A contact worth reading about (alias `o`): its case not resolved (a matter resolved on a later contact of the
 * case is resolved), or resolved the hard way — nobody reached, a dropped line, two transfers or more, the story
 * told again, a hold of 10 minutes or more, or a rating of 2 or less. A resolved contact with none of these is a
 * good one, and never among the worst.
 */
export const POOR_CONTACT = `(o.case_status <> 'resolved' OR NOT o.reached_human OR o.disconnects > 0
    OR o.transfers >= 2 OR o.repeated_story OR coalesce(o.hold_seconds, 0) >= 600
    OR coalesce(o.courtesy, 5) <= 2 OR coalesce(o.knowledge, 5) <= 2)`;

/**
 * How bad a contact was, for ordering the worst (alias `o`): each failure weighs by how much it cost the customer;
 * the first contact's resolution counts only while its case is not resolved.
 */
const BADNESS = `(3 * (NOT o.reached_human)::int + 2 * least(o.disconnects, 3) + least(o.transfers, 3)
    + o.repeated_story::int + 2 * (o.case_status <> 'resolved' AND o.resolution = 'unresolved')::int
    + (o.case_status <> 'resolved' AND o.resolution = 'partial')::int
    + least(coalesce(o.hold_seconds, 0) / 600, 3)
    + (5 - coalesce(o.courtesy, 3)) + (5 - coalesce(o.knowledge, 3)))`;

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
 * The contacts of the scope between `$from` and `$from + 1` (subquery `o`, see completedContacts); the tests
 * among them only if their window began before `$windowsBefore` (when it is not null).
 */
export function scopedContacts(from: number, countAdHoc: number, windowsBefore: number): string {
  const where = `o.organization_id = $1 AND (cardinality($2::uuid[]) = 0 OR o.touchpoint_id = ANY($2::uuid[]))
      AND ($3::text IS NULL OR t.team = $3) AND o.attempted_at >= $${from} AND o.attempted_at < $${from + 1}
      AND ($${windowsBefore}::timestamptz IS NULL OR a.window_start IS NULL OR a.window_start < $${windowsBefore})`;
  return completedContacts(where, `$${countAdHoc}::boolean`);
}

/** The scope's touchpoints (alias `t`), with the touchpoint ids at `$offset` and the team next. */
function scopeSql(offset: number): string {
  const [ids, team] = [`$${offset}`, `$${offset + 1}`];
  return `(cardinality(${ids}::uuid[]) = 0 OR t.id = ANY(${ids}::uuid[]))
      AND (${team}::text IS NULL OR t.team = ${team})`;
}

/** Up to this many touchpoints by id, evidence is read by index (about 5,000 contacts a week at bench density). */
const FEW_TOUCHPOINTS = 50;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Parameters $1–$12 of a query over keys (`want`, see joinedPerLevel): the scope, the span of time all its
 * keys cover and whether ad-hoc contacts count, then each key as `k` (the number the answer's rows carry).
 */
function wantParams(scope: DigestScope, countAdHoc: boolean, keys: EvidenceKey[], ks: number[]): unknown[] {
  return [
    scope.organizationId,
    scope.touchpointIds,
    scope.team,
    new Date(Math.min(...keys.map((k) => k.from.getTime()))),
    new Date(Math.max(...keys.map((k) => k.to.getTime()))),
    countAdHoc,
    ks,
    keys.map((k) => k.tp),
    keys.map((k) => k.team),
    keys.map((k) => k.channel),
    keys.map((k) => k.from),
    keys.map((k) => k.to),
  ];
}

/** The digest builder's reads: all aggregation happens in PostgreSQL, no outcome row reaches Node. */
@Injectable()
export class DigestEvidenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The claims a digest shows: those judged in it, then those still running at its end (recorded by
   * then). A claim judged by an earlier digest is not shown again, and never tested afresh.
   */
  async claimsToShow(scope: DigestScope): Promise<ClaimToShow[]> {
    const rows: Array<{
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
    }> = await this.dataSource.query(
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
        scope.organizationId,
        scope.judgedAfter ?? scope.periodStart,
        scope.periodEnd,
        scope.touchpointIds,
        scope.team,
        METRICS.map((m) => m.key),
      ],
    );
    return rows.map((r) => ({
      id: r.id,
      touchpointId: r.touchpoint_id,
      team: r.team,
      channel: r.channel,
      metric: r.metric,
      value: Number(r.value),
      source: r.source,
      periodStart: r.period_start,
      periodEnd: r.period_end,
      starts: new Date(r.starts),
      ends: new Date(r.ends),
      touchpointName: r.tp_name,
    }));
  }

  /**
   * The metric projection for every key, per kind of contact (counted, ad hoc, the owner's), in one scan:
   * each contact is joined to the keys of its touchpoint, team and organization. Keyed `<k>|<kind>`.
   */
  async evidence(scope: DigestScope, keys: EvidenceKey[], countAdHoc: boolean): Promise<EvidenceGroups> {
    const out: EvidenceGroups = new Map();
    if (!keys.length) return out;
    const levels = new Set(keys.map(levelOf));
    // a team's contacts (or some touchpoints') read once for keys of several levels (a team's results page);
    // the whole organization's stay a scan per level, too many to hold
    const once = levels.size > 1 && (scope.team !== null || scope.touchpointIds.length > 0);
    const contacts = scopedContacts(4, 6, 13);
    const rows: Array<Record<string, unknown> & { k: number; kind: ContactKind }> = await this.scan(
      scope,
      `WITH want AS (SELECT * FROM unnest($7::int[], $8::uuid[], $9::text[], $10::text[],
                                          $11::timestamptz[], $12::timestamptz[])
                       AS w(k, tp, team, channel, t0, t1))
            ${once ? `, scoped AS MATERIALIZED (SELECT * FROM ${contacts})` : ''}
       SELECT o.k, o.kind, ${METRIC_PROJECTION}
         FROM (${joinedPerLevel(levels, once ? 'scoped o' : contacts)}) o
        GROUP BY o.k, o.kind`,
      [
        ...wantParams(
          scope,
          countAdHoc,
          keys,
          keys.map((k) => k.k),
        ),
        scope.windowsStartedBefore ?? null,
      ],
    );
    for (const row of rows) out.set(`${Number(row.k)}|${row.kind}`, projectionOf(row));
    return out;
  }

  /**
   * A query that reads most of the period's contacts: the planner cannot see how many contacts each key
   * holds (it guessed 11 where there were 50) and chose an index probe per key, a million random heap
   * reads; one sequential pass hashed against the keys costs half as much. Its sort gets room in memory.
   * A few touchpoints named by id (a results page, a digest of some touchpoints) are the other way round: their
   * contacts come through the index, and hashing every touchpoint and test of the organization costs more.
   */
  private scan<T>(scope: DigestScope, sql: string, params: unknown[]): Promise<T[]> {
    const few = scope.touchpointIds.length > 0 && scope.touchpointIds.length <= FEW_TOUCHPOINTS;
    if (few) return this.dataSource.query(sql, params);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL enable_nestloop = off`);
      await manager.query(`SET LOCAL work_mem = '64MB'`);
      return manager.query(sql, params);
    });
  }

  /**
   * For each quantile claim, its counted contacts strictly above and below the claimed value, the two order
   * statistics of its interval and the spread of ln(wait): one set-based join of claims to contacts per
   * metric column, never a query per claim. Keyed by claim id.
   */
  async quantileCounts(
    scope: DigestScope,
    wanted: QuantileWanted[],
    countAdHoc: boolean,
  ): Promise<Map<string, QuantileCounts>> {
    const out = new Map<string, QuantileCounts>();
    const byColumn = new Map<string, QuantileWanted[]>();
    for (const w of wanted) byColumn.set(w.column, [...(byColumn.get(w.column) ?? []), w]);
    for (const [column, list] of byColumn) {
      const levels = new Set(list.map((w) => levelOf(w.key)));
      const rows: Array<{ k: number; above: number; below: number; low: unknown; high: unknown; log_sd: unknown }> =
        await this.dataSource.query(
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
                     FROM (${joinedPerLevel(levels, scopedContacts(4, 6, 16), ', w.thr, w.lo, w.hi')}) o
                    WHERE o.kind = 'counted') j
            WHERE j.x IS NOT NULL
            GROUP BY j.k, j.thr, j.lo, j.hi`,
          [
            ...wantParams(
              scope,
              countAdHoc,
              list.map((w) => w.key),
              list.map((_, i) => i),
            ),
            list.map((w) => w.threshold),
            list.map((w) => w.lower),
            list.map((w) => w.upper),
            scope.windowsStartedBefore ?? null,
          ],
        );
      for (const row of rows) {
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

  /** The tests whose window ended in the period, by status, and the slots left unfilled in weeks that ended in it. */
  async coverage(scope: DigestScope): Promise<Coverage> {
    const [row]: Coverage[] = await this.dataSource.query(
      `SELECT tests.*, (SELECT count(*)::int FROM unfilled_slot u JOIN touchpoint t ON t.id = u.touchpoint_id
                         WHERE ${UNFILLED_IN_PERIOD}) AS unfilled
         FROM (${TESTS_BY_STATUS}) tests`,
      coverageParams(scope),
    );
    return row;
  }

  /**
   * Coverage touchpoint by touchpoint (the same counts as {@link coverage}), for the touchpoints of the scope with a
   * test or an unfilled slot in the period, by name.
   */
  async coverageByTouchpoint(scope: DigestScope): Promise<TouchpointCoverage[]> {
    return this.dataSource.query(
      `WITH tests AS (
         SELECT a.touchpoint_id AS id,
                count(*) FILTER (WHERE a.status NOT IN ('cancelled', 'declined'))::int AS planned,
                count(*) FILTER (WHERE a.status = 'completed')::int AS completed,
                count(*) FILTER (WHERE a.status = 'missed')::int AS missed,
                count(*) FILTER (WHERE a.status = 'declined')::int AS declined
           FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id
          WHERE a.organization_id = $1 AND ${WINDOW_ENDED_IN_PERIOD} AND ${scopeSql(4)}
          GROUP BY a.touchpoint_id
       ), unfilled AS (
         SELECT u.touchpoint_id AS id, count(*)::int AS unfilled
           FROM unfilled_slot u JOIN touchpoint t ON t.id = u.touchpoint_id
          WHERE u.organization_id = $1 AND u.week_start + 7 > $2::timestamptz::date
            AND u.week_start + 7 <= $3::timestamptz::date AND ${scopeSql(4)}
          GROUP BY u.touchpoint_id
       )
       SELECT t.id AS "touchpointId", t.name AS touchpoint, t.channel,
              coalesce(tests.planned, 0) AS planned, coalesce(tests.completed, 0) AS completed,
              coalesce(tests.missed, 0) AS missed, coalesce(tests.declined, 0) AS declined,
              coalesce(unfilled.unfilled, 0) AS unfilled
         FROM touchpoint t LEFT JOIN tests ON tests.id = t.id LEFT JOIN unfilled ON unfilled.id = t.id
        WHERE t.organization_id = $1 AND (tests.id IS NOT NULL OR unfilled.id IS NOT NULL)
        ORDER BY t.name, t.id`,
      [scope.organizationId, scope.periodStart, scope.periodEnd, scope.touchpointIds, scope.team],
    );
  }

  /** Coverage as `coverage` counts it, with the unfilled slots per reason, most first: one round trip. */
  async coverageWithReasons(
    scope: DigestScope,
  ): Promise<Coverage & { unfilledReasons: Array<{ reason: string; slots: number }> }> {
    const [row]: Array<Omit<Coverage, 'unfilled'> & { reasons: Array<{ reason: string; slots: number }> }> =
      await this.dataSource.query(
        `SELECT tests.*, coalesce((SELECT json_agg(json_build_object('reason', r.reason, 'slots', r.slots)
                                                   ORDER BY r.slots DESC, r.reason)
                                     FROM (SELECT u.reason, count(*)::int AS slots
                                             FROM unfilled_slot u JOIN touchpoint t ON t.id = u.touchpoint_id
                                            WHERE ${UNFILLED_IN_PERIOD} GROUP BY u.reason) r), '[]') AS reasons
           FROM (${TESTS_BY_STATUS}) tests`,
        coverageParams(scope),
      );
    const { reasons, ...tests } = row;
    return { ...tests, unfilled: reasons.reduce((a, u) => a + u.slots, 0), unfilledReasons: reasons };
  }

  /** Testers with tests missed in the period (windows that ended in it), most first. */
  async missedTesters(scope: DigestScope): Promise<MissedTester[]> {
    const rows: Array<{ id: string; name: string; missed: number }> = await this.dataSource.query(
      `SELECT p.id, p.name, count(*)::int AS missed
         FROM assignment a JOIN person p ON p.id = a.tester_id JOIN touchpoint t ON t.id = a.touchpoint_id
        WHERE a.organization_id = $1 AND a.status = 'missed' AND ${WINDOW_ENDED_IN_PERIOD} AND ${scopeSql(4)}
        GROUP BY p.id, p.name ORDER BY missed DESC, p.name`,
      [scope.organizationId, scope.periodStart, scope.periodEnd, scope.touchpointIds, scope.team],
    );
    return rows.map((r) => ({ testerId: r.id, name: r.name, missed: r.missed }));
  }

  /**
   * The notes of the worst contacts of the period, worst first: only unresolved or poor ones (see POOR_CONTACT),
   * with the case's outcome as their resolution (`resolved` when a later contact resolved it), each contact once
   * and each note once (the same text on two contacts is shown for the worse of them). Never an
   * owner's contact with their own touchpoint; ad-hoc ones are marked.
   */
  async worstNotes(scope: DigestScope, limit: number): Promise<WorstNote[]> {
    const rows: Array<{
      touchpoint_id: string;
      name: string;
      attempted_at: Date;
      resolution: string;
      notes: string;
      ad_hoc: boolean;
    }> = await this.dataSource.query(
      `SELECT w.touchpoint_id, w.name, w.attempted_at, w.resolution, w.notes, w.ad_hoc
         FROM (SELECT DISTINCT ON (lower(btrim(o.notes))) o.id, o.touchpoint_id, tp.name, o.attempted_at,
                      CASE WHEN o.case_status = 'resolved' THEN 'resolved' ELSE o.resolution END AS resolution,
                      btrim(o.notes) AS notes, o.assignment_id IS NULL AS ad_hoc,
                      ${BADNESS} AS badness
                 FROM ${scopedContacts(4, 6, 7)} JOIN touchpoint tp ON tp.id = o.touchpoint_id
                WHERE o.kind <> 'owner' AND btrim(coalesce(o.notes, '')) <> '' AND ${POOR_CONTACT}
                ORDER BY lower(btrim(o.notes)), badness DESC, o.attempted_at, o.id) w
        ORDER BY w.badness DESC, w.attempted_at, w.id
        LIMIT ${Number(limit)}`,
      [
        scope.organizationId,
        scope.touchpointIds,
        scope.team,
        scope.periodStart,
        scope.periodEnd,
        true,
        scope.windowsStartedBefore ?? null,
      ],
    );
    return rows.map((r) => ({
      touchpointId: r.touchpoint_id,
      touchpoint: r.name,
      attemptedAt: r.attempted_at.toISOString(),
      resolution: r.resolution,
      notes: r.notes,
      adHoc: r.ad_hoc,
    }));
  }
}
