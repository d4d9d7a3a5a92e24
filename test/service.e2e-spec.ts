import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { startNode } from './support/child-process.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, dropTestDatabase } from './support/test-app.js';

/** The service as `npm start` runs it: the built main, a real process, real signals. */
interface Service {
  child: ChildProcess;
  output: () => string;
  port: Promise<number>;
  exit: Promise<number | null>;
}

function startService(env: Record<string, string>): Service {
  const node = startNode('dist/src/main.js', [], { PORT: '0', LOG_LEVEL: 'info', ...env });
  const port = node.waitForLine(/Groundtruth is listening/).then((line) => Number(/"port":(\d+)/.exec(line)![1]));
  port.catch(() => undefined);
  return {
    child: node.child,
    output: () => node.stdout() + node.stderr(),
    port,
    exit: node.exited.then((e) => e.code),
  };
}

const health = async (port: number) => (await fetch(`http://127.0.0.1:${port}/health`)).status;

describe('the service process', () => {
  it('refuses a bad setting with one line naming it, and a non-zero exit', async () => {
    const bad = startService({ PORT: 'abc' });
    expect(await bad.exit).toBe(2);
    expect(bad.output()).toBe('Invalid configuration: PORT must be an integer from 0 to 65535 (got "abc")\n');

    const url = startService({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(await url.exit).toBe(2);
    expect(url.output().trim().split('\n')).toHaveLength(1);
    expect(url.output()).toMatch(/^Invalid configuration: DATABASE_URL must be a URL like postgres:/);
    expect(url.output()).not.toContain('hunter2');
  });

  it('uses DATABASE_URL when given and stops cleanly on SIGTERM', async () => {
    const databaseUrl = await createTestDatabase();
    try {
      const service = startService({ DATABASE_URL: databaseUrl });
      const port = await service.port;
      expect(await health(port)).toBe(200);
      expect(service.output()).toMatch(/"embeddedDatabase":false/);
      service.child.kill('SIGTERM');
      expect(await service.exit).toBe(0);
      expect(service.output()).toMatch(/"msg":"stopped"/);
    } finally {
      await dropTestDatabase(databaseUrl);
    }
  });

  it('starts an embedded PostgreSQL with nothing configured, keeps its data, and can be started again', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gt-service-'));
    await chmod(dataDir, 0o755);
    try {
      const first = startService({ DATA_DIR: dataDir });
      const port = await first.port;
      expect(await health(port)).toBe(200);
      expect(first.output()).toMatch(/"embeddedDatabase":true/);

      // A second instance (and the CLI) on the same data joins the running server.
      const second = startService({ DATA_DIR: dataDir });
      expect(await health(await second.port)).toBe(200);
      const boot = await runCli(['bootstrap', '--org', 'Persisted', '--admin-email', 'a@example.org', '--json'], '', {
        DATA_DIR: dataDir,
        DATABASE_URL: '',
      });
      expect(boot.code).toBe(0);
      const { apiKey } = JSON.parse(boot.stdout);
      second.child.kill('SIGINT');
      expect(await second.exit).toBe(0);
      expect(await health(port)).toBe(200); // the joiner did not stop the database it joined

      first.child.kill('SIGINT');
      expect(await first.exit).toBe(0);
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

      const again = startService({ DATA_DIR: dataDir });
      const port2 = await again.port;
      const me = await fetch(`http://127.0.0.1:${port2}/api/v1/me`, { headers: { Authorization: `Bearer ${apiKey}` } });
      expect(me.status).toBe(200);
      again.child.kill('SIGTERM');
      expect(await again.exit).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
