import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import type { Page } from '../common/pagination.js';
import { pageInOneQuery, preparedQuery } from '../database/sql.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import { Outcome, OutcomeEdit } from './outcome.entity.js';
import type { CaseStatus, PromiseStatus, Resolution } from './outcome.entity.js';

/** One save of an outcome as its audit trail keeps it. */
export interface OutcomeSave {
  editedBy: string | null;
  via: 'api' | 'session' | 'link';
  editedAt: Date;
  /** The recorded fields before the save; null for the first. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

export interface OutcomeFilter {
  touchpointId?: string;
  team?: string;
  channel?: string;
  testerId?: string;
  resolution?: Resolution;
  caseStatus?: CaseStatus;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** A completed test contact as the register lists it. */
export interface RegisteredContact {
  id: string;
  attemptedAt: Date;
  touchpointId: string;
  touchpoint: string;
  channel: string;
  contact: string;
  team: string | null;
  assignmentId: string | null;
  windowStart: Date | null;
  windowEnd: Date | null;
}

/** What the follow-up question about an outcome's promise says, and to whom. */
export interface PromiseQuestion {
  organizationId: string;
  promisedBy: string;
  attemptedAt: Date;
  tester: { name: string; email: string; timezone: string; locale: string | null };
  touchpointName: string;
}

/** What a follow-up question's page shows of the outcome it asks about. */
export interface PromiseLink {
  outcomeId: string;
  touchpointName: string;
  promisedBy: string;
  attemptedAt: Date;
  zone: string;
  answer: PromiseStatus | null;
}

/**
 * The outcome's columns as the one write sets them, in order: column, SQL type, value. `fixed` ones are
 * written when the outcome is created and never changed by an edit (whose outcome is it, of what, since when).
 */
const COLUMNS: Array<{ name: string; type: string; fixed?: true; value: (o: Outcome) => unknown }> = [
  { name: 'id', type: 'uuid', fixed: true, value: (o) => o.id },
  { name: 'organization_id', type: 'uuid', fixed: true, value: (o) => o.organizationId },
  { name: 'tester_id', type: 'uuid', fixed: true, value: (o) => o.testerId },
  { name: 'assignment_id', type: 'uuid', fixed: true, value: (o) => o.assignmentId },
  { name: 'touchpoint_id', type: 'uuid', fixed: true, value: (o) => o.touchpointId },
  { name: 'scenario_id', type: 'uuid', fixed: true, value: (o) => o.scenarioId },
  { name: 'attempted_at', type: 'timestamptz', value: (o) => o.attemptedAt },
  { name: 'reached_human', type: 'boolean', value: (o) => o.reachedHuman },
  { name: 'seconds_to_human', type: 'integer', value: (o) => o.secondsToHuman },
  { name: 'hold_seconds', type: 'integer', value: (o) => o.holdSeconds },
  { name: 'transfers', type: 'integer', value: (o) => o.transfers },
  { name: 'disconnects', type: 'integer', value: (o) => o.disconnects },
  { name: 'repeated_story', type: 'boolean', value: (o) => o.repeatedStory },
  { name: 'bot_first', type: 'boolean', value: (o) => o.botFirst },
  { name: 'answered_question', type: 'boolean', value: (o) => o.answeredQuestion },
  { name: 'queue_seconds', type: 'integer', value: (o) => o.queueSeconds },
  { name: 'queue_system_worked', type: 'boolean', value: (o) => o.queueSystemWorked },
  { name: 'staff_free', type: 'boolean', value: (o) => o.staffFree },
  { name: 'resolution', type: 'text', value: (o) => o.resolution },
  { name: 'options_explained', type: 'boolean', value: (o) => o.optionsExplained },
  { name: 'courtesy', type: 'integer', value: (o) => o.courtesy },
  { name: 'knowledge', type: 'integer', value: (o) => o.knowledge },
  { name: 'staff_gave_name', type: 'boolean', value: (o) => o.staffGaveName },
  { name: 'promised_follow_up_by', type: 'date', value: (o) => o.promisedFollowUpBy },
  { name: 'notes', type: 'text', value: (o) => o.notes },
  { name: 'answers', type: 'jsonb', value: (o) => JSON.stringify(o.answers) },
  { name: 'promise_status', type: 'text', value: (o) => o.promiseStatus },
  { name: 'promise_asked_at', type: 'timestamptz', value: (o) => o.promiseAskedAt },
  { name: 'case_status', type: 'text', value: (o) => o.caseStatus },
  { name: 'case_contacts', type: 'integer', value: (o) => o.caseContacts },
  { name: 'case_later_repeats', type: 'integer', value: (o) => o.caseLaterRepeats },
  { name: 'case_promises_kept', type: 'integer', value: (o) => o.casePromisesKept },
  { name: 'case_promises_failed', type: 'integer', value: (o) => o.casePromisesFailed },
  { name: 'case_ended_at', type: 'timestamptz', value: (o) => o.caseEndedAt },
  { name: 'case_last_contact_at', type: 'timestamptz', value: (o) => o.caseLastContactAt },
  { name: 'editable_until', type: 'timestamptz', fixed: true, value: (o) => o.editableUntil },
  { name: 'created_at', type: 'timestamptz', fixed: true, value: (o) => o.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (o) => o.updatedAt },
];

const param = (name: string) => `$${COLUMNS.findIndex((c) => c.name === name) + 1}`;
const SAVE_PARAMS = COLUMNS.length;

/**
 * The one statement that writes an outcome, created or edited, with its audit row: atomic without a
 * transaction of its own. It writes nothing (and returns no row) when the touchpoint or scenario is not
 * the outcome's organization's.
 */
const WRITE_OUTCOME = `WITH o AS (
  INSERT INTO outcome (${COLUMNS.map((c) => c.name).join(', ')})
  SELECT ${COLUMNS.map((c, i) => `$${i + 1}::${c.type}`).join(', ')}
   WHERE EXISTS (SELECT 1 FROM touchpoint WHERE id = ${param('touchpoint_id')} AND organization_id = $2)
     AND (${param('scenario_id')}::uuid IS NULL
          OR EXISTS (SELECT 1 FROM scenario WHERE id = ${param('scenario_id')} AND organization_id = $2))
  ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => !c.fixed)
    .map((c) => `${c.name} = EXCLUDED.${c.name}`)
    .join(', ')}
  RETURNING id
)
INSERT INTO outcome_edit (organization_id, outcome_id, edited_by, via, edited_at, before, after)
SELECT $2::uuid, o.id, $${SAVE_PARAMS + 1}::uuid, $${SAVE_PARAMS + 2}::text, $${SAVE_PARAMS + 3}::timestamptz,
       $${SAVE_PARAMS + 4}::jsonb, $${SAVE_PARAMS + 5}::jsonb FROM o
RETURNING outcome_id AS id`;

/**
 * The follow-up questions that are due, claimed FOR UPDATE SKIP LOCKED (see processClaimedBatches):
 * `$1` now, `$2` the zones both luxon and PostgreSQL know (lower case), `$3` today in UTC, `$4` the batch.
 * The due time is converted in SQL only for zones PostgreSQL knows; a row with any other zone is claimed
 * once it is surely due everywhere. `backedOff` is the job's failure filter on `o.id`.
 */
export const promiseQuestionsDue = (backedOff: string) => ({
  claim: `UPDATE outcome SET promise_asked_at = $1
           WHERE id IN (SELECT o.id FROM outcome o JOIN person p ON p.id = o.tester_id
                         WHERE o.promise_asked_at IS NULL AND o.promise_status IS NULL
                           AND o.promised_follow_up_by IS NOT NULL
                           AND CASE WHEN o.promised_follow_up_by > $3::date THEN false
                               WHEN lower(p.timezone) = ANY($2::text[])
                               THEN ((o.promised_follow_up_by + 1) + time '09:00') AT TIME ZONE p.timezone <= $1
                               ELSE o.promised_follow_up_by <= $3::date - 2 END
                           AND ${backedOff}
                         ORDER BY o.promised_follow_up_by, o.id LIMIT $4 FOR UPDATE OF o SKIP LOCKED)
           RETURNING id`,
  undo: 'UPDATE outcome SET promise_asked_at = NULL WHERE id = $1',
});

/** Every query on `outcome` and `outcome_edit`. A method given a manager runs in the caller's transaction. */
@Injectable()
export class OutcomesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Writes the outcome (a new one, or an edit of one locked in `manager`'s transaction) and its audit row:
   * the one write path of the outcome table. False when the touchpoint or scenario is not the organization's
   * (nothing is written). Outside a transaction (an ad-hoc outcome: the API's hot path) it runs as a prepared
   * statement on the pool.
   */
  async write(manager: EntityManager | undefined, outcome: Outcome, save: OutcomeSave): Promise<boolean> {
    const values = [
      ...COLUMNS.map((c) => c.value(outcome)),
      save.editedBy,
      save.via,
      save.editedAt,
      save.before === null ? null : JSON.stringify(save.before),
      JSON.stringify(save.after),
    ];
    const rows: Array<{ id: string }> = manager?.queryRunner
      ? await manager.query(WRITE_OUTCOME, values)
      : await preparedQuery(this.dataSource, 'write-outcome', WRITE_OUTCOME, values);
    return rows.length > 0;
  }

  /** An assignment's outcome, locked until the caller's transaction ends. */
  lockByAssignment(manager: EntityManager, assignmentId: string): Promise<Outcome | null> {
    return manager.findOne(Outcome, { where: { assignmentId }, lock: { mode: 'pessimistic_write' } });
  }

  /** An outcome, locked until the caller's transaction ends. */
  lockById(manager: EntityManager, id: string): Promise<Outcome | null> {
    return manager.findOne(Outcome, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** An assignment's outcome (the assignment's organization is the caller's to check, or given). */
  byAssignment(assignmentId: string, organizationId?: string): Promise<Outcome | null> {
    const where = organizationId === undefined ? { assignmentId } : { assignmentId, organizationId };
    return this.dataSource.getRepository(Outcome).findOne({ where });
  }

  byId(id: string, organizationId: string): Promise<Outcome | null> {
    return this.dataSource.getRepository(Outcome).findOne({ where: { id, organizationId } });
  }

  /** Every save of an outcome, oldest first. */
  auditTrail(organizationId: string, outcomeId: string): Promise<OutcomeEdit[]> {
    return this.dataSource.getRepository(OutcomeEdit).find({
      where: { outcomeId, organizationId },
      order: { editedAt: 'ASC', id: 'ASC' },
    });
  }

  /** The organization's outcomes matching the filter (and only `onlyTester`'s, when given), newest first. */
  async list(organizationId: string, filter: OutcomeFilter, onlyTester: string | null): Promise<Page<Outcome>> {
    const qb = this.dataSource
      .getRepository(Outcome)
      .createQueryBuilder('o')
      .innerJoin('touchpoint', 't', 't.id = o.touchpoint_id')
      .where('o.organization_id = :org', { org: organizationId });
    if (onlyTester !== null) qb.andWhere('o.tester_id = :me', { me: onlyTester });
    if (filter.touchpointId) qb.andWhere('o.touchpoint_id = :tp', { tp: filter.touchpointId });
    if (filter.team) qb.andWhere('t.team = :team', { team: filter.team });
    if (filter.channel) qb.andWhere('t.channel = :channel', { channel: filter.channel });
    if (filter.testerId) qb.andWhere('o.tester_id = :tester', { tester: filter.testerId });
    if (filter.resolution) qb.andWhere('o.resolution = :resolution', { resolution: filter.resolution });
    if (filter.caseStatus) qb.andWhere('o.case_status = :caseStatus', { caseStatus: filter.caseStatus });
    if (filter.from) qb.andWhere('o.attempted_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('o.attempted_at < :to', { to: filter.to });
    // the join to touchpoint is one row each: page and total in one round trip (the drill-down and contacts lists)
    return pageInOneQuery(qb, 'o.attempted_at', 'DESC', filter);
  }

  /** Every completed test contact (ad hoc, or of a test still completed) attempted in [from, to), oldest first. */
  async register(organizationId: string, from: string | null, to: string | null): Promise<RegisteredContact[]> {
    const rows: Array<{
      id: string;
      attempted_at: Date;
      assignment_id: string | null;
      touchpoint_id: string;
      name: string;
      channel: string;
      contact: string;
      team: string | null;
      window_start: Date | null;
      window_end: Date | null;
    }> = await this.dataSource.query(
      `SELECT o.id, o.attempted_at, o.assignment_id, t.id AS touchpoint_id, t.name, t.channel, t.contact, t.team,
              a.window_start, a.window_end
         FROM outcome o
         JOIN touchpoint t ON t.id = o.touchpoint_id
         LEFT JOIN assignment a ON a.id = o.assignment_id
        WHERE o.organization_id = $1 AND (o.assignment_id IS NULL OR a.status = 'completed')
          AND ($2::timestamptz IS NULL OR o.attempted_at >= $2) AND ($3::timestamptz IS NULL OR o.attempted_at < $3)
        ORDER BY o.attempted_at, o.id`,
      [organizationId, from, to],
    );
    return rows.map((r) => ({
      id: r.id,
      attemptedAt: r.attempted_at,
      touchpointId: r.touchpoint_id,
      touchpoint: r.name,
      channel: r.channel,
      contact: r.contact,
      team: r.team,
      assignmentId: r.assignment_id,
      windowStart: r.window_start,
      windowEnd: r.window_end,
    }));
  }

  /** Whether the touchpoint, and the scenario (when given), are the organization's. */
  /** The channel of one of the organization's touchpoints; null when it is not one of theirs. */
  async touchpointChannel(
    manager: EntityManager,
    organizationId: string,
    touchpointId: string,
  ): Promise<Channel | null> {
    const sql = 'SELECT channel FROM touchpoint WHERE id = $1 AND organization_id = $2';
    const values = [touchpointId, organizationId];
    // on the hot path (no transaction of its own) a named prepared statement, as the write that follows
    const rows: Array<{ channel: Channel }> = manager.queryRunner
      ? await manager.query(sql, values)
      : await preparedQuery(this.dataSource, 'touchpoint-channel', sql, values);
    return rows[0]?.channel ?? null;
  }

  async linksKnown(
    organizationId: string,
    touchpointId: string,
    scenarioId: string | null,
  ): Promise<{ touchpoint: boolean; scenario: boolean }> {
    const [row]: Array<{ tp: boolean; sc: boolean }> = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM touchpoint WHERE id = $1 AND organization_id = $3) AS tp,
              $2::uuid IS NULL OR EXISTS (SELECT 1 FROM scenario WHERE id = $2 AND organization_id = $3) AS sc`,
      [touchpointId, scenarioId, organizationId],
    );
    return { touchpoint: row.tp, scenario: row.sc };
  }

  /** What the follow-up question about an outcome's promise needs: its tester, touchpoint and dates. */
  async promiseQuestion(manager: EntityManager, outcomeId: string): Promise<PromiseQuestion> {
    const [o]: Array<{
      organization_id: string;
      promised_by: string;
      attempted_at: Date;
      name: string;
      email: string;
      timezone: string;
      locale: string | null;
      touchpoint: string;
    }> = await manager.query(
      `SELECT o.organization_id, o.promised_follow_up_by::text AS promised_by, o.attempted_at, p.name, p.email,
              p.timezone, p.locale, t.name AS touchpoint
         FROM outcome o JOIN person p ON p.id = o.tester_id JOIN touchpoint t ON t.id = o.touchpoint_id
        WHERE o.id = $1`,
      [outcomeId],
    );
    return {
      organizationId: o.organization_id,
      promisedBy: o.promised_by,
      attemptedAt: o.attempted_at,
      tester: { name: o.name, email: o.email, timezone: o.timezone, locale: o.locale },
      touchpointName: o.touchpoint,
    };
  }

  /** What a follow-up question's page shows of the outcome it asks about; null when it is gone. */
  async promiseLink(outcomeId: string): Promise<PromiseLink | null> {
    const rows: Array<{
      id: string;
      promised_by: string;
      attempted_at: Date;
      promise_status: PromiseStatus | null;
      timezone: string;
      name: string;
    }> = await this.dataSource.query(
      `SELECT o.id, o.promised_follow_up_by::text AS promised_by, o.attempted_at, o.promise_status, p.timezone, t.name
         FROM outcome o JOIN person p ON p.id = o.tester_id JOIN touchpoint t ON t.id = o.touchpoint_id
        WHERE o.id = $1`,
      [outcomeId],
    );
    const [r] = rows;
    if (!r) return null;
    return {
      outcomeId: r.id,
      touchpointName: r.name,
      promisedBy: r.promised_by,
      attemptedAt: r.attempted_at,
      zone: r.timezone,
      answer: r.promise_status,
    };
  }
}
