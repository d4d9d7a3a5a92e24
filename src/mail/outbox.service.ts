import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isEmail } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { Page } from '../common/pagination.js';
import { OUTBOX_STATUSES, OutboxMessage, OutboxStatus, StoredAttachment } from './outbox-message.entity.js';

/** One email as a feature asks for it. */
export interface OutgoingMail {
  organizationId: string | null;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** `content`: a Buffer, or a string that is the content itself (e.g. an .ics), not base64. */
  attachments?: Array<{ filename: string; contentType: string; content: string | Buffer; cid?: string }>;
  /** Enqueueing again with the same key is a no-op that returns the first row. */
  dedupeKey?: string;
}

/** Thrown by `enqueue` for mail that must never be written: a bad address or header injection. */
export class InvalidMailError extends Error {}

export type OutboxCounts = Record<OutboxStatus, number>;

/** Undelivered this long after it was written, a mail counts as overdue in /health. */
const OVERDUE_AFTER_MS = 15 * 60_000;

const LISTED_COLUMNS = {
  id: true, recipient: true, subject: true, status: true, attempts: true, lastError: true, nextAttemptAt: true, sentAt: true, createdAt: true,
} as const;

function singleLine(field: string, value: string): string {
  if (typeof value !== 'string') throw new InvalidMailError(`${field} must be a string`);
  if (/[\r\n]/.test(value)) throw new InvalidMailError(`${field} must not contain line breaks`);
  return value;
}

@Injectable()
export class OutboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Writes the mail as a pending outbox row with the caller's manager, so it commits or rolls back
   * with the change that caused it. The sender delivers it later.
   */
  async enqueue(manager: EntityManager, mail: OutgoingMail): Promise<OutboxMessage> {
    const recipient = singleLine('to', mail.to).trim().toLowerCase();
    if (!isEmail(recipient)) throw new InvalidMailError(`to must be an email address, got ${JSON.stringify(mail.to)}`);
    const subject = singleLine('subject', mail.subject);
    if (typeof mail.text !== 'string') throw new InvalidMailError('text must be a string');
    const attachments: StoredAttachment[] = (mail.attachments ?? []).map((a) => ({
      filename: singleLine('attachment filename', a.filename),
      contentType: singleLine('attachment contentType', a.contentType),
      content: (typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : a.content).toString('base64'),
      ...(a.cid !== undefined ? { cid: singleLine('attachment cid', a.cid) } : {}),
    }));
    const now = this.clock.now();
    const values = {
      organizationId: mail.organizationId,
      messageId: `<${randomUUID()}@groundtruth>`,
      recipient,
      subject,
      textBody: mail.text,
      htmlBody: mail.html ?? null,
      attachments,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: now,
      leaseExpiresAt: null,
      lastError: null,
      sentAt: null,
      createdAt: now,
      dedupeKey: mail.dedupeKey ?? null,
    };
    const result = await manager.createQueryBuilder().insert().into(OutboxMessage).values(values).orIgnore().returning(['id']).execute();
    const inserted = (result.raw as Array<{ id: string }>)[0];
    if (inserted) return manager.create(OutboxMessage, { ...values, id: inserted.id });
    // only the dedupe key can conflict (message ids are fresh uuids): the mail is already there
    return manager.findOneByOrFail(OutboxMessage, { dedupeKey: values.dedupeKey! });
  }

  /** An organization's mail, newest first, without bodies or attachments. */
  async list(organizationId: string, query: { status?: OutboxStatus; limit: number; offset: number }): Promise<Page<OutboxMessage>> {
    const [items, total] = await this.dataSource.getRepository(OutboxMessage).findAndCount({
      select: LISTED_COLUMNS,
      where: { organizationId, ...(query.status ? { status: query.status } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  /** How many messages are in each status, for one organization or (without one) for all rows. */
  async countByStatus(organizationId?: string): Promise<OutboxCounts> {
    const rows: Array<{ status: OutboxStatus; n: number }> = organizationId
      ? await this.dataSource.query('SELECT status, count(*)::int AS n FROM outbox_message WHERE organization_id = $1 GROUP BY status', [organizationId])
      : await this.dataSource.query('SELECT status, count(*)::int AS n FROM outbox_message GROUP BY status');
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as OutboxCounts;
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  /**
   * Mail in trouble, of one organization or (for operators) the whole instance: undelivered long
   * after it was written, or given up. Never public: even the overdue count moves when a reveal is
   * written while SMTP is down, which would tell anyone polling it that a test is near.
   */
  async backlog(organizationId?: string): Promise<{ overdue: number; dead: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'sending') AND created_at < $1)::int AS overdue,
              count(*) FILTER (WHERE status = 'dead')::int AS dead
         FROM outbox_message
        WHERE status IN ('pending', 'sending', 'dead') AND ($2::uuid IS NULL OR organization_id = $2)`,
      [new Date(this.clock.now().getTime() - OVERDUE_AFTER_MS), organizationId ?? null],
    );
    return row;
  }
}
