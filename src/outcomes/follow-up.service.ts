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
import { PROMISE_STATUSES } from './outcome.entity.js';
import type { PromiseStatus } from './outcome.entity.js';
import { OutcomesRepository, promiseQuestionsDue } from './outcomes.repository.js';
import type { PromiseLink } from './outcomes.repository.js';

export type { PromiseLink };

/**
 * Promised a callback or an email by a date? The morning after that date (09:00 in the tester's
 * zone) the tester is asked whether it came: kept, late or broken. The answer joins the outcome.
 */
@Injectable()
export class FollowUpService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outcomes: OutcomesRepository,
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
        ...promiseQuestionsDue(notBackedOff('followUp', 'o.id', '$1')),
        // no promise dated after today (UTC) can be due yet in any zone
        params: (now) => [now, this.zones.bothKnow(), DateTime.fromJSDate(now, { zone: 'utc' }).toISODate()],
        each: (manager, id) => this.ask(manager, id),
      },
    );
  }

  private async ask(manager: EntityManager, outcomeId: string): Promise<void> {
    const o = await this.outcomes.promiseQuestion(manager, outcomeId);
    if (!isKnownTimeZone(o.tester.timezone)) {
      const zone = JSON.stringify(o.tester.timezone);
      throw new Error(`the tester's time zone ${zone} is not one both luxon and PostgreSQL know: no due time`);
    }
    const target = { organizationId: o.organizationId, targetId: outcomeId };
    const link = await this.links.issueOne(manager, 'followUp', target);
    await this.outbox.enqueue(manager, followUpMail({ ...o, outcomeId, link: link.url }));
  }

  /** The outcome behind a follow-up link's secret, if the link still opens it. */
  async resolve(
    token: string,
  ): Promise<{ state: 'unknown' | 'expired' | 'revoked' } | { state: 'ok'; link: PromiseLink }> {
    const found = await this.links.resolve('followUp', token);
    if (found.state !== 'ok') return found;
    const link = await this.outcomes.promiseLink(found.link.targetId);
    return link ? { state: 'ok', link } : { state: 'unknown' };
  }

  /** Records the answer on the outcome (and in its audit trail); answering again replaces it. */
  async answer(link: PromiseLink, answer: string): Promise<PromiseStatus> {
    if (!(PROMISE_STATUSES as readonly string[]).includes(answer))
      throw new Error(`answer must be one of ${PROMISE_STATUSES.join(', ')}`);
    const status = answer as PromiseStatus;
    await this.dataSource.transaction(async (manager) => {
      const outcome = await this.outcomes.lockById(manager, link.outcomeId);
      if (!outcome) throw new Error(`outcome ${link.outcomeId} is gone`);
      const before = outcome.promiseStatus;
      if (before === status) return;
      const now = this.clock.now();
      const save = {
        editedBy: outcome.testerId,
        via: 'link' as const,
        editedAt: now,
        before: { promiseStatus: before },
        after: { promiseStatus: status },
      };
      await this.outcomes.write(manager, Object.assign(outcome, { promiseStatus: status, updatedAt: now }), save);
    });
    return status;
  }
}
