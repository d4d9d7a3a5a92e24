import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

import { DataSource } from 'typeorm';

import { createApp } from '../src/app.js';
import { BootstrapService } from '../src/bootstrap/bootstrap.service.js';
import { ManualClock } from '../src/common/clock.js';
import { freePort } from '../src/common/free-port.js';
import { createLogger } from '../src/common/logging/logger.js';
import { loadConfig } from '../src/config/app-config.js';
import type { DigestPayload } from '../src/digests/digest-builder.service.js';
import { renderDigestPage } from '../src/digests/digest-page.js';
import { renderDigest } from '../src/digests/digest-render.js';
import { DigestRunsService } from '../src/digests/digest-runs.service.js';
import { DigestSubscription } from '../src/digests/digest-subscription.entity.js';
import {
  autocannonRun,
  benchDatabase,
  cpuSecondsOf,
  machine,
  machineBusySeconds,
  quantile,
  rssOf,
  startService,
  stopService,
} from './support.js';

/**
 * bench:digest-page — one digest run of 10,000 rows (2,500 touchpoints × 4 claimed metrics, built by
 * the digest job's own code from 200,000 outcomes over two weeks), served by the service as `npm start`
 * runs it (its own process, jobs off) to 8 concurrent clients (autocannon, in a process of its own)
 * while this process asks /health every 10 ms, one request at a time, and records each latency.
 * Phases: /health alone; 8 clients on the page as browsers ask for it (gzip) and without gzip; and a
 * "cold" start — a fresh instance after the page version changed — where the first 8 readers wait
 * for one render (in the service's worker thread). Prints p50/p99 of the page and of /health per phase.
 */
const TOUCHPOINTS = Number(process.env.BENCH_PAGE_TOUCHPOINTS ?? 2_500);
const METRICS = ['answer_rate', 'transfer_rate', 'courtesy_avg', 'median_seconds_to_human'];
const OUTCOMES = Number(process.env.BENCH_PAGE_OUTCOMES ?? 200_000);
const SECONDS = Number(process.env.BENCH_PAGE_SECONDS ?? 20);
const CONNECTIONS = 8;
const HEALTH_EVERY_MS = 10;
const PREVIOUS_START = new Date('2026-11-09T08:00:00Z');
const FIRE = new Date('2026-11-23T08:00:00Z');
const GOAL = { healthP99Ms: 50 };
const gzipAsync = promisify(gzip);

/** An organization with its touchpoints, claims and two weeks of outcomes, in bulk SQL. */
async function load(dataSource: DataSource, organizationId: string): Promise<void> {
  await dataSource.query(`SELECT setseed(0.42)`);
  await dataSource.query(
    `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours, team)
     SELECT $1, 'Branch ' || lpad(i::text, 5, '0'), 'phone', '+44 20 7946 ' || lpad(i::text, 5, '0'), 'Europe/London',
            '[{"day":"mon","open":"08:00","close":"18:00"},{"day":"tue","open":"08:00","close":"18:00"}]',
            'team-' || (i % 10)
       FROM generate_series(1, $2) AS i`,
    [organizationId, TOUCHPOINTS],
  );
  const [{ tester }] = await dataSource.query(
    `INSERT INTO person (organization_id, email, name, roles, timezone)
     VALUES ($1, 'tester@bench.example', 'Tess Tester', ARRAY['tester'], 'UTC')
     RETURNING id AS tester`,
    [organizationId],
  );
  await dataSource.query(
    `INSERT INTO claim (organization_id, touchpoint_id, metric, period_start, period_end, value, source, reported_at,
                        created_at, updated_at, revised_at)
     SELECT $1, t.id, m.metric, '2026-11-16', '2026-11-22',
            CASE m.metric WHEN 'courtesy_avg' THEN 4.5 WHEN 'median_seconds_to_human' THEN 60
                          WHEN 'transfer_rate' THEN 0.1 ELSE 0.95 END,
            'Weekly review', '2026-11-23T07:00:00Z', $3, $3, $3
       FROM touchpoint t CROSS JOIN unnest($2::text[]) AS m(metric) WHERE t.organization_id = $1`,
    // recorded before the digest goes out, whenever the bench runs (now() was after it: no claim was shown)
    [organizationId, METRICS, new Date('2026-11-23T07:00:00Z')],
  );
  await dataSource.query(
    `INSERT INTO outcome (organization_id, tester_id, touchpoint_id, attempted_at, reached_human, seconds_to_human,
                          transfers, disconnects, repeated_story, resolution, options_explained, courtesy, knowledge,
                          notes, answers, editable_until, created_at, updated_at)
     SELECT $1, $2, tps[1 + floor(r_tp * cardinality(tps))::int], attempted, reached,
            CASE WHEN reached THEN floor(r_wait * 600)::int END,
            floor(r_transfer * 2)::int, 0, false, CASE WHEN r_res < 0.6 THEN 'resolved' ELSE 'unresolved' END,
            CASE WHEN r_res >= 0.6 THEN r_wait < 0.5 END, CASE WHEN reached THEN 1 + floor(r_rating * 5)::int END,
            CASE WHEN reached THEN 1 + floor(r_rating * 5)::int END, 'Bench contact ' || i, '{}',
            attempted + interval '48 hours', attempted, attempted
       FROM (SELECT i, random() AS r_tp, random() AS r_wait, random() AS r_transfer, random() AS r_res,
                    random() AS r_rating, random() < 0.8 AS reached,
                    $3::timestamptz + random() * ($4::timestamptz - $3::timestamptz) AS attempted
               FROM generate_series(1, $5) AS i OFFSET 0) AS d,
            (SELECT array_agg(id ORDER BY name) AS tps FROM touchpoint WHERE organization_id = $1) AS t`,
    [organizationId, tester, PREVIOUS_START, FIRE, OUTCOMES],
  );
  for (const table of ['touchpoint', 'claim', 'outcome']) await dataSource.query(`VACUUM (ANALYZE) ${table}`);
}

interface Phase {
  name: string;
  page: {
    requests: number;
    perSecond: number;
    p50Ms: number;
    p99Ms: number;
    non2xx: number;
    errors: number;
    megabytesPerSecond: number;
  } | null;
  health: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
  servicePeakRssMiB: number;
  /** Share of all cores used during the phase: by the service, and by the whole machine (other work included). */
  cpu: { servicePct: number; machinePct: number };
}

/** Asks /health one request at a time, HEALTH_EVERY_MS apart, until stopped; returns each latency (ms). */
function sampleHealth(base: string): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${base}/health`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`/health answered ${res.status}`);
      latencies.push(performance.now() - started);
      await sleep(HEALTH_EVERY_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

function peakOf(pid: number): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}

const ms = (v: number) => Number(v.toFixed(1));
const healthText = (h: Phase['health']) =>
  `/health p50 ${h.p50Ms} ms p99 ${h.p99Ms} ms max ${h.maxMs} ms (${h.samples} samples)`;
const healthOf = (latencies: number[]) => ({
  samples: latencies.length,
  p50Ms: ms(quantile(latencies, 0.5)),
  p99Ms: ms(quantile(latencies, 0.99)),
  maxMs: ms(Math.max(...latencies)),
});

async function phase(
  name: string,
  base: string,
  service: ChildProcess,
  page: { url: string; headers: Record<string, string> } | null,
): Promise<Phase> {
  const rss = peakOf(service.pid!);
  const cpuBefore = { service: cpuSecondsOf(service.pid!), machine: machineBusySeconds(), at: performance.now() };
  const health = sampleHealth(base);
  const result = page
    ? await autocannonRun({ ...page, connections: CONNECTIONS, seconds: SECONDS })
    : (await sleep(SECONDS * 1000), null);
  const latencies = await health.stop();
  const elapsed = ((performance.now() - cpuBefore.at) / 1000) * machine().cores;
  const share = (seconds: number) => Math.round((100 * seconds) / elapsed);
  const out: Phase = {
    name,
    page: result && {
      requests: result.requests.total,
      perSecond: Math.round(result.requests.total / result.duration),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      megabytesPerSecond: Number((result.throughput.average / 1e6).toFixed(1)),
    },
    health: healthOf(latencies),
    servicePeakRssMiB: Math.round(rss.stop() / 2 ** 20),
    cpu: {
      servicePct: share(cpuSecondsOf(service.pid!) - cpuBefore.service),
      machinePct: share(machineBusySeconds() - cpuBefore.machine),
    },
  };
  const p = out.page;
  const pageText = p
    ? `page ${p.perSecond} req/s p50 ${p.p50Ms} ms p99 ${p.p99Ms} ms ` +
      `(${p.megabytesPerSecond} MB/s, non-2xx ${p.non2xx}, errors ${p.errors})  `
    : '';
  const cpuText = `CPU service ${out.cpu.servicePct} %, machine ${out.cpu.machinePct} %`;
  process.stdout.write(
    `${name.padEnd(30)} ${pageText}${healthText(out.health)}  RSS ${out.servicePeakRssMiB} MiB  ${cpuText}\n`,
  );
  return out;
}

/** A fresh instance whose stored rendering is of another page version: 8 readers arrive at once. */
async function coldPhase(base: string, service: ChildProcess, url: string) {
  const health = sampleHealth(base);
  await sleep(200);
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const res = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started };
    }),
  );
  await sleep(200);
  const latencies = await health.stop();
  const result = {
    statuses: [...new Set(answers.map((a) => a.status))],
    slowestReaderMs: ms(Math.max(...answers.map((a) => a.ms))),
    health: healthOf(latencies),
    servicePeakRssMiB: Math.round(rssOf(service.pid!) / 2 ** 20),
  };
  process.stdout.write(
    `cold: 8 readers of a page to render    slowest ${result.slowestReaderMs} ms ` +
      `(statuses ${result.statuses.join(', ')})  ${healthText(result.health)}\n`,
  );
  return result;
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let service: ChildProcess | null = null;
  try {
    // The run, built and sent by the digest job's code in an instance of this process.
    const config = loadConfig({
      DATABASE_URL: db.url,
      ENABLE_JOBS: 'false',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: base,
      NODE_ENV: 'production',
    });
    const app = await createApp(config, { clock: new ManualClock(FIRE), logger: createLogger('warn') });
    await app.init();
    const { organization } = await app
      .get(BootstrapService)
      .bootstrap({ name: 'Page bench', adminEmail: 'admin@bench.example', timezone: 'UTC' });
    let started = performance.now();
    await load(db.dataSource, organization.id);
    const loadSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
    const [{ id: subId }] = await db.dataSource.query(
      `INSERT INTO digest_subscription (organization_id, name, recipient_emails, cron, timezone, period_days,
                                        min_contacts, created_at, updated_at)
       VALUES ($1, 'Weekly digest', ARRAY['quality@bench.example'], '0 8 * * 1', 'UTC', 7, 5, $2, $2) RETURNING id`,
      [organization.id, PREVIOUS_START],
    );
    const sub = await db.dataSource.getRepository(DigestSubscription).findOneByOrFail({ id: subId });
    started = performance.now();
    await app.get(DigestRunsService).sendOne(sub, FIRE);
    const buildSeconds = Number(((performance.now() - started) / 1000).toFixed(2));
    await app.close();

    const [run] = await db.dataSource.query(`SELECT id, payload FROM digest_run WHERE subscription_id = $1`, [subId]);
    const payload = run.payload as DigestPayload;
    const [{ text_body: mail }] = await db.dataSource.query(
      `SELECT text_body FROM outbox_message WHERE dedupe_key LIKE 'digest:%'`,
    );
    const link = new RegExp(`${base}/d/[A-Za-z0-9_-]{43}`).exec(mail)![0];
    // What one render costs: the service runs it in a worker thread; on the event loop, every request would wait.
    started = performance.now();
    const rendered = renderDigestPage(payload, sub.name, sub.timezone);
    const renderMs = ms(performance.now() - started);
    started = performance.now();
    const zipped = await gzipAsync(rendered.html, { level: 9 });
    const gzipMs = ms(performance.now() - started);
    const sizes = { htmlBytes: rendered.html.length, gzipBytes: zipped.length, chartBytes: rendered.chart.length };
    // The mail's HTML and text, which the digest job still renders on its event loop.
    started = performance.now();
    renderDigest(payload, { name: sub.name, zone: sub.timezone, link: link, chartSrc: 'cid:digest-chart' });
    const mailRenderMs = ms(performance.now() - started);
    process.stdout.write(
      `loaded ${TOUCHPOINTS} touchpoints, ${TOUCHPOINTS * METRICS.length} claims, ${OUTCOMES} outcomes ` +
        `in ${loadSeconds} s (not measured); ` +
        `digest built, stored and mailed in ${buildSeconds} s: ${payload.rows.length} rows; ` +
        `page ${sizes.htmlBytes} bytes ` +
        `(${sizes.gzipBytes} gzipped, chart ${sizes.chartBytes}); ` +
        `one render ${renderMs} ms + gzip ${gzipMs} ms (in a worker thread in the service); ` +
        `the mail's render ${mailRenderMs} ms (on the job's event loop)\n`,
    );

    service = await startService(db.url, port, { ENABLE_JOBS: 'false' });
    // the first reader of this instance: the stored rendering, read once into memory
    started = performance.now();
    const first = await fetch(link, { headers: { 'accept-encoding': 'gzip' } });
    await first.arrayBuffer();
    const firstReaderMs = ms(performance.now() - started);
    const phases: Phase[] = [];
    phases.push(await phase('/health alone', base, service, null));
    phases.push(
      await phase('8 clients, gzip (browsers)', base, service, {
        url: link,
        headers: { 'accept-encoding': 'gzip, deflate, br' },
      }),
    );
    phases.push(await phase('8 clients, no gzip', base, service, { url: link, headers: {} }));

    // A template change: the stored rendering is of another version, and a new instance starts.
    await stopService(service);
    await db.dataSource.query(`UPDATE digest_rendering SET version = version - 1 WHERE run_id = $1`, [run.id]);
    service = await startService(db.url, port, { ENABLE_JOBS: 'false' });
    const cold = await coldPhase(base, service, link);

    const [gzipPhase] = phases.filter((p) => p.name.includes('gzip (browsers)'));
    const met = { healthP99: phases.filter((p) => p.page).every((p) => p.health.p99Ms < GOAL.healthP99Ms) };
    process.stdout.write(
      `first reader on a fresh instance (stored rendering): ${firstReaderMs} ms\n` +
        `/health p99 < ${GOAL.healthP99Ms} ms with 8 clients on the page: ${met.healthP99 ? 'met' : 'missed'} ` +
        `(gzip: ${gzipPhase.health.p99Ms} ms)\n`,
    );
    const summary = {
      benchmark: 'digest-page',
      machine: machine(),
      postgres: db.serverVersion,
      touchpoints: TOUCHPOINTS,
      claims: TOUCHPOINTS * METRICS.length,
      outcomes: OUTCOMES,
      rows: payload.rows.length,
      buildSeconds,
      renderMs,
      gzipMs,
      mailRenderMs,
      ...sizes,
      seconds: SECONDS,
      connections: CONNECTIONS,
      healthEveryMs: HEALTH_EVERY_MS,
      firstReaderMs,
      phases,
      cold,
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
