import { randomUUID } from 'node:crypto';

import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import { DataSource, EntityManager } from 'typeorm';

import { graceOver, missedFrom } from '../assignments/assignment-lifecycle.js';
import { AssignmentsRepository } from '../assignments/assignments.repository.js';
import { TESTER_EXPLANATIONS } from '../assignments/withdrawal-reasons.js';
import type { CancelReason } from '../assignments/withdrawal-reasons.js';
import { hasRole, type Actor } from '../auth/actor.js';
import { IneligibleTester, TestWithdrawnException, WithdrawalsService } from '../campaigns/withdrawals.service.js';
import { Clock } from '../common/clock.js';
import { csvCell } from '../common/csv/spreadsheet.js';
import { Page } from '../common/pagination.js';
import { FieldError, FieldValidationException } from '../common/validation/validation-errors.js';
import { idempotencyKeyPending, markIdempotencyKeyUsed } from '../idempotency/idempotency-context.js';
import { SecretLinks } from '../links/secret-links.service.js';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import { ScenariosRepository } from '../scenarios/scenarios.repository.js';
import { caseLinkExpiry, caseTallies, firstContactEditRules } from './case-rules.js';
import { CasesRepository } from './cases.repository.js';
import { OutcomeContext, outcomeRules } from './outcome-rules.js';
import { AdHocOutcomeDto, OutcomeDto, OutcomesQuery } from './outcome.dto.js';
import { Outcome, OutcomeEdit } from './outcome.entity.js';
import { OutcomesRepository } from './outcomes.repository.js';

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
  'botFirst',
  'answeredQuestion',
  'queueSeconds',
  'queueSystemWorked',
  'staffFree',
  'resolution',
  'optionsExplained',
  'courtesy',
  'knowledge',
  'staffGaveName',
  'promisedFollowUpBy',
  'notes',
  'answers',
  'caseStatus',
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

@Injectable()
export class OutcomesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outcomes: OutcomesRepository,
    private readonly scenarios: ScenariosRepository,
    private readonly clock: Clock,
    private readonly withdrawals: WithdrawalsService,
    private readonly assignments: AssignmentsRepository,
    private readonly cases: CasesRepository,
    private readonly links: SecretLinks,
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
      botFirst: dto.botFirst ?? null,
      answeredQuestion: dto.answeredQuestion ?? null,
      queueSeconds: dto.queueSeconds ?? null,
      queueSystemWorked: dto.queueSystemWorked ?? null,
      staffFree: dto.staffFree ?? null,
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
        this.check(dto, { now, window: a.window, questions: a.questions, channel: a.channel });
        const existing = await this.outcomes.lockByAssignment(manager, assignmentId);
        const missedAt = missedFrom(a.window.end, a.graceMinutes);
        if (!existing && a.status === 'revealed' && now >= missedAt) throw graceOver(missedAt);
        let outcome: Outcome;
        if (!existing) {
          await this.assignments.transition(manager, assignmentId, 'completed', now);
          const link = { assignmentId, touchpointId: a.touchpointId, scenarioId: a.scenarioId };
          outcome = (await this.create(manager, actor, link, dto, now))!;
        } else outcome = await this.edit(manager, actor, existing, dto, now);
        // a case goes on through the test's own link: it opens while the case is open
        if (outcome.caseStatus === 'open')
          await this.links.moveExpiry(manager, 'tester', assignmentId, caseLinkExpiry(outcome, now).to, 'extend');
        return outcome;
      });
    } catch (error) {
      if (!(error instanceof IneligibleTester)) throw error;
      const cause = actor.via === 'link' ? 'outcome_link' : 'outcome_api';
      const by = { personId: actor.personId, cause } as const;
      throw await this.withdrawals.withdrawFound(actor.organizationId, assignmentId, by);
    }
  }

  /**
   * A contact made on the tester's own initiative, without an assignment. The hot path of the API
   * (every phone's "log a contact"): the touchpoint's channel is read (it decides which fields fit), then the
   * outcome and its audit row go in as one statement, which also checks the scenario is the organization's.
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
      const found = await this.scenarios.questions(manager, actor.organizationId, dto.scenarioId);
      if (!found) await this.throwUnknownLinks(actor, dto);
      questions = found!;
    }
    const channel = await this.outcomes.touchpointChannel(manager, actor.organizationId, dto.touchpointId);
    if (!channel) await this.throwUnknownLinks(actor, dto);
    const now = this.clock.now();
    try {
      this.check(dto, { now, questions, channel: channel! });
    } catch (error) {
      await this.throwUnknownLinks(actor, dto); // a foreign touchpoint is named first, as it always was
      throw error;
    }
    const link = { assignmentId: null, touchpointId: dto.touchpointId, scenarioId: dto.scenarioId ?? null };
    const outcome = await this.create(manager, actor, link, dto, now);
    if (!outcome) await this.throwUnknownLinks(actor, dto);
    return outcome!;
  }

  /** 400 naming the touchpoint and/or scenario that are not the organization's; returns when both are. */
  private async throwUnknownLinks(actor: Actor, dto: AdHocOutcomeDto): Promise<void> {
    const known = await this.outcomes.linksKnown(actor.organizationId, dto.touchpointId, dto.scenarioId ?? null);
    const errors: FieldError[] = [];
    const missing = (field: string, what: string) =>
      errors.push({ field, rule: 'exists', message: `${field} must be a ${what} of your organization` });
    if (!known.touchpoint) missing('touchpointId', 'touchpoint');
    if (!known.scenario) missing('scenarioId', 'scenario');
    if (errors.length) throw new FieldValidationException(errors);
  }

  /**
   * A new outcome and its first audit row, written at once; null when the touchpoint or scenario is not
   * the organization's (nothing is written).
   */
  private async create(
    manager: EntityManager,
    actor: Actor,
    link: { assignmentId: string | null; touchpointId: string; scenarioId: string | null },
    dto: OutcomeDto,
    now: Date,
  ): Promise<Outcome | null> {
    const outcome = Object.assign(new Outcome(), {
      id: randomUUID(),
      organizationId: actor.organizationId,
      testerId: actor.personId,
      ...link,
      ...this.columns(dto),
      promiseStatus: null,
      promiseAskedAt: null,
      ...caseTallies({ ...dto, attemptedAt: new Date(dto.attemptedAt) }, []),
      editableUntil: new Date(now.getTime() + EDIT_PERIOD_MS),
      createdAt: now,
      updatedAt: now,
    });
    const save = { editedBy: actor.personId, via: actor.via, editedAt: now, before: null, after: snapshot(outcome) };
    return (await this.outcomes.write(manager, outcome, save)) ? outcome : null;
  }

  private async edit(
    manager: EntityManager,
    actor: Actor,
    outcome: Outcome,
    dto: OutcomeDto,
    now: Date,
  ): Promise<Outcome> {
    if (now > outcome.editableUntil) {
      throw new ConflictException(
        `This outcome was first saved at ${outcome.createdAt.toISOString()} and could be edited until ${outcome.editableUntil.toISOString()}; it can no longer be changed`,
      );
    }
    const later = outcome.caseContacts - 1;
    const nextAt = later ? await this.cases.secondContactAt(manager, outcome.id) : null;
    const caseErrors = firstContactEditRules(dto, later, nextAt);
    if (caseErrors.length) throw new FieldValidationException(caseErrors);
    const before = snapshot(outcome);
    Object.assign(outcome, this.columns(dto), { updatedAt: now });
    // with later contacts the case stands where they left it; alone, the first contact says
    if (later === 0) Object.assign(outcome, caseTallies({ ...dto, attemptedAt: outcome.attemptedAt }, []));
    // A changed promise date is a new promise: ask about it afresh.
    if (before.promisedFollowUpBy !== outcome.promisedFollowUpBy)
      Object.assign(outcome, { promiseStatus: null, promiseAskedAt: null });
    const save = { editedBy: actor.personId, via: actor.via, editedAt: now, before, after: snapshot(outcome) };
    if (!(await this.outcomes.write(manager, outcome, save))) {
      throw new Error(`outcome ${outcome.id}: its touchpoint or scenario is no longer its organization's`);
    }
    return outcome;
  }

  /** The outcome of an assignment: for its tester, admins and quality. */
  async forAssignment(me: Actor, assignmentId: string): Promise<Outcome> {
    const outcome = await this.outcomes.byAssignment(assignmentId, me.organizationId);
    if (!outcome || (!hasRole(me, 'admin', 'quality') && outcome.testerId !== me.personId)) {
      throw new NotFoundException(`No outcome recorded for assignment ${assignmentId}`);
    }
    return outcome;
  }

  async get(me: Actor, id: string): Promise<Outcome> {
    const outcome = await this.outcomes.byId(id, me.organizationId);
    if (!outcome || (!hasRole(me, 'admin', 'quality') && outcome.testerId !== me.personId))
      throw new NotFoundException(`Outcome ${id} not found`);
    return outcome;
  }

  async auditTrail(me: Actor, id: string): Promise<OutcomeEdit[]> {
    await this.get(me, id);
    return this.outcomes.auditTrail(me.organizationId, id);
  }

  /** Admin and quality: every outcome of the organization; a tester: their own. */
  list(me: Actor, query: OutcomesQuery): Promise<Page<Outcome>> {
    return this.outcomes.list(me.organizationId, query, hasRole(me, 'admin', 'quality') ? null : me.personId);
  }

  /**
   * Every completed test contact (with an outcome), so operations can exclude test contacts from
   * live statistics or match them against their own logs. Nothing planned or pending ever appears.
   */
  async register(organizationId: string, from?: string, to?: string): Promise<string> {
    const rows = await this.outcomes.register(organizationId, from ?? null, to ?? null);
    const header = [
      'outcome_id',
      'attempted_at',
      'touchpoint_id',
      'touchpoint',
      'channel',
      'contact',
      'team',
      'assignment_id',
      'window_start',
      'window_end',
    ];
    const body = rows.map((r) =>
      [
        r.id,
        r.attemptedAt,
        r.touchpointId,
        r.touchpoint,
        r.channel,
        r.contact,
        r.team,
        r.assignmentId,
        r.windowStart,
        r.windowEnd,
      ].map(csvCell),
    );
    return stringify([header, ...body]);
  }
}
