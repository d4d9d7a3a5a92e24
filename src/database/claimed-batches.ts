import type { DataSource, EntityManager } from 'typeorm';

import type { Clock } from '../common/clock.js';
import type { AppLogger } from '../common/logging/logger.js';
import { clearJobFailures, FailingJob, recordJobFailure } from './job-failures.js';
import { returningRows } from './sql.js';

export interface ClaimedBatchJob<T> {
  /** For the log and the failure records. */
  job: FailingJob;
  /**
   * `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT $n) RETURNING id`; the batch size is the
   * last parameter. Its WHERE must not be able to fail on any row's data (that would stop every row), and
   * should leave out rows waiting out a failure (`notBackedOff`).
   */
  claim: string;
  params: (now: Date) => unknown[];
  /** Hands one claimed row back for the next tick (`$1` is its id). */
  undo: string;
  /** What each claimed id needs, loaded once per batch (default: the ids themselves). */
  load?: (manager: EntityManager, ids: string[]) => Promise<T[]>;
  idOf?: (item: T) => string;
  each: (manager: EntityManager, item: T, now: Date) => Promise<void>;
}

const BATCH = 200;

/**
 * The one way a job works through due rows: claim a batch (so two instances never take the same
 * row), then handle each row under a savepoint in the same transaction, so its mail commits with
 * it. A row that fails is handed back, logged with its id, and recorded in job_failure: the claim
 * skips it until its retry time (backing off), so it never holds up the rows behind it. Returns the
 * rows handled.
 */
export async function processClaimedBatches<T = string>(
  deps: { dataSource: DataSource; clock: Clock; logger: AppLogger },
  job: ClaimedBatchJob<T>,
): Promise<number> {
  const load = job.load ?? ((_m: EntityManager, ids: string[]) => Promise.resolve(ids as unknown as T[]));
  const idOf = job.idOf ?? ((item: T) => item as unknown as string);
  let total = 0;
  for (;;) {
    const [claimed, done, failed] = await deps.dataSource.transaction(async (manager) => {
      const now = deps.clock.now();
      const ids = (await returningRows<{ id: string }>(manager, job.claim, [...job.params(now), BATCH])).map(
        (r) => r.id,
      );
      const succeeded: string[] = [];
      let failures = 0;
      for (const item of await load(manager, ids)) {
        await manager.query('SAVEPOINT job_item');
        try {
          await job.each(manager, item, now);
          await manager.query('RELEASE SAVEPOINT job_item');
          succeeded.push(idOf(item));
        } catch (error) {
          await manager.query('ROLLBACK TO SAVEPOINT job_item');
          await manager.query(job.undo, [idOf(item)]);
          const { failures: times, retryAt } = await recordJobFailure(manager, job.job, idOf(item), error, now);
          failures++;
          const failed = { job: job.job, id: idOf(item), failures: times, retryAt, err: error };
          deps.logger.error(failed, 'job item failed; it is skipped until retryAt');
        }
      }
      await clearJobFailures(manager, job.job, succeeded);
      return [ids.length, succeeded.length, failures];
    });
    total += done;
    // every claimed row either went through or waits out its failure: the next claim takes new rows
    if (claimed < BATCH || done + failed === 0) return total;
  }
}
