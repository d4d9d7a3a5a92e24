import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';

import { sourcesOf } from '../assignments/assignment-lifecycle.js';
import { holdReleasedMail, withdrawalMail } from '../assignments/assignment-mails.js';
import { AssignmentsRepository, EligibilityScope, LockedAssignment } from '../assignments/assignments.repository.js';
import { refillsSlot, TESTER_EXPLANATIONS } from '../assignments/withdrawal-reasons.js';
import type { CancelledBy, CancelReason } from '../assignments/withdrawal-reasons.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';
import { recordJobFailure } from '../database/job-failures.js';
import { InvalidMailError, OutboxService } from '../mail/outbox.service.js';
import type { EligibilityChanges } from '../people/eligibility-changes.js';
import type { Campaign } from './campaign.entity.js';
import { CampaignsRepository } from './campaigns.repository.js';
import type { ReleasedWeeks } from './replan.js';
import { SlotRefillService, vacatedSlot } from './slot-refill.service.js';

export interface WithdrawalSummary {
  /** Tests cancelled. */
  withdrawn: number;
  /** Their slots given to another tester. */
  replaced: number;
  /** Their slots recorded unfilled (no one could take them in time, or the window was known to the new owner). */
  unfilled: number;
}

const NONE: WithdrawalSummary = { withdrawn: 0, replaced: 0, unfilled: 0 };
const add = (a: WithdrawalSummary, b: WithdrawalSummary): WithdrawalSummary => ({
  withdrawn: a.withdrawn + b.withdrawn,
  replaced: a.replaced + b.replaced,
  unfilled: a.unfilled + b.unfilled,
});

/** The 409 a tester gets when a test they act on was (or is now) withdrawn: it says why. */
export class TestWithdrawnException extends ConflictException {
  constructor(readonly reason: CancelReason) {
    super({
      statusCode: 409,
      error: 'Conflict',
      message: `This test was withdrawn: ${TESTER_EXPLANATIONS[reason]}`,
      reason,
    });
  }
}

/** Thrown in a transaction that found its tester ineligible: the caller withdraws the test after the rollback. */
export class IneligibleTester extends Error {
  constructor(readonly reason: CancelReason) {
    super(`tester no longer eligible: ${reason}`);
  }
}

/** Per job tick: enough for any real change, small enough that one tick stays short. */
const DUE_BATCH = 500;

/**
 * Withdrawing tests: the lifecycle's answer when who may act has changed. Every withdrawal cancels
 * the test with its reason and cause, tells the tester through the outbox if they knew of it, and
 * offers the slot to another tester when it still belongs to the campaign.
 */
@Injectable()
export class WithdrawalsService implements EligibilityChanges {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly refills: SlotRefillService,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /**
   * Cancels the given tests still planned or revealed, each with its reason. The tester of a
   * revealed test is mailed the withdrawal (and why); one who was only sent a hold learns that the
   * time is free, still without where or what. A slot that still belongs to the campaign goes to
   * another tester if the window is at least the campaign's reveal lead away (the new tester gets the
   * notice the campaign promises), else is recorded unfilled. Call it holding the planning lock.
   */
  async withdraw(
    manager: EntityManager,
    items: Array<{ id: string; reason: CancelReason }>,
    by: CancelledBy,
  ): Promise<WithdrawalSummary> {
    if (items.length === 0) return NONE;
    const now = this.clock.now();
    const rows = await this.assignments.lockLive(
      manager,
      items.map((i) => i.id),
      sourcesOf('cancelled'),
    );
    const reasonOf = new Map(items.map((i) => [i.id, i.reason]));
    const cancelled = new Set(
      await this.assignments.cancel(
        manager,
        rows.map((r) => ({ id: r.id, reason: reasonOf.get(r.id)! })),
        by,
        now,
      ),
    );
    const done = rows.filter((r) => cancelled.has(r.id));
    await this.tellTesters(manager, done, reasonOf);

    const knew = (r: LockedAssignment) => r.status === 'revealed' || r.holdSentAt !== null;
    const refill = done.filter((r) => refillsSlot(reasonOf.get(r.id)!, knew(r)));
    const slots = refill.map((r) => vacatedSlot(r, reasonOf.get(r.id)!, 'reveal_lead'));
    const results = await this.refills.refill(manager, slots, now);
    // The slot stays the campaign's, but its window is known to the touchpoint's new owner: nobody takes it.
    const kept = done.filter((r) => reasonOf.get(r.id) === 'tester_became_owner' && knew(r));
    for (const r of kept)
      await this.refills.recordUnfilled(
        manager,
        vacatedSlot(r, 'tester_became_owner', 'reveal_lead'),
        'tester_became_owner',
        now,
      );
    const replaced = results.filter((x) => x.replacement).length;
    const summary = { withdrawn: done.length, replaced, unfilled: results.length - replaced + kept.length };
    if (done.length) this.logger.info({ ...summary, cause: by.cause, by: by.personId }, 'tests withdrawn');
    return summary;
  }

  private async tellTesters(
    manager: EntityManager,
    rows: LockedAssignment[],
    reasonOf: Map<string, CancelReason>,
  ): Promise<void> {
    const told = new Map(rows.filter((r) => r.status === 'revealed' || r.holdSentAt !== null).map((r) => [r.id, r]));
    for (const ctx of await this.assignments.mailContexts(manager, [...told.keys()])) {
      const revealed = told.get(ctx.assignmentId)!.status === 'revealed';
      const mail = revealed
        ? withdrawalMail(ctx, TESTER_EXPLANATIONS[reasonOf.get(ctx.assignmentId)!])
        : holdReleasedMail(ctx);
      try {
        await this.outbox.enqueue(manager, mail);
      } catch (error) {
        // An address the outbox refuses (written behind the API's back) must not keep a test alive.
        if (!(error instanceof InvalidMailError)) throw error;
        this.logger.warn({ assignmentId: ctx.assignmentId, reason: error.message }, 'withdrawal mail not written');
      }
    }
  }

  /** Withdraws every live test in scope whose tester may no longer act on it. Call it holding the planning lock. */
  async withdrawIneligible(
    manager: EntityManager,
    scope: EligibilityScope,
    by: CancelledBy,
  ): Promise<WithdrawalSummary> {
    return this.withdraw(manager, await this.assignments.ineligibleIn(manager, scope), by);
  }

  /**
   * Withdraws one test found ineligible by a request that was then rolled back, in a transaction
   * of its own; answers the 409 to give. Re-checked under the lock: if it has meanwhile become
   * eligible again (or moved on), the caller is asked to try again rather than told a withdrawal.
   */
  async withdrawFound(organizationId: string, assignmentId: string, by: CancelledBy): Promise<ConflictException> {
    const reason = await this.dataSource.transaction(async (manager) => {
      await lockOrganizationPlanning(manager, organizationId);
      const why = await this.assignments.whyIneligible(assignmentId, manager);
      if (!why) return null;
      const { withdrawn } = await this.withdrawIneligible(
        manager,
        { organizationId, assignmentIds: [assignmentId] },
        by,
      );
      return withdrawn ? why : null;
    });
    return reason
      ? new TestWithdrawnException(reason)
      : new ConflictException('This test changed while the request ran; try again');
  }

  /**
   * The jobs' re-check, before each step: every test about to be held or revealed, and every
   * revealed one (its reminder, its recording), whose tester may no longer act on it is withdrawn.
   * One transaction per test; one that fails is logged and waits out its back-off, and the next batch
   * is taken at once, so tests that cannot be withdrawn never hold up the others (of any organization).
   */
  async withdrawIneligibleDue(cause: 'reveal_job' | 'remind_job'): Promise<number> {
    const now = this.clock.now();
    const tried: string[] = [];
    let withdrawn = 0;
    for (;;) {
      const due = await this.assignments.ineligibleDue(now, DUE_BATCH, tried);
      for (const row of due) {
        tried.push(row.id);
        try {
          withdrawn += await this.dataSource.transaction(async (manager) => {
            await lockOrganizationPlanning(manager, row.organizationId);
            const scope = { organizationId: row.organizationId, assignmentIds: [row.id] };
            return (await this.withdrawIneligible(manager, scope, { personId: null, cause })).withdrawn;
          });
        } catch (error) {
          if (isDatabaseUnavailable(error)) throw error;
          const { failures, retryAt } = await recordJobFailure(this.dataSource.manager, 'withdraw', row.id, error, now);
          this.logger.error(
            { job: cause, id: row.id, failures, retryAt, err: error },
            'withdrawing a test failed; it is skipped until retryAt',
          );
        }
      }
      if (due.length < DUE_BATCH) return withdrawn;
    }
  }

  /**
   * After a campaign edit (in its transaction, holding the planning lock): tests of testers or
   * touchpoints it no longer has are withdrawn, and so are tests whose window now lies outside its
   * dates (read in the touchpoint's zone, as planning reads them); weeks wholly outside its dates
   * and without history are forgotten, so moving the dates back plans them afresh.
   */
  async afterCampaignEdit(
    manager: EntityManager,
    before: Campaign,
    after: Campaign,
    by: CancelledBy,
  ): Promise<WithdrawalSummary> {
    let summary = await this.withdrawIneligible(
      manager,
      { organizationId: after.organizationId, campaignId: after.id },
      by,
    );
    const narrowed =
      after.startsOn > before.startsOn ||
      (after.endsOn !== null && (before.endsOn === null || after.endsOn < before.endsOn));
    if (!narrowed) return summary;
    const live = await this.assignments.liveOfCampaign(manager, after.id);
    const outside = live.filter(
      (a) => !withinDates(localDate(a.windowStart, a.timezone), after.startsOn, after.endsOn),
    );
    summary = add(
      summary,
      await this.withdraw(
        manager,
        outside.map((a) => ({ id: a.id, reason: 'campaign_shortened' as const })),
        by,
      ),
    );
    await this.assignments.deleteUnfilledOutside(manager, after);
    await this.campaigns.deleteWeeksOutside(manager, after);
    return summary;
  }

  /**
   * Frees already planned weeks for a re-plan (in the plan's transaction): their unrevealed tests
   * are withdrawn (reason `replanned`) and their unfilled slots forgotten. Answers which slots stay
   * taken by tests that were revealed, completed or missed, so the re-plan adds only the rest.
   */
  async releaseWeeks(
    manager: EntityManager,
    campaign: Campaign,
    weeks: string[],
    personId: string | null,
  ): Promise<ReleasedWeeks> {
    const planned = await this.assignments.plannedInWeeks(manager, campaign.id, weeks);
    const { withdrawn } = await this.withdraw(
      manager,
      planned.map((id) => ({ id, reason: 'replanned' as const })),
      { personId, cause: 'replan' },
    );
    await this.assignments.deleteUnfilledOfWeeks(manager, campaign.id, weeks);
    await this.campaigns.deleteWeeks(manager, campaign.id, weeks);
    const taken: ReleasedWeeks['taken'] = new Map();
    for (const k of await this.assignments.keptSlots(manager, campaign.id, weeks)) {
      const week = taken.get(k.weekStart) ?? new Map<string, Set<number>>();
      week.set(k.touchpointId, (week.get(k.touchpointId) ?? new Set()).add(k.slot));
      taken.set(k.weekStart, week);
    }
    return { withdrawn, taken };
  }
}

/** The window's date where the touchpoint is (UTC if the zone is unknown here). */
function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate() ?? DateTime.fromJSDate(at, { zone: 'utc' }).toISODate()!;
}

export function withinDates(date: string, startsOn: string, endsOn: string | null): boolean {
  return date >= startsOn && (endsOn === null || date <= endsOn);
}
