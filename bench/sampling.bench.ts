import { performance } from 'node:perf_hooks';

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

import { allocateByNeed } from '../src/campaigns/allocation.js';
import { planWeek } from '../src/campaigns/planner/planner.js';
import type {
  ExistingAssignment,
  PlannerCampaign,
  PlannerTester,
  PlannerTouchpoint,
} from '../src/campaigns/planner/planner.js';
import { claimNeeds, familySizes } from '../src/digests/claim-progress.js';
import type { OpenClaim } from '../src/digests/claim-progress.js';
import { judgeClaims } from '../src/digests/verdicts.js';
import type { ClaimToJudge, Verdict } from '../src/digests/verdicts.js';
import { machine } from './support.js';

/**
 * bench:sampling — claim-driven sampling (issue 16) against a uniform campaign at the same weekly budget, over a
 * quarter (13 weeks) of a simulated organization whose truth is known, with the real planner (planWeek), the real
 * allocation (claimNeeds, allocateByNeed) and the real verdicts (judgeClaims).
 *
 * The organization: TOUCHPOINTS touchpoints open Mon–Fri 08:00–18:00 (London), half of them phone lines; 30 testers.
 * Each touchpoint has a true answer rate (and the phone lines a true median wait, log-normal waits). Every four
 * weeks (weeks 1–4, 5–8, 9–12) each touchpoint's manager reports its answer rate for that month and each phone line
 * its median wait: a share of the claims are true (the truth at least as good as claimed), the rest flatter (the
 * truth 5–20 points, or 20–60 s, worse). Each month's claims are judged together at its end, as one digest judges
 * them (one family). Week 13 starts a month whose claims end after the quarter.
 *
 * Both arms run the same campaign rules (60-minute windows, 2 h spacing, up to 21 tests a touchpoint a week, every
 * tester ≤ 6 a week, no rotation) and spend the same budget: uniform gives every touchpoint PER_TOUCHPOINT tests a
 * week; by-need has a budget of TOUCHPOINTS × PER_TOUCHPOINT with a floor of FLOOR per touchpoint, divided each week
 * from the contacts recorded in the weeks before. 92 % of tests are completed (the rest missed).
 *
 * Reported per arm, summed over REPS simulated quarters (seeded xoroshiro128+, so every figure repeats): claims
 * decided (contradicted, better than claimed, or consistent: shown to lie within the gap that matters of the truth)
 * by week 4 and by week 13, false contradictions (a true claim contradicted), digests with a false contradiction
 * (the familywise error, target ≤ 5 %), and tests spent. Prints the tables, then the JSON summary.
 */
const REPS = Number(process.env.BENCH_SAMPLING_REPS ?? 400);
const TOUCHPOINTS = Number(process.env.BENCH_SAMPLING_TOUCHPOINTS ?? 12);
const PER_TOUCHPOINT = Number(process.env.BENCH_SAMPLING_PER_TOUCHPOINT ?? 4);
const FLOOR = Number(process.env.BENCH_SAMPLING_FLOOR ?? 1);
const TRUE_SHARE = Number(process.env.BENCH_SAMPLING_TRUE_SHARE ?? 0.5);

/** How many of the touchpoints have claims in a given month: the one thing the scenarios vary. */
interface Scenario {
  name: string;
  claimedShare: number;
}
const SCENARIOS: Scenario[] = [
  { name: 'a quarter of the touchpoints claimed for each month', claimedShare: 0.25 },
  { name: 'half of the touchpoints claimed for each month (the headline)', claimedShare: 0.5 },
  { name: 'every touchpoint claimed for every month', claimedShare: 1 },
];
const CAP = 21;
const WEEKS = 13;
const MONTH = 4;
const COMPLETED = 0.92;
const WAIT_LOG_SD = 0.8;
const FIRST_WEEK = '2027-01-04';
const GAPS = { answer_rate: 0.1, median_seconds_to_human: 30 };
const GOAL = { ratioWeek4: 1.5, familywise: 0.05 };

const DAY = 86_400_000;
const mondays = Array.from({ length: WEEKS + 1 }, (_, w) =>
  new Date(Date.parse(`${FIRST_WEEK}T00:00:00Z`) + w * 7 * DAY).toISOString().slice(0, 10),
);
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

const touchpoints: PlannerTouchpoint[] = Array.from({ length: TOUCHPOINTS }, (_, i) => ({
  id: `tp${String(i).padStart(2, '0')}`,
  channel: i % 2 === 0 ? 'phone' : 'chat',
  timezone: 'Europe/London',
  openingHours: WEEKDAYS.map((day) => ({ day, open: '08:00', close: '18:00' })),
  closures: [],
  ownerId: `owner${i}`,
}));
const testers: PlannerTester[] = Array.from({ length: 30 }, (_, i) => ({
  id: `t${String(i).padStart(2, '0')}`,
  timezone: 'Europe/London',
  workingHours: WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
  leave: [],
}));
const campaign = (seed: string): PlannerCampaign => ({
  id: `c-${seed}`,
  seed,
  contactsPerTouchpointPerWeek: PER_TOUCHPOINT,
  windowMinutes: 60,
  revealLeadMinutes: 120,
  holdLeadMinutes: null,
  minSpacingHours: 2,
  testerWeeklyCap: 6,
  rotationDays: 0,
  allowOwnerSelfTest: false,
  startsOn: FIRST_WEEK,
  endsOn: null,
});

type Rng = () => number;
const seeded = (seed: number): Rng => {
  const g = xoroshiro128plus(seed);
  return () => uniformFloat64(g);
};
const between = (rng: Rng, a: number, b: number) => a + (b - a) * rng();
const gaussian = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

interface Truth {
  answerRate: number;
  medianWait: number | null;
}

interface SimClaim extends OpenClaim {
  month: number;
  isTrue: boolean;
}

/** A contact's outcome: answered or not, and the wait when answered. */
interface Contact {
  tp: string;
  week: number;
  answered: boolean;
  wait: number | null;
}

/** The quarter's claims: each month, every touchpoint's answer rate and every phone line's median wait. */
function claimsOf(rng: Rng, truth: Map<string, Truth>, scenario: Scenario): SimClaim[] {
  const out: SimClaim[] = [];
  for (let month = 0; month * MONTH < WEEKS; month++) {
    const periodStart = mondays[month * MONTH];
    const periodEnd = new Date(Date.parse(mondays[Math.min((month + 1) * MONTH, WEEKS)]) - DAY)
      .toISOString()
      .slice(0, 10);
    for (const tp of touchpoints) {
      // Only some touchpoints are discussed (and claimed for) at a given month's review.
      if (rng() >= scenario.claimedShare) continue;
      const t = truth.get(tp.id)!;
      const base = { touchpointId: tp.id, periodStart, periodEnd, contactsSoFar: 0, pending: 0, month };
      const rateTrue = rng() < TRUE_SHARE;
      // A true claim: the truth at least as good (up to 2 points better); a flattering one, 5–20 points above it.
      const claimedRate = rateTrue
        ? Math.max(0.5, t.answerRate - between(rng, 0, 0.02))
        : Math.min(0.995, t.answerRate + between(rng, 0.05, 0.2));
      out.push({
        ...base,
        id: `m${month}-${tp.id}-rate`,
        metric: 'answer_rate',
        value: claimedRate,
        isTrue: rateTrue,
      });
      if (t.medianWait !== null) {
        const waitTrue = rng() < TRUE_SHARE;
        const claimedWait = waitTrue
          ? t.medianWait * between(rng, 1, 1.2)
          : Math.max(5, t.medianWait - between(rng, 20, 60));
        out.push({
          ...base,
          id: `m${month}-${tp.id}-wait`,
          metric: 'median_seconds_to_human',
          value: Math.round(claimedWait),
          isTrue: waitTrue,
        });
      }
    }
  }
  return out;
}

/** The claim as the digest judges it, from the contacts of its period. */
function toJudge(c: SimClaim, contacts: Contact[]): ClaimToJudge {
  const own = contacts.filter(
    (x) => x.tp === c.touchpointId && x.week >= c.month * MONTH && x.week < (c.month + 1) * MONTH,
  );
  const base = { id: c.id, claimed: c.value, periodComplete: true, minContacts: 5 };
  if (c.metric === 'answer_rate') {
    const successes = own.filter((x) => x.answered).length;
    return { ...base, better: 'higher', evidence: { kind: 'rate', n: own.length, successes }, gapThatMatters: 0.1 };
  }
  const waits = own.flatMap((x) => (x.wait === null ? [] : [x.wait]));
  const logs = waits.map((w) => Math.log(Math.max(w, 1)));
  const mean = logs.reduce((s, x) => s + x, 0) / Math.max(1, logs.length);
  const logSd = logs.length > 1 ? Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (logs.length - 1)) : null;
  return {
    ...base,
    better: 'lower',
    evidence: {
      kind: 'quantile',
      q: 0.5,
      n: waits.length,
      above: waits.filter((w) => w > c.value).length,
      below: waits.filter((w) => w < c.value).length,
      logSd: logSd && logSd > 0 ? logSd : null,
    },
    gapThatMatters: 30,
  };
}

const DECIDED: readonly Verdict[] = ['contradicted', 'better_than_claimed', 'consistent'];

interface ArmTotals {
  decidedByWeek4: number;
  decidedByWeek13: number;
  contradictedFlattering: number;
  falseContradictions: number;
  digests: number;
  digestsWithFalseContradiction: number;
  testsPlanned: number;
  testsCompleted: number;
  unfilled: number;
  /** claims decided by week 4 in each quarter, in order (for the ratio's standard error) */
  week4PerQuarter: number[];
  /** claims decided by week 13, by metric */
  decidedByMetric: Record<string, number>;
  claimsByMetric: Record<string, number>;
}

const emptyTotals = (): ArmTotals => ({
  decidedByWeek4: 0,
  decidedByWeek13: 0,
  contradictedFlattering: 0,
  falseContradictions: 0,
  digests: 0,
  digestsWithFalseContradiction: 0,
  testsPlanned: 0,
  testsCompleted: 0,
  unfilled: 0,
  week4PerQuarter: [],
  decidedByMetric: {},
  claimsByMetric: {},
});

type Arm = 'uniform' | 'by-need';

/** One quarter of one arm: plan each week, complete its tests, judge each month's claims at its end. */
function quarter(rep: number, arm: Arm, totals: ArmTotals, scenario: Scenario): void {
  const rng = seeded(20261203 + rep);
  const truth = new Map<string, Truth>(
    touchpoints.map((tp) => [
      tp.id,
      {
        answerRate: between(rng, 0.7, 0.97),
        medianWait: tp.channel === 'phone' ? between(rng, 25, 90) : null,
      },
    ]),
  );
  const claims = claimsOf(rng, truth, scenario);
  // Outcomes come from a stream of their own (the truth and the claims are the same in both arms).
  const outcomes = seeded(9_000_000 + rep);
  const seed = `sampling-${rep}`;
  const contacts: Contact[] = [];
  const existing: ExistingAssignment[] = [];
  const family = familySizes(claims);
  for (let week = 0; week < WEEKS; week++) {
    const weekStart = mondays[week];
    let counts: Record<string, number> | undefined;
    if (arm === 'by-need') {
      const open = claims
        .filter((c) => c.periodEnd >= weekStart)
        .map((c) => ({
          ...c,
          contactsSoFar: toJudge(c, contacts).evidence.n,
        }));
      const needs = new Map(claimNeeds(open, { gapThatMatters: GAPS }, family).map((n) => [n.id, n]));
      counts = Object.fromEntries(
        allocateByNeed(
          touchpoints.map((t) => t.id),
          open,
          needs,
          { budget: TOUCHPOINTS * PER_TOUCHPOINT, floor: FLOOR, cap: CAP },
          weekStart,
        ),
      );
    }
    const plan = planWeek({
      campaign: { ...campaign(seed), contactsPerTouchpointPerWeek: arm === 'uniform' ? PER_TOUCHPOINT : CAP },
      weekStart,
      touchpoints,
      testers,
      scenarios: [],
      existing,
      now: Date.parse(`${weekStart}T00:00:00Z`) - DAY,
      counts,
    });
    totals.testsPlanned += plan.assignments.length;
    totals.unfilled += plan.unfilled.length;
    for (const a of plan.assignments) {
      existing.push({ campaignId: 'c', ...a, weekStart });
      if (outcomes() >= COMPLETED) continue;
      totals.testsCompleted++;
      const t = truth.get(a.touchpointId)!;
      const answered = outcomes() < t.answerRate;
      const wait =
        answered && t.medianWait !== null
          ? Math.round(t.medianWait * Math.exp(WAIT_LOG_SD * gaussian(outcomes)))
          : null;
      contacts.push({ tp: a.touchpointId, week, answered, wait });
    }
    // A month's digest at the end of its last week judges the month's claims together.
    if ((week + 1) % MONTH === 0) {
      const month = (week + 1) / MONTH - 1;
      const judged = claims.filter((c) => c.month === month);
      const verdicts = judgeClaims(judged.map((c) => toJudge(c, contacts)));
      let falseOnes = 0;
      for (const c of judged) {
        const v = verdicts.get(c.id)!.verdict;
        totals.claimsByMetric[c.metric] = (totals.claimsByMetric[c.metric] ?? 0) + 1;
        if (DECIDED.includes(v)) {
          if (week < 4) {
            totals.decidedByWeek4++;
            totals.week4PerQuarter[rep] = (totals.week4PerQuarter[rep] ?? 0) + 1;
          }
          totals.decidedByWeek13++;
          totals.decidedByMetric[c.metric] = (totals.decidedByMetric[c.metric] ?? 0) + 1;
        }
        if (v === 'contradicted' && c.isTrue) falseOnes++;
        if (v === 'contradicted' && !c.isTrue) totals.contradictedFlattering++;
      }
      totals.digests++;
      totals.falseContradictions += falseOnes;
      if (falseOnes > 0) totals.digestsWithFalseContradiction++;
    }
  }
}

/** Standard error of mean(x) / mean(y) over paired quarters (the delta method). */
function ratioStandardError(x: number[], y: number[]): number | null {
  const n = REPS;
  const at = (a: number[], i: number) => a[i] ?? 0;
  const mx = Array.from({ length: n }, (_, i) => at(x, i)).reduce((s, v) => s + v, 0) / n;
  const my = Array.from({ length: n }, (_, i) => at(y, i)).reduce((s, v) => s + v, 0) / n;
  if (my === 0 || n < 2) return null;
  const r = mx / my;
  let v = 0;
  for (let i = 0; i < n; i++) v += (at(x, i) - mx - r * (at(y, i) - my)) ** 2;
  return Math.sqrt(v / (n - 1) / n) / my;
}

function runScenario(scenario: Scenario) {
  const started = performance.now();
  const arms: Record<Arm, ArmTotals> = { uniform: emptyTotals(), 'by-need': emptyTotals() };
  for (let rep = 0; rep < REPS; rep++)
    for (const arm of ['uniform', 'by-need'] as const) quarter(rep, arm, arms[arm], scenario);
  const u = arms.uniform;
  const b = arms['by-need'];
  const ratio = (x: number, y: number) => (y === 0 ? null : x / y);
  const fw = (t: ArmTotals) => t.digestsWithFalseContradiction / t.digests;
  return {
    ratioWeek4StandardError: ratioStandardError(b.week4PerQuarter, u.week4PerQuarter),
    scenario,
    claimsPerQuarter: Object.values(u.claimsByMetric).reduce((sum, n) => sum + n, 0) / REPS,
    arms,
    ratioDecidedByWeek4: ratio(b.decidedByWeek4, u.decidedByWeek4),
    ratioDecidedByWeek13: ratio(b.decidedByWeek13, u.decidedByWeek13),
    familywise: { uniform: fw(u), byNeed: fw(b), digests: u.digests },
    seconds: Math.round((performance.now() - started) / 1000),
  };
}

function table(r: ReturnType<typeof runScenario>): string[] {
  const u = r.arms.uniform;
  const b = r.arms['by-need'];
  const per = (x: number) => (x / REPS).toFixed(2);
  const times = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)} ×`);
  const pct = (x: number) =>
    `${(100 * x).toFixed(1)} % ± ${(100 * Math.sqrt((x * (1 - x)) / r.familywise.digests)).toFixed(1)} %`;
  const ratio = (x: number, y: number) => (y === 0 ? null : x / y);
  return [
    `**${r.scenario.name}**: ${r.claimsPerQuarter.toFixed(1)} claims judged a quarter on average.`,
    '',
    '| per quarter (mean) | uniform | by-need | by-need ÷ uniform |',
    '| --- | --- | --- | --- |',
    `| claims decided by week 4 | ${per(u.decidedByWeek4)} | ${per(b.decidedByWeek4)} | ${times(r.ratioDecidedByWeek4)}` +
      ` ± ${r.ratioWeek4StandardError?.toFixed(2) ?? '—'} |`,
    `| claims decided by week 13 | ${per(u.decidedByWeek13)} | ${per(b.decidedByWeek13)} | ${times(r.ratioDecidedByWeek13)} |`,
    ...Object.keys(u.claimsByMetric).map(
      (m) =>
        `| — of them ${m} (of ${per(u.claimsByMetric[m])}) | ${per(u.decidedByMetric[m] ?? 0)} | ` +
        `${per(b.decidedByMetric[m] ?? 0)} | ${times(ratio(b.decidedByMetric[m] ?? 0, u.decidedByMetric[m] ?? 0))} |`,
    ),
    `| flattering claims contradicted | ${per(u.contradictedFlattering)} | ${per(b.contradictedFlattering)} | |`,
    `| false contradictions (true claims contradicted) | ${per(u.falseContradictions)} | ${per(b.falseContradictions)} | |`,
    `| digests with a false contradiction (target ≤ 5 %) | ${pct(r.familywise.uniform)} | ${pct(r.familywise.byNeed)} | |`,
    `| tests planned / completed | ${per(u.testsPlanned)} / ${per(u.testsCompleted)} | ${per(b.testsPlanned)} / ${per(b.testsCompleted)} | |`,
    `| slots left unfilled | ${per(u.unfilled)} | ${per(b.unfilled)} | |`,
    '',
  ];
}

function main(): void {
  const results = SCENARIOS.map(runScenario);
  const headline = results[1];
  const met = (headline.ratioDecidedByWeek4 ?? 0) >= GOAL.ratioWeek4;
  const fwMet = results.every((r) => r.familywise.uniform <= GOAL.familywise && r.familywise.byNeed <= GOAL.familywise);
  const m = machine();
  const lines = [
    `${REPS} simulated quarters per scenario of ${TOUCHPOINTS} touchpoints, ${TOUCHPOINTS * PER_TOUCHPOINT} tests a ` +
      `week in both arms (uniform: ${PER_TOUCHPOINT} each; by-need: floor ${FLOOR}, at most ${CAP}), ` +
      `${Math.round(TRUE_SHARE * 100)} % of claims true. Goal (headline scenario): ≥ ${GOAL.ratioWeek4} × as many ` +
      `claims decided by week 4 — **${met ? 'met' : 'missed'}** (${headline.ratioDecidedByWeek4?.toFixed(2)} ×); ` +
      `familywise error ≤ 5 % per digest in every scenario and arm — **${fwMet ? 'met' : 'missed'}**.`,
    '',
    ...results.flatMap(table),
    `${results.reduce((s, r) => s + r.seconds, 0)} s on ${m.cpu} (${m.cores} cores, Node ${m.node}).`,
  ];
  console.log(lines.join('\n'));
  console.log(
    JSON.stringify({
      reps: REPS,
      touchpoints: TOUCHPOINTS,
      budgetPerWeek: TOUCHPOINTS * PER_TOUCHPOINT,
      floor: FLOOR,
      trueShare: TRUE_SHARE,
      goal: GOAL,
      // the per-quarter counts only feed the standard errors
      results: results.map((r) => ({
        ...r,
        arms: Object.fromEntries(Object.entries(r.arms).map(([k, v]) => [k, { ...v, week4PerQuarter: undefined }])),
      })),
      machine: m,
    }),
  );
}

main();
