import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import type { ClaimedBatchJob } from '../database/claimed-batches.js';
import { notBackedOff } from '../database/job-failures.js';
import { returningRows } from '../database/sql.js';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import { illegalMove, sourcesOf } from './assignment-lifecycle.js';
import type { AssignmentMailContext } from './assignment-mails.js';
import type { AssignmentStatus } from './assignment.entity.js';
import { ELIGIBILITY_JOINS, INELIGIBILITY } from './withdrawal-reasons.js';
import type { CancelCause, CancelledBy, CancelReason } from './withdrawal-reasons.js';

/** One assignment with what the API shows of its touchpoint and scenario (before any role hides a part). */
export interface AssignmentRecord {
  id: string;
  campaignId: string;
  testerId: string;
  touchpointId: string;
  scenarioId: string | null;
  weekStart: string;
  windowStart: Date;
  windowEnd: Date;
  revealAt: Date;
  status: AssignmentStatus;
  declineReason: string | null;
  replacesId: string | null;
  cancelledAt: Date | null;
  cancelReason: CancelReason | null;
  cancelCause: CancelCause | null;
  cancelledBy: string | null;
  touchpoint: { name: string; channel: string; contact: string; timezone: string };
  scenario: { title: string; brief: string } | null;
}

/**
 * Which assignments a reader may see (decided by AssignmentVisibilityService): all of the organization's,
 * or a tester's own once revealed, and/or an owner's touchpoints' completed tests whose window began by
 * `upTo`. Nothing else.
 */
export interface VisibilityRule {
  organizationId: string;
  all: boolean;
  testerId: string | null;
  owner: { personId: string; upTo: Date } | null;
}

/** List filters; a `testerId` of null matches no assignment (a filter the reader may not use). */
export interface AssignmentFilters {
  status?: AssignmentStatus;
  campaignId?: string;
  testerId?: string | null;
  touchpointId?: string;
  from?: string;
  to?: string;
}

/** Where an assignment sits in its campaign's plan: what a re-fill or a withdrawal needs of it. */
export interface AssignmentSlot {
  id: string;
  organizationId: string;
  campaignId: string;
  touchpointId: string;
  scenarioId: string | null;
  weekStart: string;
  slot: number;
  windowStart: Date;
  windowEnd: Date;
  revealAt: Date;
  holdAt: Date | null;
}

/** A live assignment locked for a withdrawal: its slot, its status, and whether its tester was sent a hold. */
export interface LockedAssignment extends AssignmentSlot {
  status: AssignmentStatus;
  holdSentAt: Date | null;
}

/** A revealed assignment locked for its tester's decline. */
export interface DeclinableAssignment extends AssignmentSlot {
  status: AssignmentStatus;
  cancelReason: CancelReason | null;
}

/** A revealed assignment locked for recording its outcome, with the tester's zone and the scenario's questions. */
export interface RecordableAssignment {
  id: string;
  status: AssignmentStatus;
  cancelReason: CancelReason | null;
  touchpointId: string;
  scenarioId: string | null;
  window: { start: Date; end: Date; zone: string };
  questions: ScenarioQuestion[];
  /** The touchpoint's channel, which decides the fields the outcome may have. */
  channel: Channel;
  /** The campaign's grace after the window: with nothing recorded by then, the test is missed. */
  graceMinutes: number;
}

/** One assignment as its tester's form shows it: the test, where and what, and whose it is. */
export interface TesterFormRow {
  assignmentId: string;
  organizationId: string;
  testerId: string;
  testerName: string;
  /** The tester's zone: the form speaks their time. */
  zone: string;
  status: AssignmentStatus;
  cancelReason: CancelReason | null;
  window: { start: Date; end: Date };
  /** The campaign's grace after the window: with nothing recorded by then, the test is missed. */
  graceMinutes: number;
  touchpoint: { name: string; channel: Channel; contact: string };
  scenario: { title: string; brief: string; questions: ScenarioQuestion[] } | null;
}

/** What the tester-facing mails need of an assignment, and the campaign's grace (its link's life). */
export type MailContextRow = AssignmentMailContext & { graceMinutes: number };

/** Which live tests to re-check: an organization's, narrowed to one tester, touchpoint, campaign or ids. */
export interface EligibilityScope {
  organizationId: string;
  testerId?: string;
  touchpointId?: string;
  campaignId?: string;
  assignmentIds?: string[];
}

/** A slot no tester takes, with why (the digest reports coverage). */
export interface UnfilledRow {
  organizationId: string;
  campaignId: string;
  touchpointId: string;
  weekStart: string;
  slot: number;
  reason: string;
}

/** A new assignment that re-fills a vacated slot. */
export interface ReplacementRow extends Omit<AssignmentSlot, 'id'> {
  testerId: string;
  replacesId: string;
}

/** One batch of a plan, column by column as PostgreSQL array literals (the planner's worker builds them). */
export interface PlanBatchColumns {
  weekStart: string;
  testerIds: string;
  touchpointIds: string;
  scenarioIds: string;
  slots: string;
  windowStarts: string;
  windowEnds: string;
  revealAts: string;
  holdAts: string;
}

/** A due-work claim for processClaimedBatches: the claim, its parameters, and how one row is handed back. */
export type DueClaim = Pick<ClaimedBatchJob<unknown>, 'job' | 'claim' | 'params' | 'undo'>;

type Row = Record<string, never>;

const RECORD_SELECT = `
  SELECT a.id, a.campaign_id, a.tester_id, a.touchpoint_id, a.scenario_id, a.week_start::text AS week_start,
         a.window_start, a.window_end, a.reveal_at, a.status, a.decline_reason, a.replaces_id,
         a.cancelled_at, a.cancel_reason, a.cancel_cause, a.cancelled_by,
         t.name AS tp_name, t.channel AS tp_channel, t.contact AS tp_contact, t.timezone AS tp_timezone,
         s.title AS sc_title, s.brief AS sc_brief
    FROM assignment a
    JOIN touchpoint t ON t.id = a.touchpoint_id
    LEFT JOIN scenario s ON s.id = a.scenario_id`;

function toRecord(r: Row): AssignmentRecord {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    testerId: r.tester_id,
    touchpointId: r.touchpoint_id,
    scenarioId: r.scenario_id,
    weekStart: r.week_start,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    revealAt: r.reveal_at,
    status: r.status,
    declineReason: r.decline_reason,
    replacesId: r.replaces_id,
    cancelledAt: r.cancelled_at,
    cancelReason: r.cancel_reason,
    cancelCause: r.cancel_cause,
    cancelledBy: r.cancelled_by,
    touchpoint: { name: r.tp_name, channel: r.tp_channel, contact: r.tp_contact, timezone: r.tp_timezone },
    scenario: r.sc_title ? { title: r.sc_title, brief: r.sc_brief } : null,
  };
}

const SLOT_COLUMNS = `id, organization_id, campaign_id, touchpoint_id, scenario_id,
                      week_start::text AS week_start, slot, window_start, window_end, reveal_at, hold_at`;

function toSlot(r: Row): AssignmentSlot {
  return {
    id: r.id,
    organizationId: r.organization_id,
    campaignId: r.campaign_id,
    touchpointId: r.touchpoint_id,
    scenarioId: r.scenario_id,
    weekStart: r.week_start,
    slot: r.slot,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    revealAt: r.reveal_at,
    holdAt: r.hold_at,
  };
}

/** The timestamp column each target status stamps. */
const STAMP: Partial<Record<AssignmentStatus, string>> = {
  revealed: 'revealed_at',
  completed: 'completed_at',
  declined: 'declined_at',
  missed: 'missed_at',
  cancelled: 'cancelled_at',
};

/** Epoch milliseconds (exact integers) to timestamptz, in SQL. */
const fromEpochMs = (column: string) => `timestamptz 'epoch' + interval '1 millisecond' * ${column}`;

/**
 * SQL: campaign week `w` (of campaign_week or unfilled_slot) lies wholly outside the campaign's dates
 * ($2 starts on, $3 ends on or null) and holds no test that was revealed or done ($1 the campaign).
 */
export const WEEK_OUTSIDE_WITHOUT_HISTORY = `w.campaign_id = $1
   AND (w.week_start + 6 < $2::date OR ($3::date IS NOT NULL AND w.week_start > $3::date))
   AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.campaign_id = w.campaign_id AND a.week_start = w.week_start
                                               AND a.status NOT IN ('planned', 'cancelled'))`;

/** Every query on assignment and unfilled_slot, each answering typed rows. */
@Injectable()
export class AssignmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The WHERE of what `rule` lets a reader see, its parameters appended to `params`. */
  private visible(rule: VisibilityRule, params: unknown[]): string {
    params.push(rule.organizationId);
    const org = `a.organization_id = $${params.length}`;
    if (rule.all) return org;
    const rules: string[] = [];
    if (rule.testerId) {
      params.push(rule.testerId);
      rules.push(`(a.tester_id = $${params.length} AND a.revealed_at IS NOT NULL)`);
    }
    if (rule.owner) {
      params.push(rule.owner.personId, rule.owner.upTo);
      const [owner, upTo] = [params.length - 1, params.length];
      rules.push(`(t.owner_id = $${owner} AND a.status = 'completed' AND a.window_start <= $${upTo})`);
    }
    return rules.length ? `${org} AND (${rules.join(' OR ')})` : 'false';
  }

  /** A page of the assignments the rule shows, by window start, and how many there are in all. */
  async list(
    rule: VisibilityRule,
    filters: AssignmentFilters,
    page: { limit: number; offset: number },
  ): Promise<{ rows: AssignmentRecord[]; total: number }> {
    const params: unknown[] = [];
    const where = [this.visible(rule, params)];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filters.status) add('a.status = ?', filters.status);
    if (filters.campaignId) add('a.campaign_id = ?', filters.campaignId);
    if (filters.testerId !== undefined) add('a.tester_id = ?', filters.testerId);
    if (filters.touchpointId) add('a.touchpoint_id = ?', filters.touchpointId);
    if (filters.from) add('a.window_start >= ?', filters.from);
    if (filters.to) add('a.window_start < ?', filters.to);
    const filter = where.join(' AND ');
    const [{ total }]: Array<{ total: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id WHERE ${filter}`,
      params,
    );
    const rows: Row[] = await this.dataSource.query(
      `${RECORD_SELECT} WHERE ${filter} ORDER BY a.window_start, a.id
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    );
    return { rows: rows.map(toRecord), total };
  }

  /** One assignment, if the rule shows it. */
  async findVisible(
    rule: VisibilityRule,
    id: string,
    manager = this.dataSource.manager,
  ): Promise<AssignmentRecord | null> {
    const params: unknown[] = [id];
    const rows: Row[] = await manager.query(
      `${RECORD_SELECT} WHERE a.id = $1 AND ${this.visible(rule, params)}`,
      params,
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** What a tester link's form needs of its assignment. */
  async testerForm(assignmentId: string, manager = this.dataSource.manager): Promise<TesterFormRow | null> {
    const rows: Row[] = await manager.query(
      `SELECT a.id, a.organization_id, a.tester_id, a.status, a.cancel_reason, a.window_start, a.window_end,
              c.grace_minutes, p.name AS tester_name, p.timezone, t.name AS tp_name, t.channel, t.contact,
              s.title, s.brief, s.questions
         FROM assignment a
         JOIN campaign c ON c.id = a.campaign_id
         JOIN person p ON p.id = a.tester_id
         JOIN touchpoint t ON t.id = a.touchpoint_id
         LEFT JOIN scenario s ON s.id = a.scenario_id
        WHERE a.id = $1`,
      [assignmentId],
    );
    const [r] = rows;
    if (!r) return null;
    return {
      assignmentId: r.id,
      organizationId: r.organization_id,
      testerId: r.tester_id,
      testerName: r.tester_name,
      zone: r.timezone,
      status: r.status,
      cancelReason: r.cancel_reason,
      window: { start: r.window_start, end: r.window_end },
      graceMinutes: r.grace_minutes,
      touchpoint: { name: r.tp_name, channel: r.channel, contact: r.contact },
      scenario: r.title ? { title: r.title, brief: r.brief, questions: r.questions ?? [] } : null,
    };
  }

  /** The tester's own revealed assignment, locked for their decline. */
  async lockForDecline(
    manager: EntityManager,
    id: string,
    tester: { organizationId: string; personId: string },
  ): Promise<DeclinableAssignment | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${SLOT_COLUMNS}, status, cancel_reason
         FROM assignment
        WHERE id = $1 AND organization_id = $2 AND tester_id = $3 AND revealed_at IS NOT NULL FOR UPDATE`,
      [id, tester.organizationId, tester.personId],
    );
    const [r] = rows;
    return r ? { ...toSlot(r), status: r.status, cancelReason: r.cancel_reason } : null;
  }

  /** The tester's own revealed assignment, locked for recording its outcome. */
  async lockForRecording(
    manager: EntityManager,
    id: string,
    tester: { organizationId: string; personId: string },
  ): Promise<RecordableAssignment | null> {
    const rows: Row[] = await manager.query(
      `SELECT a.id, a.status, a.cancel_reason, a.touchpoint_id, a.scenario_id, a.window_start, a.window_end,
              p.timezone, s.questions, c.grace_minutes, t.channel
         FROM assignment a JOIN person p ON p.id = a.tester_id JOIN campaign c ON c.id = a.campaign_id
         JOIN touchpoint t ON t.id = a.touchpoint_id LEFT JOIN scenario s ON s.id = a.scenario_id
        WHERE a.id = $1 AND a.organization_id = $2 AND a.tester_id = $3 AND a.revealed_at IS NOT NULL
        FOR UPDATE OF a`,
      [id, tester.organizationId, tester.personId],
    );
    const [r] = rows;
    if (!r) return null;
    return {
      id: r.id,
      status: r.status,
      cancelReason: r.cancel_reason,
      touchpointId: r.touchpoint_id,
      scenarioId: r.scenario_id,
      window: { start: r.window_start, end: r.window_end, zone: r.timezone },
      questions: r.questions ?? [],
      channel: r.channel,
      graceMinutes: r.grace_minutes,
    };
  }

  /**
   * The one place an assignment changes status (a cancel: cancel). The UPDATE re-checks the current
   * status, so two racing requests cannot both move it; the loser (or an illegal move) gets a 409.
   */
  async transition(
    manager: EntityManager,
    id: string,
    to: Exclude<AssignmentStatus, 'cancelled'>,
    now: Date,
    extra: { declineReason?: string } = {},
  ): Promise<AssignmentStatus> {
    const rows = await returningRows<{ status: AssignmentStatus }>(
      manager,
      `UPDATE assignment
          SET status = $2, ${STAMP[to]} = $3, decline_reason = COALESCE($5, decline_reason), updated_at = $3
        WHERE id = $1 AND status = ANY($4::text[])
        RETURNING status`,
      [id, to, now, sourcesOf(to), extra.declineReason ?? null],
    );
    if (rows.length) return rows[0].status;
    const current: Array<{ status: AssignmentStatus }> = await manager.query(
      'SELECT status FROM assignment WHERE id = $1',
      [id],
    );
    throw illegalMove(current[0]?.status ?? 'unknown', to);
  }

  /**
   * Cancels each of `items` still planned or revealed, with its reason and who or what cancelled it
   * (a cancel is final, so these columns are its audit record). Returns the ids that moved.
   */
  async cancel(
    manager: EntityManager,
    items: Array<{ id: string; reason: CancelReason }>,
    by: CancelledBy,
    now: Date,
  ): Promise<string[]> {
    if (items.length === 0) return [];
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE assignment a
          SET status = 'cancelled', cancelled_at = $3, updated_at = $3,
              cancel_reason = w.reason, cancel_cause = $4, cancelled_by = $5
         FROM unnest($1::uuid[], $2::text[]) AS w(id, reason)
        WHERE a.id = w.id AND a.status = ANY($6::text[])
        RETURNING a.id`,
      [items.map((i) => i.id), items.map((i) => i.reason), now, by.cause, by.personId, sourcesOf('cancelled')],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Planned tests whose reveal time has come but whose window has already begun (the service was
   * down) are cancelled and their slots recorded unfilled, in one statement; answers how many.
   */
  async releaseUnrevealable(now: Date): Promise<number> {
    const rows = await returningRows<{ n: number }>(
      this.dataSource.manager,
      `WITH gone AS (
         UPDATE assignment a
            SET status = 'cancelled', cancelled_at = $1, updated_at = $1,
                cancel_reason = 'not_revealed_in_time', cancel_cause = 'reveal_job'
          WHERE a.status = 'planned' AND a.reveal_at <= $1 AND a.window_start <= $1
          RETURNING a.organization_id, a.campaign_id, a.touchpoint_id, a.week_start, a.slot)
       INSERT INTO unfilled_slot (organization_id, campaign_id, touchpoint_id, week_start, slot, reason, created_at)
       SELECT organization_id, campaign_id, touchpoint_id, week_start, slot, 'not_revealed_in_time', $1 FROM gone
       RETURNING 1 AS n`,
      [now],
    );
    return rows.length;
  }

  /**
   * Window end + grace passed without an outcome: missed, in one statement (each row moves once). The
   * interval is added to now, never to a stored time, so no row's data can overflow it and fail the
   * statement for every organization. Answers how many.
   */
  async expireDue(now: Date): Promise<number> {
    const rows = await returningRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE assignment a SET status = 'missed', missed_at = $1, updated_at = $1
         FROM campaign c
        WHERE c.id = a.campaign_id AND a.status = ANY($2::text[])
          AND a.window_end <= $1::timestamptz - make_interval(mins => c.grace_minutes)
        RETURNING a.id`,
      [now, sourcesOf('missed')],
    );
    return rows.length;
  }

  /** Planned tests whose reveal time has come and whose tester may still act on them: revealed. */
  revealClaim(): DueClaim {
    return {
      job: 'reveal',
      claim: `UPDATE assignment SET status = 'revealed', revealed_at = $1, updated_at = $1
        WHERE id IN (SELECT a.id FROM assignment a ${ELIGIBILITY_JOINS}
                      WHERE a.status = ANY($2::text[]) AND a.reveal_at <= $1 AND a.window_start > $1
                        AND ${INELIGIBILITY} IS NULL
                        AND ${notBackedOff('reveal', 'a.id', '$1')}
                      ORDER BY a.reveal_at, a.id LIMIT $3 FOR UPDATE OF a SKIP LOCKED)
        RETURNING id`,
      params: (now) => [now, sourcesOf('revealed')],
      undo: `UPDATE assignment SET status = 'planned', revealed_at = NULL WHERE id = $1`,
    };
  }

  /** Planned tests whose calendar hold is due (a hold says nothing of where or what): marked sent. */
  holdClaim(): DueClaim {
    return {
      job: 'hold',
      claim: `UPDATE assignment SET hold_sent_at = $1
        WHERE id IN (SELECT a.id FROM assignment a ${ELIGIBILITY_JOINS}
                      WHERE a.status = 'planned' AND a.hold_at <= $1 AND a.hold_sent_at IS NULL
                        AND ${INELIGIBILITY} IS NULL
                        AND ${notBackedOff('hold', 'a.id', '$1')}
                      ORDER BY a.hold_at, a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED)
        RETURNING id`,
      params: (now) => [now],
      undo: `UPDATE assignment SET hold_sent_at = NULL WHERE id = $1`,
    };
  }

  /**
   * Revealed tests whose window closes within the campaign's reminder time, with nothing recorded
   * and a tester who may still act on them (intervals added to now: expireDue): marked reminded.
   */
  remindClaim(): DueClaim {
    return {
      job: 'remind',
      claim: `UPDATE assignment SET reminded_at = $1
        WHERE id IN (SELECT a.id FROM assignment a ${ELIGIBILITY_JOINS}
                      WHERE a.status = 'revealed' AND a.reminded_at IS NULL AND a.window_end > $1
                        AND a.window_end <= $1::timestamptz + make_interval(mins => c.remind_before_minutes)
                        AND a.window_end - a.revealed_at > make_interval(mins => c.remind_before_minutes)
                        AND ${INELIGIBILITY} IS NULL
                        AND ${notBackedOff('remind', 'a.id', '$1')}
                      ORDER BY a.window_end, a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED)
        RETURNING id`,
      params: (now) => [now],
      undo: `UPDATE assignment SET reminded_at = NULL WHERE id = $1`,
    };
  }

  /** What the tester-facing mails need about each assignment (tester, touchpoint, scenario, window). */
  async mailContexts(manager: EntityManager, ids: string[]): Promise<MailContextRow[]> {
    if (ids.length === 0) return [];
    const rows: Row[] = await manager.query(
      `SELECT a.id, a.organization_id, a.window_start, a.window_end, c.grace_minutes,
              p.name AS p_name, p.email AS p_email, p.timezone AS p_timezone, p.locale AS p_locale,
              t.name AS t_name, t.channel AS t_channel, t.contact AS t_contact, s.title AS s_title, s.brief AS s_brief
         FROM assignment a
         JOIN campaign c ON c.id = a.campaign_id
         JOIN person p ON p.id = a.tester_id
         JOIN touchpoint t ON t.id = a.touchpoint_id
         LEFT JOIN scenario s ON s.id = a.scenario_id
        WHERE a.id = ANY($1::uuid[]) ORDER BY a.reveal_at, a.id`,
      [ids],
    );
    return rows.map((r) => ({
      assignmentId: r.id,
      organizationId: r.organization_id,
      graceMinutes: r.grace_minutes,
      tester: { name: r.p_name, email: r.p_email, timezone: r.p_timezone, locale: r.p_locale },
      touchpoint: { name: r.t_name, channel: r.t_channel, contact: r.t_contact },
      scenario: r.s_title ? { title: r.s_title, brief: r.s_brief } : null,
      windowStart: r.window_start,
      windowEnd: r.window_end,
    }));
  }

  /** Why this test's tester may no longer act on it, or null. Reads only. */
  async whyIneligible(id: string, manager = this.dataSource.manager): Promise<CancelReason | null> {
    const rows: Array<{ reason: CancelReason | null }> = await manager.query(
      `SELECT ${INELIGIBILITY} AS reason FROM assignment a ${ELIGIBILITY_JOINS} WHERE a.id = $1`,
      [id],
    );
    return rows[0]?.reason ?? null;
  }

  /** The live tests in scope whose tester may no longer act on them, and why, by window start. */
  async ineligibleIn(
    manager: EntityManager,
    scope: EligibilityScope,
  ): Promise<Array<{ id: string; reason: CancelReason }>> {
    const params: unknown[] = [scope.organizationId];
    const where = ['a.organization_id = $1', `a.status IN ('planned', 'revealed')`];
    const narrow = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (scope.testerId) narrow('a.tester_id = ?', scope.testerId);
    if (scope.touchpointId) narrow('a.touchpoint_id = ?', scope.touchpointId);
    if (scope.campaignId) narrow('a.campaign_id = ?', scope.campaignId);
    if (scope.assignmentIds) narrow('a.id = ANY(?::uuid[])', scope.assignmentIds);
    return manager.query(
      `SELECT id, reason
         FROM (SELECT a.id, a.window_start, ${INELIGIBILITY} AS reason
                 FROM assignment a ${ELIGIBILITY_JOINS}
                WHERE ${where.join(' AND ')}) x
        WHERE reason IS NOT NULL ORDER BY window_start, id`,
      params,
    );
  }

  /**
   * Tests about to be held or revealed, and every revealed one, whose tester may no longer act on
   * them: at most `limit`, by organization, leaving out those waiting out a failed withdrawal and
   * those already `tried` this tick.
   */
  async ineligibleDue(
    now: Date,
    limit: number,
    tried: string[],
  ): Promise<Array<{ id: string; organizationId: string }>> {
    const rows: Array<{ id: string; organization_id: string }> = await this.dataSource.query(
      `SELECT a.id, a.organization_id FROM assignment a ${ELIGIBILITY_JOINS}
        WHERE (a.status = 'revealed'
               OR (a.status = 'planned' AND (a.reveal_at <= $1 OR (a.hold_at <= $1 AND a.hold_sent_at IS NULL))))
          AND ${INELIGIBILITY} IS NOT NULL
          AND ${notBackedOff('withdraw', 'a.id', '$1')} AND a.id <> ALL($3::uuid[])
        ORDER BY a.organization_id, a.id LIMIT $2`,
      [now, limit, tried],
    );
    return rows.map((r) => ({ id: r.id, organizationId: r.organization_id }));
  }

  /** These tests, where still in one of `statuses`, locked (by id) for a withdrawal. */
  async lockLive(manager: EntityManager, ids: string[], statuses: AssignmentStatus[]): Promise<LockedAssignment[]> {
    const rows: Row[] = await manager.query(
      `SELECT ${SLOT_COLUMNS}, hold_sent_at, status
         FROM assignment WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[]) ORDER BY id FOR UPDATE`,
      [ids, statuses],
    );
    return rows.map((r) => ({ ...toSlot(r), status: r.status, holdSentAt: r.hold_sent_at }));
  }

  /** A campaign's planned and revealed tests, with their touchpoint's zone. */
  async liveOfCampaign(
    manager: EntityManager,
    campaignId: string,
  ): Promise<Array<{ id: string; windowStart: Date; timezone: string }>> {
    const rows: Array<{ id: string; window_start: Date; timezone: string }> = await manager.query(
      `SELECT a.id, a.window_start, t.timezone FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id
        WHERE a.campaign_id = $1 AND a.status IN ('planned', 'revealed')`,
      [campaignId],
    );
    return rows.map((r) => ({ id: r.id, windowStart: r.window_start, timezone: r.timezone }));
  }

  /** The campaign's planned (unrevealed) tests in these weeks, by id. */
  async plannedInWeeks(manager: EntityManager, campaignId: string, weeks: string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT id FROM assignment
        WHERE campaign_id = $1 AND week_start = ANY($2::date[]) AND status = 'planned' ORDER BY id`,
      [campaignId, weeks],
    );
    return rows.map((r) => r.id);
  }

  /** The slots of these weeks held by tests already revealed, completed or missed. */
  async keptSlots(
    manager: EntityManager,
    campaignId: string,
    weeks: string[],
  ): Promise<Array<{ weekStart: string; touchpointId: string; slot: number }>> {
    const rows: Array<{ week_start: string; touchpoint_id: string; slot: number }> = await manager.query(
      `SELECT week_start::text AS week_start, touchpoint_id, slot FROM assignment
        WHERE campaign_id = $1 AND week_start = ANY($2::date[]) AND status IN ('revealed', 'completed', 'missed')`,
      [campaignId, weeks],
    );
    return rows.map((r) => ({ weekStart: r.week_start, touchpointId: r.touchpoint_id, slot: r.slot }));
  }

  /** How many of the campaign's tests were revealed or finished (its history). */
  async countWithHistory(manager: EntityManager, campaignId: string): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await manager.query(
      `SELECT count(*)::int AS n FROM assignment WHERE campaign_id = $1 AND status NOT IN ('planned', 'cancelled')`,
      [campaignId],
    );
    return n;
  }

  /** Who held each of these slots and let it go (declined, withdrawn). */
  async heldBefore(
    manager: EntityManager,
    campaignId: string,
    touchpointIds: string[],
    weeks: string[],
  ): Promise<Array<{ touchpointId: string; weekStart: string; slot: number; testerId: string }>> {
    const rows: Array<{ touchpoint_id: string; week_start: string; slot: number; tester_id: string }> =
      await manager.query(
        `SELECT touchpoint_id, week_start::text AS week_start, slot, tester_id FROM assignment
          WHERE campaign_id = $1 AND touchpoint_id = ANY($2::uuid[]) AND week_start = ANY($3::date[])
            AND status IN ('declined', 'cancelled')`,
        [campaignId, touchpointIds, weeks],
      );
    return rows.map((r) => ({
      touchpointId: r.touchpoint_id,
      weekStart: r.week_start,
      slot: r.slot,
      testerId: r.tester_id,
    }));
  }

  /** Stores one batch of a plan: planned assignments, one statement. */
  async insertPlanBatch(
    manager: EntityManager,
    campaign: { organizationId: string; id: string },
    batch: PlanBatchColumns,
    now: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO assignment (organization_id, campaign_id, week_start, status, tester_id, touchpoint_id,
                               scenario_id, slot, window_start, window_end, reveal_at, hold_at, created_at, updated_at)
       SELECT $1, $2, $3::date, 'planned', t.tester, t.touchpoint, t.scenario, t.slot,
              ${fromEpochMs('t.ws')}, ${fromEpochMs('t.we')}, ${fromEpochMs('t.ra')}, ${fromEpochMs('t.ha')}, $12, $12
         FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::int[],
                     $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
              AS t (tester, touchpoint, scenario, slot, ws, we, ra, ha)`,
      [
        campaign.organizationId,
        campaign.id,
        batch.weekStart,
        batch.testerIds,
        batch.touchpointIds,
        batch.scenarioIds,
        batch.slots,
        batch.windowStarts,
        batch.windowEnds,
        batch.revealAts,
        batch.holdAts,
        now,
      ],
    );
  }

  /** New planned assignments that re-fill vacated slots, in one statement; answers each with the slot it re-fills. */
  async insertReplacements(
    manager: EntityManager,
    rows: ReplacementRow[],
    now: Date,
  ): Promise<Array<{ id: string; replacesId: string; testerId: string }>> {
    if (rows.length === 0) return [];
    const column = <T>(f: (r: ReplacementRow) => T) => rows.map(f);
    const inserted: Array<{ id: string; replaces_id: string; tester_id: string }> = await manager.query(
      `INSERT INTO assignment (organization_id, campaign_id, tester_id, touchpoint_id, scenario_id, week_start,
                               slot, window_start, window_end, reveal_at, hold_at, replaces_id,
                               status, created_at, updated_at)
       SELECT t.*, 'planned', $13::timestamptz, $13::timestamptz
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::date[], $7::int[],
                     $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::uuid[]) AS t
       RETURNING id, replaces_id, tester_id`,
      [
        column((r) => r.organizationId),
        column((r) => r.campaignId),
        column((r) => r.testerId),
        column((r) => r.touchpointId),
        column((r) => r.scenarioId),
        column((r) => r.weekStart),
        column((r) => r.slot),
        column((r) => r.windowStart),
        column((r) => r.windowEnd),
        column((r) => r.revealAt),
        column((r) => r.holdAt),
        column((r) => r.replacesId),
        now,
      ],
    );
    return inserted.map((r) => ({ id: r.id, replacesId: r.replaces_id, testerId: r.tester_id }));
  }

  /** Records slots no tester takes, with their reasons, in one statement. */
  async insertUnfilled(manager: EntityManager, rows: UnfilledRow[], now: Date): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(f: (r: UnfilledRow) => T) => rows.map(f);
    await manager.query(
      `INSERT INTO unfilled_slot (organization_id, campaign_id, touchpoint_id, week_start, slot, reason, created_at)
       SELECT t.*, $7 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::date[], $5::int[], $6::text[]) AS t`,
      [
        column((r) => r.organizationId),
        column((r) => r.campaignId),
        column((r) => r.touchpointId),
        column((r) => r.weekStart),
        column((r) => r.slot),
        column((r) => r.reason),
        now,
      ],
    );
  }

  /** Forgets the unfilled slots of these weeks of a campaign (they are planned again). */
  async deleteUnfilledOfWeeks(manager: EntityManager, campaignId: string, weeks: string[]): Promise<void> {
    await manager.query('DELETE FROM unfilled_slot WHERE campaign_id = $1 AND week_start = ANY($2::date[])', [
      campaignId,
      weeks,
    ]);
  }

  /** Forgets the unfilled slots of weeks now outside the campaign's dates and without history. */
  async deleteUnfilledOutside(
    manager: EntityManager,
    campaign: { id: string; startsOn: string; endsOn: string | null },
  ): Promise<void> {
    await manager.query(`DELETE FROM unfilled_slot w WHERE ${WEEK_OUTSIDE_WITHOUT_HISTORY}`, [
      campaign.id,
      campaign.startsOn,
      campaign.endsOn,
    ]);
  }
}
