import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { pinoHttp } from 'pino-http';

import type { AppLogger } from './logger.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** A secret link's path (/t/…, /f/…, /d/…, in any case: Express routes ignore it) with its secret replaced, for anything that is logged. */
export function redactSecretLink(url: string): string {
  return url.replace(/^\/([tfd]|signin)\/[^/?#]+/i, '/$1/[secret]');
}

/** Access log plus a request id: taken from X-Request-Id when sane, else new; echoed back. */
export function requestLogging(logger: AppLogger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel(_req, res, err) {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    serializers: {
      req(req: { id: unknown; method: string; url: string }) {
        return { id: req.id, method: req.method, url: redactSecretLink(req.url) };
      },
      res(res: { statusCode: number }) {
        return { statusCode: res.statusCode };
      },
    },
    // Health probes every few seconds would drown the log.
    autoLogging: { ignore: (req) => req.url === '/health' },
  });
}
