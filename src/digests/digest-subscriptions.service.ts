import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { DateTime } from 'luxon';

import { Clock } from '../common/clock.js';
import { Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { PeopleRepository } from '../people/people.repository.js';
import { TouchpointsRepository } from '../touchpoints/touchpoints.repository.js';
import type { DigestPayload } from './digest-builder.service.js';
import { nextPeriod } from './digest-periods.js';
import {
  CreateDigestSubscriptionDto,
  SubscriptionsQuery,
  UpdateDigestSubscriptionDto,
} from './digest-subscription.dto.js';
import { DigestSubscription } from './digest-subscription.entity.js';
import { DigestsRepository } from './digests.repository.js';
import type { SubscriptionColumns } from './digests.repository.js';
import { RecipientDigests } from './recipient-digest.service.js';

@Injectable()
export class DigestSubscriptionsService {
  constructor(
    private readonly digests: DigestsRepository,
    private readonly people: PeopleRepository,
    private readonly touchpoints: TouchpointsRepository,
    private readonly clock: Clock,
    private readonly recipientDigests: RecipientDigests,
  ) {}

  private async columns(organizationId: string, dto: CreateDigestSubscriptionDto): Promise<SubscriptionColumns> {
    const emails = dto.recipients.filter((r) => isEmail(r)).map((r) => r.toLowerCase());
    const personIds = dto.recipients.filter((r) => !isEmail(r));
    if (personIds.length) {
      const found = await this.people.known(organizationId, personIds);
      if (found.length !== personIds.length) {
        throw new FieldValidationException([
          {
            field: 'recipients',
            rule: 'exists',
            message: 'recipients must be email addresses or people of your organization',
          },
        ]);
      }
    }
    if (dto.touchpointIds?.length) {
      const found = await this.touchpoints.known(organizationId, dto.touchpointIds);
      if (found.length !== dto.touchpointIds.length) {
        throw new FieldValidationException([
          { field: 'touchpointIds', rule: 'exists', message: 'touchpointIds must be touchpoints of your organization' },
        ]);
      }
    }
    return {
      name: dto.name,
      recipientEmails: emails,
      recipientPersonIds: personIds,
      touchpointIds: dto.touchpointIds ?? [],
      team: dto.touchpointIds?.length ? null : (dto.team ?? null),
      cron: dto.cron.trim(),
      timezone: dto.timezone,
      periodDays: dto.periodDays ?? 7,
      minContacts: dto.minContacts ?? 5,
    };
  }

  async create(organizationId: string, dto: CreateDigestSubscriptionDto): Promise<DigestSubscription> {
    const columns = await this.columns(organizationId, dto);
    return this.digests.createSubscription(organizationId, columns, this.clock.now());
  }

  list(organizationId: string, query: SubscriptionsQuery): Promise<Page<DigestSubscription>> {
    return this.digests.subscriptions(organizationId, query);
  }

  async get(organizationId: string, id: string): Promise<DigestSubscription> {
    const found = await this.digests.subscription(organizationId, id);
    if (!found) throw new NotFoundException(`Digest subscription ${id} not found`);
    return found;
  }

  async update(organizationId: string, id: string, dto: UpdateDigestSubscriptionDto): Promise<DigestSubscription> {
    const current = await this.get(organizationId, id);
    const merged = await assertValidMerged(CreateDigestSubscriptionDto, {
      name: current.name,
      recipients: [...current.recipientEmails, ...current.recipientPersonIds],
      touchpointIds: current.touchpointIds,
      team: current.team,
      cron: current.cron,
      timezone: current.timezone,
      periodDays: current.periodDays,
      minContacts: current.minContacts,
      ...dto,
    });
    const columns = await this.columns(organizationId, merged);
    return this.digests.updateSubscription(current, columns, this.clock.now());
  }

  async remove(organizationId: string, id: string): Promise<void> {
    const found = await this.get(organizationId, id);
    await this.digests.deleteSubscription(found.id);
  }

  /** The digest for a period, computed now; nothing is stored or sent. */
  /** The period of the subscription's next digest, as its schedule sends it after now. */
  async nextPeriod(organizationId: string, id: string): Promise<{ start: Date; end: Date }> {
    return nextPeriod(await this.get(organizationId, id), this.clock.now());
  }

  async preview(organizationId: string, id: string, periodStart: string, periodEnd?: string): Promise<DigestPayload> {
    const sub = await this.get(organizationId, id);
    const parse = (v: string) =>
      /^\d{4}-\d{2}-\d{2}$/.test(v)
        ? DateTime.fromISO(v, { zone: sub.timezone })
        : DateTime.fromISO(v, { setZone: true });
    const start = parse(periodStart);
    const end = periodEnd ? parse(periodEnd) : start.plus({ days: sub.periodDays });
    if (end <= start) {
      throw new BadRequestException({
        statusCode: 400,
        message: 'periodEnd must be after periodStart',
        errors: [{ field: 'periodEnd', rule: 'afterStart', message: 'periodEnd must be after periodStart' }],
      });
    }
    if (end.diff(start, 'days').days > 366) {
      throw new BadRequestException({
        statusCode: 400,
        message: 'A digest covers at most a year',
        errors: [{ field: 'periodEnd', rule: 'maxYear', message: 'a digest covers at most 366 days' }],
      });
    }
    // as the job builds it for the subscription's readers now (an owner among them: a week back, totals only)
    const readers = await this.recipientDigests.readers(sub);
    return this.recipientDigests.build(sub, { start: start.toJSDate(), end: end.toJSDate() }, readers);
  }
}
