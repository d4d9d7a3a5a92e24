import { DataSource } from 'typeorm';

/** Advisory lock keys: one per kind of work that must not run twice at once. */
export const LOCKS = {
  migrations: 7_300_001,
  outboxClaim: 7_300_002,
} as const;

/**
 * Runs `work` while holding a session-level advisory lock on its own connection, so another
 * instance that asks for the same lock waits until this one is done.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: number, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}

export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  return withAdvisoryLock(dataSource, LOCKS.migrations, async () => {
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  });
}
