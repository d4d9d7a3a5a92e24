import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { PageQuery } from '../common/pagination.js';
import { OUTBOX_STATUSES } from './outbox-message.entity.js';
import type { OutboxMessage, OutboxStatus } from './outbox-message.entity.js';

export class OutboxQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES, description: 'Only messages in this status' })
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;
}

/** A message as admins see it: where it stands, never what it says. */
export class OutboxMessageView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() recipient: string;
  @ApiProperty() subject: string;
  @ApiProperty({ enum: OUTBOX_STATUSES }) status: OutboxStatus;
  @ApiProperty({ description: 'Delivery attempts so far' }) attempts: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed' }) lastError: string | null;
  @ApiProperty({ description: 'When a pending message is next tried' }) nextAttemptAt: Date;
  @ApiProperty({ type: Date, nullable: true }) sentAt: Date | null;
  @ApiProperty() createdAt: Date;

  static of(this: void, m: OutboxMessage): OutboxMessageView {
    const { id, recipient, subject, status, attempts, lastError, nextAttemptAt, sentAt, createdAt } = m;
    return { id, recipient, subject, status, attempts, lastError, nextAttemptAt, sentAt, createdAt };
  }
}

export class OutboxPage {
  @ApiProperty({ type: [OutboxMessageView] }) items: OutboxMessageView[];
  @ApiProperty() total: number;
}

export class OutboxSummary {
  @ApiProperty() pending: number;
  @ApiProperty() sending: number;
  @ApiProperty() sent: number;
  @ApiProperty({ description: 'Given up: a permanent rejection or too many failed attempts' }) dead: number;
  @ApiProperty({ description: 'Pending or sending and still undelivered 15 minutes after it was written' })
  overdue: number;
}
