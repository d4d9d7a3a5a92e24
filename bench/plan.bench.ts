import { ChildProcess, execFile, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

import { DataSource } from 'typeorm';

import type { CampaignsService } from '../src/campaigns/campaigns.service.js';
import { ManualClock } from '../src/common/clock.js';
import { freePort } from '../src/common/free-port.js';
import { createLogger } from '../src/common/logging/logger.js';
import { planningServices } from './planning-services.js';
import { benchDatabase, machine, peakRss } from './support.js';

/**
 * bench:plan — (a) plans 1, 2 and 4 weeks for 5,000 touchpoints × 2,000 testers at 2 contacts a week
 * (10k, 20k and 40k assignments), each in an organization of its own, through the same PlanningService
 * the API uses (one transaction per call); (b) the service as `npm start` runs it (its own process)
 * plans one week of 10,000 touchpoints × 10,000 testers (10k assignments) through
 * `POST /api/v1/campaigns/:id/plan`, while this process asks `/health` every 10 ms and records how
 * long each answer takes. Prints seconds per size and the /health latencies during (b).
 */
const TOUCHPOINTS = Number(process.env.BENCH_TOUCHPOINTS ?? 5_000);
const TESTERS = Number(process.env.BENCH_TESTERS ?? 2_000);
const LARGE = Number(process.env.BENCH_LARGE ?? 10_000);
const ZONES = ['Europe/London', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];
const GOAL = { seconds40k: 3, secondsLargeWeek: 3, healthP99Ms: 50 };
const run = promisify(execFile);

const WEEKDAY_HOURS = JSON.stringify(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '08:00', end: '18:00' })),
);
const OPENING_HOURS = JSON.stringify([
  ...['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '08:00', close: '18:00' })),
  { day: 'sat', open: '09:00', close: '13:00' },
]);

/** Testers and touchpoints of one organization, in bulk (4 zones, office hours). */
async function people(dataSource: DataSource, orgId: string, testers: number, touchpoints: number): Promise<string[]> {
  await dataSource.query(
    `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
     SELECT $1, 'tester' || i || '@bench.example', 'Tester ' || i, ARRAY['tester'], ($2::text[])[1 + i % 4], $4::jsonb
       FROM generate_series(1, $3) AS i`,
    [orgId, ZONES, testers, WEEKDAY_HOURS],
  );
  await dataSource.query(
    `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours, team)
     SELECT $1, 'Branch ' || i, 'phone', '+44 20 7946 ' || lpad(i::text, 4, '0'), ($2::text[])[1 + i % 4],
            $4::jsonb, 'bench'
       FROM generate_series(1, $3) AS i`,
    [orgId, ZONES, touchpoints, OPENING_HOURS],
  );
  return (
    await dataSource.query(`SELECT id FROM person WHERE organization_id = $1 AND 'tester' = ANY(roles)`, [orgId])
  ).map((r: { id: string }) => r.id);
}

const campaignBody = (name: string, testerIds: string[], contactsPerTouchpointPerWeek: number) => ({
  name,
  team: 'bench',
  testerIds,
  contactsPerTouchpointPerWeek,
  windowMinutes: 60,
  revealLeadMinutes: 120,
  minSpacingHours: 24,
  testerWeeklyCap: 6,
  rotationDays: 28,
  startsOn: '2027-03-01',
});

/** The figures count only what was stored: every assignment the plan reported is a row. */
async function expectStored(dataSource: DataSource, campaignId: string, planned: number): Promise<void> {
  const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM assignment WHERE campaign_id = $1', [
    campaignId,
  ]);
  if (n !== planned) throw new Error(`the plan reported ${planned} assignments but ${n} are stored`);
}

/** The campaigns service as the app wires it (its edits withdraw tests through WithdrawalsService). */
function campaignsService(dataSource: DataSource, clock: ManualClock): CampaignsService {
  return planningServices(dataSource, clock, createLogger('warn')).campaigns;
}

async function inProcess(dataSource: DataSource) {
  const clock = new ManualClock('2027-02-26T12:00:00Z');
  const logger = createLogger('warn');
  const { planning, campaigns } = planningServices(dataSource, clock, logger);
  const results: Array<{ weeks: number; assignments: number; unfilled: number; seconds: number; perSecond: number }> =
    [];
  try {
    for (const weeks of (process.env.BENCH_WEEKS ?? '1,2,4').split(',').map(Number)) {
      const [{ id: orgId }] = await dataSource.query(`INSERT INTO organization (name) VALUES ($1) RETURNING id`, [
        `bench ${weeks}w`,
      ]);
      const testerIds = await people(dataSource, orgId, TESTERS, TOUCHPOINTS);
      const campaign = await campaigns.create(orgId, campaignBody(`bench ${weeks} weeks`, testerIds, 2));
      const to = new Date(Date.parse('2027-03-01') + (weeks * 7 - 1) * 86_400_000).toISOString().slice(0, 10);
      const started = performance.now();
      const result = await planning.planPeriod(orgId, campaign.id, '2027-03-01', to);
      const seconds = (performance.now() - started) / 1000;
      await expectStored(dataSource, campaign.id, result.planned);
      results.push({
        weeks,
        assignments: result.planned,
        unfilled: result.unfilled.length,
        seconds: Number(seconds.toFixed(2)),
        perSecond: Math.round(result.planned / seconds),
      });
      process.stdout.write(
        `planned ${result.planned} assignments (${weeks} week(s), ${result.unfilled.length} unfilled) ` +
          `in ${seconds.toFixed(2)} s\n`,
      );
    }
  } finally {
    await planning.onModuleDestroy();
  }
  return results;
}

let serviceLog = () => '';

async function startService(databaseUrl: string, port: number): Promise<ChildProcess> {
  // BENCH_PROFILE_DIR=dir writes the service's CPU profile there when it stops
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE_DIR)}`]
    : [];
  const child = spawn(process.execPath, [...profile, path.resolve('dist/src/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      ENABLE_JOBS: 'false',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The service logs one JSON line per plan with its phases (load, plan and store, the rest).
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-1_000_000)));
  serviceLog = () => out;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the service did not become healthy within 30 s');
}

/** Asks /health every `everyMs` (without waiting for the previous answer) until stopped; latencies in ms. */
function pollHealth(port: number, everyMs: number): { stop(): Promise<number[]> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const sent = performance.now();
    const done = new Promise<void>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/health', agent }, (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(res.statusCode === 200 ? performance.now() - sent : Infinity);
            resolve();
          });
        })
        .on('error', () => {
          latencies.push(Infinity);
          resolve();
        });
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      agent.destroy();
      return latencies;
    },
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const latencySummary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(1)) : null);
  return {
    requests: sorted.length,
    failed: sorted.filter((v) => !Number.isFinite(v)).length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1]),
  };
};

/** The 10k × 10k week through the HTTP API of the service in its own process, /health asked throughout. */
async function overHttp(dataSource: DataSource, databaseUrl: string) {
  const { stdout } = await run(
    process.execPath,
    [
      path.resolve('dist/src/cli/main.js'),
      'bootstrap',
      '--org',
      'Plan bench',
      '--admin-email',
      'admin@plan-bench.example',
      '--json',
    ],
    {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    },
  );
  const { organizationId, apiKey } = JSON.parse(stdout) as { organizationId: string; apiKey: string };
  const testerIds = await people(dataSource, organizationId, LARGE, LARGE);
  const campaign = await campaignsService(dataSource, new ManualClock('2027-02-26T12:00:00Z')).create(
    organizationId,
    campaignBody('bench 10k × 10k', testerIds, 1),
  );
  const port = await freePort();
  const service = await startService(databaseUrl, port);
  try {
    const idle = pollHealth(port, 10);
    await new Promise((r) => setTimeout(r, 2_000));
    const before = latencySummary(await idle.stop());
    const during = pollHealth(port, 10);
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/campaigns/${campaign.id}/plan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '2027-03-01', to: '2027-03-07' }),
    });
    const body = (await res.json()) as { planned: number; unfilled: unknown[] };
    const seconds = (performance.now() - started) / 1000;
    const health = latencySummary(await during.stop());
    if (res.status !== 200) throw new Error(`plan answered ${res.status}: ${JSON.stringify(body)}`);
    await expectStored(dataSource, campaign.id, body.planned);
    const line = serviceLog()
      .split('\n')
      .find((l) => l.includes('"msg":"planned"'));
    const logged = line
      ? (JSON.parse(line) as { ms: Record<string, number>; loopDelayMs: Record<string, number> })
      : null;
    const phasesMs = logged?.ms ?? null;
    const loopDelayMs = logged?.loopDelayMs ?? null;
    process.stdout.write(
      `planned ${body.planned} assignments (${LARGE} touchpoints × ${LARGE} testers, 1 week, ` +
        `${body.unfilled.length} unfilled) over HTTP in ${seconds.toFixed(2)} s; /health meanwhile: ` +
        `${health.requests} asked, p50 ${health.p50Ms} ms, p99 ${health.p99Ms} ms, max ${health.maxMs} ms ` +
        `(idle before: p99 ${before.p99Ms} ms); ` +
        `the service's phases: ${JSON.stringify(phasesMs)}, its event loop's delay: ${JSON.stringify(loopDelayMs)}\n`,
    );
    return {
      touchpoints: LARGE,
      testers: LARGE,
      assignments: body.planned,
      unfilled: body.unfilled.length,
      seconds: Number(seconds.toFixed(2)),
      phasesMs,
      loopDelayMs,
      health,
      healthIdle: before,
    };
  } finally {
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
  }
}

async function main() {
  const db = await benchDatabase();
  const rss = peakRss();
  const only = process.env.BENCH_PLAN_ONLY; // weeks | large
  const results = only === 'large' ? [] : await inProcess(db.dataSource);
  const peak = rss.stop();
  const large = only === 'weeks' ? null : await overHttp(db.dataSource, db.url);
  const summary = {
    benchmark: 'plan',
    machine: machine(),
    postgres: db.serverVersion,
    touchpoints: TOUCHPOINTS,
    testers: TESTERS,
    results,
    peakRssMiB: Math.round(peak / 2 ** 20),
    large,
    goal: GOAL,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  await db.close();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
