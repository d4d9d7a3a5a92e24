import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { retryWhenReferenceVanishes } from '../database/vanished-reference.js';
import { fitToFreeSlots, ReleaseWeeks } from './replan.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';
import { clearJobFailures, jobFailures, recordJobFailure } from '../database/job-failures.js';
import { Campaign } from './campaign.entity.js';
import { unplannableTester, unplannableTouchpoint } from './plannable-rows.js';
import { weekStartOf } from './planner/calendar.js';
import { DAY, ExistingAssignment, planWeek, PlannerCampaign, PlannerScenario, PlannerTester, PlannerTouchpoint, UNFILLED_REASONS, UnfilledReason } from './planner/planner.js';

export interface PlanResult {
  planned: number;
  unfilled: Array<{ touchpointId: string; weekStart: string; slot: number; reason: string; explanation: string }>;
  weeksPlanned: string[];
  weeksAlreadyPlanned: string[];
  /** With a re-plan: the unrevealed tests it withdrew. */
  withdrawn?: number;
}

export interface PlanOptions {
  /** A re-plan: frees the weeks already planned (in the plan's transaction) before they are planned again. */
  release?: ReleaseWeeks;
}

const INSERT_CHUNK = 5_000;
/** A year at a time: enough for any real schedule, small enough for one transaction. */
const MAX_WEEKS = 53;

/** Loads what the planner needs, runs it, and stores the plan: one transaction per call, all or nothing. */
@Injectable()
export class PlanningService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async planPeriod(
    organizationId: string,
    campaignId: string,
    from: string,
    to: string,
    options: PlanOptions = {},
  ): Promise<PlanResult> {
    const now = this.clock.now();
    return retryWhenReferenceVanishes(() => this.dataSource.transaction(async (manager) => {
      await lockOrganizationPlanning(manager, organizationId);
      // campaign_week makes a re-plan of the same weeks a no-op.
      const campaign = await manager.findOne(Campaign, { where: { id: campaignId, organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!campaign) throw new NotFoundException(`Campaign ${campaignId} not found`);
      // Only weeks the campaign runs in are planned (and so marked planned).
      const start = from < campaign.startsOn ? campaign.startsOn : from;
      const end = campaign.endsOn && to > campaign.endsOn ? campaign.endsOn : to;
      if (start > end) {
        throw new BadRequestException({ statusCode: 400, message: `The period lies outside the campaign (${campaign.startsOn} to ${campaign.endsOn ?? 'open end'})`, errors: [{ field: 'to', rule: 'withinCampaign', message: 'the period must overlap the campaign' }] });
      }
      const weeks = weeksOverlapping(start, end);
      if (weeks.length > MAX_WEEKS) {
        throw new BadRequestException({ statusCode: 400, message: `Plan at most ${MAX_WEEKS} weeks at a time`, errors: [{ field: 'to', rule: 'maxWeeks', message: `the period may span at most ${MAX_WEEKS} weeks` }] });
      }
      if (!options.release) return this.planWeeks(manager, campaign, weeks, now);
      const released = await options.release(manager, campaign, weeks);
      const result = await this.planWeeks(manager, campaign, weeks, now, released.taken);
      return { ...result, withdrawn: released.withdrawn };
    }));
  }

  /** Nightly: every campaign that is running keeps its plan filled up to its horizon. */
  async planDue(): Promise<Array<{ campaignId: string; result: PlanResult }>> {
    const now = this.clock.now();
    const today = DateTime.fromJSDate(now, { zone: 'utc' }).toISODate()!;
    const ids: Array<{ id: string; organization_id: string }> = await this.dataSource.query(
      `SELECT id, organization_id FROM campaign WHERE ends_on IS NULL OR ends_on >= $1::date ORDER BY created_at, id`,
      [today],
    );
    const failed = await jobFailures(this.dataSource.manager, 'plan');
    const results = [];
    for (const { id, organization_id } of ids) {
      if (failed.has(id) && failed.get(id)! > now) continue;
      // One campaign that fails (a deadlock, a bad row) is logged, recorded and retried later; the rest go on.
      try {
        const result = await this.dataSource.transaction(async (manager) => {
          await lockOrganizationPlanning(manager, organization_id);
          const campaign = await manager.findOne(Campaign, { where: { id }, lock: { mode: 'pessimistic_write' } });
          if (!campaign) return null;
          const horizonEnd = DateTime.fromJSDate(now, { zone: 'utc' }).plus({ days: campaign.horizonDays }).toISODate()!;
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
    const done = new Set<string>(
      (await manager.query('SELECT week_start::text AS w FROM campaign_week WHERE campaign_id = $1 AND week_start = ANY($2::date[])', [campaign.id, weeks])).map(
        (r: { w: string }) => r.w,
      ),
    );
    const todo = weeks.filter((w) => !done.has(w));
    result.weeksAlreadyPlanned = weeks.filter((w) => done.has(w));
    if (todo.length === 0) return result;

    // One connection (the transaction's): these run one after the other.
    const touchpoints = await this.touchpointsOf(manager, campaign);
    const testers = await this.testersOf(manager, campaign);
    const scenarios = await this.scenariosOf(manager, campaign);
    const margin = (campaign.rotationDays + 8) * DAY;
    const existing = await loadExistingAssignments(
      manager,
      campaign.organizationId,
      new Date(Date.parse(todo[0]) - margin),
      new Date(Date.parse(todo[todo.length - 1]) + 7 * DAY + margin),
    );
    const plannerCampaign: PlannerCampaign = {
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

    for (const weekStart of todo) {
      const fresh = planWeek({ campaign: plannerCampaign, weekStart, touchpoints, testers, scenarios, existing, now: now.getTime() });
      // A re-plan fills only the slots its kept tests leave free.
      const plan = fitToFreeSlots(fresh, taken?.get(weekStart), campaign.contactsPerTouchpointPerWeek);
      for (let i = 0; i < plan.assignments.length; i += INSERT_CHUNK) {
        const chunk = plan.assignments.slice(i, i + INSERT_CHUNK);
        await manager.query(
          `INSERT INTO assignment (organization_id, campaign_id, week_start, status, tester_id, touchpoint_id, scenario_id, slot, window_start, window_end, reveal_at, hold_at, created_at, updated_at)
           SELECT $1, $2, $3::date, 'planned', t.*, $12, $12
             FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::int[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[]) AS t`,
          [
            campaign.organizationId,
            campaign.id,
            weekStart,
            chunk.map((a) => a.testerId),
            chunk.map((a) => a.touchpointId),
            chunk.map((a) => a.scenarioId),
            chunk.map((a) => a.slot),
            chunk.map((a) => new Date(a.windowStart)),
            chunk.map((a) => new Date(a.windowEnd)),
            chunk.map((a) => new Date(a.revealAt)),
            chunk.map((a) => (a.holdAt === null ? null : new Date(a.holdAt))),
            now,
          ],
        );
      }
      if (plan.unfilled.length) {
        await manager.query(
          `INSERT INTO unfilled_slot (organization_id, campaign_id, week_start, created_at, touchpoint_id, slot, reason)
           SELECT $1, $2, $3::date, $4, t.* FROM unnest($5::uuid[], $6::int[], $7::text[]) AS t`,
          [campaign.organizationId, campaign.id, weekStart, now, plan.unfilled.map((u) => u.touchpointId), plan.unfilled.map((u) => u.slot), plan.unfilled.map((u) => u.reason)],
        );
      }
      await manager.query('INSERT INTO campaign_week (campaign_id, week_start, organization_id, planned_at) VALUES ($1, $2, $3, $4)', [
        campaign.id,
        weekStart,
        campaign.organizationId,
        now,
      ]);
      // Later weeks of this call see this week's plan (caps, spacing, rotation).
      for (const a of plan.assignments) {
        existing.push({ campaignId: campaign.id, testerId: a.testerId, touchpointId: a.touchpointId, scenarioId: a.scenarioId, weekStart, windowStart: a.windowStart, windowEnd: a.windowEnd });
      }
      result.planned += plan.assignments.length;
      result.unfilled.push(
        ...plan.unfilled.map((u) => ({ touchpointId: u.touchpointId, weekStart, slot: u.slot, reason: u.reason, explanation: UNFILLED_REASONS[u.reason as UnfilledReason] })),
      );
      result.weeksPlanned.push(weekStart);
    }
    return result;
  }

  private async touchpointsOf(manager: EntityManager, c: Campaign): Promise<PlannerTouchpoint[]> {
    const rows = await manager.query(
      `SELECT id, channel, timezone, opening_hours, closures, owner_id FROM touchpoint
        WHERE organization_id = $1
          AND (CASE WHEN cardinality($2::uuid[]) > 0 THEN id = ANY($2::uuid[])
                    ELSE ($3::text IS NULL OR team = $3) AND (cardinality($4::text[]) = 0 OR channel = ANY($4::text[])) END)
        ORDER BY id`,
      [c.organizationId, c.touchpointIds, c.team, c.channels],
    );
    return rows
      .filter((r: Record<string, never>) => this.plannable(c, 'touchpoint', r.id, unplannableTouchpoint(r)))
      .map((r: Record<string, never>) => ({
        id: r.id,
        channel: r.channel,
        timezone: r.timezone,
        openingHours: r.opening_hours,
        closures: r.closures,
        ownerId: r.owner_id,
      }));
  }

  /** The pool, less anyone who no longer holds the tester role. */
  private async testersOf(manager: EntityManager, c: Campaign): Promise<PlannerTester[]> {
    const rows = await manager.query(
      `SELECT id, timezone, working_hours, leave FROM person
        WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND 'tester' = ANY(roles) ORDER BY id`,
      [c.organizationId, c.testerIds],
    );
    return rows
      .filter((r: Record<string, never>) => this.plannable(c, 'tester', r.id, unplannableTester(r)))
      .map((r: Record<string, never>) => ({
        id: r.id,
        timezone: r.timezone,
        workingHours: r.working_hours,
        leave: r.leave,
      }));
  }

  /** A stored row the planner cannot use is left out (the rest of the campaign is planned) and logged with its id. */
  private plannable(c: Campaign, kind: 'touchpoint' | 'tester', id: string, problem: string | null): boolean {
    if (problem) {
      const skipped = { job: 'plan', campaignId: c.id, [`${kind}Id`]: id, reason: problem };
      this.logger.error(skipped, `${kind} left out of planning: ${problem}`);
    }
    return problem === null;
  }

  private async scenariosOf(manager: EntityManager, c: Campaign): Promise<PlannerScenario[]> {
    const rows = await manager.query(
      `SELECT id, channels FROM scenario WHERE organization_id = $1 AND (cardinality($2::uuid[]) = 0 OR id = ANY($2::uuid[])) ORDER BY id`,
      [c.organizationId, c.scenarioIds],
    );
    return rows.map((r: { id: string; channels: string[] }) => ({ id: r.id, channels: r.channels }));
  }

}

/** The organization's live assignments with windows starting in [from, to): what caps, spacing and rotation see. */
export async function loadExistingAssignments(manager: EntityManager, organizationId: string, from: Date, to: Date): Promise<ExistingAssignment[]> {
  const rows = await manager.query(
    `SELECT campaign_id, tester_id, touchpoint_id, scenario_id, week_start::text AS week_start, window_start, window_end
       FROM assignment
      WHERE organization_id = $1 AND window_start >= $2 AND window_start < $3 AND status NOT IN ('declined', 'cancelled')`,
    [organizationId, from, to],
  );
  return rows.map((r: Record<string, never>) => ({
    campaignId: r.campaign_id,
    testerId: r.tester_id,
    touchpointId: r.touchpoint_id,
    scenarioId: r.scenario_id,
    weekStart: r.week_start,
    windowStart: (r.window_start as Date).getTime(),
    windowEnd: (r.window_end as Date).getTime(),
  }));
}

/** Mondays of every ISO week that overlaps [from, to]. */
export function weeksOverlapping(from: string, to: string): string[] {
  const weeks: string[] = [];
  let w = DateTime.fromISO(weekStartOf(from), { zone: 'utc' });
  const last = DateTime.fromISO(to, { zone: 'utc' });
  for (; w <= last; w = w.plus({ weeks: 1 })) weeks.push(w.toISODate()!);
  return weeks;
}
