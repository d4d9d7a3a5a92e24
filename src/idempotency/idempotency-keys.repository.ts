import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { returningRows } from '../database/sql.js';
import type { IdempotencyState } from './idempotency-key.entity.js';

/** Whose key: per organization and API key. */
export interface IdempotencyScope {
  organizationId: string;
  apiKeyId: string;
  personId: string;
}

/** A key as stored: who holds it, for which request, and the answer once there is one. */
export interface HeldKey {
  requestHash: string;
  state: IdempotencyState;
  leaseExpiresAt: Date;
  expiresAt: Date;
  responseStatus: number | null;
  responseBody: unknown;
}

/** One request's hold on a key: `attempt` tells it from a retry that took the key over. */
export interface KeyHold {
  organizationId: string;
  apiKeyId: string;
  key: string;
  attempt: string;
}

/**
 * Marks a held key committed, in the transaction that writes the request's rows (so both commit or neither
 * does). False when the hold is gone: a retry took the key over.
 */
export async function markKeyCommitted(manager: EntityManager, hold: KeyHold): Promise<boolean> {
  const rows = await returningRows(
    manager,
    `UPDATE idempotency_key SET state = 'committed'
      WHERE organization_id = $1 AND api_key_id = $2 AND key = $3 AND attempt = $4 AND state = 'in_flight'
      RETURNING 1 AS marked`,
    [hold.organizationId, hold.apiKeyId, hold.key, hold.attempt],
  );
  return rows.length > 0;
}

/** Every query on `idempotency_key` but the mark, which runs in the writing request's transaction. */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The key as stored, read without a lock (the first request's transaction may hold its row). */
  async held(scope: IdempotencyScope, key: string): Promise<HeldKey | null> {
    const rows: Array<{
      request_hash: string;
      state: IdempotencyState;
      lease_expires_at: Date;
      expires_at: Date;
      response_status: number | null;
      response_body: unknown;
    }> = await this.dataSource.query(
      `SELECT request_hash, state, lease_expires_at, expires_at, response_status, response_body
         FROM idempotency_key WHERE organization_id = $1 AND api_key_id = $2 AND key = $3`,
      [scope.organizationId, scope.apiKeyId, key],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      requestHash: r.request_hash,
      state: r.state,
      leaseExpiresAt: r.lease_expires_at,
      expiresAt: r.expires_at,
      responseStatus: r.response_status,
      responseBody: r.response_body,
    };
  }

  /**
   * Takes the key for `attempt`: a new key, one past its expiry, or one whose holder's lease lapsed before
   * anything was committed, for the same request. True when this attempt holds it now.
   */
  async take(
    scope: IdempotencyScope,
    key: string,
    requestHash: string,
    attempt: string,
    times: { now: Date; leaseExpiresAt: Date; expiresAt: Date },
  ): Promise<boolean> {
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
        times.leaseExpiresAt,
        times.now,
        times.expiresAt,
      ],
    );
    return taken[0]?.attempt === attempt;
  }

  /** Stores the first answer, while this hold still has the key. */
  async complete(hold: KeyHold, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_key SET state = 'done', response_status = $5, response_body = $6::jsonb
        WHERE organization_id = $1 AND api_key_id = $2 AND key = $3 AND attempt = $4
          AND state IN ('in_flight', 'committed')`,
      [hold.organizationId, hold.apiKeyId, hold.key, hold.attempt, status, JSON.stringify(body ?? null)],
    );
  }

  /** Frees a key nothing was committed under. */
  async release(hold: KeyHold): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_key
        WHERE organization_id = $1 AND api_key_id = $2 AND key = $3 AND attempt = $4 AND state = 'in_flight'`,
      [hold.organizationId, hold.apiKeyId, hold.key, hold.attempt],
    );
  }

  /** Forgets keys past their time; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    const rows = await returningRows(
      this.dataSource.manager,
      'DELETE FROM idempotency_key WHERE expires_at <= $1 RETURNING 1 AS gone',
      [now],
    );
    return rows.length;
  }
}
