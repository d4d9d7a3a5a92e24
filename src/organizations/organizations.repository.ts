import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import type { OrganizationSettings } from './organization-settings.js';
import { Organization } from './organization.entity.js';

/** Every query on `organization`. A method given a manager runs in the caller's transaction. */
@Injectable()
export class OrganizationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  byId(id: string, manager: EntityManager = this.dataSource.manager): Promise<Organization | null> {
    return manager.findOneBy(Organization, { id });
  }

  /** The organization, locked until the caller's transaction ends. */
  lock(manager: EntityManager, id: string): Promise<Organization | null> {
    return manager.findOne(Organization, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The settings as stored (only what differs from the defaults); null for an unknown organization. */
  async settings(id: string): Promise<OrganizationSettings | null> {
    const rows: Array<{ settings: OrganizationSettings }> = await this.dataSource.query(
      'SELECT settings FROM organization WHERE id = $1',
      [id],
    );
    return rows[0]?.settings ?? null;
  }

  create(manager: EntityManager, name: string): Promise<Organization> {
    return manager.save(manager.create(Organization, { name }));
  }

  rename(organization: Organization, name: string): Promise<Organization> {
    return this.dataSource.getRepository(Organization).save(Object.assign(organization, { name }));
  }

  async saveSettings(manager: EntityManager, id: string, settings: OrganizationSettings): Promise<void> {
    await manager.update(Organization, { id }, { settings });
  }

  /** Deletes the tenant and, by cascade, every row of it. */
  async delete(id: string): Promise<void> {
    await this.dataSource.getRepository(Organization).delete({ id });
  }
}
