import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import type { Role } from '../auth/roles.js';
import type { Page } from '../common/pagination.js';
import { organizationRows, pageOf, whereContains } from '../database/sql.js';
import { Person } from './person.entity.js';

export interface PeopleFilter {
  role?: Role;
  q?: string;
  limit: number;
  offset: number;
}

/** What a new person or an edit sets. */
export type PersonColumns = Pick<Person, 'email' | 'name' | 'roles' | 'timezone' | 'locale' | 'workingHours' | 'leave'>;

/** Every query on `person`. A method given a manager runs in the caller's transaction. */
@Injectable()
export class PeopleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(organizationId: string, filter: PeopleFilter): Promise<Page<Person>> {
    const qb = organizationRows(this.dataSource, Person, 'p', organizationId);
    if (filter.role) qb.andWhere(':role = ANY(p.roles)', { role: filter.role });
    whereContains(qb, ['p.name', 'p.email'], filter.q);
    return pageOf(qb, 'p.name', 'ASC', filter);
  }

  byId(organizationId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<Person | null> {
    return manager.findOne(Person, { where: { id, organizationId } });
  }

  /** The person, locked until the caller's transaction ends. */
  lock(manager: EntityManager, organizationId: string, id: string): Promise<Person | null> {
    return manager.findOne(Person, { where: { id, organizationId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Whether the person is one of the organization's. */
  async exists(manager: EntityManager, organizationId: string, id: string): Promise<boolean> {
    return (await manager.findOne(Person, { where: { id, organizationId }, select: { id: true } })) !== null;
  }

  /** Which of these ids are people of the organization. */
  async known(organizationId: string, ids: string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      'SELECT id FROM person WHERE organization_id = $1 AND id = ANY($2::uuid[])',
      [organizationId, ids],
    );
    return rows.map((r) => r.id);
  }

  /** The addresses of these people of the organization. */
  async emails(manager: EntityManager, organizationId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows: Array<{ email: string }> = await manager.query(
      'SELECT email FROM person WHERE organization_id = $1 AND id = ANY($2::uuid[])',
      [organizationId, ids],
    );
    return rows.map((r) => r.email);
  }

  /** Everyone with this address (lower case), in any organization: one sign-in address may serve several. */
  async withEmailAnywhere(
    email: string,
  ): Promise<Array<{ id: string; organizationId: string; name: string; organizationName: string }>> {
    const rows: Array<{ id: string; organization_id: string; name: string; organization_name: string }> =
      await this.dataSource.query(
        `SELECT p.id, p.organization_id, p.name, o.name AS organization_name
           FROM person p JOIN organization o ON o.id = p.organization_id
          WHERE p.email = $1 ORDER BY o.name, o.id`,
        [email],
      );
    return rows.map((r) => ({
      id: r.id,
      organizationId: r.organization_id,
      name: r.name,
      organizationName: r.organization_name,
    }));
  }

  /** The id of the organization's person with this address, if any. */
  async withEmail(manager: EntityManager, organizationId: string, email: string): Promise<string | null> {
    const found = await manager.findOne(Person, { where: { organizationId, email }, select: { id: true } });
    return found?.id ?? null;
  }

  /** Which of these addresses already belong to people of the organization. */
  /** The ids of the organization's people among these addresses, by address (an import's rows it already knows). */
  async knownByEmail(manager: EntityManager, organizationId: string, emails: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; email: string }> = await manager.query(
      'SELECT id, email FROM person WHERE organization_id = $1 AND email = ANY($2)',
      [organizationId, emails],
    );
    return new Map(rows.map((r) => [r.email, r.id]));
  }

  /** Every person of the organization by address and by id: how a CSV names them. */
  async idsByEmail(organizationId: string): Promise<Array<{ id: string; email: string }>> {
    return this.dataSource.getRepository(Person).find({ where: { organizationId }, select: { id: true, email: true } });
  }

  /** The organization's admins, locked (two concurrent demotions of the last two admins are serialised). */
  async lockAdmins(manager: EntityManager, organizationId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT id FROM person WHERE organization_id = $1 AND 'admin' = ANY(roles) FOR UPDATE`,
      [organizationId],
    );
    return rows.map((r) => r.id);
  }

  /** Touchpoints the person owns, and test assignments they have on record: what keeps a person from deletion. */
  async holdings(manager: EntityManager, id: string): Promise<{ touchpoints: number; tests: number }> {
    const [row]: Array<{ touchpoints: number; tests: number }> = await manager.query(
      `SELECT (SELECT count(*) FROM touchpoint WHERE owner_id = $1)::int AS touchpoints,
              (SELECT count(*) FROM assignment WHERE tester_id = $1)::int AS tests`,
      [id],
    );
    return row;
  }

  insert(manager: EntityManager, organizationId: string, columns: PersonColumns): Promise<Person> {
    return manager.save(manager.create(Person, { organizationId, ...columns }));
  }

  update(manager: EntityManager, person: Person, columns: PersonColumns): Promise<Person> {
    return manager.save(Object.assign(person, columns));
  }

  async delete(manager: EntityManager, organizationId: string, id: string): Promise<void> {
    await manager.delete(Person, { id, organizationId });
  }
}
