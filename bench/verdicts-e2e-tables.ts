/**
 * The tables of bench:verdicts-e2e, from its JSON summary: printed by the benchmark, and written by `npm run bench`
 * into STATISTICS.md (beside bench:verdicts' tables) and BENCHMARKS.md (the headline against the targets).
 */
export interface VerdictsE2eSummary {
  benchmark: 'verdicts-e2e';
  seed: number;
  machine: { cores: number; memoryGiB: number; cpu: string; node: string };
  postgres: string;
  seconds: number;
  requests: number;
  outcomes: number;
  weeks: number;
  previewMsMean: number;
  previews: number;
  target: { perClaim: number; familywise: number; power: number };
  allTrue: {
    digests: number;
    apiDigests: number;
    plannedPerLinePerApiWeek: number;
    share: number;
    se: number;
    flagsPerDigest: number;
    familyMean: number;
    familyMin: number;
    perSlot: Array<{ name: string; contradicted: number; judged: number }>;
  };
  power: { digests: number; share: number; se: number; trueFlagShare: number; trueFlagSe: number; exact: number };
  exact: Array<{ name: string; samples: number; contradicted: number; firstStep: number | null }>;
}

const pct = (v: number, digits = 2) => `${(v * 100).toFixed(digits)} %`;
/** A share with its standard error, or the rule-of-three 95 % bound when nothing was seen. */
const share = (v: number, se: number, n: number) =>
  v > 0 ? `${pct(v)} ± ${pct(se)}` : `0 of ${n} (95 % bound ${pct(3 / n)})`;
const met = (ok: boolean) => (ok ? '**met**' : '**missed**');
const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

export function renderVerdictsE2eTables(s: VerdictsE2eSummary): string {
  const a = s.allTrue;
  const b = s.power;
  const worstExact = Math.max(...s.exact.map((e) => e.contradicted));
  return [
    `Through the service (HTTP, PostgreSQL, the claims API and the digest preview), seed ${s.seed}. ` +
      `Familywise: digests of 20 true claims, each claim's n drawn from {5, 10, 20, 50, 200}; the first ` +
      `${a.apiDigests} digests' contacts were ${a.plannedPerLinePerApiWeek} planned tests per line planned, revealed ` +
      'and completed through the API plus ad-hoc contacts posted through it, the rest inserted by SQL as counted ' +
      'ad-hoc contacts.',
    '',
    table(
      ['digests', 'digests', 'share with ≥ 1 contradicted', 'false flags / digest', 'judged claims / digest', 'target'],
      [
        [
          '20 true claims (the realistic mix)',
          String(a.digests),
          share(a.share, a.se, a.digests),
          a.flagsPerDigest.toFixed(4),
          `${a.familyMean.toFixed(1)} (fewest ${a.familyMin})`,
          `≤ 5 %: ${met(a.share <= s.target.familywise)}`,
        ],
        [
          '19 true claims + the named false one',
          String(b.digests),
          `${share(b.trueFlagShare, b.trueFlagSe, b.digests)} (the 19 true)`,
          '',
          '',
          `≤ 5 %: ${met(b.trueFlagShare <= s.target.familywise)}`,
        ],
      ],
    ),
    '',
    'Each true claim of those digests, contradicted in how many of the digests that judged it:',
    '',
    table(
      ['claim (its line\u2019s truth)', 'contradicted / judged'],
      a.perSlot.map((x) => [x.name, `${x.contradicted} / ${x.judged}`]),
    ),
    '',
    'Per claim at the worst points of the grid, exact through the service: each possible sample in a week of its ' +
      'own, the claim judged alone (2.5 %), P(contradicted) the sum of the probabilities of the samples the ' +
      `service contradicted. Target ≤ 2.5 %: ${met(worstExact <= s.target.perClaim)} (largest ${pct(worstExact, 3)}).`,
    '',
    table(
      ['claim exactly true', 'samples', 'P(contradicted), alone', 'P(p ≤ 0.25 %), Holm\u2019s first step in 20'],
      s.exact.map((e) => [
        e.name,
        String(e.samples),
        pct(e.contradicted, 3),
        e.firstStep === null ? '' : pct(e.firstStep, 3),
      ]),
    ),
    '',
    `The named case (n = 60, claimed 96 %, truth 81 %, the one false claim among 20): power ${pct(b.exact, 1)} ` +
      `exact through the service (19 claims beside it that are never flagged: Holm's first step applies), ` +
      `${pct(b.share, 1)} ± ${pct(b.se, 1)} over ${b.digests} digests whose 19 other claims were drawn true. ` +
      `Target ≥ 80 %: ${met(b.exact >= s.target.power)}.`,
    '',
    `Run: ${s.seconds} s, ${s.requests.toLocaleString('en-GB')} requests, ${s.outcomes.toLocaleString('en-GB')} ` +
      `outcomes over ${s.weeks} weeks, ${s.previews} previews (${s.previewMsMean} ms each on average); ` +
      `${s.machine.cores} cores (${s.machine.cpu}), Node.js ${s.machine.node}, PostgreSQL ${s.postgres}.`,
  ].join('\n');
}

/** The figures against their targets, for BENCHMARKS.md. */
export function renderVerdictsE2eHeadline(s: VerdictsE2eSummary): string {
  const worst = s.exact.reduce((w, e) => (e.contradicted > w.contradicted ? e : w));
  return table(
    ['figure (through the service)', 'value', 'goal'],
    [
      [
        'digests of 20 true claims with ≥ 1 "contradicted"',
        `${share(s.allTrue.share, s.allTrue.se, s.allTrue.digests)} (${s.allTrue.digests} digests)`,
        `≤ 5 %: ${met(s.allTrue.share <= s.target.familywise)}`,
      ],
      [
        'per-claim false "contradicted", worst point tried (exact)',
        `${pct(worst.contradicted, 3)} (${worst.name})`,
        `≤ 2.5 %: ${met(worst.contradicted <= s.target.perClaim)}`,
      ],
      [
        'power, n = 60, claim 0.96 vs truth 0.81, one false among 20',
        `${pct(s.power.exact, 1)} exact (${pct(s.power.share, 1)} ± ${pct(s.power.se, 1)} simulated)`,
        `≥ 80 %: ${met(s.power.exact >= s.target.power)}`,
      ],
      ['run time', `${s.seconds} s (${s.machine.cores} cores, ${s.machine.cpu})`, ''],
    ],
  );
}
