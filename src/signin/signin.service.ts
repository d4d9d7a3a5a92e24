import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isEmail } from 'class-validator';
import { DataSource } from 'typeorm';

import { WindowCounter } from '../auth/guess-limit.js';
import { SessionOrigin, SessionsService } from '../auth/sessions/sessions.service.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { AppConfig } from '../config/app-config.js';
import { SIGNIN_LINK_MINUTES } from '../links/link-kinds.js';
import { SecretLinksRepository } from '../links/secret-links.repository.js';
import { SecretLinks } from '../links/secret-links.service.js';
import type { SingleUseResolution } from '../links/secret-links.service.js';
import { OutboxService } from '../mail/outbox.service.js';
import { PeopleRepository } from '../people/people.repository.js';

/** Sign-in links one address may be sent per link lifetime: enough for a lost mail, too few to flood a mailbox. */
export const LINKS_PER_ADDRESS = 5;

/** Where a console page may send a person after sign-in: a path of this site, never another origin. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\\]/.test(next) || next.length > 500) return '/';
  return next;
}

/** The mail with a person's sign-in link. */
export function signInMail(name: string, organizationName: string, url: string): { subject: string; text: string } {
  return {
    subject: `Sign in to Groundtruth (${organizationName})`,
    text: [
      `Hello ${name},`,
      '',
      `Open this link within ${SIGNIN_LINK_MINUTES} minutes to sign in to Groundtruth for ${organizationName}:`,
      '',
      url,
      '',
      'The link works once, and only after you press "Sign in" on the page it opens.',
      'If you did not ask to sign in, ignore this mail: nobody can sign in without the link.',
    ].join('\n'),
  };
}

export type SignInRequest = { state: 'accepted' } | { state: 'invalid' } | { state: 'refused'; retryAfter: number };

/**
 * Sign-in by email: a request answers the same whether or not the address is known (the links are issued
 * and mailed after the answer, so its timing says nothing either); each person with the address gets a
 * one-time link through the outbox. Confirming a link (a POST: mail scanners open links) starts a session.
 */
@Injectable()
export class SignInService {
  private readonly perClient: WindowCounter;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly people: PeopleRepository,
    private readonly links: SecretLinks,
    private readonly storedLinks: SecretLinksRepository,
    private readonly outbox: OutboxService,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.perClient = new WindowCounter(config.rateLimit.failures, config.rateLimit.windowSeconds * 1000, clock);
  }

  /** Asks for a link to `email` from `client` (its address); `next` is where the link leads after sign-in. */
  request(email: unknown, client: string, next: string): SignInRequest {
    const retryAfter = this.perClient.refusedFor(client);
    if (retryAfter > 0) return { state: 'refused', retryAfter };
    this.perClient.count(client);
    const address = typeof email === 'string' ? email.trim().toLowerCase() : '';
    if (!isEmail(address) || address.length > 320) return { state: 'invalid' };
    const work = this.sendLinks(address, safeNext(next)).catch((error: unknown) =>
      this.logger.error({ err: error }, 'sign-in links not sent'),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return { state: 'accepted' };
  }

  /** Resolves once every link asked for so far is written to the outbox (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async sendLinks(address: string, next: string): Promise<void> {
    const since = new Date(this.clock.now().getTime() - SIGNIN_LINK_MINUTES * 60_000);
    for (const person of await this.people.withEmailAnywhere(address)) {
      await this.dataSource.transaction(async (manager) => {
        // the person's row is the lock: requests for one address count and issue one at a time
        if (!(await this.people.lock(manager, person.organizationId, person.id))) return;
        if ((await this.storedLinks.countIssuedSince('signin', person.id, since, manager)) >= LINKS_PER_ADDRESS) {
          this.logger.warn({ personId: person.id }, 'sign-in link not sent: too many asked for this address');
          return;
        }
        const link = await this.links.issueOne(manager, 'signin', {
          organizationId: person.organizationId,
          targetId: person.id,
        });
        const url = next === '/' ? link.url : `${link.url}?next=${encodeURIComponent(next)}`;
        await this.outbox.enqueue(manager, {
          organizationId: person.organizationId,
          to: address,
          ...signInMail(person.name, person.organizationName, url),
        });
      });
    }
  }

  /**
   * Sign-in links for everyone with this address, issued now and answered rather than mailed: for an operator
   * at the command line (the demo, a first admin without mail yet). Each opens once, for 15 minutes.
   */
  async linksFor(
    email: string,
  ): Promise<Array<{ organizationId: string; organizationName: string; name: string; url: string }>> {
    const out: Array<{ organizationId: string; organizationName: string; name: string; url: string }> = [];
    for (const person of await this.people.withEmailAnywhere(email.trim().toLowerCase())) {
      const link = await this.dataSource.transaction((manager) =>
        this.links.issueOne(manager, 'signin', { organizationId: person.organizationId, targetId: person.id }),
      );
      out.push({
        organizationId: person.organizationId,
        organizationName: person.organizationName,
        name: person.name,
        url: link.url,
      });
    }
    return out;
  }

  /** Whether a link's secret would sign in now (the page before the button); changes nothing. */
  check(secret: string): Promise<SingleUseResolution> {
    return this.links.resolve('signin', secret);
  }

  /** Uses the link and starts a session in one transaction; answers the session's token, or why not. */
  async confirm(
    secret: string,
    origin: SessionOrigin,
  ): Promise<{ state: 'ok'; token: string } | Exclude<SingleUseResolution, { state: 'ok' }>> {
    return this.dataSource.transaction(async (manager) => {
      const used = await this.links.consume(manager, 'signin', secret);
      if (used.state !== 'ok') return used;
      const { organizationId, targetId: personId } = used.link;
      const { token } = await this.sessions.start(manager, { organizationId, personId }, origin);
      return { state: 'ok' as const, token };
    });
  }

  /** The cleanup job: forgets sign-in links past their expiry (used or not). */
  deleteExpired(): Promise<number> {
    return this.storedLinks.deleteExpired('signin', this.clock.now());
  }
}
