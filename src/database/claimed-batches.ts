import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../common/clock.js';
import type { AppLogger } from '../common/logging/logger.js';
import { returningRows } from './sql.js';

export interface ClaimedBatchJob<T> {
  /** For the log. */
  job: string;
  /** `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT $n) RETURNING id`; the batch size is the last parameter. */
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
 * it. A row that fails is handed back and logged; the rest go on. Returns the rows handled.
 */
export async function processClaimedBatches<T = string>(
  deps: { dataSource: DataSource; clock: Clock; logger: AppLogger },
  job: ClaimedBatchJob<T>,
): Promise<number> {
  const load = job.load ?? (async (_m: EntityManager, ids: string[]) => ids as unknown as T[]);
  const idOf = job.idOf ?? ((item: T) => item as unknown as string);
  let total = 0;
  for (;;) {
    const [claimed, done] = await deps.dataSource.transaction(async (manager) => {
      const now = deps.clock.now();
      const ids = (await returningRows<{ id: string }>(manager, job.claim, [...job.params(now), BATCH])).map((r) => r.id);
      let ok = 0;
      for (const item of await load(manager, ids)) {
        await manager.query('SAVEPOINT job_item');
        try {
          await job.each(manager, item, now);
          await manager.query('RELEASE SAVEPOINT job_item');
          ok++;
        } catch (error) {
          await manager.query('ROLLBACK TO SAVEPOINT job_item');
          await manager.query(job.undo, [idOf(item)]);
          deps.logger.error({ job: job.job, id: idOf(item), err: error }, 'job item failed; it is retried at the next tick');
        }
      }
      return [ids.length, ok];
    });
    total += done;
    if (claimed < BATCH || done === 0) return total;
  }
}
