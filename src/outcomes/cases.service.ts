import { randomUUID } from 'node:crypto';

import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { SecretLinks } from '../links/secret-links.service.js';
import { CaseContact } from './case-contact.entity.js';
import { caseContactRules, caseLinkExpiry, caseTallies, daysToEnd, isStale, promiseAnswer } from './case-rules.js';
import type { CaseStep } from './case-rules.js';
import type { CaseContactDto, CaseContactView, CaseView } from './case.dto.js';
import { CasesRepository } from './cases.repository.js';
import type { Outcome } from './outcome.entity.js';
import { OutcomesRepository } from './outcomes.repository.js';
import { EDIT_PERIOD_MS } from './outcomes.service.js';

const firstStep = (o: Outcome): CaseStep => ({
  attemptedAt: o.attemptedAt,
  repeatedStory: o.repeatedStory,
  promisedFollowUpBy: o.promisedFollowUpBy,
  promiseStatus: o.promiseStatus,
});

const laterStep = (c: CaseContact): CaseStep => ({
  attemptedAt: c.attemptedAt,
  repeatedStory: c.repeatedStory,
  status: c.status,
  promisedFollowUpBy: c.promisedFollowUpBy,
  promiseStatus: c.promiseStatus,
});

/** A later contact's recorded fields, as the audit trail keeps them. */
function snapshot(c: CaseContact): Record<string, unknown> {
  return {
    caseContact: c.seq,
    kind: c.kind,
    attemptedAt: c.attemptedAt.toISOString(),
    reachedHuman: c.reachedHuman,
    repeatedStory: c.repeatedStory,
    status: c.status,
    promisedFollowUpBy: c.promisedFollowUpBy,
    promiseStatus: c.promiseStatus,
    notes: c.notes,
  };
}

function closed(o: Outcome): ConflictException {
  const how = o.caseStatus === 'resolved' ? 'resolved' : 'given up';
  return new ConflictException(
    `This case was ${how} on ${o.caseEndedAt!.toISOString()}; nothing more can be added to it`,
  );
}

/**
 * A test followed as a case over days: its tester adds each later contact (through the API or the same link as the
 * test) until the case is resolved or given up. Every save goes through the outcome's one write path, so the
 * case's tallies and the audit row land with the contact in one transaction.
 */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outcomes: OutcomesRepository,
    private readonly cases: CasesRepository,
    private readonly clock: Clock,
    private readonly links: SecretLinks,
  ) {}

  /** The case: for its tester, admins and quality (anyone else, or another organization: 404). */
  async get(me: Actor, outcomeId: string): Promise<CaseView> {
    const outcome = await this.outcomes.byId(outcomeId, me.organizationId);
    if (!outcome || (!hasRole(me, 'admin', 'quality') && outcome.testerId !== me.personId))
      throw new NotFoundException(`Outcome ${outcomeId} not found`);
    return this.viewOf(outcome, await this.cases.laterContacts(outcomeId));
  }

  /** Adds the next contact to the actor's own open case. */
  addContact(me: Actor, outcomeId: string, dto: CaseContactDto): Promise<CaseView> {
    return this.dataSource.transaction(async (manager) => {
      const outcome = await this.lockOwn(manager, me, outcomeId);
      if (outcome.caseStatus !== 'open') throw closed(outcome);
      const later = await this.cases.laterContacts(outcomeId, manager);
      const now = this.clock.now();
      const steps = [firstStep(outcome), ...later.map(laterStep)];
      const errors = caseContactRules(dto, { now, before: steps });
      if (errors.length) throw new FieldValidationException(errors);
      const contact = Object.assign(new CaseContact(), {
        id: randomUUID(),
        organizationId: outcome.organizationId,
        outcomeId,
        seq: steps.length + 1,
        testerId: me.personId,
        ...this.columns(dto),
        promiseStatus: null,
        editableUntil: new Date(now.getTime() + EDIT_PERIOD_MS),
        createdAt: now,
        updatedAt: now,
      });
      await this.answerPreviousPromise(manager, me, outcome, later, dto, now);
      await this.cases.save(manager, contact);
      return this.saveCase(manager, me, outcome, [...later, contact], null, now, { before: null, contact });
    });
  }

  /** Edits one of the actor's later contacts, within 48 hours of its first save. */
  editContact(me: Actor, outcomeId: string, seq: number, dto: CaseContactDto): Promise<CaseView> {
    return this.dataSource.transaction(async (manager) => {
      const outcome = await this.lockOwn(manager, me, outcomeId);
      const later = await this.cases.laterContacts(outcomeId, manager);
      const contact = later.find((c) => c.seq === seq);
      if (!contact) throw new NotFoundException(`The case has no contact ${seq}`);
      const now = this.clock.now();
      if (now > contact.editableUntil)
        throw new ConflictException(
          `Contact ${seq} was first saved at ${contact.createdAt.toISOString()} and could be edited until ` +
            `${contact.editableUntil.toISOString()}; it can no longer be changed`,
        );
      const steps = [firstStep(outcome), ...later.map(laterStep)];
      const index = seq - 1;
      const errors = caseContactRules(dto, { now, before: steps.slice(0, index), after: steps[index + 1] });
      if (errors.length) throw new FieldValidationException(errors);
      const before = snapshot(contact);
      const earlier = later.filter((c) => c.seq < seq);
      if (dto.previousPromise !== undefined) await this.answerPreviousPromise(manager, me, outcome, earlier, dto, now);
      Object.assign(contact, this.columns(dto), { updatedAt: now });
      await this.cases.save(manager, contact);
      // a case given up after its last contact stays given up when that contact is edited
      const givenUpAt =
        outcome.caseStatus === 'given_up' && later.at(-1)?.status === 'continues' ? outcome.caseEndedAt : null;
      return this.saveCase(manager, me, outcome, later, givenUpAt, now, { before, contact });
    });
  }

  /** The tester stops following the case without a further contact: it ends unresolved, now. */
  giveUp(me: Actor, outcomeId: string, notes: string | null): Promise<CaseView> {
    return this.dataSource.transaction(async (manager) => {
      const outcome = await this.lockOwn(manager, me, outcomeId);
      if (outcome.caseStatus !== 'open') throw closed(outcome);
      const later = await this.cases.laterContacts(outcomeId, manager);
      const now = this.clock.now();
      const note = notes?.trim() || null;
      return this.saveCase(manager, me, outcome, later, now, now, { givenUp: true, notes: note });
    });
  }

  private columns(dto: CaseContactDto) {
    return {
      kind: dto.kind,
      attemptedAt: new Date(dto.attemptedAt),
      reachedHuman: dto.reachedHuman,
      repeatedStory: dto.repeatedStory ?? false,
      status: dto.status,
      promisedFollowUpBy: dto.promisedFollowUpBy ?? null,
      notes: dto.notes?.trim() ? dto.notes.trim() : null,
    };
  }

  /** The actor's own outcome, locked; anyone else's (or another organization's) is a 404. */
  private async lockOwn(manager: EntityManager, me: Actor, outcomeId: string): Promise<Outcome> {
    const outcome = await this.outcomes.lockById(manager, outcomeId);
    if (!outcome || outcome.organizationId !== me.organizationId || outcome.testerId !== me.personId)
      throw new NotFoundException(`Outcome ${outcomeId} not found`);
    return outcome;
  }

  /**
   * The promise made on the contact before `dto`, answered by it (promise-rules in case-rules.ts): on the outcome
   * when the contact before is the first, else on that later contact. An answer already given stands unless the
   * tester gives one.
   */
  private async answerPreviousPromise(
    manager: EntityManager,
    me: Actor,
    outcome: Outcome,
    earlier: CaseContact[],
    dto: CaseContactDto,
    now: Date,
  ): Promise<void> {
    const previous = earlier.at(-1) ?? outcome;
    if (previous.promiseStatus !== null && dto.previousPromise == null) return;
    const zone = await this.cases.testerZone(manager, me.personId);
    const answer = promiseAnswer(previous.promisedFollowUpBy, dto, zone);
    if (answer === null || answer === previous.promiseStatus) return;
    if (previous === outcome) outcome.promiseStatus = answer;
    else {
      Object.assign(previous, { promiseStatus: answer, updatedAt: now });
      await this.cases.save(manager, previous as CaseContact);
    }
  }

  /** Writes the case's tallies on its outcome, with the audit row of this save, through the outcome's one write. */
  private async saveCase(
    manager: EntityManager,
    me: Actor,
    outcome: Outcome,
    later: CaseContact[],
    givenUpAt: Date | null,
    now: Date,
    change: { before: Record<string, unknown> | null; contact: CaseContact } | { givenUp: true; notes: string | null },
  ): Promise<CaseView> {
    const before = { caseStatus: outcome.caseStatus, promiseStatus: outcome.promiseStatus };
    const first = { ...outcome, caseContinues: true };
    Object.assign(outcome, caseTallies(first, later.map(laterStep), givenUpAt), { updatedAt: now });
    const after =
      'contact' in change
        ? { ...snapshot(change.contact), caseStatus: outcome.caseStatus, promiseStatus: outcome.promiseStatus }
        : { caseStatus: outcome.caseStatus, givenUpNotes: change.notes };
    const save = {
      editedBy: me.personId,
      via: me.via,
      editedAt: now,
      before: 'contact' in change && change.before ? { ...change.before, ...before } : before,
      after,
    };
    if (!(await this.outcomes.write(manager, outcome, save)))
      throw new Error(`outcome ${outcome.id}: its touchpoint or scenario is no longer its organization's`);
    if (outcome.assignmentId) {
      const { to, how } = caseLinkExpiry(outcome, now);
      await this.links.moveExpiry(manager, 'tester', outcome.assignmentId, to, how);
    }
    return this.viewOf(outcome, later);
  }

  viewOf(o: Outcome, later: CaseContact[]): CaseView {
    const now = this.clock.now();
    const first: CaseContactView = {
      seq: 1,
      kind: 'first',
      attemptedAt: o.attemptedAt,
      reachedHuman: o.reachedHuman,
      repeatedStory: o.repeatedStory,
      resolution: o.resolution,
      status: null,
      promisedFollowUpBy: o.promisedFollowUpBy,
      promiseStatus: o.promiseStatus,
      notes: o.notes,
      editableUntil: o.editableUntil,
    };
    const rest: CaseContactView[] = later.map((c) => ({
      seq: c.seq,
      kind: c.kind,
      attemptedAt: c.attemptedAt,
      reachedHuman: c.reachedHuman,
      repeatedStory: c.repeatedStory,
      resolution: null,
      status: c.status,
      promisedFollowUpBy: c.promisedFollowUpBy,
      promiseStatus: c.promiseStatus,
      notes: c.notes,
      editableUntil: c.editableUntil,
    }));
    const promises = [o.promiseStatus, ...later.map((c) => c.promiseStatus)].filter((p) => p !== null);
    return {
      outcomeId: o.id,
      assignmentId: o.assignmentId,
      touchpointId: o.touchpointId,
      testerId: o.testerId,
      status: o.caseStatus,
      stale: isStale(o.caseStatus, o.caseLastContactAt ?? o.attemptedAt, now),
      openedAt: o.attemptedAt,
      endedAt: o.caseEndedAt,
      daysToResolution: o.caseStatus === 'resolved' ? daysToEnd(o.attemptedAt, o.caseEndedAt) : null,
      contactCount: o.caseContacts,
      storyRepeats: [o, ...later].filter((c) => c.repeatedStory).length,
      promisesKept: promises.filter((p) => p === 'kept').length,
      promisesFailed: promises.filter((p) => p !== 'kept').length,
      contacts: [first, ...rest],
    };
  }
}
