/**
 * The tables of bench:verdicts, from its JSON summary: printed by the benchmark, and written by `npm run bench`
 * into STATISTICS.md (every table) and BENCHMARKS.md (the figures against their targets).
 */
export interface VerdictsSummary {
  benchmark: 'verdicts';
  machine: { cores: number; memoryGiB: number; cpu: string; node: string };
  seconds: number;
  options: { familywiseAlpha: number; claimAlpha: number; power: number };
  seed: number;
  simDraws: number;
  falseContradicted: Array<{
    kind: string;
    n: number;
    max: number;
    where: string;
    /** the largest P(p ≤ α / 20) over the same grid: a claim passing Holm's first step in a digest of 20 */
    firstStep: number;
    method: 'exact' | 'simulated';
    draws?: number;
  }>;
  familywise: Array<{
    mix: string;
    digests: number;
    share: number;
    se: number;
    falseFlagsPerDigest: number;
    method: 'exact' | 'simulated';
  }>;
  power: Array<{
    kind: string;
    case: string;
    n: number;
    power: number;
    method: 'exact' | 'simulated';
    draws?: number;
    detectableGap: number | null;
    contactsNeeded: number | null;
  }>;
  namedCase: { exactLowerBound: number; simulated: number; se: number; digests: number };
  coverage: Array<{
    interval: string;
    n: number;
    min: number | null;
    where: string;
    method: 'exact' | 'simulated';
    draws?: number;
  }>;
  cost: { claims: number; coldMicros: number; warmMicros: number };
  target: { perClaim: number; familywise: number; namedCasePower: number };
  met: { perClaim: boolean; familywise: boolean; namedCasePower: boolean };
}

const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;
const table = (head: string[], rows: Array<Array<string | number>>) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
/** Monte Carlo standard error of a share estimated from `draws` draws. */
const se = (p: number, draws: number) => Math.sqrt((p * (1 - p)) / draws);
const method = (m: 'exact' | 'simulated', draws?: number) =>
  m === 'exact' ? 'exact' : `simulated, ${draws!.toLocaleString('en-GB')} draws`;
/** A simulated share with its standard error, or an upper bound when nothing was seen (the rule of three). */
const share = (p: number, m: 'exact' | 'simulated', draws?: number) => {
  if (m === 'exact') return pct(p, 3);
  if (p === 0) return `0 (95 % bound ${pct(3 / draws!, 3)})`;
  return `${pct(p, 2)} ± ${pct(se(p, draws!), 2)}`;
};

export function renderVerdictTables(s: VerdictsSummary): string {
  const perClaimMax = Math.max(...s.falseContradicted.map((r) => r.max));
  const falseRows = s.falseContradicted.map((r) => [
    r.kind,
    r.n,
    share(r.max, r.method, r.draws),
    r.where,
    share(r.firstStep, r.method, r.draws),
    method(r.method, r.draws),
  ]);
  const familyRows = s.familywise.map((f) => [
    f.mix,
    f.digests ? `${f.digests.toLocaleString('en-GB')} simulated` : 'exact bound',
    f.digests ? `${pct(f.share, 2)} ± ${pct(f.se, 2)}` : pct(f.share, 2),
    f.falseFlagsPerDigest.toFixed(4),
    `≤ ${pct(s.target.familywise, 0)}: ${verdict(f.share <= s.target.familywise)}`,
  ]);
  const powerRows = s.power.map((p) => [
    p.kind,
    p.case,
    p.n,
    p.method === 'exact' ? pct(p.power, 1) : `${pct(p.power, 1)} ± ${pct(se(p.power, p.draws!), 1)}`,
    p.detectableGap === null ? 'none on the scale' : p.detectableGap.toFixed(p.kind.includes('wait') ? 0 : 3),
    p.contactsNeeded === null ? 'more than 100,000' : p.contactsNeeded.toLocaleString('en-GB'),
    method(p.method, p.draws),
  ]);
  const coverageRows = s.coverage.map((c) => [
    c.interval,
    c.n,
    c.min === null ? '—' : c.method === 'exact' ? pct(c.min, 2) : `${pct(c.min, 2)} ± ${pct(se(c.min, c.draws!), 2)}`,
    c.where,
    method(c.method, c.draws),
  ]);
  const nc = s.namedCase;
  return [
    `Per-claim false "contradicted" with the claim exactly true (each claim judged alone: a family of one gets ` +
      `the highest level any claim can, ${pct(s.options.claimAlpha, 1)}), the worst point of each grid. ` +
      `Target ≤ ${pct(s.target.perClaim, 1)} everywhere: ${verdict(s.met.perClaim)} (largest ${pct(perClaimMax, 3)}).`,
    '',
    table(
      [
        'metric',
        'n',
        'worst false-contradicted rate',
        'where',
        `worst P(p ≤ α / 20), Holm's first step in 20`,
        'method',
      ],
      falseRows,
    ),
    '',
    `Familywise: share of digests of ${20} true claims with at least one "contradicted".`,
    '',
    table(
      ['digests of 20 true claims', 'digests', 'share with ≥ 1 contradicted', 'false flags / digest', 'target'],
      familyRows,
    ),
    '',
    `Power: one claim worse than the truth by the stated gap (10 points, 0.5, 30 s), judged among 19 others that ` +
      `are not flagged, so Holm's first step (${pct(s.options.familywiseAlpha / 20, 2)}) applies to it — exactly ` +
      `the power in a digest whose true claims pass, and a lower bound otherwise. Detectable gap and contacts ` +
      `needed are judgeClaims' own figures for that claim (at ${pct(s.options.power, 0)} power, family of 20, ` +
      `the stated worst-case alternative).`,
    '',
    table(['metric', 'case', 'n', 'power', 'detectable gap', 'contacts needed', 'method'], powerRows),
    '',
    `The named case (n = 60, a rate claim of 0.96 against a truth of 0.81, the one false claim among 20): ` +
      `exact power at Holm's first step ${pct(nc.exactLowerBound, 1)} (a lower bound); with the 19 others drawn true from the ` +
      `realistic mix, ${pct(nc.simulated, 1)} ± ${pct(nc.se, 1)} over ${nc.digests.toLocaleString('en-GB')} ` +
      `simulated digests. Target ≥ ${pct(s.target.namedCasePower, 0)}: ${verdict(s.met.namedCasePower)}.`,
    '',
    'Coverage of the 95 % intervals shown (the smallest over the grid of truths):',
    '',
    table(['interval', 'n', 'smallest coverage', 'where', 'method'], coverageRows),
    '',
    `judgeClaims' cost on ${s.cost.claims.toLocaleString('en-GB')} claims (rates, ratings, waits, mean waits; ` +
      `n ≈ 100): ${s.cost.coldMicros} µs per claim with its caches cold, ${s.cost.warmMicros} µs warm. ` +
      `Run: ${s.seconds} s, seed ${s.seed}, ${s.machine.cores} cores (${s.machine.cpu}), Node.js ${s.machine.node}.`,
  ].join('\n');
}

/** The figures against their targets, for BENCHMARKS.md. */
export function renderVerdictsHeadline(s: VerdictsSummary): string {
  const perClaimMax = Math.max(...s.falseContradicted.map((r) => r.max));
  const worst = s.falseContradicted.find((r) => r.max === perClaimMax)!;
  const family = Math.max(...s.familywise.map((f) => f.share));
  return table(
    ['figure', 'value', 'goal'],
    [
      [
        'per-claim false "contradicted", worst over metrics, n and grids',
        `${pct(perClaimMax, 3)} (${worst.kind}, n = ${worst.n}, ${worst.where})`,
        `≤ ${pct(s.target.perClaim, 1)}: ${verdict(s.met.perClaim)}`,
      ],
      [
        'digests of 20 true claims with ≥ 1 "contradicted", worst mix',
        pct(family, 2),
        `≤ ${pct(s.target.familywise, 0)}: ${verdict(s.met.familywise)}`,
      ],
      [
        'power, n = 60, claim 0.96 vs truth 0.81, one false among 20',
        `${pct(s.namedCase.exactLowerBound, 1)} exact (simulated ${pct(s.namedCase.simulated, 1)})`,
        `≥ ${pct(s.target.namedCasePower, 0)}: ${verdict(s.met.namedCasePower)}`,
      ],
      ['judgeClaims per claim (20,000 claims, cold / warm)', `${s.cost.coldMicros} / ${s.cost.warmMicros} µs`, ''],
      ['run time of the benchmark', `${s.seconds} s (${s.machine.cores} cores, ${s.machine.cpu})`, ''],
    ],
  );
}
