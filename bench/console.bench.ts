import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

import { createApp } from '../src/app.js';
import { ApiKeysService } from '../src/auth/api-keys.service.js';
import { SessionsService } from '../src/auth/sessions/sessions.service.js';
import { SystemClock } from '../src/common/clock.js';
import { freePort } from '../src/common/free-port.js';
import { createLogger } from '../src/common/logging/logger.js';
import { loadConfig } from '../src/config/app-config.js';
import { DigestBuilder } from '../src/digests/digest-builder.service.js';
import { DigestsRepository } from '../src/digests/digests.repository.js';
import { DIGEST_END, load, PERIOD_START } from './digest.bench.js';
import {
  autocannonRun,
  benchDatabase,
  cpuSecondsOf,
  machine,
  machineBusySeconds,
  startService,
  stopService,
} from './support.js';

/**
 * bench:console — the console's results page of one touchpoint (12 weeks of every metric with its interval, the
 * claims judged as the digest judges them, coverage), the drill-down from a digest row (the contacts behind one
 * claim of the organization's digest of the bench week, 20,000 rows), the contacts list of one touchpoint
 * (GET /api/v1/outcomes) and the results page of a team (1,000 touchpoints, its claims judged with its touchpoints'
 * as its digest judges them), on the bench:digest data (1,000,000 outcomes over 10,000 touchpoints, 20,000 claims;
 * its loader), served by the service as `npm start` runs it (its own process, jobs off) to 10 concurrent readers
 * (autocannon in a process of its own), each request a different touchpoint (row, team) and each reader a session
 * of its own. Prints p50/p99 per page; the goal is p99 under 100 ms.
 */
const SECONDS = Number(process.env.BENCH_CONSOLE_SECONDS ?? 15);
const CONNECTIONS = 10;
const READERS = 10;
const TOUCHPOINTS_ASKED = 200;
const GOAL = { p99Ms: 100 };

interface Phase {
  name: string;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  cpu: { servicePct: number; machinePct: number };
}

/** Every request answered 2xx in time: a page that timed out each time has no p99 and has not met it. */
const goalMet = (p: Phase) => p.requests > 0 && p.non2xx === 0 && p.errors === 0 && p.p99Ms < GOAL.p99Ms;

async function phase(
  name: string,
  base: string,
  service: ChildProcess,
  cycle: Array<{ path: string; headers: Record<string, string> }>,
): Promise<Phase> {
  const before = { service: cpuSecondsOf(service.pid!), machine: machineBusySeconds(), at: performance.now() };
  const result = await autocannonRun({ url: base, connections: CONNECTIONS, seconds: SECONDS, cycle });
  const elapsed = ((performance.now() - before.at) / 1000) * machine().cores;
  const share = (seconds: number) => Math.round((100 * seconds) / elapsed);
  const out: Phase = {
    name,
    requests: result.requests.total,
    perSecond: Math.round(result.requests.total / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpu: {
      servicePct: share(cpuSecondsOf(service.pid!) - before.service),
      machinePct: share(machineBusySeconds() - before.machine),
    },
  };
  process.stdout.write(
    `${name}: ${out.perSecond} req/s p50 ${out.p50Ms} ms p99 ${out.p99Ms} ms (non-2xx ${out.non2xx}, errors ` +
      `${out.errors}); CPU service ${out.cpu.servicePct} %, machine ${out.cpu.machinePct} % — goal p99 under ` +
      `${GOAL.p99Ms} ms: ${goalMet(out) ? 'met' : 'missed'}\n`,
  );
  return out;
}

async function main() {
  const db = await benchDatabase();
  const port = await freePort('127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  let service: ChildProcess | null = null;
  try {
    const started = performance.now();
    const orgId = await load(db.dataSource);
    const loadSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
    // a quality lead (admin too), with a session per reader and an API key, made by the service's own code
    const [{ id: personId }] = await db.dataSource.query(
      `INSERT INTO person (organization_id, email, name, roles, timezone)
       VALUES ($1, 'quality@bench.example', 'Quinn Quality', ARRAY['admin', 'quality'], 'UTC') RETURNING id`,
      [orgId],
    );
    const config = loadConfig({
      DATABASE_URL: db.url,
      ENABLE_JOBS: 'false',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    });
    const app = await createApp(config, { clock: new SystemClock(), logger: createLogger('warn') });
    await app.init();
    const person = { organizationId: orgId, personId };
    const cookies: string[] = [];
    for (let i = 0; i < READERS; i++) {
      const { token } = await db.dataSource.transaction((manager) =>
        app.get(SessionsService).start(manager, person, { userAgent: 'bench', ip: '127.0.0.1' }),
      );
      cookies.push(`gt_session=${token}`);
    }
    const key = (await app.get(ApiKeysService).issue(orgId, personId, 'bench')).key;
    const touchpoints: string[] = (
      await db.dataSource.query(
        `SELECT id FROM touchpoint WHERE organization_id = $1 ORDER BY md5(id::text) LIMIT $2`,
        [orgId, TOUCHPOINTS_ASKED],
      )
    ).map((r: { id: string }) => r.id);
    const teams: string[] = (
      await db.dataSource.query(
        `SELECT DISTINCT team FROM touchpoint WHERE organization_id = $1 AND team IS NOT NULL ORDER BY team`,
        [orgId],
      )
    ).map((r: { team: string }) => r.team);
    // the organization's digest of the bench week, built and stored by the service's own code: its rows drill down
    const [{ id: subscriptionId }] = await db.dataSource.query(
      `INSERT INTO digest_subscription (organization_id, name, recipient_person_ids, cron, timezone, period_days,
                                        min_contacts, created_at, updated_at)
       VALUES ($1, 'Weekly, everything', ARRAY[$2::uuid], '0 12 * * 1', 'UTC', 7, 5, now(), now()) RETURNING id`,
      [orgId, personId],
    );
    const payload = await app.get(DigestBuilder).build({
      organizationId: orgId,
      touchpointIds: [],
      team: null,
      periodStart: PERIOD_START,
      periodEnd: DIGEST_END,
      minContacts: 5,
    });
    const runId = await app.get(DigestsRepository).insertRun(db.dataSource.manager, {
      organizationId: orgId,
      subscriptionId,
      periodStart: PERIOD_START,
      periodEnd: DIGEST_END,
      payload,
      createdAt: DIGEST_END,
    });
    const asked = new Set(touchpoints);
    const rows = payload.rows.flatMap((r, i) => (r.touchpointId && asked.has(r.touchpointId) ? [i] : []));
    await app.close();
    const [{ contacts }] = await db.dataSource.query(
      `SELECT count(*)::int AS contacts FROM outcome WHERE touchpoint_id = ANY($1::uuid[])`,
      [touchpoints],
    );
    process.stdout.write(
      `loaded the bench:digest data in ${loadSeconds} s (not measured); ${TOUCHPOINTS_ASKED} touchpoints asked for ` +
        `in turn, ${Math.round(contacts / TOUCHPOINTS_ASKED)} contacts each on average\n`,
    );

    service = await startService(db.url, port, { ENABLE_JOBS: 'false' });
    const pages = (path: (tp: string) => string, headers: (i: number) => Record<string, string>) =>
      touchpoints.map((tp, i) => ({ path: path(tp), headers: headers(i) }));
    const viaConsole = (i: number) => ({ cookie: cookies[i % READERS] });
    const api = () => ({ authorization: `Bearer ${key}` });
    // a first request of each kind outside the measurement: the service's first query plans
    for (const url of [`/results/touchpoints/${touchpoints[0]}`, `/digests/runs/${runId}/rows/${rows[0]}`])
      await fetch(`${base}${url}`, { headers: viaConsole(0) });
    const phases = [
      await phase(
        'results page of a touchpoint',
        base,
        service,
        pages((tp) => `/results/touchpoints/${tp}`, viaConsole),
      ),
      await phase(
        'drill-down from a digest row',
        base,
        service,
        rows.map((row, i) => ({ path: `/digests/runs/${runId}/rows/${row}`, headers: viaConsole(i) })),
      ),
      await phase(
        'contacts list of a touchpoint (API)',
        base,
        service,
        pages((tp) => `/api/v1/outcomes?touchpointId=${tp}&limit=50`, api),
      ),
      await phase(
        'results page of a team',
        base,
        service,
        teams.map((team, i) => ({ path: `/results/teams/${team}`, headers: viaConsole(i) })),
      ),
    ];
    const met = Object.fromEntries(phases.map((p) => [p.name, goalMet(p)]));
    const summary = {
      benchmark: 'console',
      machine: machine(),
      postgres: db.serverVersion,
      loadSeconds,
      connections: CONNECTIONS,
      seconds: SECONDS,
      touchpointsAsked: TOUCHPOINTS_ASKED,
      phases,
      goal: GOAL,
      met,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    if (service) await stopService(service);
    await db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
