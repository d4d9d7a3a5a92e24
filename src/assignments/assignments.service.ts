import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { Campaign } from '../campaigns/campaign.entity.js';
import { findReplacement, HOUR, MINUTE } from '../campaigns/planner/planner.js';
import { loadExistingAssignments } from '../campaigns/planning.service.js';
import type { UnfilledReason } from '../campaigns/planner/planner.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { Page } from '../common/pagination.js';
import { hashSecret, newSecret } from '../common/secrets.js';
import { AppConfig } from '../config/app-config.js';
import { processClaimedBatches } from '../database/claimed-batches.js';
import { FailingJob, notBackedOff } from '../database/job-failures.js';
import { returningRows } from '../database/sql.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { OutboxService } from '../mail/outbox.service.js';
import { AssignmentMailContext, holdMail, reminderMail, revealMail } from './assignment-mails.js';
import { sourcesOf, transition } from './assignment-lifecycle.js';
import type { AssignmentStatus } from './assignment.entity.js';
import type { AssignmentsQuery } from './assignment.dto.js';

/** A row as the API shows it, with what a tester needs to know of the touchpoint and scenario. */
export interface AssignmentRow {
  id: string;
  campaignId: string;
  testerId: string | null;
  touchpointId: string;
  scenarioId: string | null;
  weekStart: string;
  windowStart: Date;
  windowEnd: Date;
  revealAt: Date;
  status: AssignmentStatus;
  declineReason: string | null;
  replacesId: string | null;
  touchpoint: { name: string; channel: string; contact: string; timezone: string };
  scenario: { title: string; brief: string } | null;
}

export interface DeclineResult {
  /** Only the declined assignment: where the slot went is secret (it is a planned test). */
  declined: AssignmentRow;
}

interface RefillResult {
  replacement: { assignmentId: string; testerId: string } | null;
  unfilledReason: UnfilledReason | null;
}

/** Decline closer than this to the window start and there is no time to hand it to someone else. */
const MIN_REFILL_LEAD = 30 * MINUTE;
/** A tester link works until the window closes, plus the campaign's grace, plus two days to edit. */
const LINK_EDIT_PERIOD = 48 * HOUR;

const SELECT = `
  SELECT a.id, a.campaign_id, a.tester_id, a.touchpoint_id, a.scenario_id, a.week_start::text AS week_start,
         a.window_start, a.window_end, a.reveal_at, a.status, a.decline_reason, a.replaces_id,
         t.name AS tp_name, t.channel AS tp_channel, t.contact AS tp_contact, t.timezone AS tp_timezone,
         s.title AS sc_title, s.brief AS sc_brief
    FROM assignment a
    JOIN touchpoint t ON t.id = a.touchpoint_id
    LEFT JOIN scenario s ON s.id = a.scenario_id`;

function toRow(r: Record<string, never>, hideTester: boolean): AssignmentRow {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    testerId: hideTester ? null : r.tester_id,
    touchpointId: r.touchpoint_id,
    scenarioId: r.scenario_id,
    weekStart: r.week_start,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    revealAt: r.reveal_at,
    status: r.status,
    declineReason: r.decline_reason,
    replacesId: r.replaces_id,
    touchpoint: { name: r.tp_name, channel: r.tp_channel, contact: r.tp_contact, timezone: r.tp_timezone },
    scenario: r.sc_title ? { title: r.sc_title, brief: r.sc_brief } : null,
  };
}

@Injectable()
export class AssignmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /**
   * What each role may see, as SQL. Admin and quality: everything of their organization. A tester:
   * their own assignments once revealed, never before. An owner: tests of their touchpoints once
   * completed, without the tester. Anything else does not exist for the caller (404, not 403).
   */
  private visibility(me: Principal, params: unknown[]): string {
    params.push(me.organizationId);
    const org = `a.organization_id = $${params.length}`;
    if (hasRole(me, 'admin', 'quality')) return org;
    params.push(me.personId);
    const self = `$${params.length}`;
    const rules: string[] = [];
    if (hasRole(me, 'tester')) rules.push(`(a.tester_id = ${self} AND a.revealed_at IS NOT NULL)`);
    if (hasRole(me, 'owner')) rules.push(`(t.owner_id = ${self} AND a.status = 'completed')`);
    return rules.length ? `${org} AND (${rules.join(' OR ')})` : 'false';
  }

  /** Owners learn that a test happened and how, not who made it. */
  private hidesTester(me: Principal, testerId: string): boolean {
    return !hasRole(me, 'admin', 'quality') && testerId !== me.personId;
  }

  async list(me: Principal, query: AssignmentsQuery): Promise<Page<AssignmentRow>> {
    const params: unknown[] = [];
    const where = [this.visibility(me, params)];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.status) add('a.status = ?', query.status);
    if (query.campaignId) add('a.campaign_id = ?', query.campaignId);
    // Owners never learn who tested them, not even by filtering and counting.
    if (query.testerId) add('a.tester_id = ?', hasRole(me, 'admin', 'quality') || query.testerId === me.personId ? query.testerId : null);
    if (query.touchpointId) add('a.touchpoint_id = ?', query.touchpointId);
    if (query.from) add('a.window_start >= ?', query.from);
    if (query.to) add('a.window_start < ?', query.to);
    const filter = where.join(' AND ');
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id WHERE ${filter}`, params);
    const rows = await this.dataSource.query(
      `${SELECT} WHERE ${filter} ORDER BY a.window_start, a.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return { items: rows.map((r: Record<string, never>) => toRow(r, this.hidesTester(me, r.tester_id))), total };
  }

  async get(me: Principal, id: string, manager: EntityManager = this.dataSource.manager): Promise<AssignmentRow> {
    const params: unknown[] = [id];
    const rows = await manager.query(`${SELECT} WHERE a.id = $1 AND ${this.visibility(me, params)}`, params);
    if (!rows[0]) throw new NotFoundException(`Assignment ${id} not found`);
    return toRow(rows[0], this.hidesTester(me, rows[0].tester_id));
  }

  /** The tester cannot make it: the slot goes to another eligible tester, or is recorded unfilled. */
  async decline(me: Principal, id: string, reason: string): Promise<DeclineResult> {
    return this.dataSource.transaction(async (manager) => {
      await lockOrganizationPlanning(manager, me.organizationId);
      const rows: Array<{ tester_id: string }> = await manager.query(
        `SELECT tester_id FROM assignment WHERE id = $1 AND organization_id = $2 AND tester_id = $3 AND revealed_at IS NOT NULL FOR UPDATE`,
        [id, me.organizationId, me.personId],
      );
      if (!rows[0]) throw new NotFoundException(`Assignment ${id} not found`);
      const now = this.clock.now();
      await transition(manager, id, 'declined', now, { declineReason: reason });
      const refill = await this.refill(manager, id, now);
      this.logger.info({ assignmentId: id, replacement: refill.replacement?.assignmentId, unfilled: refill.unfilledReason }, 'declined assignment re-filled');
      return { declined: await this.get(me, id, manager) };
    });
  }

  async cancel(me: Principal, id: string): Promise<AssignmentRow> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.get(me, id, manager);
      await transition(manager, current.id, 'cancelled', this.clock.now());
      return this.get(me, id, manager);
    });
  }

  private async refill(manager: EntityManager, declinedId: string, now: Date): Promise<RefillResult> {
    const [a] = await manager.query(
      `SELECT id, organization_id, campaign_id, touchpoint_id, scenario_id, week_start::text AS week_start, slot, window_start, window_end
         FROM assignment WHERE id = $1`,
      [declinedId],
    );
    const unfilled = async (reason: UnfilledReason) => {
      await manager.query(
        `INSERT INTO unfilled_slot (organization_id, campaign_id, touchpoint_id, week_start, slot, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [a.organization_id, a.campaign_id, a.touchpoint_id, a.week_start, a.slot, reason, now],
      );
      return { replacement: null, unfilledReason: reason };
    };
    if ((a.window_start as Date).getTime() - now.getTime() < MIN_REFILL_LEAD) return unfilled('declined_too_late');

    const campaign = await manager.findOneByOrFail(Campaign, { id: a.campaign_id });
    const [tp] = await manager.query('SELECT id, channel, timezone, opening_hours, closures, owner_id FROM touchpoint WHERE id = $1', [a.touchpoint_id]);
    const testers = await manager.query(
      `SELECT id, timezone, working_hours, leave FROM person WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND 'tester' = ANY(roles)`,
      [a.organization_id, campaign.testerIds],
    );
    const declinedBy: Array<{ tester_id: string }> = await manager.query(
      `SELECT tester_id FROM assignment WHERE campaign_id = $1 AND touchpoint_id = $2 AND week_start = $3 AND slot = $4 AND status = 'declined'`,
      [a.campaign_id, a.touchpoint_id, a.week_start, a.slot],
    );
    const margin = (campaign.rotationDays + 8) * 24 * HOUR;
    const existing = await loadExistingAssignments(manager, a.organization_id, new Date(a.window_start.getTime() - margin), new Date(a.window_start.getTime() + margin));
    const pick = findReplacement({
      campaign: { ...campaign },
      weekStart: a.week_start,
      touchpoint: { id: tp.id, channel: tp.channel, timezone: tp.timezone, openingHours: tp.opening_hours, closures: tp.closures, ownerId: tp.owner_id },
      testers: testers.map((t: Record<string, never>) => ({ id: t.id, timezone: t.timezone, workingHours: t.working_hours, leave: t.leave })),
      existing,
      window: { start: a.window_start.getTime(), end: a.window_end.getTime() },
      exclude: declinedBy.map((d) => d.tester_id).sort(),
    });
    if ('reason' in pick) return unfilled(pick.reason);
    // Revealed at the next reveal tick: the original reveal time has passed.
    const [created] = await manager.query(
      `INSERT INTO assignment (organization_id, campaign_id, tester_id, touchpoint_id, scenario_id, week_start, slot, window_start, window_end, reveal_at, status, replaces_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'planned', $11, $10, $10) RETURNING id`,
      [a.organization_id, a.campaign_id, pick.testerId, a.touchpoint_id, a.scenario_id, a.week_start, a.slot, a.window_start, a.window_end, now, a.id],
    );
    return { replacement: { assignmentId: created.id, testerId: pick.testerId }, unfilledReason: null };
  }

  /** A fresh single-purpose link for the tester of one assignment. */
  private async issueLink(manager: EntityManager, ctx: { assignmentId: string; organizationId: string; windowEnd: Date; graceMinutes: number }, now: Date): Promise<string> {
    const secret = newSecret();
    await manager.query(
      `INSERT INTO access_token (organization_id, assignment_id, purpose, hash, expires_at, created_at) VALUES ($1, $2, 'outcome', $3, $4, $5)`,
      [ctx.organizationId, ctx.assignmentId, hashSecret(secret), new Date(ctx.windowEnd.getTime() + ctx.graceMinutes * MINUTE + LINK_EDIT_PERIOD), now],
    );
    return `${this.config.publicUrl}/t/${secret}`;
  }

  private async mailContexts(manager: EntityManager, ids: string[]): Promise<Array<AssignmentMailContext & { graceMinutes: number }>> {
    if (ids.length === 0) return [];
    const rows = await manager.query(
      `SELECT a.id, a.organization_id, a.window_start, a.window_end, c.grace_minutes,
              p.name AS p_name, p.email AS p_email, p.timezone AS p_timezone,
              t.name AS t_name, t.channel AS t_channel, t.contact AS t_contact, s.title AS s_title, s.brief AS s_brief
         FROM assignment a
         JOIN campaign c ON c.id = a.campaign_id
         JOIN person p ON p.id = a.tester_id
         JOIN touchpoint t ON t.id = a.touchpoint_id
         LEFT JOIN scenario s ON s.id = a.scenario_id
        WHERE a.id = ANY($1::uuid[]) ORDER BY a.reveal_at, a.id`,
      [ids],
    );
    return rows.map((r: Record<string, never>) => ({
      assignmentId: r.id,
      organizationId: r.organization_id,
      graceMinutes: r.grace_minutes,
      tester: { name: r.p_name, email: r.p_email, timezone: r.p_timezone },
      touchpoint: { name: r.t_name, channel: r.t_channel, contact: r.t_contact },
      scenario: r.s_title ? { title: r.s_title, brief: r.s_brief } : null,
      windowStart: r.window_start,
      windowEnd: r.window_end,
    }));
  }

  /** Claims due assignments and sends each its mail (see processClaimedBatches). */
  private claimAndMail(
    job: FailingJob,
    claim: string,
    params: (now: Date) => unknown[],
    undo: string,
    each: (manager: EntityManager, ctx: AssignmentMailContext & { graceMinutes: number }, now: Date) => Promise<void>,
  ): Promise<number> {
    return processClaimedBatches(
      { dataSource: this.dataSource, clock: this.clock, logger: this.logger },
      { job, claim, params, undo, load: (manager, ids) => this.mailContexts(manager, ids), idOf: (ctx) => ctx.assignmentId, each },
    );
  }

  /**
   * Before revealing: a planned test whose window has already begun (the service was down) or
   * whose tester has since become the touchpoint's owner must not go out. It is cancelled and its
   * slot recorded unfilled with the reason.
   */
  async releaseUnrevealable(): Promise<number> {
    const rows = await returningRows<{ n: number }>(
      this.dataSource.manager,
      `WITH gone AS (
         UPDATE assignment a SET status = 'cancelled', cancelled_at = $1, updated_at = $1
           FROM touchpoint t, campaign c
          WHERE t.id = a.touchpoint_id AND c.id = a.campaign_id AND a.status = 'planned' AND a.reveal_at <= $1
            AND (a.window_start <= $1 OR (t.owner_id = a.tester_id AND NOT c.allow_owner_self_test))
          RETURNING a.organization_id, a.campaign_id, a.touchpoint_id, a.week_start, a.slot,
                    CASE WHEN a.window_start <= $1 THEN 'not_revealed_in_time' ELSE 'tester_became_owner' END AS reason)
       INSERT INTO unfilled_slot (organization_id, campaign_id, touchpoint_id, week_start, slot, reason, created_at)
       SELECT organization_id, campaign_id, touchpoint_id, week_start, slot, reason, $1 FROM gone
       RETURNING 1 AS n`,
      [this.clock.now()],
    );
    return rows.length;
  }

  /** Reveals every assignment whose reveal time has come: status, a fresh link, and the reveal mail. */
  async revealDue(): Promise<number> {
    await this.releaseUnrevealable();
    return this.claimAndMail(
      'reveal',
      `UPDATE assignment SET status = 'revealed', revealed_at = $1, updated_at = $1
        WHERE id IN (SELECT a.id FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id JOIN campaign c ON c.id = a.campaign_id
                      WHERE a.status = ANY($2::text[]) AND a.reveal_at <= $1 AND a.window_start > $1
                        AND (t.owner_id IS DISTINCT FROM a.tester_id OR c.allow_owner_self_test)
                        AND ${notBackedOff('reveal', 'a.id', '$1')}
                      ORDER BY a.reveal_at, a.id LIMIT $3 FOR UPDATE OF a SKIP LOCKED)
        RETURNING id`,
      (now) => [now, sourcesOf('revealed')],
      `UPDATE assignment SET status = 'planned', revealed_at = NULL WHERE id = $1`,
      async (manager, ctx, now) => {
        const link = await this.issueLink(manager, ctx, now);
        await this.outbox.enqueue(manager, revealMail({ ...ctx, link }));
      },
    );
  }

  /** Sends calendar holds that are due (planned assignments only; a hold says nothing of where or what). */
  holdDue(): Promise<number> {
    return this.claimAndMail(
      'hold',
      `UPDATE assignment SET hold_sent_at = $1
        WHERE id IN (SELECT a.id FROM assignment a
                      WHERE a.status = 'planned' AND a.hold_at <= $1 AND a.hold_sent_at IS NULL
                        AND ${notBackedOff('hold', 'a.id', '$1')}
                      ORDER BY a.hold_at, a.id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      (now) => [now],
      `UPDATE assignment SET hold_sent_at = NULL WHERE id = $1`,
      async (manager, ctx) => {
        await this.outbox.enqueue(manager, holdMail(ctx));
      },
    );
  }

  /** Reminds testers whose window closes soon and who have recorded nothing yet (intervals added to now: expireDue). */
  remindDue(): Promise<number> {
    return this.claimAndMail(
      'remind',
      `UPDATE assignment SET reminded_at = $1
        WHERE id IN (SELECT a.id FROM assignment a JOIN campaign c ON c.id = a.campaign_id
                      WHERE a.status = 'revealed' AND a.reminded_at IS NULL AND a.window_end > $1
                        AND a.window_end <= $1::timestamptz + make_interval(mins => c.remind_before_minutes)
                        AND a.window_end - a.revealed_at > make_interval(mins => c.remind_before_minutes)
                        AND ${notBackedOff('remind', 'a.id', '$1')}
                      ORDER BY a.window_end, a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED)
        RETURNING id`,
      (now) => [now],
      `UPDATE assignment SET reminded_at = NULL WHERE id = $1`,
      async (manager, ctx, now) => {
        const link = await this.issueLink(manager, ctx, now);
        await this.outbox.enqueue(manager, reminderMail({ ...ctx, link }));
      },
    );
  }

  /**
   * Window end + grace passed without an outcome: missed. One statement; each row moves once. The
   * interval is added to now, never to a stored time, so no row's data can overflow it and fail the
   * statement for every organization.
   */
  async expireDue(): Promise<number> {
    const rows = await returningRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE assignment a SET status = 'missed', missed_at = $1, updated_at = $1
         FROM campaign c
        WHERE c.id = a.campaign_id AND a.status = ANY($2::text[])
          AND a.window_end <= $1::timestamptz - make_interval(mins => c.grace_minutes)
        RETURNING a.id`,
      [this.clock.now(), sourcesOf('missed')],
    );
    return rows.length;
  }
}
