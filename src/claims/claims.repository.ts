import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import type { Page } from '../common/pagination.js';
import { pageOf } from '../database/sql.js';
import { Claim, ClaimEdit } from './claim.entity.js';

export interface ClaimFilter {
  touchpointId?: string;
  team?: string;
  metric?: string;
  from?: string;
  to?: string;
  verdict?: string;
  limit: number;
  offset: number;
}

/**
 * The verdict the digest archive shows for claim `c`: of the runs made since what it tests was last set, the latest
 * that holds it, a final verdict before an in-progress one; null when no run holds it yet. Read from each run's rows
 * on their own (digest_run_row): a run's payload is its whole digest, megabytes to decompress.
 */
const LATEST_VERDICT = `(
  SELECT x."row" ->> 'verdict'
    FROM digest_run d JOIN digest_run_row x ON x.run_id = d.id
   WHERE d.organization_id = c.organization_id AND d.created_at >= c.revised_at
     AND x."row" ->> 'claimId' = c.id::text
   ORDER BY (x."row" ->> 'verdict') = 'in_progress', d.period_end DESC, d.created_at DESC
   LIMIT 1)`;

/** Who reads: a claim of the organization, and only of `ownerId`'s touchpoints when given. */
export interface ClaimReader {
  organizationId: string;
  ownerId: string | null;
}

/** A new claim with its first history row's image. */
export type NewClaim = Claim & { after: Record<string, unknown> };

/** A claim about to change, locked, with its touchpoint's zone and the version it is at. */
export interface LockedClaim {
  claim: Claim;
  touchpointZone: string | null;
  version: number;
}

/** One change of a claim, as the history keeps it. */
export type ClaimChange = Pick<
  ClaimEdit,
  'organizationId' | 'claimId' | 'version' | 'action' | 'editedBy' | 'via' | 'editedAt' | 'before' | 'after'
>;

/** Every query on `claim` and `claim_edit`. A method given a manager runs in the caller's transaction. */
@Injectable()
export class ClaimsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts claims, each with its first history row, in one statement (an import of thousands of rows is
   * one round trip: all or none).
   */
  async insert(manager: EntityManager, claims: NewClaim[], via: string): Promise<void> {
    if (!claims.length) return;
    const [{ organizationId, reportedBy, createdAt }] = claims; // one request's claims: made by one person at once
    const input = claims.map((c) => ({
      id: c.id,
      touchpointId: c.touchpointId,
      team: c.team,
      channel: c.channel,
      metric: c.metric,
      periodStart: c.periodStart,
      periodEnd: c.periodEnd,
      value: c.value,
      source: c.source,
      reportedAt: c.reportedAt.toISOString(),
      after: c.after,
    }));
    await manager.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
           id uuid, "touchpointId" uuid, team text, channel text, metric text, "periodStart" date, "periodEnd" date,
           value double precision, source text, "reportedAt" timestamptz, after jsonb)
       ), claims AS (
         INSERT INTO claim (id, organization_id, touchpoint_id, team, channel, metric, period_start, period_end, value,
                            source, reported_at, reported_by, created_at, updated_at, revised_at)
         SELECT id, $2, "touchpointId", team, channel, metric, "periodStart", "periodEnd", value,
                source, "reportedAt", $3, $4, $4, $4
           FROM input
       )
       INSERT INTO claim_edit (organization_id, claim_id, version, action, edited_by, via, edited_at, before, after)
       SELECT $2, id, 1, 'created', $3, $5, $4, NULL, after FROM input`,
      [JSON.stringify(input), organizationId, reportedBy, createdAt, via],
    );
  }

  /** The claims the reader may see (alias `c`, its touchpoint `t`). */
  private visible(reader: ClaimReader, manager: EntityManager = this.dataSource.manager) {
    const qb = manager
      .getRepository(Claim)
      .createQueryBuilder('c')
      .leftJoin('touchpoint', 't', 't.id = c.touchpoint_id')
      .where('c.organization_id = :org', { org: reader.organizationId });
    if (reader.ownerId !== null) qb.andWhere('t.owner_id = :me', { me: reader.ownerId });
    return qb;
  }

  async list(reader: ClaimReader, filter: ClaimFilter): Promise<Page<Claim>> {
    const qb = this.visible(reader);
    if (filter.touchpointId) qb.andWhere('c.touchpoint_id = :tp', { tp: filter.touchpointId });
    if (filter.team) qb.andWhere('c.team = :team', { team: filter.team });
    if (filter.metric) qb.andWhere('c.metric = :metric', { metric: filter.metric });
    if (filter.from) qb.andWhere('c.period_end >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('c.period_start <= :to', { to: filter.to });
    if (filter.verdict === 'none') qb.andWhere(`${LATEST_VERDICT} IS NULL`);
    else if (filter.verdict) qb.andWhere(`${LATEST_VERDICT} = :verdict`, { verdict: filter.verdict });
    return pageOf(qb, 'c.period_start', 'DESC', filter);
  }

  /** The digest archive's verdict of each of these claims (see LATEST_VERDICT); a claim in no digest is left out. */
  async verdicts(organizationId: string, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows: Array<{ id: string; verdict: string | null }> = await this.dataSource.query(
      `SELECT c.id, ${LATEST_VERDICT} AS verdict FROM claim c WHERE c.organization_id = $1 AND c.id = ANY($2::uuid[])`,
      [organizationId, ids],
    );
    return new Map(rows.filter((r) => r.verdict !== null).map((r) => [r.id, r.verdict!]));
  }

  byId(reader: ClaimReader, id: string): Promise<Claim | null> {
    return this.visible(reader).andWhere('c.id = :id', { id }).getOne();
  }

  /**
   * A claim the reader may see, locked until the caller's transaction ends (so its versions follow one
   * another), with the version it is at: read once the lock is held, so a change that committed meanwhile
   * is counted.
   */
  async lock(manager: EntityManager, reader: ClaimReader, id: string): Promise<LockedClaim | null> {
    const { entities, raw } = await this.visible(reader, manager)
      .addSelect('t.timezone', 'tp_timezone')
      .andWhere('c.id = :id', { id })
      .setLock('pessimistic_write', undefined, ['c'])
      .getRawAndEntities<{ tp_timezone: string | null }>();
    const [claim] = entities;
    if (!claim) return null;
    const [{ version }]: Array<{ version: number }> = await manager.query(
      'SELECT coalesce(max(version), 0)::int AS version FROM claim_edit WHERE claim_id = $1',
      [id],
    );
    return { claim, touchpointZone: raw[0].tp_timezone, version };
  }

  async update(manager: EntityManager, id: string, columns: Partial<Claim>): Promise<void> {
    await manager.update(Claim, { id }, columns);
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(Claim, { id });
  }

  async recordChange(manager: EntityManager, change: ClaimChange): Promise<void> {
    await manager.save(manager.create(ClaimEdit, change));
  }

  /**
   * The touchpoint a claim is (or, deleted, was last) about, and its owner: the claim's scope as its history
   * is read. Null when the organization has no such claim now or in its history.
   */
  async historyScope(
    organizationId: string,
    id: string,
  ): Promise<{ touchpointId: string | null; ownerId: string | null } | null> {
    const rows: Array<{ touchpoint_id: string | null; owner_id: string | null }> = await this.dataSource.query(
      `SELECT s.touchpoint_id, t.owner_id
         FROM (SELECT touchpoint_id FROM claim WHERE id = $1 AND organization_id = $2
               UNION ALL
               SELECT (before ->> 'touchpointId')::uuid FROM claim_edit
                WHERE claim_id = $1 AND organization_id = $2 AND action = 'deleted') s
         LEFT JOIN touchpoint t ON t.id = s.touchpoint_id AND t.organization_id = $2
        LIMIT 1`,
      [id, organizationId],
    );
    return rows[0] ? { touchpointId: rows[0].touchpoint_id, ownerId: rows[0].owner_id } : null;
  }

  /** Every change of a claim, oldest first. */
  async history(organizationId: string, id: string, page: { limit: number; offset: number }): Promise<Page<ClaimEdit>> {
    const [items, total] = await this.dataSource.getRepository(ClaimEdit).findAndCount({
      where: { claimId: id, organizationId },
      order: { version: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total };
  }
}
