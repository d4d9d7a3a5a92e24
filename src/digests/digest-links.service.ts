import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';

import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import type { Page } from '../common/pagination.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { markIdempotencyKeyUsed } from '../idempotency/idempotency-context.js';
import { SecretLinksRepository } from '../links/secret-links.repository.js';
import { IssuedLink, SecretLinks } from '../links/secret-links.service.js';
import { OutboxService } from '../mail/outbox.service.js';
import { PeopleRepository } from '../people/people.repository.js';
import { digestLinkMailHtml } from './digest-link-mail.js';
import { DigestLinkView, DigestLinksQuery, IssueDigestLinksDto, RevokeDigestLinksDto } from './digest-link.dto.js';
import { DIGEST_PAGE_VERSION } from './digest-page.js';
import { DigestsRepository } from './digests.repository.js';
import type { RunOfLinks } from './digests.repository.js';
import { ownerMayReadFrom } from './owner-readers.js';

/** What a link's secret opens: nothing, nothing any more, or one run's page (with its stored validators, if any). */
export type ResolvedDigestLink =
  | { state: 'unknown' | 'expired' | 'revoked' }
  | { state: 'ok'; runId: string; etag: string | null; chartEtag: string | null };

/**
 * The digest's web links: one per recipient and run, issued with the mail, open for
 * DIGEST_LINK_DAYS, revocable by quality and admins (who, when and why are kept), re-issued by mail.
 */
@Injectable()
export class DigestLinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly secretLinks: SecretLinks,
    private readonly stored: SecretLinksRepository,
    private readonly digests: DigestsRepository,
    private readonly people: PeopleRepository,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** A subscription's recipients now: its addresses and its people's, lower case, each once. */
  async recipients(
    manager: EntityManager,
    sub: { organizationId: string; recipientEmails: string[]; recipientPersonIds: string[] },
  ): Promise<string[]> {
    const people = await this.people.emails(manager, sub.organizationId, sub.recipientPersonIds);
    return [...new Set([...sub.recipientEmails, ...people].map((e) => e.toLowerCase()))];
  }

  /** New links to a run, one per recipient, in the caller's transaction; returns each recipient's secret. */
  async issue(
    manager: EntityManager,
    run: { id: string; organizationId: string },
    recipients: string[],
    issuedBy: string | null = null,
  ): Promise<Map<string, string>> {
    const issued = await this.linksTo(manager, run, recipients, issuedBy);
    return new Map(recipients.map((recipient, i) => [recipient, issued[i].secret]));
  }

  /** One new link per recipient, in their order. */
  private linksTo(
    manager: EntityManager,
    run: { id: string; organizationId: string },
    recipients: string[],
    issuedBy: string | null,
  ): Promise<IssuedLink[]> {
    const target = { organizationId: run.organizationId, targetId: run.id, issuedBy };
    return this.secretLinks.issue(
      manager,
      'digest',
      recipients.map((recipient) => ({ ...target, recipient })),
    );
  }

  expiry(from: Date): Date {
    return this.secretLinks.expiry('digest', from);
  }

  /** The link that carries a digest link's secret (or a marker that stands for it). */
  url(secret: string): string {
    return this.secretLinks.url('digest', secret);
  }

  /** The run behind a link's secret, if the link still opens it, with its stored page's validators. */
  async resolve(token: string): Promise<ResolvedDigestLink> {
    const found = await this.secretLinks.resolve('digest', token);
    if (found.state !== 'ok') return found;
    const runId = found.link.targetId;
    const rendering = await this.digests.renderingEtags(runId, DIGEST_PAGE_VERSION);
    return { state: 'ok', runId, etag: rendering?.etag ?? null, chartEtag: rendering?.chartEtag ?? null };
  }

  async list(me: Actor, runId: string, query: DigestLinksQuery): Promise<Page<DigestLinkView>> {
    await this.run(this.dataSource.manager, me, runId);
    const [links, total] = await this.stored.digestLinksOfRun(runId, query);
    const now = this.clock.now();
    return { items: links.map((l) => DigestLinkView.of(l, now)), total };
  }

  /** Revokes the run's links (or one recipient's): the pages answer 410 from the next request, on every instance. */
  async revoke(
    me: Actor,
    runId: string,
    dto: RevokeDigestLinksDto,
  ): Promise<{ revoked: number; items: DigestLinkView[]; total: number }> {
    const revoked = await this.dataSource.transaction(async (manager) => {
      await this.run(manager, me, runId);
      if (dto.recipient && !(await this.stored.digestLinkSentTo(manager, runId, dto.recipient))) {
        throw new FieldValidationException([
          { field: 'recipient', rule: 'hasLink', message: 'recipient must be an address this digest was sent to' },
        ]);
      }
      const scope = { targetId: runId, recipient: dto.recipient ?? null };
      return this.secretLinks.revoke(manager, 'digest', scope, { by: me.personId, reason: dto.reason ?? null });
    });
    this.logger.info({ runId, revoked, by: me.personId, oneRecipient: Boolean(dto.recipient) }, 'digest links revoked');
    const [links] = await this.stored.digestLinksOfRun(runId);
    const now = this.clock.now();
    return { revoked, items: links.map((l) => DigestLinkView.of(l, now)), total: links.length };
  }

  /**
   * Mails a new link to the subscription's current recipients (or one of them): a short mail with the
   * link, not the digest again. Earlier links are left as they are (revoke them apart).
   */
  async reissue(
    me: Actor,
    runId: string,
    dto: IssueDigestLinksDto,
  ): Promise<{ items: DigestLinkView[]; total: number }> {
    const ids = await this.dataSource.transaction(async (manager) => {
      const run = await this.run(manager, me, runId);
      const current = await this.recipients(manager, { ...run });
      if (dto.recipient && !current.includes(dto.recipient)) {
        throw new FieldValidationException([
          {
            field: 'recipient',
            rule: 'isRecipient',
            message: "recipient must be a current recipient of this digest's subscription",
          },
        ]);
      }
      const to = dto.recipient ? [dto.recipient] : current;
      const openFrom = ownerMayReadFrom(run.periodEnd);
      const owners =
        openFrom > this.clock.now() ? await this.digests.ownerReaders(manager, run.organizationId, to) : [];
      if (owners.length) {
        throw new ConflictException(
          `Not to ${owners.join(', ')}: a touchpoint's owner sees a test a week after it happens, and this digest ` +
            `counts tests of the week before it was sent. A link can go to them from ${openFrom.toISOString()}.`,
        );
      }
      await markIdempotencyKeyUsed(manager);
      const issued = await this.linksTo(manager, run, to, me.personId);
      for (const [i, recipient] of to.entries())
        await this.outbox.enqueue(manager, {
          organizationId: run.organizationId,
          to: recipient,
          ...this.linkMail(run, issued[i].secret),
        });
      return issued.map((l) => l.id);
    });
    this.logger.info({ runId, issued: ids.length, by: me.personId }, 'digest links re-issued');
    const links = await this.stored.digestLinksByIds(ids);
    const now = this.clock.now();
    return { items: links.map((l) => DigestLinkView.of(l, now)), total: links.length };
  }

  private linkMail(run: RunOfLinks, secret: string): { subject: string; text: string; html: string } {
    const zone = run.timezone;
    const day = (d: Date) => DateTime.fromJSDate(d, { zone }).setLocale('en-GB').toFormat('d LLL yyyy');
    const period = `${day(run.periodStart)} – ${day(new Date(run.periodEnd.getTime() - 1))}`;
    const link = this.url(secret);
    const until = day(this.expiry(this.clock.now()));
    const name = run.name.replace(/\s+/g, ' ').trim();
    const text = `A new link to the digest "${name}" for ${period}:\n\n${link}\n\nIt opens the digest until ${until}.`;
    const html = digestLinkMailHtml({ name, period, link, until });
    return { subject: `New link: ${name} (${period})`, text, html };
  }

  /**
   * The run, for admin and quality of its organization; to anyone else it does not exist (the 404 of a missing id).
   * Its period is the one its digest reports (a week earlier than its schedule's when an owner received it).
   */
  private async run(manager: EntityManager, me: Actor, runId: string): Promise<RunOfLinks> {
    const run = await this.digests.runOfLinks(manager, me.organizationId, runId);
    if (!run) throw new NotFoundException(`Digest ${runId} not found`);
    return run;
  }
}
