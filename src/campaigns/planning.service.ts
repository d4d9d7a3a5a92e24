import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MessageChannel, MessagePort } from 'node:worker_threads';

import { BadRequestException, Inject, Injectable, NotFoundException, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { Piscina } from 'piscina';
import { DataSource, EntityManager } from 'typeorm';

import { AssignmentsRepository } from '../assignments/assignments.repository.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';
import { clearJobFailures, jobFailures, recordJobFailure } from '../database/job-failures.js';
import { retryWhenReferenceVanishes } from '../database/vanished-reference.js';
import { claimNeeds, familySizes, weekFamilySizes } from '../digests/claim-progress.js';
import { ClaimProgressRepository } from '../digests/claim-progress.repository.js';
import { allocateWeeks, claimScopes, completionRate } from './allocation.js';
import { campaignSizeErrors, planSizeErrors } from './campaign-limits.js';
import type { Campaign } from './campaign.entity.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { weekStartOf } from './planner/calendar.js';
import type { AssignmentBatch, PlanDone, PlanMessage, PlanTask } from './planner/plan.worker.js';
import { DAY, PlannerCampaign, UNFILLED_REASONS } from './planner/planner.js';
import { bookingsAround } from './planner-inputs.js';
import { WithdrawalsService } from './withdrawals.service.js';

export interface PlanResult {
  planned: number;
  unfilled: Array<{ touchpointId: string; weekStart: string; slot: number; reason: string; explanation: string }>;
  weeksPlanned: string[];
  weeksAlreadyPlanned: string[];
  /** With a re-plan: the unrevealed tests it withdrew. */
  withdrawn?: number;
}

export interface PlanOptions {
  /**
   * A re-plan, at whose request (null: the CLI): frees the weeks already planned (in the plan's
   * transaction: WithdrawalsService.releaseWeeks) before they are planned again.
   */
  replan?: { by: string | null };
}

/** Rows per INSERT: stored while the worker plans the next ones. */
const INSERT_BATCH = 2_500;
/** A year at a time: enough for any real schedule, small enough for one transaction. */
const MAX_WEEKS = 53;

/**
 * The worker that runs the planner: the built plan.worker.js beside this module; when the service runs
 * from its TypeScript sources (jest), the built copy under dist/ (the test script builds first).
 */
function workerFile(): string {
  const sibling = fileURLToPath(new URL('./planner/plan.worker.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  const at = sibling.lastIndexOf(`${path.sep}src${path.sep}`);
  const built = path.join(sibling.slice(0, at), 'dist', sibling.slice(at));
  if (!existsSync(built)) throw new Error(`The planner's worker is not built (${built}): run npm run build`);
  return built;
}

/**
 * Loads what the planner needs, runs it on a worker thread (the event loop keeps answering while it
 * plans), and stores the plan: one transaction per call, all or nothing.
 */
@Injectable()
export class PlanningService implements OnModuleDestroy {
  private pool: Piscina<PlanTask, void> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly campaigns: CampaignsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly withdrawals: WithdrawalsService,
    private readonly progress: ClaimProgressRepository,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }

  /** Started on the first plan; a thread lives a minute past its last plan (the calendar memos stay warm). */
  private workers(): Piscina<PlanTask, void> {
    this.pool ??= new Piscina<PlanTask, void>({
      filename: workerFile(),
      minThreads: 0,
      // One core stays with the event loop and PostgreSQL.
      maxThreads: Math.max(1, Math.min(2, availableParallelism() - 1)),
      idleTimeout: 60_000,
      // Background work: the scheduler prefers the event loop (and PostgreSQL) when cores are short.
      niceIncrement: 10,
    });
    return this.pool;
  }

  async planPeriod(
    organizationId: string,
    campaignId: string,
    from: string,
    to: string,
    options: PlanOptions = {},
  ): Promise<PlanResult> {
    const now = this.clock.now();
    return retryWhenReferenceVanishes(() =>
      this.dataSource.transaction(async (manager) => {
        await lockOrganizationPlanning(manager, organizationId);
        // campaign_week makes a re-plan of the same weeks a no-op.
        const campaign = await this.campaigns.lock(manager, campaignId, organizationId);
        if (!campaign) throw new NotFoundException(`Campaign ${campaignId} not found`);
        // Only weeks the campaign runs in are planned (and so marked planned).
        const start = from < campaign.startsOn ? campaign.startsOn : from;
        const end = campaign.endsOn && to > campaign.endsOn ? campaign.endsOn : to;
        if (start > end) {
          throw new BadRequestException({
            statusCode: 400,
            message: `The period lies outside the campaign (${campaign.startsOn} to ${campaign.endsOn ?? 'open end'})`,
            errors: [{ field: 'to', rule: 'withinCampaign', message: 'the period must overlap the campaign' }],
          });
        }
        const weeks = weeksOverlapping(start, end);
        if (weeks.length > MAX_WEEKS) {
          throw new BadRequestException({
            statusCode: 400,
            message: `Plan at most ${MAX_WEEKS} weeks at a time`,
            errors: [{ field: 'to', rule: 'maxWeeks', message: `the period may span at most ${MAX_WEEKS} weeks` }],
          });
        }
        if (!options.replan) return this.planWeeks(manager, campaign, weeks, now);
        const released = await this.withdrawals.releaseWeeks(manager, campaign, weeks, options.replan.by);
        const result = await this.planWeeks(manager, campaign, weeks, now, released.taken);
        return { ...result, withdrawn: released.withdrawn };
      }),
    );
  }

  /** Nightly: every campaign that is running keeps its plan filled up to its horizon. */
  async planDue(): Promise<Array<{ campaignId: string; result: PlanResult }>> {
    const now = this.clock.now();
    const today = DateTime.fromJSDate(now, { zone: 'utc' }).toISODate()!;
    const ids = await this.campaigns.runningOn(today);
    const failed = await jobFailures(this.dataSource.manager, 'plan');
    const results = [];
    for (const { id, organizationId } of ids) {
      if (failed.has(id) && failed.get(id)! > now) continue;
      // One campaign that fails (a deadlock, a bad row) is logged, recorded and retried later; the rest go on.
      try {
        const result = await this.dataSource.transaction(async (manager) => {
          await lockOrganizationPlanning(manager, organizationId);
          const campaign = await this.campaigns.lock(manager, id);
          if (!campaign) return null;
          const horizonEnd = DateTime.fromJSDate(now, { zone: 'utc' })
            .plus({ days: campaign.horizonDays })
            .toISODate()!;
          const start = campaign.startsOn > today ? campaign.startsOn : today;
          const end = campaign.endsOn && campaign.endsOn < horizonEnd ? campaign.endsOn : horizonEnd;
          if (start > end) return null;
          return this.planWeeks(manager, campaign, weeksOverlapping(start, end), now);
        });
        if (result) results.push({ campaignId: id, result });
        if (failed.has(id)) await clearJobFailures(this.dataSource.manager, 'plan', [id]);
      } catch (error) {
        if (isDatabaseUnavailable(error)) throw error;
        const { failures, retryAt } = await recordJobFailure(this.dataSource.manager, 'plan', id, error, now);
        const failed = { job: 'plan', campaignId: id, failures, retryAt, err: error };
        this.logger.error(failed, 'planning a campaign failed; it is retried at the next run');
      }
    }
    return results;
  }

  private async planWeeks(
    manager: EntityManager,
    campaign: Campaign,
    weeks: string[],
    now: Date,
    taken?: Map<string, Map<string, Set<number>>>,
  ): Promise<PlanResult> {
    const result: PlanResult = { planned: 0, unfilled: [], weeksPlanned: [], weeksAlreadyPlanned: [] };
    const done = await this.campaigns.plannedWeeks(manager, campaign.id, weeks);
    const todo = weeks.filter((w) => !done.has(w));
    result.weeksAlreadyPlanned = weeks.filter((w) => done.has(w));
    if (todo.length === 0) return result;

    // A team or channel selection may have grown since the campaign was saved: the limits hold at planning too.
    const touchpointCount = await this.campaigns.countSelected(manager, campaign);
    const byNeed = campaign.allocation === 'by-need';
    // A by-need week holds its budget, or every floor if the selection has grown past it, and at most every cap.
    const most = touchpointCount * campaign.contactsPerTouchpointPerWeek;
    const floors = touchpointCount * (campaign.floorPerTouchpoint ?? 0);
    const weekly = byNeed ? Math.min(Math.max(campaign.weeklyBudget ?? 0, floors), most) : most;
    const errors = [
      ...campaignSizeErrors({
        touchpoints: touchpointCount,
        testers: campaign.testerIds.length,
        contactsPerTouchpointPerWeek: campaign.contactsPerTouchpointPerWeek,
        byIds: campaign.touchpointIds.length > 0,
        weeklyBudget: byNeed ? campaign.weeklyBudget : null,
      }),
      ...planSizeErrors(weekly, todo.length),
    ];
    if (errors.length) throw new FieldValidationException(errors, 'The campaign is too large to plan');

    // Rows come as JSON text, built by PostgreSQL and parsed by the worker, so thousands of rows cost
    // this event loop next to nothing.
    const started = performance.now();
    // How long this process's event loop was held up while planning: the figure that says it stayed free.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    try {
      const lastWeekEnd = Date.parse(todo[todo.length - 1]) + 7 * DAY;
      const bookings = bookingsAround(Date.parse(todo[0]), lastWeekEnd, campaign.rotationDays);
      const { port1: port, port2: workerPort } = new MessageChannel();
      const task: PlanTask = {
        campaign: plannerCampaign(campaign),
        weeks: todo,
        ...(await this.campaigns.plannerInputs(manager, campaign, bookings)),
        now: now.getTime(),
        counts: campaign.allocation === 'by-need' ? await this.byNeedCounts(manager, campaign, todo, now) : undefined,
        // A re-plan fills only the slots its kept tests leave free.
        taken: taken ?? new Map<string, Map<string, Set<number>>>(),
        batch: INSERT_BATCH,
        port: workerPort,
      };
      const loaded = performance.now();
      const plan = await this.storeWhilePlanning(task, port, (batch) =>
        this.assignments.insertPlanBatch(manager, campaign, batch, now),
      );
      const stored = performance.now();
      // A stored row the planner cannot use was left out (the rest of the campaign is planned): logged with its id.
      for (const { kind, id, problem } of plan.skipped) {
        const skipped = { job: 'plan', campaignId: campaign.id, [`${kind}Id`]: id, reason: problem };
        this.logger.error(skipped, `${kind} left out of planning: ${problem}`);
      }

      for (const week of plan.weeks) {
        const { organizationId, id: campaignId } = campaign;
        const unfilled = week.unfilled.map((u) => ({ ...u, organizationId, campaignId, weekStart: week.weekStart }));
        await this.assignments.insertUnfilled(manager, unfilled, now);
        await this.campaigns.markPlanned(manager, campaign, week.weekStart, now);
        result.planned += week.planned;
        result.unfilled.push(
          ...week.unfilled.map((u) => ({
            touchpointId: u.touchpointId,
            weekStart: week.weekStart,
            slot: u.slot,
            reason: u.reason,
            explanation: UNFILLED_REASONS[u.reason],
          })),
        );
        result.weeksPlanned.push(week.weekStart);
      }
      const ms = (from: number, to: number) => Math.round(to - from);
      const phases = {
        load: ms(started, loaded),
        planAndStore: ms(loaded, stored),
        rest: ms(stored, performance.now()),
      };
      const delay = { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) };
      this.logger.info(
        {
          campaignId: campaign.id,
          weeks: todo.length,
          planned: result.planned,
          unfilled: result.unfilled.length,
          ms: phases,
          loopDelayMs: delay,
        },
        'planned',
      );
      return result;
    } finally {
      loopDelay.disable();
    }
  }

  /**
   * A by-need campaign's tests per touchpoint for each week to plan, from the open claims on its touchpoints, their
   * teams or the whole organization, the tests completed by now and the campaign's completion rate (allocation.ts).
   * Counts of claims and tests only: no outcome's value is read.
   */
  private async byNeedCounts(
    manager: EntityManager,
    campaign: Campaign,
    weeks: string[],
    now: Date,
  ): Promise<Record<string, Record<string, number>>> {
    const touchpoints = await this.campaigns.selectedScopes(manager, campaign);
    const ids = touchpoints.map((t) => t.id);
    const selected = new Set(ids);
    const { all, rows } = await this.progress.openClaims(
      manager,
      campaign.organizationId,
      weeks[0],
      now,
      weeks[0],
      null,
    );
    const scopes = claimScopes(rows, touchpoints);
    // a team or organization claim steers when its scope holds one of the campaign's touchpoints
    const claims = rows.filter((c) =>
      c.touchpointId === null ? scopes.get(c.id)!.length > 0 : selected.has(c.touchpointId),
    );
    const settings = await this.progress.settings(manager, campaign.organizationId);
    const needs = new Map(claimNeeds(claims, settings, familySizes(all), weekFamilySizes(all)).map((n) => [n.id, n]));
    const past = await this.progress.completion(manager, campaign.id, now);
    const rules = {
      budget: campaign.weeklyBudget ?? 0,
      floor: campaign.floorPerTouchpoint ?? 0,
      cap: campaign.contactsPerTouchpointPerWeek,
      completion: completionRate(past.completed, past.planned),
    };
    return allocateWeeks(ids, claims, needs, rules, weeks, scopes);
  }

  /**
   * Runs the planner on a worker and stores each batch it sends while it goes on planning. Messages on
   * one port arrive in order, so the last ('done') follows every batch. A failed insert stops the worker.
   */
  private async storeWhilePlanning(
    task: PlanTask,
    port: MessagePort,
    store: (batch: AssignmentBatch) => Promise<void>,
  ): Promise<PlanDone> {
    const inbox: PlanMessage[] = [];
    let wake: (() => void) | undefined;
    // Boxed: the worker may reject with any value, and the first rejection is the one rethrown.
    let failed: { error: unknown } | undefined;
    port.on('message', (m: PlanMessage) => {
      inbox.push(m);
      wake?.();
    });
    const abort = new AbortController();
    const running = this.workers()
      .run(task, { transferList: [task.port], signal: abort.signal })
      .catch((error: unknown) => {
        failed ??= { error };
        wake?.();
      });
    try {
      for (;;) {
        if (failed) throw failed.error;
        const next = inbox.shift();
        if (!next) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (next.kind === 'done') return next;
        await store(next);
      }
    } catch (error) {
      abort.abort();
      throw error;
    } finally {
      port.close();
      await running;
    }
  }
}

function plannerCampaign(campaign: Campaign): PlannerCampaign {
  return {
    id: campaign.id,
    seed: campaign.seed,
    contactsPerTouchpointPerWeek: campaign.contactsPerTouchpointPerWeek,
    windowMinutes: campaign.windowMinutes,
    revealLeadMinutes: campaign.revealLeadMinutes,
    holdLeadMinutes: campaign.holdLeadMinutes,
    minSpacingHours: campaign.minSpacingHours,
    testerWeeklyCap: campaign.testerWeeklyCap,
    rotationDays: campaign.rotationDays,
    allowOwnerSelfTest: campaign.allowOwnerSelfTest,
    startsOn: campaign.startsOn,
    endsOn: campaign.endsOn,
  };
}

/** Mondays of every ISO week that overlaps [from, to]. */
export function weeksOverlapping(from: string, to: string): string[] {
  const weeks: string[] = [];
  let w = DateTime.fromISO(weekStartOf(from), { zone: 'utc' });
  const last = DateTime.fromISO(to, { zone: 'utc' });
  for (; w <= last; w = w.plus({ weeks: 1 })) weeks.push(w.toISODate()!);
  return weeks;
}
