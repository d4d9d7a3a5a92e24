import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { isKnownTimeZone } from '../common/validation/time-zones.js';
import { processClaimedBatches } from '../database/claimed-batches.js';
import { notBackedOff } from '../database/job-failures.js';
import { TimeZoneCatalogue } from '../database/time-zone-catalogue.js';
import { SecretLinks } from '../links/secret-links.service.js';
import { OutboxService } from '../mail/outbox.service.js';
import { followUpMail } from './follow-up-mail.js';
import { Outcome, OutcomeEdit, PROMISE_STATUSES } from './outcome.entity.js';
import type { PromiseStatus } from './outcome.entity.js';

export interface PromiseLink {
  outcomeId: string;
  touchpointName: string;
  promisedBy: string;
  attemptedAt: Date;
  zone: string;
  answer: PromiseStatus | null;
}

/**
 * Promised a callback or an email by a date? The morning after that date (09:00 in the tester's
 * zone) the tester is asked whether it came: kept, late or broken. The answer joins the outcome.
 */
@Injectable()
export class FollowUpService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly links: SecretLinks,
    private readonly zones: TimeZoneCatalogue,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /**
   * Sends every question that is due, once (rows are claimed FOR UPDATE SKIP LOCKED). The due time is
   * converted in SQL only for zones PostgreSQL knows; a row with any other zone (written behind the
   * API) is claimed once it is surely due everywhere, then fails in `ask`: logged and backed off,
   * while every other row goes on.
   */
  askDue(): Promise<number> {
    return processClaimedBatches(
      { dataSource: this.dataSource, clock: this.clock, logger: this.logger },
      {
        job: 'followUp',
        claim: `UPDATE outcome SET promise_asked_at = $1
                 WHERE id IN (SELECT o.id FROM outcome o JOIN person p ON p.id = o.tester_id
                               WHERE o.promise_asked_at IS NULL AND o.promise_status IS NULL AND o.promised_follow_up_by IS NOT NULL
                                 AND CASE WHEN o.promised_follow_up_by > $3::date THEN false
                                     WHEN lower(p.timezone) = ANY($2::text[])
                                     THEN ((o.promised_follow_up_by + 1) + time '09:00') AT TIME ZONE p.timezone <= $1
                                     ELSE o.promised_follow_up_by <= $3::date - 2 END
                                 AND ${notBackedOff('followUp', 'o.id', '$1')}
                               ORDER BY o.promised_follow_up_by, o.id LIMIT $4 FOR UPDATE OF o SKIP LOCKED)
                 RETURNING id`,
        // no promise dated after today (UTC) can be due yet in any zone
        params: (now) => [now, this.zones.bothKnow(), DateTime.fromJSDate(now, { zone: 'utc' }).toISODate()],
        undo: 'UPDATE outcome SET promise_asked_at = NULL WHERE id = $1',
        each: (manager, id) => this.ask(manager, id),
      },
    );
  }

  private async ask(manager: EntityManager, outcomeId: string): Promise<void> {
    const [o] = await manager.query(
      `SELECT o.organization_id, o.promised_follow_up_by::text AS promised_by, o.attempted_at, p.name, p.email, p.timezone, t.name AS touchpoint
         FROM outcome o JOIN person p ON p.id = o.tester_id JOIN touchpoint t ON t.id = o.touchpoint_id WHERE o.id = $1`,
      [outcomeId],
    );
    if (!isKnownTimeZone(o.timezone)) {
      const zone = JSON.stringify(o.timezone);
      throw new Error(`the tester's time zone ${zone} is not one both luxon and PostgreSQL know: no due time`);
    }
    const target = { organizationId: o.organization_id, targetId: outcomeId };
    const link = await this.links.issueOne(manager, 'followUp', target);
    await this.outbox.enqueue(
      manager,
      followUpMail({
        organizationId: o.organization_id,
        outcomeId,
        tester: { name: o.name, email: o.email, timezone: o.timezone },
        touchpointName: o.touchpoint,
        promisedBy: o.promised_by,
        attemptedAt: o.attempted_at,
        link: link.url,
      }),
    );
  }

  /** The outcome behind a follow-up link's secret, if the link still opens it. */
  async resolve(
    token: string,
  ): Promise<{ state: 'unknown' | 'expired' | 'revoked' } | { state: 'ok'; link: PromiseLink }> {
    const found = await this.links.resolve('followUp', token);
    if (found.state !== 'ok') return found;
    const link = await this.promiseLink(found.link.targetId);
    return link ? { state: 'ok', link } : { state: 'unknown' };
  }

  /** What the question's page shows of the outcome it asks about. */
  private async promiseLink(outcomeId: string): Promise<PromiseLink | null> {
    const rows: Array<Record<string, never>> = await this.dataSource.query(
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

  /** Records the answer on the outcome (and in its audit trail); answering again replaces it. */
  async answer(link: PromiseLink, answer: string): Promise<PromiseStatus> {
    if (!(PROMISE_STATUSES as readonly string[]).includes(answer)) throw new Error(`answer must be one of ${PROMISE_STATUSES.join(', ')}`);
    const status = answer as PromiseStatus;
    await this.dataSource.transaction(async (manager) => {
      const outcome = await manager.findOneOrFail(Outcome, { where: { id: link.outcomeId }, lock: { mode: 'pessimistic_write' } });
      const before = outcome.promiseStatus;
      if (before === status) return;
      const now = this.clock.now();
      await manager.update(Outcome, { id: outcome.id }, { promiseStatus: status, updatedAt: now });
      await manager.save(
        manager.create(OutcomeEdit, {
          organizationId: outcome.organizationId,
          outcomeId: outcome.id,
          editedBy: outcome.testerId,
          via: 'link',
          editedAt: now,
          before: { promiseStatus: before },
          after: { promiseStatus: status },
        }),
      );
    });
    return status;
  }
}
