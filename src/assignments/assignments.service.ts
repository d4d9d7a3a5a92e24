import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { ownerSeesUpTo } from '../common/owner-view.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { Page } from '../common/pagination.js';
import { processClaimedBatches } from '../database/claimed-batches.js';
import { FailingJob, notBackedOff } from '../database/job-failures.js';
import { returningRows } from '../database/sql.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { testerLinkExpiry } from '../links/link-kinds.js';
import { SecretLinks } from '../links/secret-links.service.js';
import { OutboxService } from '../mail/outbox.service.js';
import { holdMail, reminderMail, revealMail } from './assignment-mails.js';
import { canTransition, illegalMove, sourcesOf, transition } from './assignment-lifecycle.js';
import { loadMailContexts, MailContextRow } from './assignment-mail-contexts.js';
import type { AssignmentStatus } from './assignment.entity.js';
import type { AssignmentsQuery } from './assignment.dto.js';
import { refillSlots, SlotRow, vacatedSlot } from './slot-refill.js';
import { CANCEL_EXPLANATIONS, ELIGIBILITY_JOINS, INELIGIBILITY } from './withdrawal-reasons.js';
import type { CancelCause, CancelReason } from './withdrawal-reasons.js';
import { IneligibleTester, TestWithdrawnException, WithdrawalsService } from './withdrawals.service.js';

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
  /** Why and when it was cancelled; `by` (who or what cancelled it) for admin and quality only. */
  cancellation: CancellationRow | null;
  touchpoint: { name: string; channel: string; contact: string; timezone: string };
  scenario: { title: string; brief: string } | null;
}

export interface CancellationRow {
  at: Date;
  reason: CancelReason;
  explanation: string;
  cause: CancelCause | null;
  by: string | null;
}

export interface DeclineResult {
  /** Only the declined assignment: where the slot went is secret (it is a planned test). */
  declined: AssignmentRow;
}

const SELECT = `
  SELECT a.id, a.campaign_id, a.tester_id, a.touchpoint_id, a.scenario_id, a.week_start::text AS week_start,
         a.window_start, a.window_end, a.reveal_at, a.status, a.decline_reason, a.replaces_id,
         a.cancelled_at, a.cancel_reason, a.cancel_cause, a.cancelled_by,
         t.name AS tp_name, t.channel AS tp_channel, t.contact AS tp_contact, t.timezone AS tp_timezone,
         s.title AS sc_title, s.brief AS sc_brief
    FROM assignment a
    JOIN touchpoint t ON t.id = a.touchpoint_id
    LEFT JOIN scenario s ON s.id = a.scenario_id`;

function toRow(r: Record<string, never>, hideTester: boolean, showCanceller: boolean): AssignmentRow {
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
    cancellation: r.cancel_reason
      ? {
          at: r.cancelled_at,
          reason: r.cancel_reason,
          explanation: CANCEL_EXPLANATIONS[r.cancel_reason as CancelReason] ?? r.cancel_reason,
          cause: showCanceller ? r.cancel_cause : null,
          by: showCanceller ? r.cancelled_by : null,
        }
      : null,
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
    private readonly links: SecretLinks,
    private readonly withdrawals: WithdrawalsService,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /**
   * What each role may see, as SQL. Admin and quality: everything of their organization. A tester:
   * their own assignments once revealed, never before. An owner: tests of their touchpoints once
   * completed and a week old (src/common/owner-view.ts: a fresh test would tell them when the next one
   * cannot be), without the tester. Anything else does not exist for the caller (404, not 403).
   */
  private visibility(me: Actor, params: unknown[]): string {
    params.push(me.organizationId);
    const org = `a.organization_id = $${params.length}`;
    if (hasRole(me, 'admin', 'quality')) return org;
    params.push(me.personId);
    const self = `$${params.length}`;
    const rules: string[] = [];
    // a link acts only as its own test's tester
    if (me.via === 'link' || hasRole(me, 'tester')) rules.push(`(a.tester_id = ${self} AND a.revealed_at IS NOT NULL)`);
    if (hasRole(me, 'owner')) {
      params.push(new Date(ownerSeesUpTo(this.clock.now().getTime())));
      rules.push(`(t.owner_id = ${self} AND a.status = 'completed' AND a.window_start <= $${params.length})`);
    }
    return rules.length ? `${org} AND (${rules.join(' OR ')})` : 'false';
  }

  /** Owners learn that a test happened and how, not who made it. */
  private hidesTester(me: Actor, testerId: string): boolean {
    return !hasRole(me, 'admin', 'quality') && testerId !== me.personId;
  }

  async list(me: Actor, query: AssignmentsQuery): Promise<Page<AssignmentRow>> {
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
    const staff = hasRole(me, 'admin', 'quality');
    return { items: rows.map((r: Record<string, never>) => toRow(r, this.hidesTester(me, r.tester_id), staff)), total };
  }

  async get(me: Actor, id: string, manager: EntityManager = this.dataSource.manager): Promise<AssignmentRow> {
    const params: unknown[] = [id];
    const rows = await manager.query(`${SELECT} WHERE a.id = $1 AND ${this.visibility(me, params)}`, params);
    if (!rows[0]) throw new NotFoundException(`Assignment ${id} not found`);
    return toRow(rows[0], this.hidesTester(me, rows[0].tester_id), hasRole(me, 'admin', 'quality'));
  }

  /**
   * The tester cannot make it: the slot goes to another eligible tester, or is recorded unfilled.
   * Only before the window starts (later, it is made or missed); only while the tester may still act
   * on it (otherwise it is withdrawn, and the 409 says why).
   */
  async decline(me: Actor, id: string, reason: string): Promise<DeclineResult> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await lockOrganizationPlanning(manager, me.organizationId);
        type Locked = SlotRow & { status: AssignmentStatus; cancel_reason: CancelReason | null };
        const [row]: Locked[] = await manager.query(
          `SELECT id, organization_id, campaign_id, touchpoint_id, scenario_id, week_start::text AS week_start, slot,
                  window_start, window_end, reveal_at, hold_at, status, cancel_reason
             FROM assignment
            WHERE id = $1 AND organization_id = $2 AND tester_id = $3 AND revealed_at IS NOT NULL FOR UPDATE`,
          [id, me.organizationId, me.personId],
        );
        if (!row) throw new NotFoundException(`Assignment ${id} not found`);
        if (row.status === 'cancelled' && row.cancel_reason) throw new TestWithdrawnException(row.cancel_reason);
        if (row.status !== 'revealed') throw illegalMove(row.status, 'declined');
        const why = await this.withdrawals.whyIneligible(manager, id);
        if (why) throw new IneligibleTester(why);
        const now = this.clock.now();
        if (now >= row.window_start) {
          throw new ConflictException(
            `The window began at ${row.window_start.toISOString()}: ` +
              'a test cannot be declined once its window has started. ' +
              'Record what happened; a test with nothing recorded is marked missed after the grace period.',
          );
        }
        await transition(manager, id, 'declined', now, { declineReason: reason });
        const [refill] = await refillSlots(manager, [vacatedSlot(row, 'declined_too_late', 'minimum')], now);
        const { replacement, unfilledReason: unfilled } = refill;
        const logged = { assignmentId: id, replacement: replacement?.assignmentId, unfilled };
        this.logger.info(logged, 'declined assignment re-filled');
        return { declined: await this.get(me, id, manager) };
      });
    } catch (error) {
      if (!(error instanceof IneligibleTester)) throw error;
      const cause = me.via === 'api' ? 'decline_api' : 'decline_link';
      throw await this.withdrawals.withdrawFound(me.organizationId, id, { personId: me.personId, cause });
    }
  }

  /** Quality or an admin calls a test off: cancelled, the tester told if they knew of it; the slot is not re-filled. */
  async cancel(me: Actor, id: string): Promise<AssignmentRow> {
    return this.dataSource.transaction(async (manager) => {
      await lockOrganizationPlanning(manager, me.organizationId);
      const current = await this.get(me, id, manager);
      if (!canTransition(current.status, 'cancelled')) throw illegalMove(current.status, 'cancelled');
      const by = { personId: me.personId, cause: 'cancel_route' as const };
      await this.withdrawals.withdraw(manager, [{ id, reason: 'cancelled_by_staff' }], by);
      return this.get(me, id, manager);
    });
  }

  /** A fresh single-purpose link for the tester of one assignment. */
  private async issueLink(manager: EntityManager, ctx: MailContextRow): Promise<string> {
    const expiresAt = testerLinkExpiry(ctx.windowEnd, ctx.graceMinutes);
    const target = { organizationId: ctx.organizationId, targetId: ctx.assignmentId, expiresAt };
    return (await this.links.issueOne(manager, 'tester', target)).url;
  }

  /** Claims due assignments and sends each its mail (see processClaimedBatches). */
  private claimAndMail(
    job: FailingJob,
    claim: string,
    params: (now: Date) => unknown[],
    undo: string,
    each: (manager: EntityManager, ctx: MailContextRow, now: Date) => Promise<void>,
  ): Promise<number> {
    return processClaimedBatches(
      { dataSource: this.dataSource, clock: this.clock, logger: this.logger },
      { job, claim, params, undo, load: loadMailContexts, idOf: (ctx) => ctx.assignmentId, each },
    );
  }

  /**
   * Before revealing: a planned test whose window has already begun (the service was down) must not
   * go out. It is cancelled and its slot recorded unfilled with the reason. (Tests whose tester may
   * no longer act on them are withdrawn before each step: WithdrawalsService.withdrawIneligibleDue.)
   */
  async releaseUnrevealable(): Promise<number> {
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
      [this.clock.now()],
    );
    return rows.length;
  }

  /**
   * Reveals every assignment whose reveal time has come and whose tester may still act on it:
   * status, a fresh link, and the reveal mail.
   */
  async revealDue(): Promise<number> {
    await this.releaseUnrevealable();
    return this.claimAndMail(
      'reveal',
      `UPDATE assignment SET status = 'revealed', revealed_at = $1, updated_at = $1
        WHERE id IN (SELECT a.id FROM assignment a ${ELIGIBILITY_JOINS}
                      WHERE a.status = ANY($2::text[]) AND a.reveal_at <= $1 AND a.window_start > $1
                        AND ${INELIGIBILITY} IS NULL
                        AND ${notBackedOff('reveal', 'a.id', '$1')}
                      ORDER BY a.reveal_at, a.id LIMIT $3 FOR UPDATE OF a SKIP LOCKED)
        RETURNING id`,
      (now) => [now, sourcesOf('revealed')],
      `UPDATE assignment SET status = 'planned', revealed_at = NULL WHERE id = $1`,
      async (manager, ctx) => {
        const link = await this.issueLink(manager, ctx);
        await this.outbox.enqueue(manager, revealMail({ ...ctx, link }));
      },
    );
  }

  /** Sends calendar holds that are due (planned assignments only; a hold says nothing of where or what). */
  holdDue(): Promise<number> {
    return this.claimAndMail(
      'hold',
      `UPDATE assignment SET hold_sent_at = $1
        WHERE id IN (SELECT a.id FROM assignment a ${ELIGIBILITY_JOINS}
                      WHERE a.status = 'planned' AND a.hold_at <= $1 AND a.hold_sent_at IS NULL
                        AND ${INELIGIBILITY} IS NULL
                        AND ${notBackedOff('hold', 'a.id', '$1')}
                      ORDER BY a.hold_at, a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED)
        RETURNING id`,
      (now) => [now],
      `UPDATE assignment SET hold_sent_at = NULL WHERE id = $1`,
      async (manager, ctx) => {
        await this.outbox.enqueue(manager, holdMail(ctx));
      },
    );
  }

  /**
   * Reminds testers whose window closes soon, who have recorded nothing yet and may still act on the test
   * (intervals added to now: expireDue).
   */
  remindDue(): Promise<number> {
    return this.claimAndMail(
      'remind',
      `UPDATE assignment SET reminded_at = $1
        WHERE id IN (SELECT a.id FROM assignment a ${ELIGIBILITY_JOINS}
                      WHERE a.status = 'revealed' AND a.reminded_at IS NULL AND a.window_end > $1
                        AND a.window_end <= $1::timestamptz + make_interval(mins => c.remind_before_minutes)
                        AND a.window_end - a.revealed_at > make_interval(mins => c.remind_before_minutes)
                        AND ${INELIGIBILITY} IS NULL
                        AND ${notBackedOff('remind', 'a.id', '$1')}
                      ORDER BY a.window_end, a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED)
        RETURNING id`,
      (now) => [now],
      `UPDATE assignment SET reminded_at = NULL WHERE id = $1`,
      async (manager, ctx) => {
        const link = await this.issueLink(manager, ctx);
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
