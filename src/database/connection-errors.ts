/**
 * SQLSTATEs that say the server cannot serve us right now, not that the statement was wrong:
 * class 08 (connection exception), 57P01–57P03 (shutting down, crashed, starting up) and 53300
 * (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** Socket errors of a connection to the server that could not be made or was lost. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What pg and pg-pool say, without a code, when a connection ends or none comes in time. */
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|is not queryable/;
/**
 * TypeORM releases a query runner when its connection emits 'error' (the server went away), so the next statement of
 * a multi-statement read (a paged getManyAndCount) fails with this instead of the connection's own error.
 */
const UNAVAILABLE_NAME = new Set(['QueryRunnerAlreadyReleasedError']);

/**
 * True when an error means "the database cannot be reached now" (stopped, restarting, network),
 * which a caller should answer with 503 and a retry, rather than a bug worth a 500.
 * Looks through TypeORM's QueryFailedError (driverError) and `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return causes(error).some(
    (e) =>
      (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) ||
      (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) ||
      (typeof e.name === 'string' && UNAVAILABLE_NAME.has(e.name)),
  );
}

/** The SQLSTATE (e.g. 23505) of a database error, TypeORM's or pg's own, else undefined. */
export function sqlState(error: unknown): string | undefined {
  const code = causes(error).find((e) => typeof e.code === 'string' && SQLSTATE.test(e.code))?.code;
  return code as string | undefined;
}

/** The database's own error (with its SQLSTATE, message and constraint), TypeORM's or pg's, else undefined. */
export function sqlError(error: unknown): { code: string; message?: string; constraint?: string } | undefined {
  return causes(error).find((e) => typeof e.code === 'string' && SQLSTATE.test(e.code)) as { code: string } | undefined;
}

/** Five characters with a digit: 23505, 57P01, XX000 (socket errnos such as EPIPE have none). */
const SQLSTATE = /^(?=.*\d)[0-9A-Z]{5}$/;

type Cause = { code?: unknown; message?: unknown; name?: unknown; driverError?: unknown; cause?: unknown };

/** The error, then what it wraps: TypeORM's QueryFailedError (driverError) and `cause` chains. */
function causes(error: unknown): Cause[] {
  const out: Cause[] = [];
  let e = error as Cause | null | undefined;
  while (e && typeof e === 'object' && !out.includes(e)) {
    out.push(e);
    e = (e.driverError ?? e.cause) as Cause | null | undefined;
  }
  return out;
}
