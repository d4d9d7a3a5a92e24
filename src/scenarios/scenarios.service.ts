import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { CreateScenarioDto, ScenariosQuery, UpdateScenarioDto } from './scenario.dto.js';
import { Scenario } from './scenario.entity.js';
import type { ScenarioQuestion } from './scenario.entity.js';
import { ScenariosRepository } from './scenarios.repository.js';
import type { ScenarioColumns } from './scenarios.repository.js';

function questionsOf(dto: CreateScenarioDto): ScenarioQuestion[] {
  return (dto.questions ?? []).map((q) => ({
    key: q.key,
    label: q.label,
    type: q.type,
    required: q.required ?? false,
    ...(q.type === 'choice' ? { options: q.options } : {}),
    ...(q.channels?.length ? { channels: q.channels } : {}),
  }));
}

const columnsOf = (dto: CreateScenarioDto): ScenarioColumns => ({
  title: dto.title,
  brief: dto.brief,
  channels: dto.channels,
  questions: questionsOf(dto),
});

@Injectable()
export class ScenariosService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scenarios: ScenariosRepository,
  ) {}

  list(organizationId: string, query: ScenariosQuery): Promise<Page<Scenario>> {
    return this.scenarios.list(organizationId, query);
  }

  async get(organizationId: string, id: string): Promise<Scenario> {
    const scenario = await this.scenarios.byId(organizationId, id);
    if (!scenario) throw new NotFoundException(`Scenario ${id} not found`);
    return scenario;
  }

  create(organizationId: string, dto: CreateScenarioDto): Promise<Scenario> {
    return this.scenarios.create(organizationId, columnsOf(dto));
  }

  async update(organizationId: string, id: string, dto: UpdateScenarioDto): Promise<Scenario> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.scenarios.lock(manager, organizationId, id);
      if (!current) throw new NotFoundException(`Scenario ${id} not found`);
      const { title, brief, channels, questions } = current;
      const merged = await assertValidMerged(CreateScenarioDto, { title, brief, channels, questions, ...dto });
      return this.scenarios.update(manager, current, columnsOf(merged));
    });
  }

  async remove(organizationId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // After any plan in progress, which may be giving tests this scenario.
      await lockOrganizationPlanning(manager, organizationId);
      if (!(await this.scenarios.delete(manager, organizationId, id))) {
        throw new NotFoundException(`Scenario ${id} not found`);
      }
    });
  }
}
