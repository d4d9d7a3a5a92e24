import type { EntityManager } from 'typeorm';

import { returningRows } from './sql.js';

/** The jobs (and parts of jobs) that keep failure records; a name is also a key in job_failure. */
export const FAILING_JOBS = ['plan', 'withdraw', 'hold', 'reveal', 'remind', 'followUp', 'digest'] as const;
export type FailingJob = (typeof FAILING_JOBS)[number];

/** A row that failed waits one minute, then twice as long after each further failure, at most six hours. */
export const RETRY_BASE_SECONDS = 60;
export const RETRY_CAP_SECONDS = 6 * 3_600;

export function retryDelaySeconds(failures: number): number {
  return Math.min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.min(Math.max(0, failures - 1), 20));
}

/**
 * SQL: true unless the row with id `idColumn` is waiting out a failure of `job` at `now` (a parameter
 * such as `$1`). Claims add it to their WHERE, so a bad row is not taken again before its time.
 */
export function notBackedOff(job: FailingJob, idColumn: string, now: string): string {
  if (!FAILING_JOBS.includes(job)) throw new Error(`unknown job ${job}`);
  return `NOT EXISTS (SELECT 1 FROM job_failure jf
                      WHERE jf.job = '${job}' AND jf.row_id = ${idColumn} AND jf.retry_at > ${now})`;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2_000);
}

/** Records one more failure of a row (with the caller's manager, so it commits with the rest of the batch). */
export async function recordJobFailure(
  manager: EntityManager,
  job: FailingJob,
  rowId: string,
  error: unknown,
  now: Date,
): Promise<{ failures: number; retryAt: Date }> {
  const [row] = await returningRows<{ failures: number; retry_at: Date }>(
    manager,
    `INSERT INTO job_failure AS f (job, row_id, failures, first_failed_at, last_failed_at, retry_at, last_error)
     VALUES ($1, $2, 1, $3, $3, $3::timestamptz + make_interval(secs => $4), $5)
     ON CONFLICT (job, row_id) DO UPDATE
        SET failures = f.failures + 1, last_failed_at = $3, last_error = $5,
            retry_at = $3::timestamptz + make_interval(secs => least($6, $4 * power(2, least(f.failures, 20))))
     RETURNING failures, retry_at`,
    [job, rowId, now, RETRY_BASE_SECONDS, errorText(error), RETRY_CAP_SECONDS],
  );
  return { failures: row.failures, retryAt: row.retry_at };
}

/** The rows of `job` with a failure on record, and when each may be tried again. */
export async function jobFailures(manager: EntityManager, job: FailingJob): Promise<Map<string, Date>> {
  const rows: Array<{ row_id: string; retry_at: Date }> = await manager.query(
    'SELECT row_id, retry_at FROM job_failure WHERE job = $1',
    [job],
  );
  return new Map(rows.map((r) => [r.row_id, r.retry_at]));
}

/** A row that has not failed for this long was fixed or is gone (a bad one fails again within six hours). */
export const FORGET_FAILURES_AFTER_DAYS = 7;

/** The cleanup job: drops failure records of rows that stopped failing long ago. */
export async function deleteStaleJobFailures(manager: EntityManager, now: Date): Promise<number> {
  const rows = await returningRows(manager, 'DELETE FROM job_failure WHERE last_failed_at < $1 RETURNING 1 AS gone', [
    new Date(now.getTime() - FORGET_FAILURES_AFTER_DAYS * 24 * 3_600_000),
  ]);
  return rows.length;
}

/** Forgets the failures of rows that have now gone through. */
export async function clearJobFailures(manager: EntityManager, job: FailingJob, rowIds: string[]): Promise<void> {
  if (rowIds.length)
    await manager.query('DELETE FROM job_failure WHERE job = $1 AND row_id = ANY($2::uuid[])', [job, rowIds]);
}
