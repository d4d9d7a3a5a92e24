import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';

import { IDEMPOTENCY_HEADER, IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IDEMPOTENCY_KEY_TTL_HOURS } from './idempotency.service.js';

/**
 * A creating route that honours an Idempotency-Key header. Its service marks the key used in the
 * transaction that writes its rows (`markIdempotencyKeyUsed`), so the rows and the key commit together.
 */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_HEADER,
      required: false,
      description:
        `Makes a retry safe: the same key with the same request gets the first answer again (status and body, ` +
        `with Idempotent-Replayed: true) and creates nothing. Keys are per organization and API key, kept ` +
        `${IDEMPOTENCY_KEY_TTL_HOURS} hours; 1 to 255 visible ASCII characters, e.g. a UUID.`,
      schema: { type: 'string', maxLength: 255, example: '3f0c1a9e-7d2b-4c55-9a61-0b8e2f4d6c17' },
    }),
    ApiConflictResponse({
      description:
        'A request with the same Idempotency-Key is still in progress (retry shortly), or its answer was lost',
    }),
    ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was already used with a different request' }),
  );
