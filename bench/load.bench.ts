import { ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Result } from 'autocannon';

import { freePort } from '../src/common/free-port.js';
import { ApiClient } from '../src/demo/api-client.js';
import { benchDatabase, machine } from './support.js';

/**
 * bench:load — the service as `npm start` runs it (its own process, a fresh database), driven by
 * autocannon from another process for SECONDS on each of: (a) POST /api/v1/outcomes with a
 * tester's key and valid bodies, (b) GET /api/v1/assignments with a quality key, (c) /health as
 * the ceiling. Prints requests/s, p50/p99 latency, non-2xx and the server's peak RSS for each, and
 * checks that the outcomes in the database are exactly the 2xx answers.
 */

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
const WARMUP_SECONDS = 5;
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 10);
const GOAL = { outcomesPerSecond: 1000, outcomesP99Ms: 50, shareOfCeiling: 0.4 };
const run = promisify(execFile);

/** Resident set size of a process now, in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** CPU seconds used so far by a process (Linux /proc, utime + stime). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone
  }
}

/** CPU seconds of every PostgreSQL process on the machine, and of the whole machine (busy, all cores). */
function cpuSnapshot(servicePid: number): { service: number; postgres: number; machine: number } {
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') postgres += cpuSeconds(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = cpu.reduce((a, b) => a + b, 0) - cpu[3] - cpu[4]; // all but idle and iowait
  return { service: cpuSeconds(servicePid), postgres, machine: busy / 100 };
}

function sampleRss(pid: number): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}

async function startService(databaseUrl: string, port: number): Promise<ChildProcess> {
  // BENCH_PROFILE_DIR=dir writes the service's CPU profile there when it stops (see BENCHMARKS.md)
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
    },
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

interface RouteOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  bodies?: string[];
  idempotencyKeys?: boolean;
}

/** One autocannon run in a process of its own (its options through a file: bodies are too big for argv). */
async function drive(options: RouteOptions & ({ seconds: number } | { amount: number })): Promise<Result> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-load-'));
  const file = path.join(dir, 'options.json');
  try {
    await writeFile(file, JSON.stringify({ ...options, connections: CONNECTIONS }));
    const { stdout } = await run(process.execPath, [path.resolve('dist/bench/load-driver.js'), file], {
      maxBuffer: 64 * 2 ** 20,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** An organization through the API: a quality lead, 10 testers, 20 touchpoints, 4 planned weeks. */
async function seed(api: ApiClient, adminKey: string) {
  const person = async (i: number, roles: string[]) => {
    const p = await api.call<{ id: string }>(adminKey, 'POST', '/api/v1/people', {
      email: `person${i}@bench.example`,
      name: `Person ${i}`,
      roles,
      timezone: 'UTC',
      workingHours: weekdays.map((day) => ({ day, start: '00:00', end: '24:00' })),
    });
    return {
      id: p.id,
      key: (await api.call<{ key: string }>(adminKey, 'POST', `/api/v1/people/${p.id}/api-keys`, { label: 'bench' }))
        .key,
    };
  };
  const quality = await person(0, ['quality']);
  const testers = [];
  for (let i = 1; i <= 10; i++) testers.push(await person(i, ['tester']));
  const touchpointIds: string[] = [];
  for (let i = 0; i < 20; i++) {
    const t = await api.call<{ id: string }>(adminKey, 'POST', '/api/v1/touchpoints', {
      name: `Line ${i}`,
      channel: 'phone',
      contact: `+44 113 496 ${String(1000 + i)}`,
      timezone: 'UTC',
      openingHours: weekdays.map((day) => ({ day, open: '08:00', close: '20:00' })),
      team: i % 2 ? 'north' : 'south',
    });
    touchpointIds.push(t.id);
  }
  await api.call(adminKey, 'POST', '/api/v1/scenarios', {
    title: 'Billing question',
    brief: 'Ask why the bill went up.',
    channels: ['phone'],
  });
  const monday = new Date();
  monday.setUTCDate(monday.getUTCDate() + ((8 - monday.getUTCDay()) % 7 || 7));
  const from = monday.toISOString().slice(0, 10);
  const to = new Date(monday.getTime() + 27 * 86_400_000).toISOString().slice(0, 10);
  const campaign = await api.call<{ id: string }>(quality.key, 'POST', '/api/v1/campaigns', {
    name: 'Load bench',
    touchpointIds,
    testerIds: testers.map((t) => t.id),
    contactsPerTouchpointPerWeek: 3,
    testerWeeklyCap: 10,
    rotationDays: 0,
    startsOn: from,
  });
  const plan = await api.call<{ planned: number }>(quality.key, 'POST', `/api/v1/campaigns/${campaign.id}/plan`, {
    from,
    to,
  });
  return { quality, tester: testers[0], touchpointIds, planned: plan.planned };
}

/** Valid ad-hoc outcomes, varied the way real ones are. */
function outcomeBodies(touchpointIds: string[], count: number): string[] {
  const bodies: string[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const reached = i % 4 !== 0;
    const resolved = i % 3 === 0;
    bodies.push(
      JSON.stringify({
        touchpointId: touchpointIds[i % touchpointIds.length],
        attemptedAt: new Date(now - (1 + (i % 120)) * 60_000).toISOString(),
        reachedHuman: reached,
        secondsToHuman: reached ? 30 + ((i * 37) % 900) : null,
        holdSeconds: reached ? (i * 13) % 300 : null,
        transfers: reached ? i % 3 : 0,
        disconnects: i % 7 === 0 ? 1 : 0,
        repeatedStory: reached && i % 3 > 0 && i % 2 === 0,
        resolution: reached && resolved ? 'resolved' : reached && i % 2 ? 'partial' : 'unresolved',
        optionsExplained: reached && resolved ? null : i % 2 === 0,
        courtesy: reached ? 1 + (i % 5) : null,
        knowledge: reached ? 1 + ((i + 2) % 5) : null,
        staffGaveName: reached ? i % 2 === 1 : null,
        notes: `Contact ${i}: ${reached ? 'answered' : 'rang out'} after the usual menu.`,
      }),
    );
  }
  return bodies;
}

interface Phase {
  name: string;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  peakRssMiB: number;
  /** Percent of all cores during the run: the service, PostgreSQL, the rest (mostly the load generator). */
  cpu: { servicePct: number; postgresPct: number; otherPct: number };
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { stdout } = await run(
    process.execPath,
    [
      path.resolve('dist/src/cli/main.js'),
      'bootstrap',
      '--org',
      'Load bench',
      '--admin-email',
      'admin@bench.example',
      '--json',
    ],
    { env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, LOG_LEVEL: 'warn' } },
  );
  const { organizationId, apiKey: adminKey } = JSON.parse(stdout) as { organizationId: string; apiKey: string };
  const service = await startService(db.url, port);
  const servicePid = service.pid!;
  try {
    const api = new ApiClient(base);
    const seeded = await seed(api, adminKey);
    process.stdout.write(
      `seeded: 20 touchpoints, 11 people, ${seeded.planned} planned assignments; ${SECONDS} s per route, ${CONNECTIONS} connections\n`,
    );
    const outcomes = async () =>
      Number(
        (await db.dataSource.query(`SELECT count(*) AS n FROM outcome WHERE organization_id = $1`, [organizationId]))[0]
          .n,
      );

    // BENCH_LOAD_IDEMPOTENCY=1: (a) sends a fresh Idempotency-Key with every outcome (what a retrying client does)
    const withKeys = process.env.BENCH_LOAD_IDEMPOTENCY === '1';
    const routes: Array<{ name: string; options: RouteOptions }> = [
      {
        name: withKeys ? 'POST /api/v1/outcomes (Idempotency-Key)' : 'POST /api/v1/outcomes',
        options: {
          url: `${base}/api/v1/outcomes`,
          method: 'POST',
          headers: { authorization: `Bearer ${seeded.tester.key}`, 'content-type': 'application/json' },
          bodies: outcomeBodies(seeded.touchpointIds, 500),
          idempotencyKeys: withKeys,
        },
      },
      {
        name: 'GET /api/v1/assignments',
        options: {
          url: `${base}/api/v1/assignments`,
          method: 'GET',
          headers: { authorization: `Bearer ${seeded.quality.key}` },
        },
      },
      { name: 'GET /health', options: { url: `${base}/health`, method: 'GET', headers: {} } },
    ];
    const phases: Phase[] = [];
    let outcomeCheck = { before: 0, after: 0, acknowledged: 0, equal: false };
    // BENCH_LOAD_ONLY=outcomes (or assignments, health) runs one route, for profiling it alone
    const only = process.env.BENCH_LOAD_ONLY;
    for (const route of only ? routes.filter((r) => r.name.includes(only)) : routes) {
      // the warm-up's rate sets the measured run's number of requests: about SECONDS long, and every
      // answer awaited, so the outcomes stored can be matched exactly against the 2xx answers
      const warm = await drive({ ...route.options, seconds: WARMUP_SECONDS });
      const before = await outcomes();
      const rss = sampleRss(servicePid);
      const cpuBefore = cpuSnapshot(servicePid);
      const r = await drive({ ...route.options, amount: Math.max(1000, Math.round(warm.requests.average * SECONDS)) });
      const peak = rss.stop();
      const cpuAfter = cpuSnapshot(servicePid);
      const after = await outcomes();
      // share of the machine's 2 cores × the run's seconds: who used the CPU
      const share = (key: 'service' | 'postgres' | 'machine') =>
        Math.round((100 * (cpuAfter[key] - cpuBefore[key])) / (r.duration * machine().cores));
      if (route.name.startsWith('POST'))
        outcomeCheck = { before, after, acknowledged: r['2xx'], equal: after - before === r['2xx'] };
      const phase: Phase = {
        name: route.name,
        seconds: r.duration,
        requestsPerSecond: Math.round(r.requests.total / r.duration),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        requests: r.requests.total,
        ok: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        peakRssMiB: Math.round(peak / 2 ** 20),
        cpu: {
          servicePct: share('service'),
          postgresPct: share('postgres'),
          otherPct: share('machine') - share('service') - share('postgres'),
        },
      };
      phases.push(phase);
      process.stdout.write(
        `${phase.name.padEnd(26)} ${String(phase.requestsPerSecond).padStart(6)} req/s  p50 ${phase.p50Ms} ms  p99 ${phase.p99Ms} ms  ` +
          `non-2xx ${phase.non2xx}  errors ${phase.errors + phase.timeouts}  server peak RSS ${phase.peakRssMiB} MiB  ` +
          `CPU: service ${phase.cpu.servicePct} %, PostgreSQL ${phase.cpu.postgresPct} %, other ${phase.cpu.otherPct} % of ${machine().cores} cores\n`,
      );
    }
    const post = phases.find((p) => p.name.includes('outcomes'));
    const health = phases.find((p) => p.name.includes('health'));
    if (!post || !health) return;
    const share = Number((post.requestsPerSecond / health.requestsPerSecond).toFixed(2));
    const met = {
      zeroErrors: phases.every((p) => p.non2xx === 0 && p.errors === 0 && p.timeouts === 0),
      outcomesPerSecond: post.requestsPerSecond >= GOAL.outcomesPerSecond,
      outcomesP99: post.p99Ms < GOAL.outcomesP99Ms,
      shareOfCeiling: share >= GOAL.shareOfCeiling,
      outcomesStored: outcomeCheck.equal,
    };
    process.stdout.write(
      `outcomes stored during (a): ${outcomeCheck.after - outcomeCheck.before}, 2xx answers: ${outcomeCheck.acknowledged} — ${outcomeCheck.equal ? 'equal' : 'NOT EQUAL'}\n` +
        `(a) is ${(share * 100).toFixed(0)} % of (c)'s requests/s — goal ≥ ${GOAL.shareOfCeiling * 100} %: ${met.shareOfCeiling ? 'met' : 'missed'}\n` +
        `(a) ≥ ${GOAL.outcomesPerSecond} req/s: ${met.outcomesPerSecond ? 'met' : 'missed'}; p99 < ${GOAL.outcomesP99Ms} ms: ${met.outcomesP99 ? 'met' : 'missed'}; zero errors: ${met.zeroErrors ? 'met' : 'missed'}\n`,
    );
    const summary = {
      benchmark: 'load',
      machine: machine(),
      postgres: db.serverVersion,
      seconds: SECONDS,
      connections: CONNECTIONS,
      phases,
      outcomeCheck,
      shareOfCeiling: share,
      goal: GOAL,
      met,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    service.kill('SIGTERM');
    await new Promise((resolve) => (service.exitCode !== null ? resolve(null) : service.once('exit', resolve)));
    await db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
