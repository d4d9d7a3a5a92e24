import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { EntityManager } from 'typeorm';

import { Clock } from '../common/clock.js';
import type { Page } from '../common/pagination.js';
import { OutboxMessage, OutboxStatus, StoredAttachment } from './outbox-message.entity.js';
import { OutboxRepository } from './outbox.repository.js';
import type { NewOutboxMessage, OutboxCounts } from './outbox.repository.js';

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

export type { OutboxCounts };

/** Undelivered this long after it was written, a mail counts as overdue in /health. */
const OVERDUE_AFTER_MS = 15 * 60_000;

function singleLine(field: string, value: string): string {
  if (typeof value !== 'string') throw new InvalidMailError(`${field} must be a string`);
  if (/[\r\n]/.test(value)) throw new InvalidMailError(`${field} must not contain line breaks`);
  return value;
}

@Injectable()
export class OutboxService {
  constructor(
    private readonly outbox: OutboxRepository,
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
    const values: NewOutboxMessage = {
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
    return this.outbox.insert(manager, values);
  }

  /** An organization's mail, newest first, without bodies or attachments. */
  list(
    organizationId: string,
    query: { status?: OutboxStatus; limit: number; offset: number },
  ): Promise<Page<OutboxMessage>> {
    return this.outbox.list(organizationId, query);
  }

  /** How many messages are in each status, for one organization or (without one) for all rows. */
  countByStatus(organizationId?: string): Promise<OutboxCounts> {
    return this.outbox.countByStatus(organizationId);
  }

  /**
   * Mail in trouble, of one organization or (for operators) the whole instance: undelivered long
   * after it was written, or given up. Never public: even the overdue count moves when a reveal is
   * written while SMTP is down, which would tell anyone polling it that a test is near.
   */
  backlog(organizationId?: string): Promise<{ overdue: number; dead: number }> {
    return this.outbox.backlog(new Date(this.clock.now().getTime() - OVERDUE_AFTER_MS), organizationId ?? null);
  }
}
