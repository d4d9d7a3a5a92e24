import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Clock } from '../common/clock.js';
import { dateRangesCell, optionalCell, weeklyHoursCell } from '../common/csv/cell-formats.js';
import { CsvImportRejected, CsvRowError, parseCsv } from '../common/csv/csv-import.js';
import { likePattern, Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { WithdrawalsService } from '../campaigns/withdrawals.service.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { Person } from '../people/person.entity.js';
import { CreateTouchpointDto, TouchpointsQuery, UpdateTouchpointDto } from './touchpoint.dto.js';
import { Touchpoint, TouchpointOwnership } from './touchpoint.entity.js';
import { markIdempotencyKeyUsed } from '../common/idempotency/idempotency-context.js';

export const TOUCHPOINTS_CSV_COLUMNS = {
  required: ['name', 'channel', 'contact', 'timezone', 'openingHours'],
  optional: ['closures', 'owner', 'team'],
};

@Injectable()
export class TouchpointsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly withdrawals: WithdrawalsService,
  ) {}

  async list(organizationId: string, query: TouchpointsQuery): Promise<Page<Touchpoint>> {
    const qb = this.dataSource.getRepository(Touchpoint).createQueryBuilder('t').where('t.organization_id = :organizationId', { organizationId });
    if (query.channel) qb.andWhere('t.channel = :channel', { channel: query.channel });
    if (query.team) qb.andWhere('t.team = :team', { team: query.team });
    if (query.ownerId) qb.andWhere('t.owner_id = :ownerId', { ownerId: query.ownerId });
    if (query.q) qb.andWhere("(t.name ILIKE :q ESCAPE '\\' OR t.contact ILIKE :q ESCAPE '\\')", { q: likePattern(query.q) });
    const [items, total] = await qb.orderBy('t.name', 'ASC').addOrderBy('t.id', 'ASC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items, total };
  }

  async get(organizationId: string, id: string): Promise<Touchpoint> {
    const touchpoint = await this.dataSource.getRepository(Touchpoint).findOne({ where: { id, organizationId } });
    if (!touchpoint) throw new NotFoundException(`Touchpoint ${id} not found`);
    return touchpoint;
  }

  /** In the caller's transaction, or one of its own (which also holds the request's Idempotency-Key). */
  async create(organizationId: string, dto: CreateTouchpointDto, manager?: EntityManager): Promise<Touchpoint> {
    if (!manager) return this.dataSource.transaction((m) => this.create(organizationId, dto, m));
    if (dto.ownerId) await this.assertOwner(manager, organizationId, dto.ownerId);
    await markIdempotencyKeyUsed(manager);
    const created = await manager.save(manager.create(Touchpoint, this.columns(organizationId, dto)));
    await this.recordOwner(manager, created, null);
    return created;
  }

  /**
   * A new owner who tests it, or a team or channel that takes it out of a campaign, withdraws the
   * affected tests at once (slots re-planned where they still belong to the campaign).
   */
  async update(
    organizationId: string,
    id: string,
    dto: UpdateTouchpointDto,
    by: string | null = null,
  ): Promise<Touchpoint> {
    return this.dataSource.transaction(async (manager) => {
      await lockOrganizationPlanning(manager, organizationId);
      const current = await manager.findOne(Touchpoint, { where: { id, organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw new NotFoundException(`Touchpoint ${id} not found`);
      const { name, channel, contact, timezone, openingHours, closures, ownerId, team } = current;
      const merged = await assertValidMerged(CreateTouchpointDto, { name, channel, contact, timezone, openingHours, closures, ownerId, team, ...dto });
      if (merged.ownerId && merged.ownerId !== current.ownerId) await this.assertOwner(manager, organizationId, merged.ownerId);
      const previousOwner = current.ownerId;
      Object.assign(current, this.columns(organizationId, merged));
      const saved = await manager.save(current);
      await this.recordOwner(manager, saved, previousOwner);
      const scope = { organizationId, touchpointId: id };
      await this.withdrawals.withdrawIneligible(manager, scope, { personId: by, cause: 'touchpoint_edit' });
      return saved;
    });
  }

  async remove(organizationId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // After any plan in progress, which may be booking tests of it.
      await lockOrganizationPlanning(manager, organizationId);
      const touchpoint = await manager.findOne(Touchpoint, { where: { id, organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!touchpoint) throw new NotFoundException(`Touchpoint ${id} not found`);
      const [{ tests }] = await manager.query('SELECT count(*)::int AS tests FROM assignment WHERE touchpoint_id = $1', [id]);
      if (tests > 0) throw new ConflictException(`Touchpoint ${id} has ${tests} test assignment(s) on record; it is kept for the history`);
      await manager.delete(Touchpoint, { id });
    });
  }

  /** All rows or none. The `owner` column takes the owner's email (or id). */
  async importCsv(organizationId: string, text: string): Promise<Touchpoint[]> {
    const owners = new Map<string, string>();
    for (const p of await this.dataSource.getRepository(Person).find({ where: { organizationId }, select: { id: true, email: true } })) {
      owners.set(p.email, p.id);
      owners.set(p.id, p.id);
    }
    const ownerErrors: CsvRowError[] = [];
    let row = 0;
    const { rows, errors } = await parseCsv(text, {
      ...TOUCHPOINTS_CSV_COLUMNS,
      dto: CreateTouchpointDto,
      toPlain: (r, cell) => {
        row++;
        const owner = optionalCell(r.owner)?.toLowerCase();
        const ownerId = owner ? owners.get(owner) : undefined;
        if (owner && !ownerId) {
          ownerErrors.push({ row, line: 0, field: 'owner', rule: 'exists', message: `owner ${r.owner} is not a person of this organization` });
        }
        return {
          name: r.name,
          channel: r.channel,
          contact: r.contact,
          timezone: r.timezone,
          openingHours: cell(() => weeklyHoursCell('openingHours', r.openingHours, 'open', 'close') ?? []),
          ...(optionalCell(r.closures) ? { closures: cell(() => dateRangesCell('closures', r.closures)) } : {}),
          ...(ownerId ? { ownerId } : {}),
          ...(optionalCell(r.team) ? { team: r.team } : {}),
        };
      },
    });
    const lineOf = new Map([...rows.map((r) => [r.row, r.line] as const), ...errors.map((e) => [e.row, e.line] as const)]);
    const all = [...errors, ...ownerErrors.map((e) => ({ ...e, line: lineOf.get(e.row) ?? e.row + 1 }))];
    if (all.length) throw new CsvImportRejected(all);
    return this.dataSource.transaction(async (manager) => {
      const created: Touchpoint[] = [];
      for (const { value } of rows) created.push(await this.create(organizationId, value, manager));
      return created;
    });
  }

  private columns(organizationId: string, dto: CreateTouchpointDto) {
    return {
      organizationId,
      name: dto.name,
      channel: dto.channel,
      contact: dto.contact,
      timezone: dto.timezone,
      openingHours: dto.openingHours,
      closures: dto.closures ?? [],
      ownerId: dto.ownerId ?? null,
      team: dto.team ?? null,
    };
  }

  /**
   * Keeps the ownership history: when the owner changes, the previous one's spell ends now and the new
   * one's starts (an owner's contacts never count for the touchpoint, nor those made while someone owned it).
   */
  private async recordOwner(manager: EntityManager, tp: Touchpoint, previousOwner: string | null): Promise<void> {
    if (tp.ownerId === previousOwner) return;
    const now = this.clock.now();
    if (previousOwner) {
      const open = { touchpointId: tp.id, ownerId: previousOwner, ownedUntil: IsNull() };
      await manager.update(TouchpointOwnership, open, { ownedUntil: now });
    }
    if (tp.ownerId) {
      await manager.insert(TouchpointOwnership, {
        organizationId: tp.organizationId,
        touchpointId: tp.id,
        ownerId: tp.ownerId,
        ownedFrom: now,
        ownedUntil: null,
      });
    }
  }

  private async assertOwner(manager: EntityManager, organizationId: string, ownerId: string): Promise<void> {
    const owner = await manager.findOne(Person, { where: { id: ownerId, organizationId }, select: { id: true } });
    if (!owner) {
      throw new FieldValidationException([{ field: 'ownerId', rule: 'exists', message: 'ownerId must be a person of your organization' }]);
    }
  }
}
