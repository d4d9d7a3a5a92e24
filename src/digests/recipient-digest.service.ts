import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

import { OWNER_VIEW_DELAY_DAYS } from '../common/owner-view.js';
import { DigestBuilder, type DigestPayload } from './digest-builder.service.js';
import { DigestLinksService } from './digest-links.service.js';
import type { DigestSubscription } from './digest-subscription.entity.js';
import { DigestsRepository } from './digests.repository.js';
import { OWNER_DIGEST_DELAY_MS } from './owner-readers.js';

/** A subscription's recipients now, and whether a touchpoint's owner reads among them (owner-readers.ts). */
export interface Readers {
  recipients: string[];
  ownerReads: boolean;
}

/**
 * The digest for these readers, built for the period [start, end): with an owner among them it reports the period
 * a week earlier, counts only tests whose window had begun by then, and gives totals only (per-touchpoint counts
 * would show how tests are spread, issue 16's allocation by need among them; the owner pages show none either).
 */
export function digestRequest(
  sub: Pick<DigestSubscription, 'organizationId' | 'touchpointIds' | 'team' | 'minContacts'>,
  period: { start: Date; end: Date },
  ownerReads: boolean,
) {
  const delay = ownerReads ? OWNER_DIGEST_DELAY_MS : 0;
  const evidenceEnd = new Date(period.end.getTime() - delay);
  return {
    organizationId: sub.organizationId,
    touchpointIds: sub.touchpointIds,
    team: sub.team,
    periodStart: new Date(period.start.getTime() - delay),
    periodEnd: evidenceEnd,
    minContacts: sub.minContacts,
    windowsStartedBefore: ownerReads ? evidenceEnd : null,
  };
}

/** The built digest as these readers get it: an owner's totals only, and the delay it reports. */
export function forReaders(built: DigestPayload, ownerReads: boolean): DigestPayload {
  const { coverageByTouchpoint, ...shared } = built;
  return ownerReads
    ? { ...shared, delayDays: OWNER_VIEW_DELAY_DAYS }
    : { ...shared, coverageByTouchpoint, delayDays: 0 };
}

/** The one step from a subscription and its readers to the digest they get: the job's and the preview's. */
@Injectable()
export class RecipientDigests {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly builder: DigestBuilder,
    private readonly digests: DigestsRepository,
    private readonly links: DigestLinksService,
  ) {}

  /** The subscription's recipients now, read in the caller's transaction when given. */
  async readers(sub: DigestSubscription, manager: EntityManager = this.dataSource.manager): Promise<Readers> {
    const recipients = await this.links.recipients(manager, sub);
    const ownerReads = (await this.digests.ownerReaders(manager, sub.organizationId, recipients)).length > 0;
    return { recipients, ownerReads };
  }

  /**
   * The digest `readers` get for the period; claims judged after `judgedAfter` (the job passes where its previous
   * run's evidence ended; by default the start of the evidence's period).
   */
  async build(
    sub: DigestSubscription,
    period: { start: Date; end: Date },
    readers: Pick<Readers, 'ownerReads'>,
    judgedAfter?: Date | null,
  ): Promise<DigestPayload> {
    const req = digestRequest(sub, period, readers.ownerReads);
    const built = await this.builder.build({ ...req, judgedAfter: judgedAfter ?? req.periodStart });
    return forReaders(built, readers.ownerReads);
  }
}
