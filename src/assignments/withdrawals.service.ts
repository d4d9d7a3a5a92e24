import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import type { Campaign } from '../campaigns/campaign.entity.js';
import type { ReleasedWeeks } from '../campaigns/replan.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';
import { notBackedOff, recordJobFailure } from '../database/job-failures.js';
import { InvalidMailError, OutboxService } from '../mail/outbox.service.js';
import { cancelAssignments, sourcesOf } from './assignment-lifecycle.js';
import { loadMailContexts } from './assignment-mail-contexts.js';
import { holdReleasedMail, withdrawalMail } from './assignment-mails.js';
import type { AssignmentStatus } from './assignment.entity.js';
import { recordUnfilled, refillSlots, SlotRow, vacatedSlot } from './slot-refill.js';
import {
  CancelledBy,
  CancelReason,
  ELIGIBILITY_JOINS,
  INELIGIBILITY,
  refillsSlot,
  TESTER_EXPLANATIONS,
} from './withdrawal-reasons.js';

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

/** Which live tests to re-check: an organization's, narrowed to one tester, touchpoint, campaign or ids. */
export interface EligibilityScope {
  organizationId: string;
  testerId?: string;
  touchpointId?: string;
  campaignId?: string;
  assignmentIds?: string[];
}

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

type LockedRow = SlotRow & { status: AssignmentStatus; hold_sent_at: Date | null };

/**
 * Withdrawing tests: the lifecycle's answer when who may act has changed. Every withdrawal cancels
 * the test with its reason and cause, tells the tester through the outbox if they knew of it, and
 * offers the slot to another tester when it still belongs to the campaign.
 */
@Injectable()
export class WithdrawalsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
    const rows: LockedRow[] = await manager.query(
      `SELECT id, organization_id, campaign_id, touchpoint_id, scenario_id, week_start::text AS week_start, slot,
              window_start, window_end, reveal_at, hold_at, hold_sent_at, status
         FROM assignment WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[]) ORDER BY id FOR UPDATE`,
      [items.map((i) => i.id), sourcesOf('cancelled')],
    );
    const reasonOf = new Map(items.map((i) => [i.id, i.reason]));
    const cancelled = new Set(
      await cancelAssignments(
        manager,
        rows.map((r) => ({ id: r.id, reason: reasonOf.get(r.id)! })),
        by,
        now,
      ),
    );
    const done = rows.filter((r) => cancelled.has(r.id));
    await this.tellTesters(manager, done, reasonOf);

    const knew = (r: LockedRow) => r.status === 'revealed' || r.hold_sent_at !== null;
    const refill = done.filter((r) => refillsSlot(reasonOf.get(r.id)!, knew(r)));
    const slots = refill.map((r) => vacatedSlot(r, reasonOf.get(r.id)!, 'reveal_lead'));
    const results = await refillSlots(manager, slots, now);
    // The slot stays the campaign's, but its window is known to the touchpoint's new owner: nobody takes it.
    const kept = done.filter((r) => reasonOf.get(r.id) === 'tester_became_owner' && knew(r));
    for (const r of kept)
      await recordUnfilled(manager, vacatedSlot(r, 'tester_became_owner', 'reveal_lead'), 'tester_became_owner', now);
    const replaced = results.filter((x) => x.replacement).length;
    const summary = { withdrawn: done.length, replaced, unfilled: results.length - replaced + kept.length };
    if (done.length) this.logger.info({ ...summary, cause: by.cause, by: by.personId }, 'tests withdrawn');
    return summary;
  }

  private async tellTesters(
    manager: EntityManager,
    rows: LockedRow[],
    reasonOf: Map<string, CancelReason>,
  ): Promise<void> {
    const told = new Map(rows.filter((r) => r.status === 'revealed' || r.hold_sent_at !== null).map((r) => [r.id, r]));
    for (const ctx of await loadMailContexts(manager, [...told.keys()])) {
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
    const rows: Array<{ id: string; reason: CancelReason }> = await manager.query(
      `SELECT id, reason
         FROM (SELECT a.id, a.window_start, ${INELIGIBILITY} AS reason
                 FROM assignment a ${ELIGIBILITY_JOINS}
                WHERE ${where.join(' AND ')}) x
        WHERE reason IS NOT NULL ORDER BY window_start, id`,
      params,
    );
    return this.withdraw(manager, rows, by);
  }

  /** Why this test's tester may no longer act on it, or null. Reads only. */
  async whyIneligible(manager: EntityManager, assignmentId: string): Promise<CancelReason | null> {
    const [row] = await manager.query(
      `SELECT ${INELIGIBILITY} AS reason FROM assignment a ${ELIGIBILITY_JOINS} WHERE a.id = $1`,
      [assignmentId],
    );
    return row?.reason ?? null;
  }

  /**
   * Withdraws one test found ineligible by a request that was then rolled back, in a transaction
   * of its own; answers the 409 to give. Re-checked under the lock: if it has meanwhile become
   * eligible again (or moved on), the caller is asked to try again rather than told a withdrawal.
   */
  async withdrawFound(organizationId: string, assignmentId: string, by: CancelledBy): Promise<ConflictException> {
    const reason = await this.dataSource.transaction(async (manager) => {
      await lockOrganizationPlanning(manager, organizationId);
      const why = await this.whyIneligible(manager, assignmentId);
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
      const due: Array<{ id: string; organization_id: string }> = await this.dataSource.query(
        `SELECT a.id, a.organization_id FROM assignment a ${ELIGIBILITY_JOINS}
          WHERE (a.status = 'revealed'
                 OR (a.status = 'planned' AND (a.reveal_at <= $1 OR (a.hold_at <= $1 AND a.hold_sent_at IS NULL))))
            AND ${INELIGIBILITY} IS NOT NULL
            AND ${notBackedOff('withdraw', 'a.id', '$1')} AND a.id <> ALL($3::uuid[])
          ORDER BY a.organization_id, a.id LIMIT $2`,
        [now, DUE_BATCH, tried],
      );
      for (const row of due) {
        tried.push(row.id);
        try {
          withdrawn += await this.dataSource.transaction(async (manager) => {
            await lockOrganizationPlanning(manager, row.organization_id);
            const scope = { organizationId: row.organization_id, assignmentIds: [row.id] };
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
    const live: Array<{ id: string; window_start: Date; timezone: string }> = await manager.query(
      `SELECT a.id, a.window_start, t.timezone FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id
        WHERE a.campaign_id = $1 AND a.status IN ('planned', 'revealed')`,
      [after.id],
    );
    const outside = live.filter(
      (a) => !withinDates(localDate(a.window_start, a.timezone), after.startsOn, after.endsOn),
    );
    summary = add(
      summary,
      await this.withdraw(
        manager,
        outside.map((a) => ({ id: a.id, reason: 'campaign_shortened' as const })),
        by,
      ),
    );
    const weeksOutside = `w.campaign_id = $1
       AND (w.week_start + 6 < $2::date OR ($3::date IS NOT NULL AND w.week_start > $3::date))
       AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.campaign_id = w.campaign_id AND a.week_start = w.week_start
                                                   AND a.status NOT IN ('planned', 'cancelled'))`;
    await manager.query(`DELETE FROM unfilled_slot w WHERE ${weeksOutside}`, [after.id, after.startsOn, after.endsOn]);
    await manager.query(`DELETE FROM campaign_week w WHERE ${weeksOutside}`, [after.id, after.startsOn, after.endsOn]);
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
    const planned: Array<{ id: string }> = await manager.query(
      `SELECT id FROM assignment
        WHERE campaign_id = $1 AND week_start = ANY($2::date[]) AND status = 'planned' ORDER BY id`,
      [campaign.id, weeks],
    );
    const { withdrawn } = await this.withdraw(
      manager,
      planned.map((p) => ({ id: p.id, reason: 'replanned' as const })),
      {
        personId,
        cause: 'replan',
      },
    );
    await manager.query('DELETE FROM unfilled_slot WHERE campaign_id = $1 AND week_start = ANY($2::date[])', [
      campaign.id,
      weeks,
    ]);
    await manager.query('DELETE FROM campaign_week WHERE campaign_id = $1 AND week_start = ANY($2::date[])', [
      campaign.id,
      weeks,
    ]);
    const kept: Array<{ week_start: string; touchpoint_id: string; slot: number }> = await manager.query(
      `SELECT week_start::text AS week_start, touchpoint_id, slot FROM assignment
        WHERE campaign_id = $1 AND week_start = ANY($2::date[]) AND status IN ('revealed', 'completed', 'missed')`,
      [campaign.id, weeks],
    );
    const taken: ReleasedWeeks['taken'] = new Map();
    for (const k of kept) {
      const week = taken.get(k.week_start) ?? new Map<string, Set<number>>();
      week.set(k.touchpoint_id, (week.get(k.touchpoint_id) ?? new Set()).add(k.slot));
      taken.set(k.week_start, week);
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
