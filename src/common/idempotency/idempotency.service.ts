import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { returningRows } from '../../database/sql.js';
import type { IdempotencyClaim } from './idempotency-context.js';
import type { IdempotencyState } from './idempotency-key.entity.js';

/** How long a key is kept (and so how long a retry gets the first answer back). */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/** A request holds its key this long; after that (its process died) a retry may take the key over. */
export const IDEMPOTENCY_LEASE_MS = 5 * 60_000;

export interface IdempotencyScope {
  organizationId: string;
  apiKeyId: string;
  personId: string;
}

export type Begun =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'inFlight' }
  | { kind: 'answerLost' };

interface StoredKey {
  request_hash: string;
  state: IdempotencyState;
  lease_expires_at: Date;
  expires_at: Date;
  response_status: number | null;
  response_body: unknown;
}

/** The idempotency_key table: take a key, store the answer, give it back, forget expired ones. */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the key for this request, unless it is already held: then says what the holder did. A key
   * past its expiry is as good as new; one whose holder's lease lapsed before anything was committed
   * (its process died) is taken over by the same request. The held key is read without a lock: the
   * first request's transaction holds its row until it commits, and a retry must not wait for that.
   */
  async begin(scope: IdempotencyScope, key: string, requestHash: string, now: Date): Promise<Begun> {
    for (let tries = 0; tries < 3; tries++) {
      const [held] = await this.dataSource.query<StoredKey[]>(
        `SELECT request_hash, state, lease_expires_at, expires_at, response_status, response_body
           FROM idempotency_key WHERE organization_id = $1 AND api_key_id = $2 AND key = $3`,
        [scope.organizationId, scope.apiKeyId, key],
      );
      const free =
        !held ||
        held.expires_at <= now ||
        (held.state === 'in_flight' && held.lease_expires_at <= now && held.request_hash === requestHash);
      if (!free) {
        if (held.request_hash !== requestHash) return { kind: 'mismatch' };
        if (held.state === 'done') return { kind: 'replay', status: held.response_status!, body: held.response_body };
        // committed but unanswered: its answer is on the way, unless its process died before storing it
        return { kind: held.state === 'committed' && held.lease_expires_at <= now ? 'answerLost' : 'inFlight' };
      }
      const attempt = randomUUID();
      const taken = await returningRows<{ attempt: string }>(
        this.dataSource.manager,
        `INSERT INTO idempotency_key AS k (organization_id, api_key_id, key, person_id, request_hash, state, attempt,
                                           lease_expires_at, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, $7, $8, $9)
         ON CONFLICT (organization_id, api_key_id, key) DO UPDATE
            SET person_id = EXCLUDED.person_id, request_hash = EXCLUDED.request_hash, state = 'in_flight',
                attempt = EXCLUDED.attempt, lease_expires_at = EXCLUDED.lease_expires_at,
                response_status = NULL, response_body = NULL,
                created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
          WHERE k.expires_at <= $8
             OR (k.state = 'in_flight' AND k.lease_expires_at <= $8 AND k.request_hash = EXCLUDED.request_hash)
         RETURNING attempt`,
        [
          scope.organizationId,
          scope.apiKeyId,
          key,
          scope.personId,
          requestHash,
          attempt,
          new Date(now.getTime() + IDEMPOTENCY_LEASE_MS),
          now,
          new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000),
        ],
      );
      if (taken[0]?.attempt === attempt) {
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
  async complete(claim: IdempotencyClaim, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_key SET state = 'done', response_status = $5, response_body = $6::jsonb
        WHERE organization_id = $1 AND api_key_id = $2 AND key = $3 AND attempt = $4
          AND state IN ('in_flight', 'committed')`,
      [claim.organizationId, claim.apiKeyId, claim.key, claim.attempt, status, JSON.stringify(body ?? null)],
    );
  }

  /** The request failed before committing anything: the key is free for a retry. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_key
        WHERE organization_id = $1 AND api_key_id = $2 AND key = $3 AND attempt = $4 AND state = 'in_flight'`,
      [claim.organizationId, claim.apiKeyId, claim.key, claim.attempt],
    );
  }

  /** The cleanup job: keys past their time are forgotten. */
  async deleteExpired(now: Date): Promise<number> {
    const rows = await returningRows(
      this.dataSource.manager,
      'DELETE FROM idempotency_key WHERE expires_at <= $1 RETURNING 1 AS gone',
      [now],
    );
    return rows.length;
  }
}
