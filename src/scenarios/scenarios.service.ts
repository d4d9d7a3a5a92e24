import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { likePattern, Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { CreateScenarioDto, ScenariosQuery, UpdateScenarioDto } from './scenario.dto.js';
import { Scenario } from './scenario.entity.js';
import type { ScenarioQuestion } from './scenario.entity.js';

function questionsOf(dto: CreateScenarioDto): ScenarioQuestion[] {
  return (dto.questions ?? []).map((q) => ({
    key: q.key,
    label: q.label,
    type: q.type,
    required: q.required ?? false,
    ...(q.type === 'choice' ? { options: q.options } : {}),
  }));
}

@Injectable()
export class ScenariosService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(organizationId: string, query: ScenariosQuery): Promise<Page<Scenario>> {
    const qb = this.dataSource.getRepository(Scenario).createQueryBuilder('s').where('s.organization_id = :organizationId', { organizationId });
    if (query.channel) qb.andWhere(':channel = ANY(s.channels)', { channel: query.channel });
    if (query.q) qb.andWhere("(s.title ILIKE :q ESCAPE '\\' OR s.brief ILIKE :q ESCAPE '\\')", { q: likePattern(query.q) });
    const [items, total] = await qb.orderBy('s.title', 'ASC').addOrderBy('s.id', 'ASC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items, total };
  }

  async get(organizationId: string, id: string): Promise<Scenario> {
    const scenario = await this.dataSource.getRepository(Scenario).findOne({ where: { id, organizationId } });
    if (!scenario) throw new NotFoundException(`Scenario ${id} not found`);
    return scenario;
  }

  create(organizationId: string, dto: CreateScenarioDto): Promise<Scenario> {
    const repo = this.dataSource.getRepository(Scenario);
    return repo.save(repo.create({ organizationId, title: dto.title, brief: dto.brief, channels: dto.channels, questions: questionsOf(dto) }));
  }

  async update(organizationId: string, id: string, dto: UpdateScenarioDto): Promise<Scenario> {
    return this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(Scenario, { where: { id, organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw new NotFoundException(`Scenario ${id} not found`);
      const { title, brief, channels, questions } = current;
      const merged = await assertValidMerged(CreateScenarioDto, { title, brief, channels, questions, ...dto });
      Object.assign(current, { title: merged.title, brief: merged.brief, channels: merged.channels, questions: questionsOf(merged) });
      return manager.save(current);
    });
  }

  async remove(organizationId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // After any plan in progress, which may be giving tests this scenario.
      await lockOrganizationPlanning(manager, organizationId);
      const result = await manager.delete(Scenario, { id, organizationId });
      if (!result.affected) throw new NotFoundException(`Scenario ${id} not found`);
    });
  }
}
