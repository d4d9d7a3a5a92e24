import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { Clock } from '../common/clock.js';
import { optionalCell } from '../common/csv/cell-formats.js';
import { CsvImportRejected, CsvRowError, parseCsv } from '../common/csv/csv-import.js';
import { Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { FieldError, FieldValidationException } from '../common/validation/validation-errors.js';
import { ClaimsQuery, CreateClaimDto, UpdateClaimDto } from './claim.dto.js';
import { Claim } from './claim.entity.js';

export const CLAIMS_CSV_COLUMNS = {
  required: ['metric', 'periodStart', 'periodEnd', 'value', 'source', 'reportedAt'],
  optional: ['touchpoint', 'team'],
};

@Injectable()
export class ClaimsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Admin and quality claim for any scope; an owner only for touchpoints they own. */
  private async assertScope(manager: EntityManager, me: Principal, dto: CreateClaimDto): Promise<void> {
    const errors: FieldError[] = [];
    if (dto.touchpointId && dto.team) errors.push({ field: 'team', rule: 'oneScope', message: 'give touchpointId or team, not both' });
    if (dto.touchpointId) {
      const [tp] = await manager.query('SELECT owner_id FROM touchpoint WHERE id = $1 AND organization_id = $2', [dto.touchpointId, me.organizationId]);
      if (!tp) errors.push({ field: 'touchpointId', rule: 'exists', message: 'touchpointId must be a touchpoint of your organization' });
      else if (!hasRole(me, 'admin', 'quality') && tp.owner_id !== me.personId) throw new ForbiddenException('Owners may enter claims only for touchpoints they own');
    } else if (!hasRole(me, 'admin', 'quality')) {
      throw new ForbiddenException('Owners may enter claims only for a touchpoint they own (touchpointId)');
    }
    if (errors.length) throw new FieldValidationException(errors);
  }

  private columns(dto: CreateClaimDto) {
    return {
      touchpointId: dto.touchpointId ?? null,
      team: dto.touchpointId ? null : (dto.team ?? null),
      metric: dto.metric,
      periodStart: dto.periodStart,
      periodEnd: dto.periodEnd,
      value: dto.value,
      source: dto.source,
      reportedAt: new Date(dto.reportedAt),
    };
  }

  async create(me: Principal, dto: CreateClaimDto, manager: EntityManager = this.dataSource.manager): Promise<Claim> {
    await this.assertScope(manager, me, dto);
    const now = this.clock.now();
    return manager.save(manager.create(Claim, { organizationId: me.organizationId, ...this.columns(dto), reportedBy: me.personId, createdAt: now, updatedAt: now }));
  }

  /** Admin and quality see every claim; an owner those of their touchpoints. */
  private visible(me: Principal) {
    const qb = this.dataSource.getRepository(Claim).createQueryBuilder('c').leftJoin('touchpoint', 't', 't.id = c.touchpoint_id').where('c.organization_id = :org', { org: me.organizationId });
    if (!hasRole(me, 'admin', 'quality')) qb.andWhere('t.owner_id = :me', { me: me.personId });
    return qb;
  }

  async list(me: Principal, query: ClaimsQuery): Promise<Page<Claim>> {
    const qb = this.visible(me);
    if (query.touchpointId) qb.andWhere('c.touchpoint_id = :tp', { tp: query.touchpointId });
    if (query.team) qb.andWhere('c.team = :team', { team: query.team });
    if (query.metric) qb.andWhere('c.metric = :metric', { metric: query.metric });
    if (query.from) qb.andWhere('c.period_end >= :from', { from: query.from });
    if (query.to) qb.andWhere('c.period_start <= :to', { to: query.to });
    const [items, total] = await qb.orderBy('c.period_start', 'DESC').addOrderBy('c.id', 'ASC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items, total };
  }

  async get(me: Principal, id: string): Promise<Claim> {
    const claim = await this.visible(me).andWhere('c.id = :id', { id }).getOne();
    if (!claim) throw new NotFoundException(`Claim ${id} not found`);
    return claim;
  }

  async update(me: Principal, id: string, dto: UpdateClaimDto): Promise<Claim> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.get(me, id);
      const merged = await assertValidMerged(CreateClaimDto, {
        touchpointId: current.touchpointId,
        team: current.team,
        metric: current.metric,
        periodStart: current.periodStart,
        periodEnd: current.periodEnd,
        value: current.value,
        source: current.source,
        reportedAt: current.reportedAt.toISOString(),
        ...dto,
      });
      await this.assertScope(manager, me, merged);
      Object.assign(current, this.columns(merged), { updatedAt: this.clock.now() });
      return manager.save(current);
    });
  }

  async remove(me: Principal, id: string): Promise<void> {
    const claim = await this.get(me, id);
    await this.dataSource.getRepository(Claim).delete({ id: claim.id });
  }

  /** All rows or none. `touchpoint` takes a touchpoint's id or exact name. */
  async importCsv(me: Principal, text: string): Promise<Claim[]> {
    const touchpoints = new Map<string, string>();
    for (const t of await this.dataSource.query('SELECT id, name FROM touchpoint WHERE organization_id = $1', [me.organizationId])) {
      touchpoints.set(t.id, t.id);
      if (!touchpoints.has(t.name)) touchpoints.set(t.name, t.id);
    }
    const unknown: CsvRowError[] = [];
    let row = 0;
    const { rows, errors } = await parseCsv(text, {
      ...CLAIMS_CSV_COLUMNS,
      dto: CreateClaimDto,
      toPlain: (r) => {
        row++;
        const tp = optionalCell(r.touchpoint);
        if (tp && !touchpoints.has(tp)) unknown.push({ row, line: 0, field: 'touchpoint', rule: 'exists', message: `touchpoint ${tp} is not a touchpoint of your organization` });
        const value = Number(r.value?.replace('%', '').trim());
        return {
          ...(tp && touchpoints.has(tp) ? { touchpointId: touchpoints.get(tp) } : {}),
          ...(optionalCell(r.team) ? { team: r.team } : {}),
          metric: r.metric,
          periodStart: r.periodStart,
          periodEnd: r.periodEnd,
          // "96%" is read as 0.96; a bare number is taken as written.
          value: r.value?.trim().endsWith('%') ? value / 100 : r.value?.trim() === '' ? undefined : value,
          source: r.source,
          reportedAt: r.reportedAt,
        };
      },
    });
    const lineOf = new Map([...rows.map((r) => [r.row, r.line] as const), ...errors.map((e) => [e.row, e.line] as const)]);
    const all = [...errors, ...unknown.map((e) => ({ ...e, line: lineOf.get(e.row) ?? e.row + 1 }))];
    if (all.length) throw new CsvImportRejected(all);
    return this.dataSource.transaction(async (manager) => {
      const created: Claim[] = [];
      for (const { value } of rows) created.push(await this.create(me, value, manager));
      return created;
    });
  }
}
