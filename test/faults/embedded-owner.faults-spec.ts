import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { NodeChild, startNode } from '../support/child-process.js';

/**
 * The embedded PostgreSQL has one owner. `npm start` with nothing configured starts it and stops it
 * on its own shutdown; another start on the same data joins it while that owner lives and leaves it
 * running; after a `kill -9` of the owner, the next start takes it over and stops it when it stops.
 */

let dataDir: string;
const started: NodeChild[] = [];

function startService(): NodeChild {
  const service = startNode('dist/src/main.js', [], {
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ENABLE_JOBS: 'false',
  });
  started.push(service);
  return service;
}

async function portOf(service: NodeChild): Promise<number> {
  return Number(/"port":(\d+)/.exec(await service.waitForLine(/Groundtruth is listening/))![1]);
}

const health = async (port: number) => (await fetch(`http://127.0.0.1:${port}/health`)).status;

/** The postmaster's pid and port, from the file PostgreSQL keeps while it runs (null once it stopped). */
async function postmaster(): Promise<{ pid: number; port: number } | null> {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = (await readFile(file, 'utf8')).split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** Running, not merely waiting to be reaped (a stopped postmaster whose parent is gone may linger as a zombie). */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]);
  } catch {
    return false;
  }
}

/** Does PostgreSQL answer on its port? */
async function accepts(port: number): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'nobody',
    database: 'nothing',
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
    return true;
  } catch (error) {
    // refused: nothing listens; any answer from the server (an auth failure) means it runs
    return (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED';
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function stopGracefully(service: NodeChild): Promise<void> {
  service.child.kill('SIGTERM');
  expect((await service.exited).code).toBe(0);
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-owner-'));
  await chmod(dataDir, 0o755); // the postgres system user (when run as root) must reach it
});

afterEach(async () => {
  for (const s of started.splice(0)) await s.kill();
  // whatever a failed test left running
  const server = await postmaster();
  if (server && processAlive(server.pid)) {
    process.kill(server.pid, 'SIGQUIT');
    for (let i = 0; i < 100 && processAlive(server.pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded PostgreSQL has one owner', () => {
  it('is taken over by the next start after its owner was killed, and stopped when that one stops', async () => {
    const first = startService();
    const firstPort = await portOf(first);
    expect(await health(firstPort)).toBe(200);
    const server = (await postmaster())!;
    expect(JSON.parse(await readFile(path.join(dataDir, 'pg-owner.json'), 'utf8'))).toMatchObject({
      pid: first.child.pid,
    });

    await first.kill(); // kill -9: no shutdown of its own
    expect(processAlive(server.pid)).toBe(true);
    expect(await accepts(server.port)).toBe(true);

    const second = startService();
    const secondPort = await portOf(second);
    expect(second.logs().map((l) => l.msg)).toContainEqual(
      expect.stringMatching(
        /^taking over the embedded PostgreSQL left running on port \d+ \(process \d+, which is gone\)/,
      ),
    );
    expect(await postmaster()).toEqual(server); // the same server, not a second one
    expect(await health(secondPort)).toBe(200);
    expect(JSON.parse(await readFile(path.join(dataDir, 'pg-owner.json'), 'utf8'))).toMatchObject({
      pid: second.child.pid,
    });

    await stopGracefully(second);
    expect(processAlive(server.pid)).toBe(false);
    expect(await postmaster()).toBeNull();
    expect(await accepts(server.port)).toBe(false);
    expect(existsSync(path.join(dataDir, 'pg-owner.json'))).toBe(false);
  });

  it('is joined, and left running, while its owner is alive; the owner stops it', async () => {
    const owner = startService();
    const ownerPort = await portOf(owner);
    const server = (await postmaster())!;

    const joiner = startService();
    const joinerPort = await portOf(joiner);
    expect(joiner.logs().map((l) => l.msg)).toContainEqual(
      `joining the embedded PostgreSQL on port ${server.port}, owned by process ${owner.child.pid}; it is left running`,
    );
    await stopGracefully(joiner);
    expect(processAlive(server.pid)).toBe(true);
    expect(await health(ownerPort)).toBe(200);
    expect(JSON.parse(await readFile(path.join(dataDir, 'pg-owner.json'), 'utf8'))).toMatchObject({
      pid: owner.child.pid,
    });

    // a joiner that is killed changes nothing either
    const killedJoiner = startService();
    await portOf(killedJoiner);
    await killedJoiner.kill();
    expect(await health(ownerPort)).toBe(200);
    expect(joinerPort).not.toBe(ownerPort);

    await stopGracefully(owner);
    expect(processAlive(server.pid)).toBe(false);
    expect(await postmaster()).toBeNull();
  });
});
