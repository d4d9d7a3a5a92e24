import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';

import type { Page } from '../common/pagination.js';
import { LOCKS } from '../database/advisory-lock.js';
import type { DigestPayload, DigestRow } from './digest-builder.service.js';
import { headlineOfCounts } from './digest-evidence.js';
import { DigestRunRow } from './digest-run-row.entity.js';
import { DigestRun } from './digest-run.entity.js';
import { DigestSubscription } from './digest-subscription.entity.js';
import { OWNER_READER } from './owner-readers.js';

/** What a new subscription or an edit sets. */
export type SubscriptionColumns = Pick<
  DigestSubscription,
  | 'name'
  | 'recipientEmails'
  | 'recipientPersonIds'
  | 'touchpointIds'
  | 'team'
  | 'cron'
  | 'timezone'
  | 'periodDays'
  | 'minContacts'
>;

/**
 * Runs sent to `me`, by id or by address; should they be an owner reader (owner-readers.ts), only once the run's
 * evidence ends by `seenUpTo` (null: no such wait, for admin and quality).
 */
function sentTo(qb: SelectQueryBuilder<DigestRun>, me: string, seenUpTo: Date | null): void {
  qb.andWhere(
    '(:me = ANY(s.recipientPersonIds) OR s.recipientEmails && ARRAY(SELECT email FROM person WHERE id = :me))',
    { me },
  );
  if (seenUpTo === null) return;
  qb.andWhere(
    `(NOT EXISTS (SELECT 1 FROM person p WHERE p.id = :me AND ${OWNER_READER})
      OR (r.payload->'period'->>'end')::timestamptz <= :seenUpTo)`,
    { me, seenUpTo },
  );
}

/** A run as its readers get it, with its subscription's name. */
export type NamedRun = DigestRun & { subscriptionName: string };

/** A run without its payload, with its subscription's name. */
export type RunHeader = Omit<NamedRun, 'payload'>;

/** One line of the digest archive: a run, its subscription's name, when it went out, how many rows it had. */
export interface RunSummary {
  id: string;
  subscriptionId: string;
  subscriptionName: string;
  periodStart: Date;
  periodEnd: Date;
  createdAt: Date;
  rows: number;
  headline: string;
}

/** A stored rendering of a run's page (see DigestRendering). */
export interface StoredRendering {
  etag: string;
  chartEtag: string;
  htmlGzip: Buffer;
  chart: Buffer;
}

/** A run as its links' routes need it: its period as its digest reports it, and its subscription's recipients. */
export interface RunOfLinks {
  id: string;
  organizationId: string;
  periodStart: Date;
  periodEnd: Date;
  name: string;
  timezone: string;
  recipientEmails: string[];
  recipientPersonIds: string[];
}

/** What a run's page is rendered from: the stored payload as JSON text, and its subscription's name and zone. */
export interface RunToRender {
  organizationId: string;
  payload: string;
  name: string;
  timezone: string;
}

/**
 * Every query on the digest's tables: `digest_subscription`, `digest_run` and `digest_rendering` (the
 * links' `digest_link` belong to DigestLinksService). A method given a manager runs in the caller's transaction.
 */
@Injectable()
export class DigestsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  createSubscription(organizationId: string, columns: SubscriptionColumns, now: Date): Promise<DigestSubscription> {
    const repo = this.dataSource.getRepository(DigestSubscription);
    return repo.save(repo.create({ organizationId, ...columns, createdAt: now, updatedAt: now }));
  }

  async subscriptions(
    organizationId: string,
    page: { limit: number; offset: number },
  ): Promise<Page<DigestSubscription>> {
    const [items, total] = await this.dataSource.getRepository(DigestSubscription).findAndCount({
      where: { organizationId },
      order: { name: 'ASC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total };
  }

  /** Every organization's subscriptions, oldest first: what the digest job goes through. */
  allSubscriptions(): Promise<DigestSubscription[]> {
    return this.dataSource.getRepository(DigestSubscription).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  subscription(organizationId: string, id: string): Promise<DigestSubscription | null> {
    return this.dataSource.getRepository(DigestSubscription).findOne({ where: { id, organizationId } });
  }

  updateSubscription(sub: DigestSubscription, columns: SubscriptionColumns, now: Date): Promise<DigestSubscription> {
    return this.dataSource.getRepository(DigestSubscription).save(Object.assign(sub, columns, { updatedAt: now }));
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.dataSource.getRepository(DigestSubscription).delete({ id });
  }

  /** Serialises the runs of one subscription until the caller's transaction ends (a second instance waits). */
  async lockSubscription(manager: EntityManager, subscriptionId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.digest, subscriptionId]);
  }

  /** The end of the subscription's latest run; null before its first. */
  async lastPeriodEnd(subscriptionId: string): Promise<Date | null> {
    const [row]: Array<{ last: Date | null }> = await this.dataSource.query(
      'SELECT max(period_end) AS last FROM digest_run WHERE subscription_id = $1',
      [subscriptionId],
    );
    return row.last;
  }

  /**
   * Where the evidence of the subscription's latest run before `periodEnd` ended: its period's end less the delay
   * it reported (a run an owner reads reports a week back). Null before its first run.
   */
  async previousEvidenceEnd(manager: EntityManager, subscriptionId: string, periodEnd: Date): Promise<Date | null> {
    const rows: Array<{ evidence_end: Date }> = await manager.query(
      `SELECT period_end - make_interval(days => coalesce((payload ->> 'delayDays')::int, 0)) AS evidence_end
         FROM digest_run WHERE subscription_id = $1 AND period_end < $2 ORDER BY period_end DESC LIMIT 1`,
      [subscriptionId, periodEnd],
    );
    return rows[0]?.evidence_end ?? null;
  }

  async runExists(manager: EntityManager, subscriptionId: string, periodStart: Date): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'SELECT 1 FROM digest_run WHERE subscription_id = $1 AND period_start = $2',
      [subscriptionId, periodStart],
    );
    return rows.length > 0;
  }

  /** Stores a run; returns its id. */
  async insertRun(
    manager: EntityManager,
    run: Pick<DigestRun, 'organizationId' | 'subscriptionId' | 'periodStart' | 'periodEnd' | 'createdAt'> & {
      payload: DigestPayload;
    },
  ): Promise<string> {
    const { identifiers } = await manager.insert(DigestRun, run);
    const id = identifiers[0].id as string;
    // each row on its own too (DigestRunRow), out of the payload just stored
    await manager.query(
      `INSERT INTO digest_run_row (run_id, ordinal, organization_id, "row")
       SELECT r.id, e.ordinality - 1, r.organization_id, e.value
         FROM digest_run r, jsonb_array_elements(r.payload->'rows') WITH ORDINALITY AS e
        WHERE r.id = $1`,
      [id],
    );
    return id;
  }

  /**
   * A stored run of the organization. For `reader` (a person who is neither admin nor quality) only one sent to
   * them, by id or by address, and, should they be an owner reader (owner-readers.ts), only once its evidence
   * ends by `ownerSeesUpTo`. Null otherwise, decided in the one query so both answers take the same path.
   */
  async run(
    organizationId: string,
    id: string,
    reader: { personId: string; ownerSeesUpTo: Date } | null,
  ): Promise<NamedRun | null> {
    const qb = this.dataSource
      .getRepository(DigestRun)
      .createQueryBuilder('r')
      .innerJoin(DigestSubscription, 's', 's.id = r.subscriptionId')
      .addSelect('s.name', 'subscription_name')
      .where('r.id = :id AND r.organizationId = :org', { id, org: organizationId });
    if (reader !== null) sentTo(qb, reader.personId, reader.ownerSeesUpTo);
    const { entities, raw } = await qb.getRawAndEntities<{ subscription_name: string }>();
    if (!entities[0]) return null;
    return Object.assign(entities[0], { subscriptionName: raw[0].subscription_name });
  }

  /**
   * One row of a stored run (`index` counted from 0; null when it has no such row), read by `reader` as `run`
   * rules; null when the run is not theirs to read. Read from digest_run_row: the payload (a whole organization's
   * digest holds tens of thousands of rows) is not even decompressed.
   */
  async runRow(
    organizationId: string,
    id: string,
    index: number | null,
    reader: { personId: string; ownerSeesUpTo: Date } | null,
  ): Promise<{ run: RunHeader; row: DigestRow | null } | null> {
    const qb = this.dataSource
      .getRepository(DigestRun)
      .createQueryBuilder('r')
      .select(['r.id', 'r.organizationId', 'r.subscriptionId', 'r.periodStart', 'r.periodEnd', 'r.createdAt'])
      .innerJoin(DigestSubscription, 's', 's.id = r.subscriptionId')
      .addSelect('s.name', 'subscription_name')
      .leftJoin(DigestRunRow, 'x', 'x.runId = r.id AND x.ordinal = :index', { index })
      .addSelect('x.row', 'row')
      .where('r.id = :id AND r.organizationId = :org', { id, org: organizationId });
    if (reader !== null) sentTo(qb, reader.personId, reader.ownerSeesUpTo);
    const { entities, raw } = await qb.getRawAndEntities<{ subscription_name: string; row: DigestRow | null }>();
    if (!entities[0]) return null;
    return { run: Object.assign(entities[0], { subscriptionName: raw[0].subscription_name }), row: raw[0].row };
  }

  /**
   * The runs sent to a person (by id or by address), newest first, with the rule `run` applies to each: an owner
   * reader (unless `ownerSeesUpTo` is null: admin and quality) only once its evidence ends by `ownerSeesUpTo`.
   */
  async runsSentTo(
    organizationId: string,
    reader: { personId: string; ownerSeesUpTo: Date | null },
    paging: { limit: number; offset: number },
  ): Promise<Page<NamedRun>> {
    const qb = this.dataSource
      .getRepository(DigestRun)
      .createQueryBuilder('r')
      // a list needs no payload (a run's is its whole digest)
      .select(['r.id', 'r.organizationId', 'r.subscriptionId', 'r.periodStart', 'r.periodEnd', 'r.createdAt'])
      .innerJoin(DigestSubscription, 's', 's.id = r.subscriptionId')
      .addSelect('s.name', 'subscription_name')
      .where('r.organizationId = :org', { org: organizationId });
    sentTo(qb, reader.personId, reader.ownerSeesUpTo);
    const total = await qb.getCount();
    const { entities, raw } = await qb
      .orderBy('r.periodEnd', 'DESC')
      .addOrderBy('r.id', 'ASC')
      .limit(paging.limit)
      .offset(paging.offset)
      .getRawAndEntities<{ subscription_name: string }>();
    return {
      items: entities.map((run, i) => Object.assign(run, { subscriptionName: raw[i].subscription_name })),
      total,
    };
  }

  /**
   * The organization's runs, newest first (of one subscription if given), without their payloads: the count of
   * rows and the headline come from the rows stored one by one (digest_run_row), not from the payload (a whole
   * organization's digest is megabytes to decompress).
   */
  async runs(
    organizationId: string,
    page: { limit: number; offset: number; subscriptionId?: string },
  ): Promise<Page<RunSummary>> {
    const where = 'r.organization_id = $1 AND ($2::uuid IS NULL OR r.subscription_id = $2)';
    const params = [organizationId, page.subscriptionId ?? null];
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<Array<Omit<RunSummary, 'headline'> & { running: number; contradicted: number }>>(
        `SELECT r.id, r.subscription_id AS "subscriptionId", s.name AS "subscriptionName",
                r.period_start AS "periodStart", r.period_end AS "periodEnd", r.created_at AS "createdAt",
                v.rows, v.running, v.contradicted
           FROM digest_run r JOIN digest_subscription s ON s.id = r.subscription_id
           CROSS JOIN LATERAL (
             SELECT count(*)::int AS rows,
                    count(*) FILTER (WHERE x."row" ->> 'verdict' = 'in_progress')::int AS running,
                    count(*) FILTER (WHERE x."row" ->> 'verdict' = 'contradicted')::int AS contradicted
               FROM digest_run_row x WHERE x.run_id = r.id) v
          WHERE ${where}
          ORDER BY r.created_at DESC, r.id
          LIMIT $3 OFFSET $4`,
        [...params, page.limit, page.offset],
      ),
      this.dataSource.query<Array<{ total: number }>>(
        `SELECT count(*)::int AS total FROM digest_run r WHERE ${where}`,
        params,
      ),
    ]);
    // the headline the payload holds, made again from the same rows (headlineOf, as the builder made it)
    const items = rows.map(({ running, contradicted, ...run }) => ({
      ...run,
      headline: headlineOfCounts({ rows: run.rows, running, contradicted }),
    }));
    return { items, total };
  }

  /** Stores a rendering for every instance; one of a newer version (another instance's) is kept. */
  async storeRendering(
    manager: EntityManager = this.dataSource.manager,
    run: { id: string; organizationId: string },
    version: number,
    page: StoredRendering,
    renderedAt: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO digest_rendering (run_id, organization_id, version, etag, chart_etag, html_gzip, chart, rendered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (run_id) DO UPDATE
         SET version = EXCLUDED.version, etag = EXCLUDED.etag, chart_etag = EXCLUDED.chart_etag,
             html_gzip = EXCLUDED.html_gzip, chart = EXCLUDED.chart, rendered_at = EXCLUDED.rendered_at
       WHERE digest_rendering.version < EXCLUDED.version`,
      [run.id, run.organizationId, version, page.etag, page.chartEtag, page.htmlGzip, page.chart, renderedAt],
    );
  }

  /** The run's stored rendering of this version, if any. */
  async rendering(runId: string, version: number): Promise<StoredRendering | null> {
    const rows: Array<{ etag: string; chart_etag: string; html_gzip: Buffer; chart: Buffer }> =
      await this.dataSource.query(
        'SELECT etag, chart_etag, html_gzip, chart FROM digest_rendering WHERE run_id = $1 AND version = $2',
        [runId, version],
      );
    const r = rows[0];
    return r ? { etag: r.etag, chartEtag: r.chart_etag, htmlGzip: r.html_gzip, chart: r.chart } : null;
  }

  async runToRender(runId: string): Promise<RunToRender | null> {
    const rows: Array<{ organization_id: string; payload: string; name: string; timezone: string }> =
      await this.dataSource.query(
        `SELECT r.organization_id, r.payload::text AS payload, s.name, s.timezone
           FROM digest_run r JOIN digest_subscription s ON s.id = r.subscription_id
          WHERE r.id = $1`,
        [runId],
      );
    const r = rows[0];
    return r ? { organizationId: r.organization_id, payload: r.payload, name: r.name, timezone: r.timezone } : null;
  }

  /** The validators of the run's stored page of this version, if there is one. */
  async renderingEtags(runId: string, version: number): Promise<{ etag: string; chartEtag: string } | null> {
    const rows: Array<{ etag: string; chart_etag: string }> = await this.dataSource.query(
      'SELECT etag, chart_etag FROM digest_rendering WHERE run_id = $1 AND version = $2',
      [runId, version],
    );
    return rows[0] ? { etag: rows[0].etag, chartEtag: rows[0].chart_etag } : null;
  }

  /**
   * The organization's run with its subscription's name, zone and recipients; its period is the one its digest
   * reports (a week earlier than its schedule's when an owner received it).
   */
  async runOfLinks(manager: EntityManager, organizationId: string, runId: string): Promise<RunOfLinks | null> {
    const rows: Array<{
      id: string;
      organization_id: string;
      period_start: Date;
      period_end: Date;
      name: string;
      timezone: string;
      recipient_emails: string[];
      recipient_person_ids: string[];
    }> = await manager.query(
      `SELECT r.id, r.organization_id,
              coalesce((r.payload->'period'->>'start')::timestamptz, r.period_start) AS period_start,
              coalesce((r.payload->'period'->>'end')::timestamptz, r.period_end) AS period_end,
              s.name, s.timezone, s.recipient_emails, s.recipient_person_ids
         FROM digest_run r JOIN digest_subscription s ON s.id = r.subscription_id
        WHERE r.id = $1 AND r.organization_id = $2`,
      [runId, organizationId],
    );
    const [row] = rows;
    if (!row) return null;
    return {
      id: row.id,
      organizationId: row.organization_id,
      periodStart: row.period_start,
      periodEnd: row.period_end,
      name: row.name,
      timezone: row.timezone,
      recipientEmails: row.recipient_emails,
      recipientPersonIds: row.recipient_person_ids,
    };
  }

  /** Which of these addresses (lower case) belong to people of the organization who are owner readers. */
  async ownerReaders(manager: EntityManager, organizationId: string, emails: string[]): Promise<string[]> {
    if (!emails.length) return [];
    const rows: Array<{ email: string }> = await manager.query(
      `SELECT p.email FROM person p WHERE p.organization_id = $1 AND p.email = ANY($2::text[]) AND ${OWNER_READER}`,
      [organizationId, emails],
    );
    return rows.map((r) => r.email);
  }
}
