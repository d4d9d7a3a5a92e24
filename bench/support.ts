import { ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Result } from 'autocannon';
import { DataSource } from 'typeorm';

import { dataSourceOptions } from '../ormconfig.js';
import { runMigrations } from '../src/database/advisory-lock.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

const run = promisify(execFile);

/** A fresh database for a benchmark: DATABASE_URL's server when set, else a throwaway embedded one. */
export async function benchDatabase(): Promise<{
  dataSource: DataSource;
  url: string;
  serverVersion: string;
  close(): Promise<void>;
}> {
  let url = process.env.DATABASE_URL;
  let stop = (): Promise<void> => Promise.resolve();
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
  return {
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
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

/**
 * The service as `npm start` runs it (`node dist/src/main.js`, its own process) on `databaseUrl`,
 * once /health answers. `env` adds settings (e.g. ENABLE_JOBS=false).
 */
export async function startService(databaseUrl: string, port: number, env: Record<string, string> = {}) {
  const base = { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1' };
  const child = spawn(process.execPath, [path.resolve('dist/src/main.js')], {
    env: { ...base, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the service did not become healthy within 30 s');
}

export async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** One autocannon run in a process of its own (dist/bench/load-driver.js), its options through a file. */
export async function autocannonRun(options: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** Cycled one per request (see load-driver.ts): a path and headers each. */
  cycle?: Array<{ path?: string; headers?: Record<string, string> }>;
}): Promise<Result> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-load-'));
  const file = path.join(dir, 'options.json');
  try {
    await writeFile(file, JSON.stringify({ method: 'GET', headers: {}, ...options }));
    const driver = path.resolve('dist/bench/load-driver.js');
    const { stdout } = await run(process.execPath, [driver, file], { maxBuffer: 64 * 2 ** 20 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Resident set size of a process now, in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The value at a quantile (0–1) of some numbers, by the nearest rank. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** CPU seconds used so far by a process (Linux /proc: utime + stime), 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds the machine has been busy so far, all cores together (Linux /proc/stat: all but idle and iowait). */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (cpu.reduce((a, b) => a + b, 0) - cpu[3] - cpu[4]) / 100;
}
