import { randomUUID } from 'node:crypto';

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { AppLogger } from './common/logging/logger.js';
import { redactSecretLink } from './common/logging/request-logging.middleware.js';
import { isDatabaseUnavailable, sqlState } from './database/connection-errors.js';
import { vanishedReference, vanishedReferenceConflict } from './database/vanished-reference.js';

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
  /** body-parser's limit, in bytes, when the body was too large */
  limit?: number;
}

/** 1048576 → "1mb", as BODY_LIMIT is written. */
function sizeText(bytes: number): string {
  if (bytes % 1_048_576 === 0) return `${bytes / 1_048_576}mb`;
  if (bytes % 1024 === 0) return `${bytes / 1024}kb`;
  return `${bytes} bytes`;
}

/** Seconds a client is asked to wait when the service cannot answer for now (503). */
export const RETRY_AFTER_SECONDS = 5;

const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'Request body is not valid JSON',
  'entity.too.large': 'Request body is larger than the limit',
  'encoding.unsupported': 'Request body encoding is not supported',
  'charset.unsupported': 'Request body charset is not supported',
  'request.aborted': 'Request was aborted',
};

/** Answers a path no route matched, outside the API, with a page (the console's 404). */
export interface PageNotFound {
  send(host: ArgumentsHost): Promise<void>;
}

/** The API's paths: an unknown one answers JSON, like every API error. */
const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

/**
 * Every error leaves as JSON with a status and a message a user can act on. An unexpected one
 * answers 500 with an errorId that is also in the log beside the stack; the stack never leaves.
 * A database that cannot be reached (stopped, restarting) answers 503 with Retry-After: the
 * request was fine, and the same request will succeed once the database is back.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(
    private readonly logger: AppLogger,
    private readonly pageNotFound?: PageNotFound,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    if (res.headersSent) return;
    // headers a route sets for its success (a CSV download's type and file name) do not describe an error
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Disposition');

    // NestJS hands body-parser's errors on wrapped in an HttpException; their own message is terse ("request entity too large")
    const parser = (exception instanceof HttpException ? exception.cause : exception) as HttpLikeError | undefined;
    if (parser?.type && BODY_PARSER_MESSAGES[parser.type]) {
      const status = parser.status ?? parser.statusCode ?? 400;
      let message = BODY_PARSER_MESSAGES[parser.type];
      if (parser.type === 'entity.too.large' && typeof parser.limit === 'number')
        message += ` of ${sizeText(parser.limit)}`;
      res.status(status).json({ statusCode: status, message });
      return;
    }

    // a path no route matched (express sets req.route on a match): outside the API, a page says so
    if (this.pageNotFound && exception instanceof NotFoundException && !req.route && !isApiPath(req.path)) {
      this.pageNotFound.send(host).catch((error: unknown) => {
        this.logger.warn({ reqId: req.id, err: error }, 'page not found: the page could not be drawn');
        if (!res.headersSent) res.status(HttpStatus.NOT_FOUND).json(exception.getResponse());
      });
      return;
    }

    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const status: HttpStatus = exception.getStatus();
      if (status === HttpStatus.SERVICE_UNAVAILABLE) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(status).json(typeof body === 'string' ? { statusCode: status, message: body } : body);
      return;
    }

    const httpLike = exception as HttpLikeError;
    const status = httpLike?.status ?? httpLike?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500 && (httpLike.type || httpLike.expose)) {
      const message = httpLike.message ?? 'Bad request';
      res.status(status).json({ statusCode: status, message });
      return;
    }

    // A race the service checks could not see (two creates at once): report the conflict.
    const code = sqlState(exception);
    if (code === '23505') {
      res
        .status(HttpStatus.CONFLICT)
        .json({ statusCode: 409, error: 'Conflict', message: 'A row with the same unique value already exists' });
      return;
    }
    const vanished = vanishedReference(exception);
    if (vanished) {
      // a write that refers to a row deleted meanwhile: the request was fine, its inputs changed
      res.status(HttpStatus.CONFLICT).json(vanishedReferenceConflict(vanished).getResponse());
      return;
    }
    if (code === '23503') {
      res.status(HttpStatus.CONFLICT).json({
        statusCode: 409,
        error: 'Conflict',
        message: 'Other rows still refer to this one (assignments, for example); it cannot be removed',
      });
      return;
    }

    if (isDatabaseUnavailable(exception)) {
      const err = exception as { code?: string; message?: string };
      // no stack and no errorId: this is an outage to watch, not a bug to trace (the access log has the request)
      this.logger.warn({ reqId: req?.id, code: err.code, reason: err.message }, 'database unavailable');
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The database is unavailable for the moment; try again shortly',
      });
      return;
    }

    const errorId = randomUUID();
    this.logger.error(
      {
        errorId,
        reqId: req?.id,
        err: exception,
        method: req?.method,
        url: req?.originalUrl && redactSecretLink(req.originalUrl),
      },
      'unhandled error',
    );
    res.status(HttpStatus.INTERNAL_SERVER_ERROR).json({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'An unexpected error occurred; quote the errorId when reporting it',
      errorId,
    });
  }
}
