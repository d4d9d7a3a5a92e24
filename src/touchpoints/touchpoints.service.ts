import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { dateRangesCell, optionalCell, weeklyHoursCell } from '../common/csv/cell-formats.js';
import { CsvImportRejected, CsvRowError, parseCsv } from '../common/csv/csv-import.js';
import { Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { markIdempotencyKeyUsed } from '../idempotency/idempotency-context.js';
import { ELIGIBILITY_CHANGES } from '../people/eligibility-changes.js';
import type { EligibilityChanges } from '../people/eligibility-changes.js';
import { PeopleRepository } from '../people/people.repository.js';
import { CreateTouchpointDto, TouchpointsQuery, UpdateTouchpointDto } from './touchpoint.dto.js';
import { Touchpoint } from './touchpoint.entity.js';
import { TouchpointsRepository } from './touchpoints.repository.js';
import type { TouchpointColumns } from './touchpoints.repository.js';

export const TOUCHPOINTS_CSV_COLUMNS = {
  required: ['name', 'channel', 'contact', 'timezone', 'openingHours'],
  optional: ['closures', 'owner', 'team'],
};

@Injectable()
export class TouchpointsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly touchpoints: TouchpointsRepository,
    private readonly people: PeopleRepository,
    private readonly clock: Clock,
    @Inject(ELIGIBILITY_CHANGES) private readonly withdrawals: EligibilityChanges,
  ) {}

  list(organizationId: string, query: TouchpointsQuery): Promise<Page<Touchpoint>> {
    return this.touchpoints.list(organizationId, query);
  }

  /**
   * The touchpoints `me` may read (GET /api/v1/touchpoints, and the console's owner pages): all of the organization
   * for admin and quality, only their own for an owner (asking for another owner's finds none).
   */
  listFor(me: Actor, query: TouchpointsQuery): Promise<Page<Touchpoint>> {
    if (hasRole(me, 'admin', 'quality')) return this.list(me.organizationId, query);
    if (query.ownerId && query.ownerId !== me.personId) return Promise.resolve({ items: [], total: 0 });
    return this.list(me.organizationId, Object.assign(new TouchpointsQuery(), query, { ownerId: me.personId }));
  }

  /** A touchpoint `me` may read: any of the organization for admin and quality, an owner's own (else 404). */
  async getFor(me: Actor, id: string): Promise<Touchpoint> {
    const touchpoint = await this.get(me.organizationId, id);
    // another owner's touchpoint is not there for an owner: the same 404 as a missing id
    if (!hasRole(me, 'admin', 'quality') && touchpoint.ownerId !== me.personId)
      throw new NotFoundException(`Touchpoint ${id} not found`);
    return touchpoint;
  }

  async get(organizationId: string, id: string): Promise<Touchpoint> {
    const touchpoint = await this.touchpoints.byId(organizationId, id);
    if (!touchpoint) throw new NotFoundException(`Touchpoint ${id} not found`);
    return touchpoint;
  }

  /** In the caller's transaction, or one of its own (which also holds the request's Idempotency-Key). */
  async create(organizationId: string, dto: CreateTouchpointDto, manager?: EntityManager): Promise<Touchpoint> {
    if (!manager) return this.dataSource.transaction((m) => this.create(organizationId, dto, m));
    if (dto.ownerId) await this.assertOwner(manager, organizationId, dto.ownerId);
    await markIdempotencyKeyUsed(manager);
    const created = await this.touchpoints.insert(manager, this.columns(organizationId, dto));
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
      const current = await this.touchpoints.lock(manager, organizationId, id);
      if (!current) throw new NotFoundException(`Touchpoint ${id} not found`);
      const { name, channel, contact, timezone, openingHours, closures, ownerId, team } = current;
      const merged = await assertValidMerged(CreateTouchpointDto, {
        name,
        channel,
        contact,
        timezone,
        openingHours,
        closures,
        ownerId,
        team,
        ...dto,
      });
      if (merged.ownerId && merged.ownerId !== current.ownerId)
        await this.assertOwner(manager, organizationId, merged.ownerId);
      const previousOwner = current.ownerId;
      const saved = await this.touchpoints.update(manager, current, this.columns(organizationId, merged));
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
      const touchpoint = await this.touchpoints.lock(manager, organizationId, id);
      if (!touchpoint) throw new NotFoundException(`Touchpoint ${id} not found`);
      const tests = await this.touchpoints.testsOnRecord(manager, id);
      if (tests > 0) {
        const message = `Touchpoint ${id} has ${tests} test assignment(s) on record; it is kept for the history`;
        throw new ConflictException(message);
      }
      await this.touchpoints.delete(manager, id);
    });
  }

  /** All rows or none. The `owner` column takes the owner's email (or id). */
  async importCsv(organizationId: string, text: string): Promise<Touchpoint[]> {
    const owners = new Map<string, string>();
    for (const p of await this.people.idsByEmail(organizationId)) {
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
          ownerErrors.push({
            row,
            line: 0,
            field: 'owner',
            rule: 'exists',
            message: `owner ${r.owner} is not a person of this organization`,
          });
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
    const lineOf = new Map([
      ...rows.map((r) => [r.row, r.line] as const),
      ...errors.map((e) => [e.row, e.line] as const),
    ]);
    const all = [...errors, ...ownerErrors.map((e) => ({ ...e, line: lineOf.get(e.row) ?? e.row + 1 }))];
    if (all.length) throw new CsvImportRejected(all);
    return this.dataSource.transaction(async (manager) => {
      const created: Touchpoint[] = [];
      for (const { value } of rows) created.push(await this.create(organizationId, value, manager));
      return created;
    });
  }

  private columns(organizationId: string, dto: CreateTouchpointDto): TouchpointColumns {
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
    if (previousOwner) await this.touchpoints.endOwnership(manager, tp.id, previousOwner, now);
    if (tp.ownerId) await this.touchpoints.startOwnership(manager, tp, tp.ownerId, now);
  }

  private async assertOwner(manager: EntityManager, organizationId: string, ownerId: string): Promise<void> {
    if (!(await this.people.exists(manager, organizationId, ownerId))) {
      throw new FieldValidationException([
        { field: 'ownerId', rule: 'exists', message: 'ownerId must be a person of your organization' },
      ]);
    }
  }
}
