import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import { DataSource } from 'typeorm';

import { ClaimProgressRepository } from '../src/digests/claim-progress.repository.js';
import { DigestBuilder, DigestRequest } from '../src/digests/digest-builder.service.js';
import { DigestEvidenceRepository } from '../src/digests/digest-evidence.repository.js';
import { renderDigest } from '../src/digests/digest-render.js';
import { UnclaimedRepository } from '../src/digests/unclaimed.repository.js';
import { UnclaimedFacts } from '../src/digests/unclaimed.service.js';
import { metricAggregates, METRICS } from '../src/metrics/metric-catalogue.js';
import { VerdictSettingsService } from '../src/metrics/verdict-settings.service.js';
import { OrganizationsRepository } from '../src/organizations/organizations.repository.js';
import { benchDatabase, machine, peakRss } from './support.js';

/**
 * bench:digest — builds the digest of one 7-day period for a whole organization with 1,000,000
 * ad-hoc outcomes (counted: the organization's setting) over 10,000 touchpoints, each owned by one of
 * the 200 testers (whose contacts with it never count), and 20,000 claims of that week, each judged on
 * its own period (evidence per claim in SQL, judgeClaims over the 20,000), through the same DigestBuilder the
 * digest job and the API use, and times beside it the bare aggregate SQL over the same rows (one
 * GROUP BY touchpoint with every catalogue metric's value and n) as the floor. Each is run once to
 * warm up, then 3 times; prints the best and the median, their ratio and the peak RSS of this
 * process (the embedded PostgreSQL runs in processes of its own and is not counted).
 */
const OUTCOMES = Number(process.env.BENCH_OUTCOMES ?? 1_000_000);
const TOUCHPOINTS = Number(process.env.BENCH_TOUCHPOINTS ?? 10_000);
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 20_000);
const TESTERS = 200;
const RUNS = 3;
const ZONES = ['Europe/London', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];
export const PERIOD_START = new Date('2026-11-16T00:00:00Z');
const PERIOD_END = new Date('2026-11-23T00:00:00Z');
/** The digest's end: the claims of 16–22 Nov have ended by then in every touchpoint's zone (New York's last). */
export const DIGEST_END = new Date('2026-11-23T12:00:00Z');
const GOAL = { ratio: 1.5, peakRssMB: 300 };

/**
 * One organization with its touchpoints, testers, outcomes and claims, all in bulk SQL on one connection (so setseed
 * holds). bench:console reads the same data.
 */
export async function load(dataSource: DataSource): Promise<string> {
  const q = dataSource.createQueryRunner();
  await q.connect();
  try {
    await q.query(`SELECT setseed(0.42)`);
    // the outcomes are ad hoc: the organization counts them in verdicts
    const [{ id: orgId }] = await q.query(
      `INSERT INTO organization (name, settings) VALUES ('bench digest', '{"countAdHocInVerdicts": true}') RETURNING id`,
    );
    await q.query(
      `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours, team)
       SELECT $1, 'Touchpoint ' || lpad(i::text, 6, '0'), 'phone', '+44 20 7946 ' || lpad(i::text, 6, '0'), ($2::text[])[1 + i % 4],
              '[{"day":"mon","open":"08:00","close":"18:00"},{"day":"tue","open":"08:00","close":"18:00"},{"day":"wed","open":"08:00","close":"18:00"},{"day":"thu","open":"08:00","close":"18:00"},{"day":"fri","open":"08:00","close":"18:00"},{"day":"sat","open":"09:00","close":"13:00"}]',
              'team-' || (i % 10)
         FROM generate_series(1, $3) AS i`,
      [orgId, ZONES, TOUCHPOINTS],
    );
    await q.query(
      `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
       SELECT $1, 'tester' || i || '@bench.example', 'Tester ' || lpad(i::text, 4, '0'), ARRAY['tester'], ($2::text[])[1 + i % 4],
              '[{"day":"mon","start":"08:00","end":"18:00"},{"day":"tue","start":"08:00","end":"18:00"},{"day":"wed","start":"08:00","end":"18:00"},{"day":"thu","start":"08:00","end":"18:00"},{"day":"fri","start":"08:00","end":"18:00"}]'
         FROM generate_series(1, $3) AS i`,
      [orgId, ZONES, TESTERS],
    );
    // Ids in a repeatable order (the uuids differ per run, the numbering does not).
    const [{ tps, testers }] = await q.query(
      `SELECT (SELECT array_agg(id ORDER BY name) FROM touchpoint WHERE organization_id = $1) AS tps,
              (SELECT array_agg(id ORDER BY name) FROM person WHERE organization_id = $1) AS testers`,
      [orgId],
    );
    // Each touchpoint owned by one of the testers (whose contacts with it then never count), since before the week.
    await q.query(
      `UPDATE touchpoint t SET owner_id = ($2::uuid[])[1 + (o.rn % $3)]
         FROM (SELECT id, row_number() OVER (ORDER BY name) AS rn FROM touchpoint WHERE organization_id = $1) o
        WHERE o.id = t.id`,
      [orgId, testers, testers.length],
    );
    await q.query(
      `INSERT INTO touchpoint_ownership (organization_id, touchpoint_id, owner_id, owned_from)
       SELECT organization_id, id, owner_id, '2026-11-01' FROM touchpoint WHERE organization_id = $1`,
      [orgId],
    );
    // The random draws happen in an inner query (OFFSET 0 keeps it from being flattened), so
    // one draw can decide several columns consistently with the table's CHECK constraints.
    await q.query(
      `INSERT INTO outcome (organization_id, assignment_id, tester_id, touchpoint_id, attempted_at, reached_human, seconds_to_human,
                            hold_seconds, transfers, disconnects, repeated_story, resolution, options_explained, courtesy, knowledge,
                            staff_gave_name, promised_follow_up_by, promise_status, promise_asked_at, notes, answers,
                            editable_until, created_at, updated_at)
       SELECT $1, NULL, ($2::uuid[])[1 + floor(r_tester * $3)::int], ($4::uuid[])[1 + floor(r_tp * $5)::int], attempted_at,
              reached, CASE WHEN reached THEN floor(r_wait * 901)::int END,
              CASE WHEN reached THEN floor(r_hold * r_wait * 600)::int END,
              floor(power(r_transfers, 2) * 4)::int, floor(power(r_disconnects, 3) * 3)::int, r_repeat < 0.3, resolution,
              CASE WHEN resolution <> 'resolved' THEN r_options < 0.6 END,
              CASE WHEN reached THEN 1 + floor(r_courtesy * 5)::int END, CASE WHEN reached THEN 1 + floor(r_knowledge * 5)::int END,
              CASE WHEN reached THEN r_name < 0.5 END,
              CASE WHEN promise IS NOT NULL THEN (attempted_at + interval '3 days')::date END, promise,
              CASE WHEN promise IS NOT NULL THEN attempted_at + interval '4 days' END,
              CASE WHEN r_notes < 0.05 THEN 'Bench note ' || i || ': ' || resolution || ', ' || CASE WHEN reached THEN 'a person answered' ELSE 'nobody answered' END END,
              '{}', attempted_at + interval '48 hours', attempted_at + interval '20 minutes', attempted_at + interval '20 minutes'
         FROM (SELECT i, r_tester, r_tp, r_wait, r_hold, r_transfers, r_disconnects, r_repeat, r_options, r_courtesy, r_knowledge, r_name, r_notes,
                      $6::timestamptz + r_time * ($7::timestamptz - $6::timestamptz) AS attempted_at,
                      r_reach < 0.8 AS reached,
                      CASE WHEN r_resolution < 0.55 THEN 'resolved' WHEN r_resolution < 0.8 THEN 'partial' ELSE 'unresolved' END AS resolution,
                      CASE WHEN r_promise < 0.85 THEN NULL WHEN r_promise < 0.95 THEN 'kept' WHEN r_promise < 0.98 THEN 'late' ELSE 'broken' END AS promise
                 FROM (SELECT i, random() AS r_tester, random() AS r_tp, random() AS r_time, random() AS r_reach, random() AS r_wait, random() AS r_hold,
                              random() AS r_transfers, random() AS r_disconnects, random() AS r_repeat, random() AS r_resolution, random() AS r_options,
                              random() AS r_courtesy, random() AS r_knowledge, random() AS r_name, random() AS r_promise, random() AS r_notes
                         FROM generate_series(1, $8) AS i OFFSET 0) AS draws) AS o`,
      [orgId, testers, testers.length, tps, tps.length, PERIOD_START, PERIOD_END, OUTCOMES],
    );
    // Claims: round-robin over the touchpoints; each touchpoint's claims are of different metrics
    // (a random first one, then the next ones in catalogue order), values within the metric's range.
    await q.query(
      `WITH tp AS MATERIALIZED (SELECT id, rn, floor(random() * $3::int)::int AS first FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, rn)),
            c AS MATERIALIZED (SELECT i, 1 + i % $4 AS rn, i / $4 AS round, random() AS r FROM generate_series(0, $5 - 1) AS i)
       INSERT INTO claim (organization_id, touchpoint_id, team, channel, metric, period_start, period_end, value, source,
                          reported_at, created_at, updated_at, revised_at)
       SELECT $1, tp.id, NULL, 'phone', m.key, '2026-11-16', '2026-11-22',
              CASE m.unit WHEN 'rate' THEN round(c.r::numeric, 3) WHEN 'seconds' THEN round(c.r::numeric * 900) ELSE round(1 + c.r::numeric * 4, 1) END,
              'bench', '2026-11-20T12:00:00Z', '2026-11-20T12:00:00Z', '2026-11-20T12:00:00Z', '2026-11-20T12:00:00Z'
         FROM c JOIN tp USING (rn)
         JOIN unnest($6::text[], $7::text[]) WITH ORDINALITY AS m(key, unit, k) ON m.k = 1 + (tp.first + c.round) % $3::int
        ORDER BY c.i`,
      [orgId, tps, METRICS.length, tps.length, CLAIMS, METRICS.map((m) => m.key), METRICS.map((m) => m.unit)],
    );
    // ANALYZE for the planner; the VACUUM sets the visibility map and hint bits now, so autovacuum
    // does not start on the fresh million rows in the middle of the measurements.
    for (const table of ['organization', 'touchpoint', 'touchpoint_ownership', 'person', 'outcome', 'claim']) {
      await q.query(`VACUUM (ANALYZE) ${table}`);
    }
    return orgId;
  } finally {
    await q.release();
  }
}

interface Timing {
  best: number;
  median: number;
  runs: number[];
}

/** One warm-up run, then RUNS timed runs. */
async function time<T>(name: string, fn: () => Promise<T>): Promise<{ timing: Timing; result: T }> {
  gc();
  let result = await fn();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    gc();
    const started = performance.now();
    result = await fn();
    runs.push((performance.now() - started) / 1000);
    process.stdout.write(`  ${name} run ${i + 1}: ${runs[i].toFixed(3)} s\n`);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const round = (s: number) => Number(s.toFixed(3));
  return {
    timing: { best: round(sorted[0]), median: round(sorted[Math.floor(sorted.length / 2)]), runs: runs.map(round) },
    result,
  };
}

/**
 * "What nobody claimed" on its own, as digests list it now (capped: capFacts) and with every fact listed (as
 * before the cap): the section's time, the stored payload's size, and the web page's HTML (its time and size).
 */
async function unclaimedFigures(
  payload: Awaited<ReturnType<DigestBuilder['build']>>,
  request: DigestRequest,
  settings: VerdictSettingsService,
  facts: UnclaimedFacts,
  organizationId: string,
) {
  const effective = await settings.effective(organizationId);
  const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
  const figures: Record<string, unknown> = {};
  for (const [name, cap] of [
    ['capped', {}],
    ['uncapped', { maxScopes: Infinity, maxFlagged: Infinity }],
  ] as const) {
    const section = await time(`unclaimed section (${name})`, () =>
      facts.section(request, effective, payload.rows, cap),
    );
    const whole = { ...payload, unclaimed: section.result };
    const ctx = { name: 'bench', zone: 'UTC', link: '', chartSrc: '' };
    const page = await time(`web page HTML (${name})`, () => Promise.resolve(renderDigest(whole, ctx)));
    figures[name] = {
      sectionSeconds: section.timing,
      factsListed: section.result.facts.length,
      factsTotal: section.result.factsTotal,
      familySize: section.result.familySize,
      flagged: section.result.flagged,
      sectionBytes: bytes(section.result),
      payloadBytes: bytes(whole),
      pageHtmlSeconds: page.timing,
      pageHtmlBytes: Buffer.byteLength(page.result.html),
      textBytes: Buffer.byteLength(page.result.text),
    };
    process.stdout.write(`unclaimed (${name}): ${JSON.stringify(figures[name])}\n`);
  }
  return figures;
}

function gc() {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main() {
  const rss = peakRss();
  const db = await benchDatabase();
  const { dataSource } = db;

  const started = performance.now();
  const organizationId = await load(dataSource);
  const loadSeconds = Number(((performance.now() - started) / 1000).toFixed(2));
  const [counts] = await dataSource.query(
    `SELECT (SELECT count(*) FROM outcome WHERE organization_id = $1)::int AS outcomes, (SELECT count(*) FROM claim WHERE organization_id = $1)::int AS claims,
            (SELECT count(*) FROM touchpoint WHERE organization_id = $1)::int AS touchpoints`,
    [organizationId],
  );
  process.stdout.write(
    `loaded ${counts.outcomes} outcomes, ${counts.touchpoints} touchpoints, ${counts.claims} claims, ${TESTERS} testers in ${loadSeconds} s (not measured)\n`,
  );

  const request: DigestRequest = {
    organizationId,
    touchpointIds: [],
    team: null,
    periodStart: PERIOD_START,
    periodEnd: DIGEST_END,
    minContacts: 5,
  };
  const settings = new VerdictSettingsService(dataSource, new OrganizationsRepository(dataSource));
  const unclaimedFacts = new UnclaimedFacts(new UnclaimedRepository(dataSource));
  const builder = new DigestBuilder(
    new DigestEvidenceRepository(dataSource),
    settings,
    unclaimedFacts,
    new ClaimProgressRepository(dataSource),
  );
  const digest = await time('digest', () => builder.build(request));
  const unclaimed = await unclaimedFigures(digest.result, request, settings, unclaimedFacts, organizationId);

  const select = METRICS.map((m, i) => metricAggregates(m, `m${i}_`)).join(',\n       ');
  // the touchpoint's channel (the catalogue's columns read o.channel: a metric is NULL where it does not fit)
  const floorSql = `SELECT o.touchpoint_id,\n       ${select}\n  FROM (SELECT o.*, t.channel FROM outcome o JOIN touchpoint t ON t.id = o.touchpoint_id\n         WHERE o.organization_id = $1 AND o.attempted_at >= $2 AND o.attempted_at < $3) o\n GROUP BY o.touchpoint_id`;
  const floor = await time('floor', () =>
    dataSource.query<unknown[]>(floorSql, [organizationId, PERIOD_START, PERIOD_END]),
  );

  const peak = rss.stop();
  const peakRssMiB = Math.round(peak / 2 ** 20);
  const ratio = Number((digest.timing.best / floor.timing.best).toFixed(2));
  const medianRatio = Number((digest.timing.median / floor.timing.median).toFixed(2));
  const met = { ratio: ratio <= GOAL.ratio, peakRss: peak < GOAL.peakRssMB * 1e6 };
  const payload = digest.result;
  const verdicts: Record<string, number> = {};
  for (const r of payload.rows) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  process.stdout.write(
    `digest ${digest.timing.best.toFixed(3)} s (median ${digest.timing.median.toFixed(3)} s), ${payload.rows.length} rows in the payload, ${payload.notes.length} notes, ${payload.trend.length} trend rows\n` +
      `verdicts ${JSON.stringify(verdicts)} (Holm's family: ${payload.familySize})\n` +
      `floor  ${floor.timing.best.toFixed(3)} s (median ${floor.timing.median.toFixed(3)} s), ${floor.result.length} rows\n` +
      `ratio digest/floor ${ratio} (median ${medianRatio}) — goal ≤ ${GOAL.ratio}: ${met.ratio ? 'met' : 'missed'}\n` +
      `peak RSS ${peakRssMiB} MiB — goal under ${GOAL.peakRssMB} MB (${Math.floor((GOAL.peakRssMB * 1e6) / 2 ** 20)} MiB): ${met.peakRss ? 'met' : 'missed'}\n`,
  );
  const summary = {
    benchmark: 'digest',
    machine: machine(),
    postgres: db.serverVersion,
    outcomes: counts.outcomes,
    touchpoints: counts.touchpoints,
    claims: counts.claims,
    testers: TESTERS,
    loadSeconds,
    digestSeconds: digest.timing,
    floorSeconds: floor.timing,
    ratio,
    medianRatio,
    payloadRows: payload.rows.length,
    verdicts,
    floorRows: floor.result.length,
    peakRssMiB,
    unclaimed,
    goal: { ratio: GOAL.ratio, peakRssMB: GOAL.peakRssMB },
    met,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  await db.close();
}

// run when started as a script, not when bench:console imports the loader
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
