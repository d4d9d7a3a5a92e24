import { createHash } from 'node:crypto';

import {
  CallHandler,
  ConflictException,
  ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  NestInterceptor,
  UnprocessableEntityException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { defer, lastValueFrom, Observable } from 'rxjs';

import type { ApiActor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { runWithIdempotencyClaim } from './idempotency-context.js';
import { IdempotencyService } from './idempotency.service.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Sorted keys, so the same body sent with its fields in another order is the same request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** What makes two requests "the same": method, path with query, and body (JSON or CSV text). */
export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method, url, canonical(body ?? null)]))
    .digest('hex');
}

function keyOf(header: string | string[]): string {
  if (typeof header === 'string' && KEY.test(header)) return header;
  const message = `${IDEMPOTENCY_HEADER} must be 1 to 255 visible ASCII characters (no spaces), sent once, e.g. a UUID`;
  throw new FieldValidationException(
    [{ field: IDEMPOTENCY_HEADER, rule: 'idempotencyKey', message }],
    'Invalid header',
  );
}

/**
 * Honours an Idempotency-Key on a creating route (see @Idempotent). Without the header it does
 * nothing. With it: the first request runs and its answer is stored; the same key with the same
 * request gets that answer again (status and body, with `Idempotent-Replayed: true`) and creates
 * nothing; the same key with another request answers 422; one still running answers 409. Keys are
 * per organization and API key, kept IDEMPOTENCY_KEY_TTL_HOURS.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly keys: IdempotencyService,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const header = context.switchToHttp().getRequest<Request>().headers['idempotency-key'];
    if (header === undefined) return next.handle();
    return defer(() => this.handle(context, next, header));
  }

  private async handle(context: ExecutionContext, next: CallHandler, header: string | string[]): Promise<unknown> {
    const key = keyOf(header);
    const req = context.switchToHttp().getRequest<Request & { actor: ApiActor }>();
    const res = context.switchToHttp().getResponse<Response>();
    const { organizationId, keyId: apiKeyId, personId } = req.actor;
    const begun = await this.keys.begin(
      { organizationId, apiKeyId, personId },
      key,
      requestHash(req.method, req.originalUrl, req.body),
      this.clock.now(),
    );
    switch (begun.kind) {
      case 'replay':
        res.status(begun.status).setHeader('Idempotent-Replayed', 'true');
        return begun.body;
      case 'mismatch':
        throw new UnprocessableEntityException({
          statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
          error: 'Unprocessable Entity',
          message:
            `This ${IDEMPOTENCY_HEADER} was already used with a different request (method, path or body); ` +
            'send a new key for a new request',
          errors: [
            {
              field: IDEMPOTENCY_HEADER,
              rule: 'sameRequest',
              message: `${IDEMPOTENCY_HEADER} was already used with a different request`,
            },
          ],
        });
      case 'inFlight':
        res.setHeader('Retry-After', '1');
        throw new ConflictException(
          `A request with this ${IDEMPOTENCY_HEADER} is still in progress; retry shortly to get its answer`,
        );
      case 'answerLost':
        throw new ConflictException(
          `The request with this ${IDEMPOTENCY_HEADER} was carried out, but the service stopped before its answer ` +
            'was stored; nothing was created twice. List the records to find what it created',
        );
    }
    const claim = begun.claim;
    let body: unknown;
    try {
      body = await runWithIdempotencyClaim(claim, () => lastValueFrom(next.handle(), { defaultValue: undefined }));
    } catch (error) {
      await this.keys
        .release(claim)
        .catch((e) => this.logger.warn({ err: e, key }, 'idempotency key could not be released'));
      throw error;
    }
    if (!claim.marked) {
      // a creating service behind @Idempotent must call markIdempotencyKeyUsed in its transaction
      this.logger.error(
        { route: `${req.method} ${(req.route as { path?: string } | undefined)?.path}`, key },
        'the route did not mark its Idempotency-Key used',
      );
    }
    // what was created stays created: a lost answer is reported to a retry (answerLost), never repeated
    await this.keys
      .complete(claim, res.statusCode, body)
      .catch((e) => this.logger.error({ err: e, key }, 'idempotent answer could not be stored'));
    return body;
  }
}
