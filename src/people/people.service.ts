import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { listCell, dateRangesCell, optionalCell, weeklyHoursCell } from '../common/csv/cell-formats.js';
import { CsvImportRejected, CsvRowError, parseCsv } from '../common/csv/csv-import.js';
import { Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { markIdempotencyKeyUsed } from '../idempotency/idempotency-context.js';
import { ELIGIBILITY_CHANGES } from './eligibility-changes.js';
import type { EligibilityChanges } from './eligibility-changes.js';
import { PeopleRepository } from './people.repository.js';
import { CreatePersonDto, DEFAULT_WORKING_HOURS, PeopleQuery, UpdatePersonDto } from './person.dto.js';
import { Person } from './person.entity.js';

/** What an import did: the people it created and those it found by email and updated, each in file order. */
export interface PeopleImported {
  created: Person[];
  updated: Person[];
}

export const PEOPLE_CSV_COLUMNS = {
  required: ['email', 'name', 'roles', 'timezone'],
  optional: ['locale', 'workingHours', 'leave'],
};

@Injectable()
export class PeopleService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly people: PeopleRepository,
    @Inject(ELIGIBILITY_CHANGES) private readonly withdrawals: EligibilityChanges,
  ) {}

  list(organizationId: string, query: PeopleQuery): Promise<Page<Person>> {
    return this.people.list(organizationId, query);
  }

  async get(organizationId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<Person> {
    const person = await this.people.byId(organizationId, id, manager);
    if (!person) throw new NotFoundException(`Person ${id} not found`);
    return person;
  }

  /** In the caller's transaction, or one of its own (which also holds the request's Idempotency-Key). */
  async create(organizationId: string, dto: CreatePersonDto, manager?: EntityManager): Promise<Person> {
    if (!manager) return this.dataSource.transaction((m) => this.create(organizationId, dto, m));
    await this.assertEmailFree(manager, organizationId, dto.email);
    await markIdempotencyKeyUsed(manager);
    return this.people.insert(manager, organizationId, {
      email: dto.email,
      name: dto.name,
      roles: dto.roles,
      timezone: dto.timezone,
      locale: dto.locale ?? null,
      workingHours: dto.workingHours ?? DEFAULT_WORKING_HOURS,
      leave: dto.leave ?? [],
    });
  }

  /**
   * A person who no longer holds the tester role has their tests withdrawn at once (and the slots
   * re-planned), with `by` (who made the change) on record.
   */
  async update(organizationId: string, id: string, dto: UpdatePersonDto, by: string | null = null): Promise<Person> {
    return this.dataSource.transaction(async (manager) => {
      // Booking and un-booking testers is serialised per organization; taken before any row lock.
      await lockOrganizationPlanning(manager, organizationId);
      return this.updateLocked(manager, organizationId, id, dto, by);
    });
  }

  /** The change itself, in a transaction that already holds the organization's planning lock. */
  private async updateLocked(
    manager: EntityManager,
    organizationId: string,
    id: string,
    dto: UpdatePersonDto,
    by: string | null,
  ): Promise<Person> {
    const person = await this.people.lock(manager, organizationId, id);
    if (!person) throw new NotFoundException(`Person ${id} not found`);
    const { email, name, roles, timezone, locale, workingHours, leave } = person;
    const merged = await assertValidMerged(CreatePersonDto, {
      email,
      name,
      roles,
      timezone,
      locale,
      workingHours,
      leave,
      ...dto,
    });
    if (merged.email !== person.email) await this.assertEmailFree(manager, organizationId, merged.email, id);
    if (person.roles.includes('admin') && !merged.roles.includes('admin'))
      await this.assertAnotherAdmin(manager, organizationId, id);
    const saved = await this.people.update(manager, person, {
      email: merged.email,
      name: merged.name,
      roles: merged.roles,
      timezone: merged.timezone,
      locale: merged.locale ?? null,
      workingHours: merged.workingHours ?? workingHours,
      leave: merged.leave ?? leave,
    });
    const scope = { organizationId, testerId: id };
    await this.withdrawals.withdrawIneligible(manager, scope, { personId: by, cause: 'person_edit' });
    return saved;
  }

  async remove(organizationId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // After any plan or re-fill in progress, which may be booking this person: it then sees their tests.
      await lockOrganizationPlanning(manager, organizationId);
      const person = await this.people.lock(manager, organizationId, id);
      if (!person) throw new NotFoundException(`Person ${id} not found`);
      if (person.roles.includes('admin')) await this.assertAnotherAdmin(manager, organizationId, id);
      const { touchpoints, tests } = await this.people.holdings(manager, id);
      if (touchpoints > 0) {
        throw new ConflictException(`Person ${id} owns ${touchpoints} touchpoint(s): give them another owner first`);
      }
      if (tests > 0) {
        throw new ConflictException(
          `Person ${id} has ${tests} test assignment(s) on record; remove the tester role instead to keep the history`,
        );
      }
      await this.people.delete(manager, organizationId, id);
    });
  }

  /**
   * All rows or none: every bad row is reported with its number, field and rule. A row whose email is already a
   * person's updates that person (an empty workingHours or leave cell keeps theirs), as a PATCH by `by` would.
   */
  async importCsv(organizationId: string, text: string, by: string | null = null): Promise<PeopleImported> {
    const { rows, errors } = await parseCsv(text, {
      ...PEOPLE_CSV_COLUMNS,
      dto: CreatePersonDto,
      toPlain: (r, cell) => ({
        email: r.email,
        name: r.name,
        roles: listCell(r.roles),
        timezone: r.timezone,
        ...(optionalCell(r.locale) ? { locale: r.locale } : {}),
        ...(optionalCell(r.workingHours)
          ? { workingHours: cell(() => weeklyHoursCell('workingHours', r.workingHours, 'start', 'end')) }
          : {}),
        ...(optionalCell(r.leave) ? { leave: cell(() => dateRangesCell('leave', r.leave)) } : {}),
      }),
    });
    return this.dataSource.transaction(async (manager) => {
      // updates may take the tester role away (withdrawing tests), so the whole file plans as one change
      await lockOrganizationPlanning(manager, organizationId);
      const seen = new Map<string, number>();
      const duplicates: CsvRowError[] = [];
      for (const { row, line, value } of rows) {
        if (seen.has(value.email)) {
          duplicates.push({
            row,
            line,
            field: 'email',
            rule: 'unique',
            message: `email ${value.email} appears again (first on row ${seen.get(value.email)})`,
          });
        } else seen.set(value.email, row);
      }
      if (errors.length || duplicates.length) throw new CsvImportRejected([...errors, ...duplicates]);
      const known = await this.people.knownByEmail(
        manager,
        organizationId,
        rows.map((r) => r.value.email),
      );
      const result: PeopleImported = { created: [], updated: [] };
      const refused: CsvRowError[] = [];
      for (const { row, line, value } of rows) {
        const id = known.get(value.email);
        if (!id) {
          result.created.push(await this.create(organizationId, value, manager));
          continue;
        }
        // a rule only the stored rows can break (the last admin) is that row's error, like a bad cell
        const updated = await this.updateLocked(manager, organizationId, id, value, by).catch((error: unknown) => {
          if (!(error instanceof ConflictException)) throw error;
          refused.push({ row, line, field: 'roles', rule: 'lastAdmin', message: error.message });
          return null;
        });
        if (updated) result.updated.push(updated);
      }
      if (refused.length) throw new CsvImportRejected(refused);
      return result;
    });
  }

  private async assertEmailFree(manager: EntityManager, organizationId: string, email: string, exceptId?: string) {
    const clash = await this.people.withEmail(manager, organizationId, email);
    if (clash && clash !== exceptId) {
      throw new ConflictException(`email ${email} already belongs to a person of this organization`);
    }
  }

  /** An organization always keeps at least one admin, or nobody could manage it again. */
  private async assertAnotherAdmin(manager: EntityManager, organizationId: string, exceptId: string) {
    // Locking every admin row serialises two concurrent demotions of the last two admins.
    const admins = await this.people.lockAdmins(manager, organizationId);
    if (!admins.some((a) => a !== exceptId)) {
      throw new ConflictException('This is the last admin of the organization: make someone else admin first');
    }
  }
}
