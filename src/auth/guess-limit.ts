import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';

import type { Clock } from '../common/clock.js';
import type { AppLogger } from '../common/logging/logger.js';
import { messagePage, sendPrivatePage } from '../common/page-shell.js';

export interface GuessLimitOptions {
  failures: number;
  windowSeconds: number;
}

/** The paths whose second segment is a secret: a tester's outcome form, a follow-up question, a digest, a sign-in. */
const SECRET_LINK = /^\/(?:[tfd]|signin)\//i; // Express matches routes whatever the case: /T/… reaches /t/:token

/** The secret was wrong: a key refused (401), or a link that opens nothing (404) or nothing any more (410). */
const failedGuess = (link: boolean, status: number) => (link ? status === 404 || status === 410 : status === 401);

/** Above this many clients, expired windows are swept when a new one starts. */
const SWEEP_ABOVE = 10_000;

/**
 * Counts events per key in fixed windows that follow the app's clock: after `limit` events a key is
 * refused until its window ends. State is per process. Expired windows are swept as new ones start.
 */
export class WindowCounter {
  private readonly entries = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  private current(key: string, now: number) {
    const entry = this.entries.get(key);
    if (entry && entry.resetAt <= now) this.entries.delete(key);
    return entry && entry.resetAt > now ? entry : undefined;
  }

  /** Seconds until the key may act again, or 0 when it may now. */
  refusedFor(key: string): number {
    const now = this.clock.now().getTime();
    const entry = this.current(key, now);
    if (!entry || entry.count < this.limit) return 0;
    return Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
  }

  /** Counts one event; answers the key's count in its window, and when the window ends. */
  count(key: string): { count: number; resetAt: number } {
    const now = this.clock.now().getTime();
    let entry = this.current(key, now);
    if (!entry) {
      if (this.entries.size >= SWEEP_ABOVE)
        for (const [k, e] of this.entries) if (e.resetAt <= now) this.entries.delete(k);
      entry = { count: 0, resetAt: now + this.windowMs };
      this.entries.set(key, entry);
    }
    entry.count++;
    return { ...entry };
  }
}

/** The client a request counts against: its address (IPv6 by its /56, as express-rate-limit does). */
export const clientKey = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/**
 * Limits repeated failed guesses of API keys and link secrets per client address: after
 * `failures` wrong secrets in a window, that address's requests that show a secret get 429 with
 * Retry-After until the window ends. Only failures are counted, when their answer is known, so
 * authorised traffic is never slowed or refused however fast it comes (express-rate-limit's own
 * middleware counts every request while it is in flight, which would). Windows follow the app's
 * clock. State is per process: with several instances a client gets up to `failures` per instance.
 */
export function guessLimit(options: GuessLimitOptions, clock: Clock, logger: AppLogger) {
  const failures = new WindowCounter(options.failures, options.windowSeconds * 1000, clock);

  function count(key: string) {
    const entry = failures.count(key);
    if (entry.count === options.failures) {
      logger.warn(
        { client: key, failures: entry.count, until: new Date(entry.resetAt).toISOString() },
        'too many failed guesses of keys or links: client refused until the window ends',
      );
    }
  }

  return (req: Request, res: Response, next: NextFunction): void => {
    // Only a request that shows a secret (a link, or an Authorization header) can be a guess, so only such requests are ever refused.
    const link = SECRET_LINK.test(req.path);
    if (!link && req.headers.authorization === undefined) return next();
    const key = clientKey(req);
    const seconds = failures.refusedFor(key);
    if (seconds > 0) {
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
