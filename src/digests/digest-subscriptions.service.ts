import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isEmail } from 'class-validator';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { DigestBuilder, DigestPayload } from './digest-builder.service.js';
import { CreateDigestSubscriptionDto, SubscriptionsQuery, UpdateDigestSubscriptionDto } from './digest-subscription.dto.js';
import { DigestSubscription } from './digest-subscription.entity.js';

@Injectable()
export class DigestSubscriptionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly builder: DigestBuilder,
  ) {}

  private async columns(organizationId: string, dto: CreateDigestSubscriptionDto) {
    const emails = dto.recipients.filter((r) => isEmail(r)).map((r) => r.toLowerCase());
    const personIds = dto.recipients.filter((r) => !isEmail(r));
    if (personIds.length) {
      const found = await this.dataSource.query('SELECT id FROM person WHERE organization_id = $1 AND id = ANY($2::uuid[])', [organizationId, personIds]);
      if (found.length !== personIds.length) {
        throw new FieldValidationException([{ field: 'recipients', rule: 'exists', message: 'recipients must be email addresses or people of your organization' }]);
      }
    }
    if (dto.touchpointIds?.length) {
      const found = await this.dataSource.query('SELECT id FROM touchpoint WHERE organization_id = $1 AND id = ANY($2::uuid[])', [organizationId, dto.touchpointIds]);
      if (found.length !== dto.touchpointIds.length) {
        throw new FieldValidationException([{ field: 'touchpointIds', rule: 'exists', message: 'touchpointIds must be touchpoints of your organization' }]);
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
    const now = this.clock.now();
    const repo = this.dataSource.getRepository(DigestSubscription);
    return repo.save(repo.create({ organizationId, ...(await this.columns(organizationId, dto)), createdAt: now, updatedAt: now }));
  }

  async list(organizationId: string, query: SubscriptionsQuery): Promise<Page<DigestSubscription>> {
    const [items, total] = await this.dataSource.getRepository(DigestSubscription).findAndCount({
      where: { organizationId },
      order: { name: 'ASC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  async get(organizationId: string, id: string): Promise<DigestSubscription> {
    const found = await this.dataSource.getRepository(DigestSubscription).findOne({ where: { id, organizationId } });
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
    Object.assign(current, await this.columns(organizationId, merged), { updatedAt: this.clock.now() });
    return this.dataSource.getRepository(DigestSubscription).save(current);
  }

  async remove(organizationId: string, id: string): Promise<void> {
    const found = await this.get(organizationId, id);
    await this.dataSource.getRepository(DigestSubscription).delete({ id: found.id });
  }

  /** The digest for a period, computed now; nothing is stored or sent. */
  async preview(organizationId: string, id: string, periodStart: string, periodEnd?: string): Promise<DigestPayload> {
    const sub = await this.get(organizationId, id);
    const parse = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? DateTime.fromISO(v, { zone: sub.timezone }) : DateTime.fromISO(v, { setZone: true }));
    const start = parse(periodStart);
    const end = periodEnd ? parse(periodEnd) : start.plus({ days: sub.periodDays });
    if (end <= start) {
      throw new BadRequestException({ statusCode: 400, message: 'periodEnd must be after periodStart', errors: [{ field: 'periodEnd', rule: 'afterStart', message: 'periodEnd must be after periodStart' }] });
    }
    if (end.diff(start, 'days').days > 366) {
      throw new BadRequestException({ statusCode: 400, message: 'A digest covers at most a year', errors: [{ field: 'periodEnd', rule: 'maxYear', message: 'a digest covers at most 366 days' }] });
    }
    return this.builder.build({
      organizationId,
      touchpointIds: sub.touchpointIds,
      team: sub.team,
      periodStart: start.toJSDate(),
      periodEnd: end.toJSDate(),
      minContacts: sub.minContacts,
    });
  }
}
