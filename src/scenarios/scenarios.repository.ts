import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import type { Page } from '../common/pagination.js';
import { organizationRows, pageOf, whereContains } from '../database/sql.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import { Scenario } from './scenario.entity.js';
import type { ScenarioQuestion } from './scenario.entity.js';

export interface ScenarioFilter {
  channel?: Channel;
  q?: string;
  limit: number;
  offset: number;
}

/** What a new scenario or an edit sets. */
export type ScenarioColumns = Pick<Scenario, 'title' | 'brief' | 'channels' | 'questions'>;

/** Every query on `scenario`. A method given a manager runs in the caller's transaction. */
@Injectable()
export class ScenariosRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(organizationId: string, filter: ScenarioFilter): Promise<Page<Scenario>> {
    const qb = organizationRows(this.dataSource, Scenario, 's', organizationId);
    if (filter.channel) qb.andWhere(':channel = ANY(s.channels)', { channel: filter.channel });
    whereContains(qb, ['s.title', 's.brief'], filter.q);
    return pageOf(qb, 's.title', 'ASC', filter);
  }

  byId(organizationId: string, id: string): Promise<Scenario | null> {
    return this.dataSource.getRepository(Scenario).findOne({ where: { id, organizationId } });
  }

  /** The scenario, locked until the caller's transaction ends. */
  lock(manager: EntityManager, organizationId: string, id: string): Promise<Scenario | null> {
    return manager.findOne(Scenario, { where: { id, organizationId }, lock: { mode: 'pessimistic_write' } });
  }

  /** The scenario's extra questions; null when it is not the organization's. */
  async questions(manager: EntityManager, organizationId: string, id: string): Promise<ScenarioQuestion[] | null> {
    const rows: Array<{ questions: ScenarioQuestion[] }> = await manager.query(
      'SELECT questions FROM scenario WHERE id = $1 AND organization_id = $2',
      [id, organizationId],
    );
    return rows[0]?.questions ?? null;
  }

  create(organizationId: string, columns: ScenarioColumns): Promise<Scenario> {
    const repo = this.dataSource.getRepository(Scenario);
    return repo.save(repo.create({ organizationId, ...columns }));
  }

  update(manager: EntityManager, scenario: Scenario, columns: ScenarioColumns): Promise<Scenario> {
    return manager.save(Object.assign(scenario, columns));
  }

  /** False when there was no such scenario of the organization. */
  async delete(manager: EntityManager, organizationId: string, id: string): Promise<boolean> {
    const result = await manager.delete(Scenario, { id, organizationId });
    return Boolean(result.affected);
  }
}
