import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import type { IdempotencyClaim } from './idempotency-context.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import type { IdempotencyScope } from './idempotency-keys.repository.js';

export type { IdempotencyScope };

/** How long a key is kept (and so how long a retry gets the first answer back). */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/** A request holds its key this long; after that (its process died) a retry may take the key over. */
export const IDEMPOTENCY_LEASE_MS = 5 * 60_000;

export type Begun =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'inFlight' }
  | { kind: 'answerLost' };

/** Idempotency-Keys: take a key, store the answer, give it back, forget expired ones. */
@Injectable()
export class IdempotencyService {
  constructor(private readonly keys: IdempotencyKeysRepository) {}

  /**
   * Takes the key for this request, unless it is already held: then says what the holder did. A key
   * past its expiry is as good as new; one whose holder's lease lapsed before anything was committed
   * (its process died) is taken over by the same request. The held key is read without a lock: the
   * first request's transaction holds its row until it commits, and a retry must not wait for that.
   */
  async begin(scope: IdempotencyScope, key: string, requestHash: string, now: Date): Promise<Begun> {
    for (let tries = 0; tries < 3; tries++) {
      const held = await this.keys.held(scope, key);
      const free =
        !held ||
        held.expiresAt <= now ||
        (held.state === 'in_flight' && held.leaseExpiresAt <= now && held.requestHash === requestHash);
      if (!free) {
        if (held.requestHash !== requestHash) return { kind: 'mismatch' };
        if (held.state === 'done') return { kind: 'replay', status: held.responseStatus!, body: held.responseBody };
        // committed but unanswered: its answer is on the way, unless its process died before storing it
        return { kind: held.state === 'committed' && held.leaseExpiresAt <= now ? 'answerLost' : 'inFlight' };
      }
      const attempt = randomUUID();
      const times = {
        now,
        leaseExpiresAt: new Date(now.getTime() + IDEMPOTENCY_LEASE_MS),
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000),
      };
      if (await this.keys.take(scope, key, requestHash, attempt, times)) {
        return {
          kind: 'claimed',
          claim: { organizationId: scope.organizationId, apiKeyId: scope.apiKeyId, key, attempt, marked: false },
        };
      }
      // another request took it between the read and the write: read again what it holds
    }
    return { kind: 'inFlight' };
  }

  /** Stores the first answer, for every retry until the key expires. */
  complete(claim: IdempotencyClaim, status: number, body: unknown): Promise<void> {
    return this.keys.complete(claim, status, body);
  }

  /** The request failed before committing anything: the key is free for a retry. */
  release(claim: IdempotencyClaim): Promise<void> {
    return this.keys.release(claim);
  }

  /** The cleanup job: keys past their time are forgotten. */
  deleteExpired(now: Date): Promise<number> {
    return this.keys.deleteExpired(now);
  }
}
