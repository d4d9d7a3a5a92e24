import { AsyncLocalStorage } from 'node:async_hooks';

import { ConflictException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { markKeyCommitted } from './idempotency-keys.repository.js';

/** The Idempotency-Key a request holds while its handler runs (see IdempotencyInterceptor). */
export interface IdempotencyClaim {
  organizationId: string;
  apiKeyId: string;
  key: string;
  /** This request's hold on the key; a retry that took the key over holds another. */
  attempt: string;
  /** Set once the key is marked used in the transaction that wrote the request's rows. */
  marked: boolean;
}

const current = new AsyncLocalStorage<IdempotencyClaim>();

export function runWithIdempotencyClaim<T>(claim: IdempotencyClaim, work: () => Promise<T>): Promise<T> {
  return current.run(claim, work);
}

/** True while a request that sent an Idempotency-Key is being handled (and its key not yet marked used). */
export function idempotencyKeyPending(): boolean {
  const claim = current.getStore();
  return !!claim && !claim.marked;
}

/**
 * Marks the request's Idempotency-Key used, with the manager of the transaction that writes the
 * request's rows: the rows and the mark commit together, or neither does. So a retry after a crash
 * either finds the key used (and creates nothing) or finds the first attempt left nothing behind.
 * Without a key (or once marked) it does nothing. Every creating service behind @Idempotent calls it.
 */
export async function markIdempotencyKeyUsed(manager: EntityManager): Promise<void> {
  const claim = current.getStore();
  if (!claim || claim.marked) return;
  if (!(await markKeyCommitted(manager, claim))) {
    throw new ConflictException(
      'A retry with the same Idempotency-Key took this request over; nothing of this one was kept',
    );
  }
  claim.marked = true;
}
