import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../ormconfig.js';
import { runMigrations } from '../src/database/advisory-lock.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

/** A fresh database for a benchmark: DATABASE_URL's server when set, else a throwaway embedded one. */
export async function benchDatabase(): Promise<{ dataSource: DataSource; url: string; serverVersion: string; close(): Promise<void> }> {
  let url = process.env.DATABASE_URL;
  let stop = async () => undefined;
  if (!url) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-bench-'));
    await chmod(dir, 0o755);
    const db = await startEmbeddedPostgres({ dataDir: dir });
    url = db.url;
    stop = async () => {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const dataSource = new DataSource(dataSourceOptions(url, 10));
  await dataSource.initialize();
  await runMigrations(dataSource);
  const [{ server_version }] = await dataSource.query('SHOW server_version');
  return {
    dataSource,
    url,
    serverVersion: server_version,
    async close() {
      await dataSource.destroy();
      await stop();
    },
  };
}

export function machine(): { cores: number; memoryGiB: number; cpu: string; node: string } {
  return { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version };
}

/** Tracks the peak resident set size of this process while it runs. */
export function peakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}
