import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

import { Organization } from '../organizations/organization.entity.js';

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** An attachment as stored: content in base64; a `cid` makes it inline (referenced as cid: from the HTML). */
export interface StoredAttachment {
  filename: string;
  contentType: string;
  content: string;
  cid?: string;
}

/** An email waiting to be delivered, written in the same transaction as the change that caused it. */
@Entity('outbox_message')
@Unique('outbox_message_message_id_key', ['messageId'])
@Unique('outbox_message_dedupe_key_key', ['dedupeKey'])
@Check('outbox_message_status_check', "status IN ('pending', 'sending', 'sent', 'dead')")
@Index('outbox_message_due_idx', ['status', 'nextAttemptAt'])
// the claim looks for older unsent mail to the same recipient (delivery in creation order)
@Index('outbox_message_recipient_idx', ['recipient', 'createdAt'])
@Index('outbox_message_org_idx', ['organizationId', 'createdAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Null for system mail that belongs to no organization. */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  @ForeignKey(() => Organization, { name: 'outbox_message_organization_id_fkey', onDelete: 'CASCADE' })
  organizationId: string | null;

  /** The RFC 5322 Message-ID, fixed at enqueue, so a resend after a crash is recognisably the same mail. */
  @Column({ name: 'message_id', type: 'text' })
  messageId: string;

  @Column('text')
  recipient: string;

  @Column('text')
  subject: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody: string;

  @Column({ name: 'html_body', type: 'text', nullable: true })
  htmlBody: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  attachments: StoredAttachment[];

  @Column('text')
  status: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  /** While `sending`: when the claim lapses and another sender may take the message over. */
  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Makes enqueue idempotent: a second enqueue with the same key returns the first row. */
  @Column({ name: 'dedupe_key', type: 'text', nullable: true })
  dedupeKey: string | null;
}
