import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Clock } from '../common/clock.js';
import type { AppLogger } from '../common/logging/logger.js';
import { messagePage, sendPrivatePage } from '../common/page-shell.js';

export interface GuessLimitOptions {
  failures: number;
  windowSeconds: number;
}

/** The paths whose second segment is a secret: a tester's outcome form, a follow-up question, a digest. */
const SECRET_LINK = /^\/[tfd]\//i; // Express matches routes whatever the case: /T/… reaches /t/:token

/** The secret was wrong: a key refused (401), or a link that opens nothing (404) or nothing any more (410). */
const failedGuess = (link: boolean, status: number) => (link ? status === 404 || status === 410 : status === 401);

/** Above this many clients, expired windows are swept when a new one starts. */
const SWEEP_ABOVE = 10_000;

/**
 * Limits repeated failed guesses of API keys and link secrets per client address: after
 * `failures` wrong secrets in a window, that address's requests that show a secret get 429 with
 * Retry-After until the window ends. Only failures are counted, when their answer is known, so
 * authorised traffic is never slowed or refused however fast it comes (express-rate-limit's own
 * middleware counts every request while it is in flight, which would). Windows follow the app's
 * clock. State is per process: with several instances a client gets up to `failures` per instance.
 */
export function guessLimit(options: GuessLimitOptions, clock: Clock, logger: AppLogger) {
  const windowMs = options.windowSeconds * 1000;
  const clients = new Map<string, { failures: number; resetAt: number }>();
  const keyOf = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

  function current(key: string, now: number) {
    const entry = clients.get(key);
    if (entry && entry.resetAt <= now) clients.delete(key);
    return entry && entry.resetAt > now ? entry : undefined;
  }

  function count(key: string) {
    const now = clock.now().getTime();
    let entry = current(key, now);
    if (!entry) {
      if (clients.size >= SWEEP_ABOVE) for (const [k, e] of clients) if (e.resetAt <= now) clients.delete(k);
      entry = { failures: 0, resetAt: now + windowMs };
      clients.set(key, entry);
    }
    entry.failures++;
    if (entry.failures === options.failures) {
      logger.warn(
        { client: key, failures: entry.failures, until: new Date(entry.resetAt).toISOString() },
        'too many failed guesses of keys or links: client refused until the window ends',
      );
    }
  }

  return (req: Request, res: Response, next: NextFunction): void => {
    // Only a request that shows a secret (a link, or an Authorization header) can be a guess, so only such requests are ever refused.
    const link = SECRET_LINK.test(req.path);
    if (!link && req.headers.authorization === undefined) return next();
    const key = keyOf(req);
    const now = clock.now().getTime();
    const entry = current(key, now);
    if (entry && entry.failures >= options.failures) {
      const seconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
      const message = `Too many attempts with a wrong API key or link from your address. Try again in ${seconds} seconds.`;
      res.setHeader('Retry-After', String(seconds));
      if (link) sendPrivatePage(res, 429, messagePage('Too many attempts', message));
      else res.status(429).json({ statusCode: 429, error: 'Too Many Requests', message });
      return;
    }
    res.once('finish', () => {
      if (failedGuess(link, res.statusCode)) count(key);
    });
    next();
  };
}
