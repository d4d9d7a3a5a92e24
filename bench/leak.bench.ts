import { performance } from 'node:perf_hooks';

import {
  ATTACK_TOUCHPOINTS,
  ATTACK_WEEKS,
  digestView,
  firstOf,
  runAttack,
} from '../src/campaigns/planner/attack-scenario.js';
import { HOUR } from '../src/campaigns/planner/planner.js';
import { OWNER_VIEW_DELAY_DAYS, ownerSeesFrom } from '../src/common/owner-view.js';
import { machine } from './support.js';

/**
 * bench:leak — how much a touchpoint's owner can predict of the next test (issue 12, item 1): the
 * owner's attack of src/campaigns/planner/unpredictability.spec.ts, on more seeds, at 2 and 3 contacts
 * a week, as the service shows tests (a week after they happen, in the assignments API and in every digest an
 * owner reads) and, for comparison, if it showed them at once, or in a digest that counted the latest tests (a
 * daily 09:00 one, a Monday 09:00 one, as digests were before they were held back a week for owners). Prints
 * every predictor's leak (hits over a uniform guess's) with its standard error, the share of open blocks the
 * owner knows hold no test (a week's tests all seen before it ends), and the coverage: the share of open
 * weekday × 2-hour blocks tested within 13 weeks.
 */
const SEEDS = Number(process.env.BENCH_LEAK_SEEDS ?? 64);

function main(): void {
  const started = performance.now();
  const api = (start: number) => ownerSeesFrom(start);
  const runs = [
    { k: 2, view: 'after 7 days', service: true, report: runAttack(2, SEEDS) },
    { k: 3, view: 'after 7 days', service: true, report: runAttack(3, SEEDS) },
    { k: 2, view: 'at once', service: false, report: runAttack(2, SEEDS, (start) => start + HOUR) },
    {
      k: 2,
      view: 'in a daily 09:00 digest, undelayed',
      service: false,
      report: runAttack(2, SEEDS, firstOf(api, digestView({ hour: 9 }, 0))),
    },
    {
      k: 2,
      view: 'in a Monday 09:00 digest, undelayed',
      service: false,
      report: runAttack(2, SEEDS, firstOf(api, digestView({ hour: 9, weekday: 1 }, 0))),
    },
  ];
  for (const { k, view, report } of runs) {
    process.stdout.write(
      `k=${k}, owner sees tests ${view}; coverage within 13 weeks ${(report.coverage13Weeks * 100).toFixed(1)} %; ` +
        `open blocks known to hold no test ${(report.knownSafe * 100).toFixed(1)} %\n`,
    );
    for (const l of report.leaks) {
      process.stdout.write(
        `  ${l.task.padEnd(13)} ${l.predictor.padEnd(20)} ${l.ratio.toFixed(3)} ± ${l.standardError.toFixed(3)}\n`,
      );
    }
  }
  const summary = {
    benchmark: 'leak',
    machine: machine(),
    seeds: SEEDS,
    weeks: ATTACK_WEEKS,
    touchpoints: ATTACK_TOUCHPOINTS.map((t) => t.id),
    ownerViewDelayDays: OWNER_VIEW_DELAY_DAYS,
    goal: 1.25,
    runs: runs.map(({ k, view, service, report }) => ({
      k,
      view,
      service,
      coverage13Weeks: Number(report.coverage13Weeks.toFixed(3)),
      knownSafe: Number(report.knownSafe.toFixed(3)),
      leaks: report.leaks.map((l) => ({
        task: l.task,
        predictor: l.predictor,
        ratio: Number(l.ratio.toFixed(3)),
        standardError: Number(l.standardError.toFixed(3)),
      })),
    })),
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main();
