import { performance } from 'node:perf_hooks';

import { simulateFalseFlags } from '../src/digests/unclaimed-simulation.js';
import { machine } from './support.js';

/**
 * bench:unclaimed — how often "what nobody claimed" flags a fact wrongly when nothing is wrong: every journey
 * metric of every touchpoint exactly on its target (20 % transfers, 10 % drops, 15 % repeated stories, 60 % gave a
 * name, a 2:00 median hold with log-normal holds of spread 1, whole seconds) and the period before drawn from the
 * same distribution. Each digest is judged by the real judgeFacts (src/digests/unclaimed.ts): a digest with any
 * flag is a false alarm. Seeded xoroshiro128+; BENCH_UNCLAIMED_DIGESTS digests per row (default 5,000).
 */
const DIGESTS = Number(process.env.BENCH_UNCLAIMED_DIGESTS ?? 5_000);
const GRID: Array<{ touchpoints: number; contacts: number }> = [
  { touchpoints: 1, contacts: 20 },
  { touchpoints: 10, contacts: 5 },
  { touchpoints: 10, contacts: 10 },
  { touchpoints: 10, contacts: 20 },
  { touchpoints: 10, contacts: 50 },
  { touchpoints: 30, contacts: 20 },
];

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;
console.log(`bench:unclaimed on ${JSON.stringify(machine())}, ${DIGESTS} digests per row`);
console.log('| touchpoints | contacts per period | tests per digest | digests with a false flag (± s.e.) | per test |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
const rows = [];
const start = performance.now();
for (const [i, g] of GRID.entries()) {
  const r = simulateFalseFlags({ ...g, digests: DIGESTS, seed: 20261203 + i });
  rows.push({ ...g, ...r });
  console.log(
    `| ${g.touchpoints} | ${g.contacts} | ${r.tests.toFixed(0)} | ${pct(r.anyFlag)} ± ${pct(r.standardError)} | ` +
      `${pct(r.perTest, 3)} |`,
  );
}
console.log(JSON.stringify({ digests: DIGESTS, seconds: (performance.now() - start) / 1000, rows }));
