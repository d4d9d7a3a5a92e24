import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { ManualClock } from '../../src/common/clock.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { LEASE_MS } from '../../src/mail/outbox-sender.js';
import { freePort } from '../support/browser.js';
import { NodeChild, startNode } from '../support/child-process.js';
import { runCli } from '../support/cli.js';
import { personBody, scenarioBody, touchpointBody } from '../support/factories.js';
import { startSmtpSink, SmtpSink } from '../support/smtp-sink.js';
import { createTestApp } from '../support/test-app.js';
import { PostgresServer, startPostgresServer } from './support/postgres-server.js';

/**
 * The service runs as its own process on a PostgreSQL of the test's own, under a steady stream of
 * outcomes and reads. PostgreSQL is stopped (cleanly, then as in a crash) and started again.
 */

/** Long enough for any healthy answer; a request still open after this is hanging. */
const REQUEST_TIMEOUT_MS = 15_000;

interface Sample {
  kind: 'post' | 'get' | 'health';
  status: number | 'timeout' | 'network';
  body: string;
  retryAfter: string | null;
  contentType: string | null;
  id?: string;
}

let db: PostgresServer;
let sink: SmtpSink;
let service: NodeChild;
let base: string;
let dataDir: string;
let testerKey: string;
let touchpointId: string;

async function call(kind: Sample['kind'], method: string, url: string, key?: string, body?: unknown): Promise<Sample> {
  try {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const sample: Sample = {
      kind,
      status: res.status,
      body: text,
      retryAfter: res.headers.get('retry-after'),
      contentType: res.headers.get('content-type'),
    };
    if (kind === 'post' && res.status === 201) sample.id = (JSON.parse(text) as { id: string }).id;
    return sample;
  } catch (error) {
    const name = (error as Error).name;
    return {
      kind,
      status: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
      body: String(error),
      retryAfter: null,
      contentType: null,
    };
  }
}

async function setup(method: string, url: string, key: string, body: unknown): Promise<{ id: string; key?: string }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; key?: string };
}

const outcome = (n: number) => ({
  touchpointId,
  attemptedAt: new Date(Date.now() - 10 * 60_000).toISOString(),
  reachedHuman: true,
  secondsToHuman: 60 + (n % 300),
  transfers: n % 3,
  disconnects: 0,
  repeatedStory: false,
  resolution: 'unresolved',
  optionsExplained: n % 2 === 0,
  courtesy: 1 + (n % 5),
  knowledge: 1 + ((n + 2) % 5),
  notes: `steady stream #${n}`,
  answers: {},
});

/** Clients that keep writing outcomes and reading lists until stopped; every answer is kept. */
function load(clients: number) {
  const samples: Sample[] = [];
  let running = true;
  let n = 0;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      samples.push(await call('post', 'POST', '/api/v1/outcomes', testerKey, outcome(n++)));
      samples.push(await call('get', 'GET', '/api/v1/outcomes?limit=5', testerKey));
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await startPostgresServer();
  sink = await startSmtpSink();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-service-'));
  const boot = await runCli(
    ['bootstrap', '--org', 'Faults Ltd', '--admin-email', 'admin@faults.example.org', '--json'],
    db.url,
  );
  if (boot.code !== 0) throw new Error(`bootstrap failed: ${boot.stderr}`);
  const adminKey = (JSON.parse(boot.stdout) as { apiKey: string }).apiKey;

  const port = await freePort();
  service = startNode('dist/src/main.js', [], {
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    SMTP_URL: sink.url,
    DATA_DIR: dataDir,
    ENABLE_JOBS: 'true',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  });
  await service.waitForLine(/Groundtruth is listening/);
  base = `http://127.0.0.1:${port}`;

  const tester = await setup('POST', '/api/v1/people', adminKey, personBody({ roles: ['tester'] }));
  testerKey = (await setup('POST', `/api/v1/people/${tester.id}/api-keys`, adminKey, { label: 'faults' })).key!;
  touchpointId = (await setup('POST', '/api/v1/touchpoints', adminKey, touchpointBody())).id;
  await setup('POST', '/api/v1/scenarios', adminKey, scenarioBody());
}, 120_000);

afterAll(async () => {
  await service?.kill();
  await sink?.close();
  await db?.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('PostgreSQL stopped and started again under load', () => {
  it('answers 503 fast while it is down, recovers by itself, and keeps every acknowledged outcome', async () => {
    const pid = service.child.pid;
    const traffic = load(4);
    const outages: Array<{ mode: 'fast' | 'immediate'; health: Sample[]; recovered: Sample }> = [];
    try {
      await until('outcomes to be written', () =>
        traffic.samples.filter((s) => s.status === 201).length >= 20 ? true : undefined,
      );
      for (const mode of ['fast', 'immediate'] as const) {
        // the first outage spans the turn of a minute, when every job ticks (outbox every 5 s, the rest every minute)
        if (mode === 'fast')
          await until('the end of a minute', () => (new Date().getSeconds() >= 57 ? true : undefined), 61_000);
        await db.stop(mode);
        const health: Sample[] = [];
        // a few seconds down, the clients sending all along
        for (let i = 0; i < 8; i++) {
          health.push(await call('health', 'GET', '/health'));
          await sleep(500);
        }
        const before = traffic.samples.length;
        await db.start();
        // no restart of the service: it must find the database again on its own
        const recovered = await until('an outcome written after the restart', () =>
          traffic.samples.slice(before).find((s) => s.kind === 'post' && s.status === 201),
        );
        await until('reads after the restart', () =>
          traffic.samples.slice(before).some((s) => s.kind === 'get' && s.status === 200) ? true : undefined,
        );
        outages.push({ mode, health, recovered });
      }
      await sleep(500);
    } finally {
      await traffic.stop();
    }

    // the same process answered throughout
    expect(service.alive()).toBe(true);
    expect(service.child.pid).toBe(pid);

    const samples = traffic.samples;
    // nothing hung, nothing was cut off
    expect(samples.filter((s) => s.status === 'timeout' || s.status === 'network')).toEqual([]);
    // every failure is a clear 503 with Retry-After, never a 500 or a stack trace
    const failures = samples.filter((s) => typeof s.status === 'number' && s.status >= 300);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect({ status: f.status, retryAfter: f.retryAfter, contentType: f.contentType }).toEqual({
        status: 503,
        retryAfter: expect.stringMatching(/^\d+$/),
        contentType: expect.stringMatching(/^application\/json/),
      });
      expect(JSON.parse(f.body)).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/database/i),
      });
      expect(f.body).not.toMatch(/\bat \w|\.js:\d|ECONNREFUSED|57P0|terminat/i);
    }
    for (const outage of outages) {
      expect(outage.health.some((h) => h.status === 503)).toBe(true);
      for (const h of outage.health.filter((x) => x.status !== 200)) {
        expect(h.status).toBe(503);
        expect(JSON.parse(h.body)).toMatchObject({
          status: 'error',
          error: { database: { status: 'down', message: 'database unavailable' } },
        });
        expect(h.body).not.toContain(new URL(db.url).port);
      }
      expect(outage.recovered.status).toBe(201);
    }
    expect(await call('health', 'GET', '/health')).toMatchObject({ status: 200 });

    // every outcome acknowledged with 201 is in the database, once
    const acknowledged = samples.filter((s) => s.id).map((s) => s.id!);
    expect(acknowledged.length).toBeGreaterThan(20);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>('SELECT id FROM outcome WHERE id = ANY($1::uuid[])', [
        acknowledged,
      ]);
      expect(rows.map((r) => r.id).sort()).toEqual([...new Set(acknowledged)].sort());
      const audited = await client.query<{ n: number }>(
        'SELECT count(DISTINCT outcome_id)::int AS n FROM outcome_edit WHERE outcome_id = ANY($1::uuid[])',
        [acknowledged],
      );
      expect(audited.rows[0].n).toBe(acknowledged.length);

      // the outbox job, which failed while the database was down, delivers again (it ticks every 5 s)
      await client.query(
        `INSERT INTO outbox_message (organization_id, message_id, recipient, subject, text_body, status, attempts, next_attempt_at, created_at)
         VALUES (NULL, '<after-the-outage@groundtruth>', 'ops@faults.example.org', 'After the outage', 'Still here.', 'pending', 0, now(), now())`,
      );
      await sink.waitFor(1, 30_000);
      expect(sink.messages.map((m) => m.messageId)).toEqual(['<after-the-outage@groundtruth>']);
    } finally {
      await client.end();
    }

    // the jobs ticked through it and gave up quietly until the next tick: no crash, no unhandled rejection
    const logs = service.logs();
    const skipped = new Set(logs.filter((l) => l.msg === 'job skipped: database unavailable').map((l) => l.job));
    expect([...skipped].sort()).toEqual(expect.arrayContaining(['digest', 'outbox', 'reveal']));
    expect(
      logs.filter((l) => l.msg === 'unhandled error' || l.msg === 'job failed' || (l.level as number) >= 60),
    ).toEqual([]);
    expect(service.stderr()).toBe('');
  });

  it('stops sending mail the moment it cannot record what it sent, so an outage duplicates at most the mail in flight', async () => {
    const before = sink.messages.length;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const ids = Array.from({ length: 10 }, (_, i) => `<outage-${i}@groundtruth>`);
    // the next mail the sender hands over is kept unanswered until the database is down
    const inFlight = sink.holdNext();
    try {
      for (const [i, id] of ids.entries()) {
        await client.query(
          `INSERT INTO outbox_message (organization_id, message_id, recipient, subject, text_body, status, attempts, next_attempt_at, created_at)
           VALUES (NULL, $1, $2, 'During the outage', 'Once.', 'pending', 0, now(), now())`,
          [id, `r${i}@faults.example.org`],
        );
      }
      await inFlight.held;
    } finally {
      await client.end();
    }
    const logsBefore = service.logs().length;
    await db.stop('fast');
    try {
      inFlight.release();
      // the sender's round ends: it gave up on the database, or it went on sending (the defect)
      await until('the outbox round to end', () =>
        service
          .logs()
          .slice(logsBefore)
          .some((l) => l.job === 'outbox' && l.msg === 'job skipped: database unavailable') ||
        sink.messages.length > before + 1
          ? true
          : undefined,
      );
      // only the mail in flight reached the server while nothing could be recorded
      expect(sink.messages.length - before).toBe(1);
    } finally {
      await db.start();
    }

    // once the sender's claims have lapsed (two minutes later), every mail goes out
    const later = await createTestApp({
      databaseUrl: db.url,
      env: { SMTP_URL: sink.url },
      clock: new ManualClock(new Date(Date.now() + LEASE_MS + 60_000)),
    });
    try {
      for (let i = 0; i < 5 && ((await later.app.get(JobsService).run('outbox')) as { sent: number }).sent > 0; i++);
      const [{ unsent }] = await later.dataSource.query(
        `SELECT count(*)::int AS unsent FROM outbox_message WHERE message_id = ANY($1) AND status <> 'sent'`,
        [ids],
      );
      expect(unsent).toBe(0);
    } finally {
      await later.close();
    }
    const received = sink.messages.slice(before).map((m) => m.messageId!);
    const inFlightId = received[0];
    // each mail once, but the one whose acceptance could not be recorded: it went again, with its Message-ID
    expect([...received].sort()).toEqual([...ids, inFlightId].sort());
  });
});
