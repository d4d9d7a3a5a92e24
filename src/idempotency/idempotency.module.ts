import { Global, Module } from '@nestjs/common';

import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyService } from './idempotency.service.js';

/** Idempotency-Key handling for every creating route marked @Idempotent. */
@Global()
@Module({
  providers: [IdempotencyService, IdempotencyKeysRepository, IdempotencyInterceptor],
  exports: [IdempotencyService, IdempotencyInterceptor],
})
export class IdempotencyModule {}
