import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import { DataSource, EntityManager } from 'typeorm';
import { graceOver, missedFrom } from '../assignments/assignment-lifecycle.js';
import { AssignmentsRepository } from '../assignments/assignments.repository.js';
import { TESTER_EXPLANATIONS } from '../assignments/withdrawal-reasons.js';
import type { CancelReason } from '../assignments/withdrawal-reasons.js';
import { IneligibleTester, TestWithdrawnException, WithdrawalsService } from '../campaigns/withdrawals.service.js';
import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { idempotencyKeyPending, markIdempotencyKeyUsed } from '../common/idempotency/idempotency-context.js';
import { Page } from '../common/pagination.js';
import { FieldError, FieldValidationException } from '../common/validation/validation-errors.js';
import { preparedQuery } from '../database/sql.js';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import { AdHocOutcomeDto, OutcomeDto, OutcomesQuery } from './outcome.dto.js';
import { Outcome, OutcomeEdit } from './outcome.entity.js';
import { OutcomeContext, outcomeRules } from './outcome-rules.js';

/** Edits are accepted for this long after the first save. */
export const EDIT_PERIOD_MS = 48 * 3_600_000;

const FIELDS = [
  'attemptedAt',
  'reachedHuman',
  'secondsToHuman',
  'holdSeconds',
  'transfers',
  'disconnects',
  'repeatedStory',
  'resolution',
  'optionsExplained',
  'courtesy',
  'knowledge',
  'staffGaveName',
  'promisedFollowUpBy',
  'notes',
  'answers',
] as const;

/** The recorded fields of an outcome, as kept in the audit trail. */
function snapshot(o: Outcome): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((f) => [f, f === 'attemptedAt' ? o.attemptedAt.toISOString() : o[f]]));
}

/** A done test whose tester may no longer act on it keeps its outcome as it was. */
function unchangeable(why: CancelReason): ConflictException {
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message: `This outcome can no longer be changed: ${TESTER_EXPLANATIONS[why]}`,
    reason: why,
  });
}

/** Spreadsheet programs run cells that start with these as formulas; a leading ' keeps them text. */
function csvSafe(value: unknown): string {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

@Injectable()
export class OutcomesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly withdrawals: WithdrawalsService,
    private readonly assignments: AssignmentsRepository,
  ) {}

  private columns(dto: OutcomeDto) {
    return {
      attemptedAt: new Date(dto.attemptedAt),
      reachedHuman: dto.reachedHuman,
      secondsToHuman: dto.secondsToHuman ?? null,
      holdSeconds: dto.holdSeconds ?? null,
      transfers: dto.transfers ?? 0,
      disconnects: dto.disconnects ?? 0,
      repeatedStory: dto.repeatedStory ?? false,
      resolution: dto.resolution,
      optionsExplained: dto.optionsExplained ?? null,
      courtesy: dto.courtesy ?? null,
      knowledge: dto.knowledge ?? null,
      staffGaveName: dto.staffGaveName ?? null,
      promisedFollowUpBy: dto.promisedFollowUpBy ?? null,
      notes: dto.notes?.trim() ? dto.notes.trim() : null,
      answers: dto.answers ?? {},
    };
  }

  /** Checks the cross-field rules; throws the same 400 as field validation. */
  check(dto: OutcomeDto, ctx: OutcomeContext): void {
    const errors: FieldError[] = outcomeRules(dto, ctx);
    if (errors.length) throw new FieldValidationException(errors);
  }

  /**
   * Records (or, within 48 hours of the first save, edits) the outcome of the actor's own revealed
   * assignment. The first save completes the assignment; every save is kept in the audit trail.
   * Only while the tester may still act on it: otherwise a test not yet done is withdrawn (and the
   * 409 says why), and a done one can no longer be changed.
   */
  async recordForAssignment(actor: Actor, assignmentId: string, dto: OutcomeDto): Promise<Outcome> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const a = await this.assignments.lockForRecording(manager, assignmentId, actor);
        if (!a) throw new NotFoundException(`Assignment ${assignmentId} not found`);
        if (a.status === 'cancelled' && a.cancelReason) throw new TestWithdrawnException(a.cancelReason);
        const why = await this.assignments.whyIneligible(assignmentId, manager);
        if (why && a.status === 'revealed') throw new IneligibleTester(why);
        if (why && a.status === 'completed') throw unchangeable(why);
        const now = this.clock.now();
        this.check(dto, { now, window: a.window, questions: a.questions });
        const lock = { mode: 'pessimistic_write' as const };
        const existing = await manager.findOne(Outcome, { where: { assignmentId }, lock });
        const missedAt = missedFrom(a.window.end, a.graceMinutes);
        if (!existing && a.status === 'revealed' && now >= missedAt) throw graceOver(missedAt);
        if (!existing) {
          await this.assignments.transition(manager, assignmentId, 'completed', now);
          const link = { assignmentId, touchpointId: a.touchpointId, scenarioId: a.scenarioId };
          return (await this.create(manager, actor, link, dto, now))!;
        }
        return this.edit(manager, actor, existing, dto, now);
      });
    } catch (error) {
      if (!(error instanceof IneligibleTester)) throw error;
      const cause = actor.via === 'api' ? 'outcome_api' : 'outcome_link';
      const by = { personId: actor.personId, cause } as const;
      throw await this.withdrawals.withdrawFound(actor.organizationId, assignmentId, by);
    }
  }

  /**
   * A contact made on the tester's own initiative, without an assignment. The hot path of the API
   * (every phone's "log a contact"): the outcome and its audit row go in as one statement, which
   * also checks the touchpoint (and scenario) belong to the tester's organization.
   */
  async recordAdHoc(actor: Actor, dto: AdHocOutcomeDto): Promise<Outcome> {
    // with an Idempotency-Key, the outcome and the key's mark commit together
    if (idempotencyKeyPending()) {
      return this.dataSource.transaction(async (manager) => {
        await markIdempotencyKeyUsed(manager);
        return this.recordAdHocWith(manager, actor, dto);
      });
    }
    return this.recordAdHocWith(this.dataSource.manager, actor, dto);
  }

  private async recordAdHocWith(manager: EntityManager, actor: Actor, dto: AdHocOutcomeDto): Promise<Outcome> {
    let questions: ScenarioQuestion[] = [];
    if (dto.scenarioId) {
      const [scenario] = await manager.query('SELECT questions FROM scenario WHERE id = $1 AND organization_id = $2', [dto.scenarioId, actor.organizationId]);
      if (!scenario) await this.throwUnknownLinks(actor, dto);
      questions = scenario.questions;
    }
    const now = this.clock.now();
    try {
      this.check(dto, { now, questions });
    } catch (error) {
      await this.throwUnknownLinks(actor, dto); // a foreign touchpoint is named first, as it always was
      throw error;
    }
    const outcome = await this.create(manager, actor, { assignmentId: null, touchpointId: dto.touchpointId, scenarioId: dto.scenarioId ?? null }, dto, now);
    if (!outcome) await this.throwUnknownLinks(actor, dto);
    return outcome!;
  }

  /** 400 naming the touchpoint and/or scenario that are not the organization's; returns when both are. */
  private async throwUnknownLinks(actor: Actor, dto: AdHocOutcomeDto): Promise<void> {
    const [row] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM touchpoint WHERE id = $1 AND organization_id = $3) AS tp,
              $2::uuid IS NULL OR EXISTS (SELECT 1 FROM scenario WHERE id = $2 AND organization_id = $3) AS sc`,
      [dto.touchpointId, dto.scenarioId ?? null, actor.organizationId],
    );
    const errors: FieldError[] = [];
    if (!row.tp) errors.push({ field: 'touchpointId', rule: 'exists', message: 'touchpointId must be a touchpoint of your organization' });
    if (!row.sc) errors.push({ field: 'scenarioId', rule: 'exists', message: 'scenarioId must be a scenario of your organization' });
    if (errors.length) throw new FieldValidationException(errors);
  }

  /**
   * Inserts an outcome and its first audit row in one statement (atomic without a transaction of its
   * own); null when the touchpoint or scenario is not the organization's (nothing is written).
   */
  private async create(
    manager: EntityManager,
    actor: Actor,
    link: { assignmentId: string | null; touchpointId: string; scenarioId: string | null },
    dto: OutcomeDto,
    now: Date,
  ): Promise<Outcome | null> {
    const outcome = Object.assign(new Outcome(), {
      organizationId: actor.organizationId,
      testerId: actor.personId,
      ...link,
      ...this.columns(dto),
      promiseStatus: null,
      promiseAskedAt: null,
      editableUntil: new Date(now.getTime() + EDIT_PERIOD_MS),
      createdAt: now,
      updatedAt: now,
    });
    // outside a transaction (an ad-hoc outcome: the hot path) as a prepared statement on the pool
    const run = (text: string, values: unknown[]): Promise<Array<{ id: string }>> =>
      manager.queryRunner ? manager.query(text, values) : preparedQuery(this.dataSource, 'insert-outcome', text, values);
    const rows = await run(
      `WITH o AS (
         INSERT INTO outcome (organization_id, tester_id, assignment_id, touchpoint_id, scenario_id, attempted_at, reached_human,
                              seconds_to_human, hold_seconds, transfers, disconnects, repeated_story, resolution, options_explained,
                              courtesy, knowledge, staff_gave_name, promised_follow_up_by, notes, answers, promise_status,
                              promise_asked_at, editable_until, created_at, updated_at)
         SELECT $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::timestamptz, $7::boolean, $8::integer, $9::integer, $10::integer,
                $11::integer, $12::boolean, $13::text, $14::boolean, $15::integer, $16::integer, $17::boolean, $18::date, $19::text,
                $20::jsonb, NULL, NULL, $21::timestamptz, $22::timestamptz, $22::timestamptz
          WHERE EXISTS (SELECT 1 FROM touchpoint WHERE id = $4 AND organization_id = $1)
            AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM scenario WHERE id = $5 AND organization_id = $1))
         RETURNING id
       )
       INSERT INTO outcome_edit (organization_id, outcome_id, edited_by, via, edited_at, before, after)
       SELECT $1::uuid, o.id, $2::uuid, $23::text, $22::timestamptz, NULL, $24::jsonb FROM o
       RETURNING outcome_id AS id`,
      [
        outcome.organizationId, outcome.testerId, outcome.assignmentId, outcome.touchpointId, outcome.scenarioId, outcome.attemptedAt,
        outcome.reachedHuman, outcome.secondsToHuman, outcome.holdSeconds, outcome.transfers, outcome.disconnects, outcome.repeatedStory,
        outcome.resolution, outcome.optionsExplained, outcome.courtesy, outcome.knowledge, outcome.staffGaveName,
        outcome.promisedFollowUpBy, outcome.notes, JSON.stringify(outcome.answers), outcome.editableUntil, now, actor.via,
        JSON.stringify(snapshot(outcome)),
      ],
    );
    if (!rows.length) return null;
    outcome.id = rows[0].id;
    return outcome;
  }

  private async edit(manager: EntityManager, actor: Actor, outcome: Outcome, dto: OutcomeDto, now: Date): Promise<Outcome> {
    if (now > outcome.editableUntil) {
      throw new ConflictException(
        `This outcome was first saved at ${outcome.createdAt.toISOString()} and could be edited until ${outcome.editableUntil.toISOString()}; it can no longer be changed`,
      );
    }
    const before = snapshot(outcome);
    Object.assign(outcome, this.columns(dto), { updatedAt: now });
    // A changed promise date is a new promise: ask about it afresh.
    if (before.promisedFollowUpBy !== outcome.promisedFollowUpBy) Object.assign(outcome, { promiseStatus: null, promiseAskedAt: null });
    const saved = await manager.save(outcome);
    await this.audit(manager, actor, outcome.id, before, snapshot(saved), now);
    return saved;
  }

  private async audit(manager: EntityManager, actor: Actor, outcomeId: string, before: Record<string, unknown> | null, after: Record<string, unknown>, now: Date) {
    await manager.save(manager.create(OutcomeEdit, { organizationId: actor.organizationId, outcomeId, editedBy: actor.personId, via: actor.via, editedAt: now, before, after }));
  }

  /** The outcome of an assignment: for its tester, admins and quality. */
  async forAssignment(me: Actor, assignmentId: string): Promise<Outcome> {
    const outcome = await this.dataSource.getRepository(Outcome).findOne({ where: { assignmentId, organizationId: me.organizationId } });
    if (!outcome || (!hasRole(me, 'admin', 'quality') && outcome.testerId !== me.personId)) {
      throw new NotFoundException(`No outcome recorded for assignment ${assignmentId}`);
    }
    return outcome;
  }

  async get(me: Actor, id: string): Promise<Outcome> {
    const outcome = await this.dataSource.getRepository(Outcome).findOne({ where: { id, organizationId: me.organizationId } });
    if (!outcome || (!hasRole(me, 'admin', 'quality') && outcome.testerId !== me.personId)) throw new NotFoundException(`Outcome ${id} not found`);
    return outcome;
  }

  async auditTrail(me: Actor, id: string): Promise<OutcomeEdit[]> {
    await this.get(me, id);
    return this.dataSource.getRepository(OutcomeEdit).find({ where: { outcomeId: id, organizationId: me.organizationId }, order: { editedAt: 'ASC', id: 'ASC' } });
  }

  /** Admin and quality: every outcome of the organization; a tester: their own. */
  async list(me: Actor, query: OutcomesQuery): Promise<Page<Outcome>> {
    const qb = this.dataSource
      .getRepository(Outcome)
      .createQueryBuilder('o')
      .innerJoin('touchpoint', 't', 't.id = o.touchpoint_id')
      .where('o.organization_id = :org', { org: me.organizationId });
    if (!hasRole(me, 'admin', 'quality')) qb.andWhere('o.tester_id = :me', { me: me.personId });
    if (query.touchpointId) qb.andWhere('o.touchpoint_id = :tp', { tp: query.touchpointId });
    if (query.team) qb.andWhere('t.team = :team', { team: query.team });
    if (query.channel) qb.andWhere('t.channel = :channel', { channel: query.channel });
    if (query.testerId) qb.andWhere('o.tester_id = :tester', { tester: query.testerId });
    if (query.resolution) qb.andWhere('o.resolution = :resolution', { resolution: query.resolution });
    if (query.from) qb.andWhere('o.attempted_at >= :from', { from: query.from });
    if (query.to) qb.andWhere('o.attempted_at < :to', { to: query.to });
    const [items, total] = await qb.orderBy('o.attempted_at', 'DESC').addOrderBy('o.id', 'ASC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items, total };
  }

  /**
   * Every completed test contact (with an outcome), so operations can exclude test contacts from
   * live statistics or match them against their own logs. Nothing planned or pending ever appears.
   */
  async register(organizationId: string, from?: string, to?: string): Promise<string> {
    const rows = await this.dataSource.query(
      `SELECT o.id, o.attempted_at, o.assignment_id, t.id AS touchpoint_id, t.name, t.channel, t.contact, t.team, a.window_start, a.window_end
         FROM outcome o
         JOIN touchpoint t ON t.id = o.touchpoint_id
         LEFT JOIN assignment a ON a.id = o.assignment_id
        WHERE o.organization_id = $1 AND (o.assignment_id IS NULL OR a.status = 'completed')
          AND ($2::timestamptz IS NULL OR o.attempted_at >= $2) AND ($3::timestamptz IS NULL OR o.attempted_at < $3)
        ORDER BY o.attempted_at, o.id`,
      [organizationId, from ?? null, to ?? null],
    );
    const header = ['outcome_id', 'attempted_at', 'touchpoint_id', 'touchpoint', 'channel', 'contact', 'team', 'assignment_id', 'window_start', 'window_end'];
    const body = rows.map((r: Record<string, unknown>) =>
      [r.id, r.attempted_at, r.touchpoint_id, r.name, r.channel, r.contact, r.team, r.assignment_id, r.window_start, r.window_end].map(csvSafe),
    );
    return stringify([header, ...body]);
  }
}
