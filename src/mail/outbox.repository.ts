import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';

import type { Page } from '../common/pagination.js';
import { LOCKS } from '../database/advisory-lock.js';
import { OUTBOX_STATUSES, OutboxMessage } from './outbox-message.entity.js';
import type { OutboxStatus } from './outbox-message.entity.js';

/** A message as written by enqueue: every column but the id. */
export type NewOutboxMessage = Omit<OutboxMessage, 'id'>;

/** A claimed message; `lapsed` when it was taken over from a sender whose lease ran out (it died mid-send). */
export type ClaimedMessage = OutboxMessage & { lapsed: boolean };

export type OutboxCounts = Record<OutboxStatus, number>;

const LISTED_COLUMNS = {
  id: true,
  recipient: true,
  subject: true,
  status: true,
  attempts: true,
  lastError: true,
  nextAttemptAt: true,
  sentAt: true,
  createdAt: true,
} as const;

/**
 * Every query on `outbox_message`. The sender's updates are fenced by (status, attempts): each lands only
 * while the sender still holds its claim. A method given a manager runs in the caller's transaction.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes the message, or (its dedupe key already taken) returns the one written first. */
  async insert(manager: EntityManager, values: NewOutboxMessage): Promise<OutboxMessage> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(OutboxMessage)
      .values(values)
      .orIgnore()
      .returning(['id'])
      .execute();
    const inserted = (result.raw as Array<{ id: string }>)[0];
    if (inserted) return manager.create(OutboxMessage, { ...values, id: inserted.id });
    // only the dedupe key can conflict (message ids are fresh uuids): the mail is already there
    return manager.findOneByOrFail(OutboxMessage, { dedupeKey: values.dedupeKey! });
  }

  /** An organization's mail, newest first, without bodies or attachments. */
  async list(
    organizationId: string,
    filter: { status?: OutboxStatus; limit: number; offset: number },
  ): Promise<Page<OutboxMessage>> {
    const [items, total] = await this.dataSource.getRepository(OutboxMessage).findAndCount({
      select: LISTED_COLUMNS,
      where: { organizationId, ...(filter.status ? { status: filter.status } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return { items, total };
  }

  /** How many messages are in each status, for one organization or (without one) for all rows. */
  async countByStatus(organizationId?: string): Promise<OutboxCounts> {
    const rows: Array<{ status: OutboxStatus; n: number }> = organizationId
      ? await this.dataSource.query(
          'SELECT status, count(*)::int AS n FROM outbox_message WHERE organization_id = $1 GROUP BY status',
          [organizationId],
        )
      : await this.dataSource.query('SELECT status, count(*)::int AS n FROM outbox_message GROUP BY status');
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as OutboxCounts;
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  /** Undelivered mail written before `overdueBefore`, and mail given up: of one organization, or of all. */
  async backlog(overdueBefore: Date, organizationId: string | null): Promise<{ overdue: number; dead: number }> {
    const [row]: Array<{ overdue: number; dead: number }> = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'sending') AND created_at < $1)::int AS overdue,
              count(*) FILTER (WHERE status = 'dead')::int AS dead
         FROM outbox_message
        WHERE status IN ('pending', 'sending', 'dead') AND ($2::uuid IS NULL OR organization_id = $2)`,
      [overdueBefore, organizationId],
    );
    return row;
  }

  /**
   * Claims up to `limit` due messages in creation order, skipping any whose recipient has older mail still
   * waiting or being sent, leased until `leaseUntil`. Claims are serialised by a transaction lock so that
   * check stays true between two senders: the caller's transaction should be only as long as this.
   */
  async claim(manager: EntityManager, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedMessage[]> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.outboxClaim]);
    // structured: a plain UPDATE result would come back as [rows, count]
    const claimed = await manager.queryRunner!.query(
      `UPDATE outbox_message m
          SET status = 'sending', lease_expires_at = $2, attempts = m.attempts + 1
         FROM (
           SELECT c.id, c.status AS was FROM outbox_message c
            WHERE ((c.status = 'pending' AND c.next_attempt_at <= $1)
                   OR (c.status = 'sending' AND c.lease_expires_at <= $1))
              AND NOT EXISTS (
                SELECT 1 FROM outbox_message e
                 WHERE e.recipient = c.recipient
                   AND (e.created_at, e.id) < (c.created_at, c.id)
                   AND ((e.status = 'pending' AND e.next_attempt_at > $1)
                        OR (e.status = 'sending' AND e.lease_expires_at > $1)))
            ORDER BY c.created_at, c.id
            LIMIT $3
            FOR UPDATE SKIP LOCKED) due
        WHERE m.id = due.id
        RETURNING m.id, due.was = 'sending' AS lapsed`,
      [now, leaseUntil, limit],
      true,
    );
    const records = claimed.records as Array<{ id: string; lapsed: boolean }>;
    if (records.length === 0) return [];
    const lapsed = new Set(records.filter((r) => r.lapsed).map((r) => r.id));
    const rows = await manager.find(OutboxMessage, {
      where: { id: In(records.map((r) => r.id)) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return rows.map((m) => Object.assign(m, { lapsed: lapsed.has(m.id) }));
  }

  async markSent(m: OutboxMessage, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_message SET status = 'sent', sent_at = $3, lease_expires_at = NULL, last_error = NULL
        WHERE id = $1 AND status = 'sending' AND attempts = $2`,
      [m.id, m.attempts, at],
    );
  }

  async markRetry(m: OutboxMessage, nextAttemptAt: Date, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_message SET status = 'pending', next_attempt_at = $3, lease_expires_at = NULL, last_error = $4
        WHERE id = $1 AND status = 'sending' AND attempts = $2`,
      [m.id, m.attempts, nextAttemptAt, error],
    );
  }

  async markDead(m: OutboxMessage, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_message SET status = 'dead', lease_expires_at = NULL, last_error = $3
        WHERE id = $1 AND status = 'sending' AND attempts = $2`,
      [m.id, m.attempts, error],
    );
  }

  /** Back to pending, not tried, so the claim's attempt is not counted. */
  async release(m: OutboxMessage): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_message SET status = 'pending', attempts = attempts - 1, lease_expires_at = NULL
        WHERE id = $1 AND status = 'sending' AND attempts = $2`,
      [m.id, m.attempts],
    );
  }
}
