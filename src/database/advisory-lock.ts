import { DataSource, EntityManager } from 'typeorm';

/** Advisory lock keys: one per kind of work that must not run twice at once. */
export const LOCKS = {
  migrations: 7_300_001,
  outboxClaim: 7_300_002,
  planning: 7_300_003,
  digest: 7_300_004,
} as const;

/**
 * Serialises everything that books testers in one organization (planning, re-fills): caps, spacing
 * and rotation are checked against the organization's whole plan, so two bookers must not read it
 * at once. Transaction-scoped; take it first, before any row lock.
 */
export async function lockOrganizationPlanning(manager: EntityManager, organizationId: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.planning, organizationId]);
}

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
