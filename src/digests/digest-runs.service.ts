import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronExpressionParser } from 'cron-parser';
import { DataSource } from 'typeorm';

import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import type { Page } from '../common/pagination.js';
import { newSecret } from '../common/secrets.js';
import { isLuxonZone } from '../common/validation/time-zones.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';
import { clearJobFailures, jobFailures, recordJobFailure } from '../database/job-failures.js';
import { OutboxService } from '../mail/outbox.service.js';
import type { DigestRow } from './digest-builder.service.js';
import { DigestLinksService } from './digest-links.service.js';
import { DigestPagesService } from './digest-pages.service.js';
import { periodEndingAt } from './digest-periods.js';
import { digestChartPng, MAIL_HTML_BUDGET, renderDigest } from './digest-render.js';
import type { DigestRunsQuery } from './digest-run.dto.js';
import { isCronExpression } from './digest-subscription.dto.js';
import type { DigestSubscription } from './digest-subscription.entity.js';
import { DigestsRepository } from './digests.repository.js';
import type { NamedRun, RunHeader, RunSummary } from './digests.repository.js';
import { OWNER_DIGEST_DELAY_MS } from './owner-readers.js';
import { RecipientDigests } from './recipient-digest.service.js';

/** After a long outage, at most this many missed periods per subscription are sent on catch-up. */
const MAX_CATCH_UP = 12;

/**
 * Sends each subscription's digest once per period that came due since its last one. A period is
 * the `periodDays` before each cron fire time (in the subscription's zone). The unique key
 * (subscription, period start) makes a retry or a second instance a no-op.
 */
@Injectable()
export class DigestRunsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly digests: DigestsRepository,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly links: DigestLinksService,
    private readonly pages: DigestPagesService,
    private readonly recipientDigests: RecipientDigests,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** Fire times in (since, now], oldest first. */
  dueFires(sub: DigestSubscription, since: Date, now: Date): Date[] {
    const fires: Date[] = [];
    const it = CronExpressionParser.parse(sub.cron, { currentDate: since, tz: sub.timezone });
    while (fires.length < MAX_CATCH_UP * 4) {
      const next = it.next().toDate();
      if (next > now) break;
      fires.push(next);
    }
    return fires.slice(-MAX_CATCH_UP);
  }

  /**
   * Every subscription on its own: one that fails (a broken cron string or zone written behind the
   * API, a bad row in its data) is logged with its id and skipped, backing off, while the rest go out.
   */
  async sendDue(): Promise<number> {
    const now = this.clock.now();
    const subs = await this.digests.allSubscriptions();
    const failed = await jobFailures(this.dataSource.manager, 'digest');
    let sent = 0;
    for (const sub of subs) {
      if (failed.has(sub.id) && failed.get(sub.id)! > now) continue;
      try {
        if (!isLuxonZone(sub.timezone)) {
          throw new Error(`time zone ${JSON.stringify(sub.timezone)} is not one the service can compute with`);
        }
        // one the API would refuse (a six-field one fires every second: a digest a second, twelve a tick)
        if (!isCronExpression(sub.cron)) throw new Error(`cron ${JSON.stringify(sub.cron)} is not of 5 fields`);
        const last = await this.digests.lastPeriodEnd(sub.id);
        for (const fire of this.dueFires(sub, last ?? sub.createdAt, now)) {
          if (await this.sendOne(sub, fire)) sent++;
        }
        if (failed.has(sub.id)) await clearJobFailures(this.dataSource.manager, 'digest', [sub.id]);
      } catch (error) {
        if (isDatabaseUnavailable(error)) throw error;
        const { failures, retryAt } = await recordJobFailure(this.dataSource.manager, 'digest', sub.id, error, now);
        const failed = { job: 'digest', subscriptionId: sub.id, failures, retryAt, err: error };
        this.logger.error(failed, 'digest failed; the subscription is skipped until retryAt');
      }
    }
    return sent;
  }

  /**
   * Builds, stores and mails the digest for the period ending at `fire`; false if it exists already. A digest
   * one of whose recipients owns a touchpoint reports that period a week earlier (owner-readers.ts).
   */
  async sendOne(sub: DigestSubscription, fire: Date): Promise<boolean> {
    const { start: periodStart, end: periodEnd } = periodEndingAt(sub, fire);
    return this.dataSource.transaction(async (manager) => {
      // A second instance waits here, then finds the run and does nothing.
      await this.digests.lockSubscription(manager, sub.id);
      if (await this.digests.runExists(manager, sub.id, periodStart)) return false;
      const readers = await this.recipientDigests.readers(sub, manager);
      const { recipients } = readers;
      // each claim once per subscription, whatever periodDays, the schedule and the delay: judged here are the
      // claims whose moment came after the previous run's evidence ended (periods may overlap or leave gaps)
      const previous = await this.digests.previousEvidenceEnd(manager, sub.id, periodEnd);
      const payload = await this.recipientDigests.build(sub, { start: periodStart, end: periodEnd }, readers, previous);
      const id = await this.digests.insertRun(manager, {
        organizationId: sub.organizationId,
        subscriptionId: sub.id,
        periodStart,
        periodEnd,
        payload,
        createdAt: this.clock.now(),
      });
      const run = { id, organizationId: sub.organizationId };
      const secrets = await this.links.issue(manager, run, recipients);
      // Rendered once for every recipient: each mail gets its own link in place of the marker.
      const marker = newSecret();
      const link = this.links.url(marker);
      // a digest too long for a mail keeps what must be read (the marker is as long as the secret it stands for)
      const ctx = { name: sub.name, zone: sub.timezone, link, chartSrc: 'cid:digest-chart' };
      const rendered = renderDigest(payload, ctx, { maxHtmlBytes: MAIL_HTML_BUDGET });
      // The web page (and the chart the mail shows too) now, in a worker, rather than for its first reader.
      const page = await this.pages.render(payload, sub.name, sub.timezone);
      await this.pages.store(manager, run, page);
      const chart = rendered.cut ? digestChartPng(payload, sub.name, sub.timezone, rendered.rows) : page.chart;
      for (const to of recipients) {
        const secret = secrets.get(to)!;
        await this.outbox.enqueue(manager, {
          organizationId: sub.organizationId,
          to,
          subject: rendered.subject,
          text: rendered.text.replaceAll(marker, secret),
          html: rendered.html.replaceAll(marker, secret),
          attachments: [
            { filename: 'digest-chart.png', contentType: 'image/png', content: chart, cid: 'digest-chart' },
          ],
          dedupeKey: `digest:${sub.id}:${periodStart.toISOString()}:${to}`,
        });
      }
      return true;
    });
  }

  /**
   * A stored run: for admin and quality, and for people it was sent to; for a touchpoint's owner only once its
   * period is a week past (a run made for staff alone counts fresh tests). To anyone else it does not exist (404,
   * as for a missing id), decided in the one query so both answers take the same path.
   */
  /** The runs sent to `me`, newest first, each as `get` would let them read it. */
  sentToMe(me: Actor, paging: { limit: number; offset: number }): Promise<Page<NamedRun>> {
    const seenUpTo = hasRole(me, 'admin', 'quality')
      ? null
      : new Date(this.clock.now().getTime() - OWNER_DIGEST_DELAY_MS);
    return this.digests.runsSentTo(me.organizationId, { personId: me.personId, ownerSeesUpTo: seenUpTo }, paging);
  }

  async get(me: Actor, id: string): Promise<NamedRun> {
    const run = await this.digests.run(me.organizationId, id, this.readerOf(me));
    if (!run) throw new NotFoundException(`Digest ${id} not found`);
    return run;
  }

  /** One row of a stored run (counted from 0), as `get` lets `me` read the run: 404 for the run, or for the row. */
  async getRow(me: Actor, id: string, index: number | null): Promise<{ run: RunHeader; row: DigestRow }> {
    const found = await this.digests.runRow(me.organizationId, id, index, this.readerOf(me));
    if (!found) throw new NotFoundException(`Digest ${id} not found`);
    if (!found.row) throw new NotFoundException('This digest has no such row');
    return { run: found.run, row: found.row };
  }

  /** Admin and quality read every run; anyone else the runs sent to them, an owner a week late. */
  private readerOf(me: Actor): { personId: string; ownerSeesUpTo: Date } | null {
    if (hasRole(me, 'admin', 'quality')) return null;
    return { personId: me.personId, ownerSeesUpTo: new Date(this.clock.now().getTime() - OWNER_DIGEST_DELAY_MS) };
  }

  /** The digest archive: every run of the organization, newest first. Admin and quality only (as the route). */
  list(me: Actor, query: DigestRunsQuery): Promise<Page<RunSummary>> {
    if (!hasRole(me, 'admin', 'quality')) return Promise.resolve({ items: [], total: 0 });
    return this.digests.runs(me.organizationId, query);
  }
}
