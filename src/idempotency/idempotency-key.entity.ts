import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

import { ApiKey } from '../auth/api-key.entity.js';

export const IDEMPOTENCY_STATES = ['in_flight', 'committed', 'done'] as const;
export type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

/**
 * An Idempotency-Key sent with a creating request, per organization and API key: `in_flight` while the
 * first request runs, `committed` in the same transaction as the rows it created, `done` once its
 * answer is stored (what a retry with the same key and body gets back).
 */
@Entity('idempotency_key')
@Check('idempotency_key_state_check', "state IN ('in_flight', 'committed', 'done')")
@Index('idempotency_key_expires_idx', ['expiresAt'])
export class IdempotencyKey {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid', primaryKeyConstraintName: 'idempotency_key_pkey' })
  organizationId: string;

  @PrimaryColumn({ name: 'api_key_id', type: 'uuid', primaryKeyConstraintName: 'idempotency_key_pkey' })
  @ForeignKey(() => ApiKey, { name: 'idempotency_key_api_key_fkey', onDelete: 'CASCADE' })
  apiKeyId: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'idempotency_key_pkey' })
  key: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  /** SHA-256 of the method, path and body: the same key with another request is refused. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  @Column('text')
  state: IdempotencyState;

  /** Which request holds the key: a request whose lease lapsed and was taken over can no longer commit it. */
  @Column('uuid')
  attempt: string;

  @Column({ name: 'lease_expires_at', type: 'timestamptz' })
  leaseExpiresAt: Date;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody: unknown;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
