import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NodemailerError } from 'nodemailer';
import { DataSource } from 'typeorm';

import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';
import { MailTransport } from './mail-transport.js';
import { OutboxMessage } from './outbox-message.entity.js';
import { OutboxRepository } from './outbox.repository.js';
import type { ClaimedMessage } from './outbox.repository.js';

/**
 * A message that keeps failing for a temporary reason (server down, 4xx) is given up as dead only
 * once it has had this many attempts AND has been waiting this long: a count alone, with jittered
 * backoff, could use up its tries within an hour's outage.
 */
export const MAX_ATTEMPTS = 10;
export const RETRY_FOR_MS = 24 * 3600_000;
/** How long a claim holds a message before another sender may take it over. */
export const LEASE_MS = 2 * 60_000;
export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_CAP_MS = 60 * 60_000;
/** A round stops sending this long before its lease lapses, so no claim is ever sent twice at once. */
const LEASE_MARGIN_MS = 30_000;

export interface DeliveryResult {
  sent: number;
  retried: number;
  dead: number;
}

export interface Verdict {
  retry: boolean;
  /** The server could not be reached or refused the session: the rest of the round would fail alike. */
  unreachable: boolean;
}

/**
 * Retry or give up? 4xx replies and connection trouble are worth another try; a permanent (5xx)
 * reply or an envelope refused before sending is not. Failed credentials are the server's problem,
 * not the message's, so they are retried rather than killing every mail.
 */
export function judgeFailure(error: unknown): Verdict {
  const e = error as NodemailerError;
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return { retry: true, unreachable: true };
  if (typeof e.responseCode === 'number') {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode < 600);
    return { retry: !permanent, unreachable: e.responseCode === 421 };
  }
  if (e.code === 'EENVELOPE' || (e.rejected?.length ?? 0) > 0) return { retry: false, unreachable: false };
  return {
    retry: true,
    unreachable: ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EPROXY'].includes(e.code ?? ''),
  };
}

function errorText(error: unknown): string {
  const e = error as NodemailerError;
  const text = e instanceof Error ? `${e.code ? `${e.code}: ` : ''}${e.message}` : String(error);
  return text.slice(0, 2_000);
}

/** True when a message that failed again should be given up: tried often enough, for long enough. */
export function exhausted(m: Pick<OutboxMessage, 'attempts' | 'createdAt'>, now: Date): boolean {
  return m.attempts >= MAX_ATTEMPTS && now.getTime() - m.createdAt.getTime() >= RETRY_FOR_MS;
}

/** Exponential backoff with full jitter: a random wait up to min(cap, base * 2^(attempts-1)). */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Delivers due outbox mail. Safe on any number of instances at once: messages are claimed with
 * FOR UPDATE SKIP LOCKED under a lease, and every later update is fenced by (status, attempts),
 * so a sender whose lease lapsed cannot overwrite the new owner's outcome.
 */
@Injectable()
export class OutboxSender {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async deliverDue(limit = 50): Promise<DeliveryResult> {
    const result: DeliveryResult = { sent: 0, retried: 0, dead: 0 };
    const claimedAt = this.clock.now().getTime();
    const claimed = await this.claim(limit);
    // recipients whose earlier mail must be retried: their later mail waits, to keep the order
    const held = new Set<string>();
    let unreachable = false;
    for (const m of claimed) {
      try {
        if (
          unreachable ||
          held.has(m.recipient) ||
          this.clock.now().getTime() >= claimedAt + LEASE_MS - LEASE_MARGIN_MS
        ) {
          await this.release(m);
          continue;
        }
        // A lease that ran out means the sender died or hung while sending this very mail: such
        // takeovers get the plain count of attempts (an outage's failures get their day, below).
        if (
          (m.lapsed && m.attempts - 1 >= MAX_ATTEMPTS) ||
          exhausted({ attempts: m.attempts - 1, createdAt: m.createdAt }, this.clock.now())
        ) {
          // its tries and its time were used up by the last attempt, which ended without a result
          // (the process died while sending it) or was retried just before the time was up
          await this.markDead(
            m,
            `gave up after ${m.attempts - 1} attempts; the last: ${m.lastError ?? 'ended without a result (lease expired)'}`,
          );
          result.dead++;
          continue;
        }
        let failure: unknown = null;
        try {
          await this.transport.send(m);
        } catch (error) {
          failure = error ?? new Error('unknown send failure');
        }
        if (failure === null) {
          await this.markSent(m);
          result.sent++;
          continue;
        }
        const verdict = judgeFailure(failure);
        if (!verdict.retry || exhausted(m, this.clock.now())) {
          await this.markDead(m, errorText(failure));
          result.dead++;
          this.logger.warn({ outboxId: m.id, attempts: m.attempts, err: errorText(failure) }, 'mail given up as dead');
        } else {
          await this.markRetry(m, errorText(failure));
          result.retried++;
          held.add(m.recipient);
          unreachable ||= verdict.unreachable;
          this.logger.info({ outboxId: m.id, attempts: m.attempts, err: errorText(failure) }, 'mail will be retried');
        }
      } catch (error) {
        // Without the database nothing sent now could be recorded as sent, and all of it would go
        // again once the claims lapse: stop the round (the job logs it; the next tick tries again).
        if (isDatabaseUnavailable(error)) throw error;
        // one bad row never stops the round; its lease lapses and it is tried again (and waits for it)
        held.add(m.recipient);
        this.logger.error({ outboxId: m.id, err: error }, 'outbox row could not be processed');
      }
    }
    return result;
  }

  /** Claims due mail, in a transaction only as long as the claim (see OutboxRepository.claim). */
  private claim(limit: number): Promise<ClaimedMessage[]> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + LEASE_MS);
    return this.dataSource.transaction((manager) => this.outbox.claim(manager, now, leaseUntil, limit));
  }

  // Every update below is fenced by (status, attempts): it lands only while this sender still holds the claim.

  private markSent(m: OutboxMessage): Promise<void> {
    return this.outbox.markSent(m, this.clock.now());
  }

  private markRetry(m: OutboxMessage, error: string): Promise<void> {
    return this.outbox.markRetry(m, new Date(this.clock.now().getTime() + backoffMs(m.attempts)), error);
  }

  private markDead(m: OutboxMessage, error: string): Promise<void> {
    return this.outbox.markDead(m, error);
  }

  /** Back to pending, not tried, so the claim's attempt is not counted. */
  private release(m: OutboxMessage): Promise<void> {
    return this.outbox.release(m);
  }
}
