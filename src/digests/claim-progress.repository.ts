import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { completedContacts } from '../metrics/counted-contacts.js';
import { METRICS } from '../metrics/metric-catalogue.js';
import { effectiveSettings } from '../metrics/verdict-settings.js';
import type { EffectiveSettings } from '../metrics/verdict-settings.js';
import type { FamilyClaim, OpenClaim, PlannedWeeks } from './claim-progress.js';

/** A claim's period as instants: its dates in its touchpoint's zone, UTC for team and organization claims. */
const STARTS = `(c.period_start::timestamp AT TIME ZONE coalesce(t.timezone, 'UTC'))`;
const ENDS = `((c.period_end + 1)::timestamp AT TIME ZONE coalesce(t.timezone, 'UTC'))`;

/**
 * A correlated subquery per claim (`c`), in two versions picked by a CASE (only the one taken runs): a touchpoint
 * claim's rows by its touchpoint (the touchpoint indexes), a team or organization claim's by the organization's
 * rows in its period. `sql(where)` builds the subquery from its scope condition.
 */
const perScope = (sql: (scope: string) => string, tp: string, team: string, channel: string) =>
  `CASE WHEN c.touchpoint_id IS NOT NULL THEN (${sql(`${tp} = c.touchpoint_id`)})
        ELSE (${sql(`(c.team IS NULL OR ${team} = c.team) AND (c.channel IS NULL OR ${channel} = c.channel)`)}) END`;

/** Each claim's metric counted over its contacts: the contacts its test would rest on. */
const METRIC_N = `count(CASE c.metric ${METRICS.map((m) => `WHEN '${m.key}' THEN (${m.column})::float8`).join(' ')} END)`;

/** Each claim's completed contacts on a channel its metric fits, whatever they showed: the tests it has had. */
const METRIC_TESTS = `count(CASE c.metric ${METRICS.map(
  (m) => `WHEN '${m.key}' THEN CASE WHEN o.channel IN (${m.channels.map((ch) => `'${ch}'`).join(', ')}) THEN 1 END`,
).join(' ')} END)`;

/** An open claim with what the claims API shows beside it: its scope's planned tests, and their pace. */
export interface ClaimProgressRow extends OpenClaim {
  /** Its scope's tests planned in its period and not done, by week (their sum is `pending`). */
  planned: PlannedWeeks;
  /** Live tests of its scope (touchpoint, team or organization) in the latest week planned from `weekStart` on. */
  testsPerWeek: number;
}

/**
 * Counted contacts of the claim's period recorded by `$3` (ad-hoc ones as `$4` says): those of its metric, and
 * those on a channel it fits whatever they showed, as an array of two.
 */
const soFar = (scope: string) =>
  `SELECT ARRAY[${METRIC_N}, ${METRIC_TESTS}]::int[] FROM ${completedContacts(
    `o.organization_id = $1 AND o.attempted_at >= c.starts AND o.attempted_at < c.ends AND o.created_at <= $3`,
    '$4::boolean',
  )} WHERE o.kind = 'counted' AND ${scope}`;

/** Tests planned or revealed in the claim's period, by week, as JSON [{ week, tests }]. */
const plannedWeeks = (scope: string) =>
  `SELECT json_agg(json_build_object('week', p.week, 'tests', p.n)) FROM (
     SELECT a.week_start::text AS week, count(*)::int AS n
       FROM assignment a JOIN touchpoint tpa ON tpa.id = a.touchpoint_id
      WHERE a.organization_id = $1 AND a.status IN ('planned', 'revealed')
        AND a.window_start >= c.starts AND a.window_start < c.ends AND ${scope}
      GROUP BY a.week_start) p`;

/** Live tests in the latest week planned from `$5` (this week; windows from `$6`, a day before it) on: the pace. */
const latestWeek = (scope: string) =>
  `SELECT coalesce(max(w.n), 0)::int FROM (
     SELECT count(*) AS n FROM assignment a JOIN touchpoint tpa ON tpa.id = a.touchpoint_id
      WHERE a.organization_id = $1 AND a.week_start >= $5::date AND a.window_start >= $6
        AND a.status NOT IN ('declined', 'cancelled') AND ${scope}
      GROUP BY a.week_start ORDER BY a.week_start DESC LIMIT 1) w`;

/** The reads behind claim-driven sampling: open claims, their counted contacts and tests to come. No outcome values. */
@Injectable()
export class ClaimProgressRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The organization's verdict settings (the gap that matters, whether ad-hoc contacts count). */
  async settings(manager: EntityManager | null, organizationId: string): Promise<EffectiveSettings> {
    const rows: Array<{ settings: Parameters<typeof effectiveSettings>[0] }> = await (
      manager ?? this.dataSource.manager
    ).query('SELECT settings FROM organization WHERE id = $1', [organizationId]);
    return effectiveSettings(rows[0]?.settings);
  }

  /**
   * Of a campaign's slots whose tests' windows (or, unfilled, whose weeks) ended by `now`, how many there were and
   * how many ended completed, for its completion rate (allocation.ts completionRate): a slot planned, declined and
   * given again counts once, one left unfilled (no tester could take it) counts as not completed, a withdrawn
   * (cancelled) test not at all. Counts of what the campaign's testers did only: what a test showed is not read.
   */
  async completion(manager: EntityManager | null, campaignId: string, now: Date) {
    const rows: Array<{ planned: number; completed: number }> = await (manager ?? this.dataSource.manager).query(
      `SELECT count(*)::int AS planned, count(*) FILTER (WHERE done)::int AS completed FROM (
         SELECT bool_or(s.status = 'completed') AS done FROM (
           SELECT touchpoint_id, week_start, slot, status FROM assignment
            WHERE campaign_id = $1 AND window_end <= $2 AND status IN ('completed', 'declined', 'missed')
           UNION ALL
           SELECT touchpoint_id, week_start, slot, 'unfilled' FROM unfilled_slot
            WHERE campaign_id = $1 AND week_start + 7 <= $2::date) s
          GROUP BY s.touchpoint_id, s.week_start, s.slot) g`,
      [campaignId, now],
    );
    return { planned: Number(rows[0]?.planned ?? 0), completed: Number(rows[0]?.completed ?? 0) };
  }

  /**
   * The organization's claims recorded by `now` whose period has not ended before `from` (a date), and those whose
   * period reaches into the span of the same length before one of theirs: id, metric and period only (what a
   * claim's family needs, familySizes), and — for those in `ids`, or all when `ids` is null — the counted
   * contacts of its period recorded by now, its scope's tests planned in its period and not done (by week), and its
   * scope's live tests in the latest week planned from `weekStart` (the current week) on. Without `withContacts`
   * the contacts so far are not counted (0): the digest has them already.
   */
  async openClaims(
    manager: EntityManager | null,
    organizationId: string,
    from: string,
    now: Date,
    weekStart: string,
    ids: string[] | null,
    withContacts = true,
  ): Promise<{ all: FamilyClaim[]; rows: ClaimProgressRow[] }> {
    const m = manager ?? this.dataSource.manager;
    const all: Array<{ id: string; metric: string; period_start: string; period_end: string }> = await m.query(
      `SELECT id, metric, period_start::text AS period_start, period_end::text AS period_end FROM claim
        WHERE organization_id = $1 AND created_at <= $3
          AND period_end >= coalesce((SELECT min(period_start - (period_end - period_start) - 1) FROM claim
                                       WHERE organization_id = $1 AND period_end >= $2::date AND created_at <= $3),
                                     $2::date)`,
      [organizationId, from, now],
    );
    const open = all.filter((c) => c.period_end >= from);
    const wanted = ids ?? open.map((c) => c.id);
    const settings = await this.settings(m, organizationId);
    const rows: Array<{
      id: string;
      touchpoint_id: string | null;
      team: string | null;
      channel: string | null;
      metric: string;
      value: number;
      period_start: string;
      period_end: string;
      so_far: [number, number];
      planned: Array<{ week: string; tests: number }> | null;
      per_week: number;
    }> = wanted.length
      ? await m.query(
          `WITH c AS (
             SELECT c.*, ${STARTS} AS starts, ${ENDS} AS ends FROM claim c LEFT JOIN touchpoint t ON t.id = c.touchpoint_id
              WHERE c.organization_id = $1 AND c.id = ANY($2::uuid[]))
           SELECT c.id, c.touchpoint_id, c.team, c.channel, c.metric, c.value, c.period_start::text AS period_start,
                  c.period_end::text AS period_end,
                  CASE WHEN $7::boolean THEN ${perScope(soFar, 'o.touchpoint_id', 'o.team', 'o.channel')} ELSE ARRAY[0, 0] END
                    AS so_far,
                  ${perScope(plannedWeeks, 'a.touchpoint_id', 'tpa.team', 'tpa.channel')} AS planned,
                  ${perScope(latestWeek, 'a.touchpoint_id', 'tpa.team', 'tpa.channel')} AS per_week
             FROM c`,
          [
            organizationId,
            wanted,
            now,
            settings.countAdHocInVerdicts,
            weekStart,
            new Date(Date.parse(weekStart) - 86_400_000),
            withContacts,
          ],
        )
      : [];
    return {
      all: all.map((c) => ({ id: c.id, metric: c.metric, periodStart: c.period_start, periodEnd: c.period_end })),
      rows: rows.map((r) => ({
        id: r.id,
        touchpointId: r.touchpoint_id,
        team: r.team,
        channel: r.channel,
        metric: r.metric,
        value: Number(r.value),
        periodStart: r.period_start,
        periodEnd: r.period_end,
        contactsSoFar: Number(r.so_far[0]),
        testsSoFar: Number(r.so_far[1]),
        pending: (r.planned ?? []).reduce((sum, p) => sum + p.tests, 0),
        planned: r.planned ?? [],
        testsPerWeek: Number(r.per_week),
      })),
    };
  }
}
