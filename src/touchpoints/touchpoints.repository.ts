import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';

import type { Page } from '../common/pagination.js';
import { organizationRows, pageOf, whereContains } from '../database/sql.js';
import { Touchpoint, TouchpointOwnership } from './touchpoint.entity.js';
import type { Channel } from './touchpoint.entity.js';

export interface TouchpointFilter {
  channel?: Channel;
  team?: string;
  ownerId?: string;
  q?: string;
  limit: number;
  offset: number;
}

/** What a new touchpoint or an edit sets. */
export type TouchpointColumns = Pick<
  Touchpoint,
  'organizationId' | 'name' | 'channel' | 'contact' | 'timezone' | 'openingHours' | 'closures' | 'ownerId' | 'team'
>;

/** A touchpoint as other features' rules need it: who owns it, its channel and its zone. */
export interface TouchpointSummary {
  id: string;
  name: string;
  ownerId: string | null;
  channel: Channel;
  timezone: string;
}

/** Every query on `touchpoint` and its ownership history. A method given a manager runs in the caller's transaction. */
@Injectable()
export class TouchpointsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(organizationId: string, filter: TouchpointFilter): Promise<Page<Touchpoint>> {
    const qb = organizationRows(this.dataSource, Touchpoint, 't', organizationId);
    if (filter.channel) qb.andWhere('t.channel = :channel', { channel: filter.channel });
    if (filter.team) qb.andWhere('t.team = :team', { team: filter.team });
    if (filter.ownerId) qb.andWhere('t.owner_id = :ownerId', { ownerId: filter.ownerId });
    whereContains(qb, ['t.name', 't.contact'], filter.q);
    return pageOf(qb, 't.name', 'ASC', filter);
  }

  byId(organizationId: string, id: string): Promise<Touchpoint | null> {
    return this.dataSource.getRepository(Touchpoint).findOne({ where: { id, organizationId } });
  }

  /** The touchpoint, locked until the caller's transaction ends. */
  lock(manager: EntityManager, organizationId: string, id: string): Promise<Touchpoint | null> {
    return manager.findOne(Touchpoint, { where: { id, organizationId }, lock: { mode: 'pessimistic_write' } });
  }

  /** The organization's touchpoint as other rules need it; null when it is not the organization's. */
  async summary(manager: EntityManager, organizationId: string, id: string): Promise<TouchpointSummary | null> {
    const rows: Array<{ id: string; name: string; owner_id: string | null; channel: Channel; timezone: string }> =
      await manager.query(
        'SELECT id, name, owner_id, channel, timezone FROM touchpoint WHERE id = $1 AND organization_id = $2',
        [id, organizationId],
      );
    return rows.map(summaryOf)[0] ?? null;
  }

  /** Every touchpoint of the organization as other rules need it. */
  async summaries(organizationId: string): Promise<TouchpointSummary[]> {
    const rows: Array<{ id: string; name: string; owner_id: string | null; channel: Channel; timezone: string }> =
      await this.dataSource.query(
        'SELECT id, name, owner_id, channel, timezone FROM touchpoint WHERE organization_id = $1',
        [organizationId],
      );
    return rows.map(summaryOf);
  }

  /** Each team's channels (a touchpoint without a team under null), once per pair. */
  async teamChannels(
    manager: EntityManager,
    organizationId: string,
  ): Promise<Array<{ team: string | null; channel: Channel }>> {
    return manager.query('SELECT DISTINCT team, channel FROM touchpoint WHERE organization_id = $1', [organizationId]);
  }

  /** Which of these ids are touchpoints of the organization. */
  async known(organizationId: string, ids: string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      'SELECT id FROM touchpoint WHERE organization_id = $1 AND id = ANY($2::uuid[])',
      [organizationId, ids],
    );
    return rows.map((r) => r.id);
  }

  /** Test assignments on record for the touchpoint: what keeps it from deletion. */
  async testsOnRecord(manager: EntityManager, id: string): Promise<number> {
    const [row]: Array<{ tests: number }> = await manager.query(
      'SELECT count(*)::int AS tests FROM assignment WHERE touchpoint_id = $1',
      [id],
    );
    return row.tests;
  }

  insert(manager: EntityManager, columns: TouchpointColumns): Promise<Touchpoint> {
    return manager.save(manager.create(Touchpoint, columns));
  }

  update(manager: EntityManager, touchpoint: Touchpoint, columns: TouchpointColumns): Promise<Touchpoint> {
    return manager.save(Object.assign(touchpoint, columns));
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(Touchpoint, { id });
  }

  /** The owner's open spell of ownership ends `at`. */
  async endOwnership(manager: EntityManager, touchpointId: string, ownerId: string, at: Date): Promise<void> {
    await manager.update(TouchpointOwnership, { touchpointId, ownerId, ownedUntil: IsNull() }, { ownedUntil: at });
  }

  /** A new owner's spell of ownership starts `at`, open until the owner changes. */
  async startOwnership(manager: EntityManager, tp: Touchpoint, ownerId: string, at: Date): Promise<void> {
    await manager.insert(TouchpointOwnership, {
      organizationId: tp.organizationId,
      touchpointId: tp.id,
      ownerId,
      ownedFrom: at,
      ownedUntil: null,
    });
  }
}

function summaryOf(r: {
  id: string;
  name: string;
  owner_id: string | null;
  channel: Channel;
  timezone: string;
}): TouchpointSummary {
  return { id: r.id, name: r.name, ownerId: r.owner_id, channel: r.channel, timezone: r.timezone };
}
