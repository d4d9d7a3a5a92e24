import { performance } from 'node:perf_hooks';

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

import { allocateByNeed, claimScopes, completionRate } from '../src/campaigns/allocation.js';
import type { ScopedTouchpoint } from '../src/campaigns/allocation.js';
import { planWeek } from '../src/campaigns/planner/planner.js';
import type {
  ExistingAssignment,
  PlannerCampaign,
  PlannerTester,
  PlannerTouchpoint,
} from '../src/campaigns/planner/planner.js';
import { claimNeeds, familySizes, weekFamilySizes } from '../src/digests/claim-progress.js';
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
 * truth 5–20 points, or 20–60 s, worse). The touchpoints form teams of four (two phone lines each); in the fourth
 * scenario a team's manager also reports the team's answer rate and its phone lines' median wait, judged on the
 * contacts of all the team's touchpoints (of its phone lines), the truth being the team's as if each touchpoint
 * had the same traffic. Each month's claims are judged together at its end, as one digest judges them (one
 * family). Week 13 starts a month whose claims end after the quarter.
 *
 * Both arms run the same campaign rules (60-minute windows, 2 h spacing, up to 21 tests a touchpoint a week, every
 * tester ≤ 6 a week, no rotation) and spend the same budget: uniform gives every touchpoint PER_TOUCHPOINT tests a
 * week; by-need has a budget of TOUCHPOINTS × PER_TOUCHPOINT with a floor of FLOOR per touchpoint, divided each week
 * from the contacts recorded in the weeks before. 92 % of tests are completed (the rest missed). Where there are team
 * claims a third arm divides the same budget as by-need did before team claims steered (they ask nothing).
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

/** How many of the touchpoints, and of the teams, have claims in a given month: what the scenarios vary. */
interface Scenario {
  name: string;
  claimedShare: number;
  teamShare: number;
}
const SCENARIOS: Scenario[] = [
  { name: 'a quarter of the touchpoints claimed for each month', claimedShare: 0.25, teamShare: 0 },
  { name: 'half of the touchpoints claimed for each month (the headline)', claimedShare: 0.5, teamShare: 0 },
  { name: 'every touchpoint claimed for every month', claimedShare: 1, teamShare: 0 },
  { name: 'half of the touchpoints and half of the teams claimed for each month', claimedShare: 0.5, teamShare: 0.5 },
];
const TEAM_SIZE = 4;
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
/** Teams of TEAM_SIZE consecutive touchpoints, half of them phone lines. */
const scoped: ScopedTouchpoint[] = touchpoints.map((tp, i) => ({
  id: tp.id,
  team: `team${Math.floor(i / TEAM_SIZE)}`,
  channel: tp.channel,
}));
const teams = [...new Set(scoped.map((t) => t.team!))];
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
  /** the touchpoints whose contacts it is judged on */
  scope: ReadonlySet<string>;
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
      const scope = new Set([tp.id]);
      const base = {
        touchpointId: tp.id,
        periodStart,
        periodEnd,
        contactsSoFar: 0,
        testsSoFar: 0,
        pending: 0,
        month,
        scope,
      };
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
    // (no draw at all without team claims, so the other scenarios draw the same claims as before there were any)
    for (const team of scenario.teamShare > 0 ? teams : []) {
      if (rng() >= scenario.teamShare) continue;
      const members = scoped.filter((t) => t.team === team);
      const phones = members.filter((t) => t.channel === 'phone');
      const base = {
        touchpointId: null,
        team,
        periodStart,
        periodEnd,
        contactsSoFar: 0,
        testsSoFar: 0,
        pending: 0,
        month,
      };
      const rate = members.reduce((sum, t) => sum + truth.get(t.id)!.answerRate, 0) / members.length;
      const rateTrue = rng() < TRUE_SHARE;
      out.push({
        ...base,
        id: `m${month}-${team}-rate`,
        metric: 'answer_rate',
        value: rateTrue ? Math.max(0.5, rate - between(rng, 0, 0.02)) : Math.min(0.995, rate + between(rng, 0.05, 0.2)),
        isTrue: rateTrue,
        scope: new Set(members.map((t) => t.id)),
      });
      const median = pooledMedianWait(phones.map((t) => truth.get(t.id)!));
      const waitTrue = rng() < TRUE_SHARE;
      out.push({
        ...base,
        channel: 'phone',
        id: `m${month}-${team}-wait`,
        metric: 'median_seconds_to_human',
        value: Math.round(waitTrue ? median * between(rng, 1, 1.2) : Math.max(5, median - between(rng, 20, 60))),
        isTrue: waitTrue,
        scope: new Set(phones.map((t) => t.id)),
      });
    }
  }
  return out;
}

/** Normal CDF (Abramowitz–Stegun 7.1.26, error < 1.5e-7): enough to place a median to a second. */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * The median wait of a team's phone lines with the same traffic each: the median of their log-normal waits mixed
 * in proportion to their answered contacts (only those have a wait), found by bisection.
 */
function pooledMedianWait(lines: Truth[]): number {
  const weight = lines.reduce((sum, l) => sum + l.answerRate, 0);
  const below = (x: number) =>
    lines.reduce((sum, l) => sum + l.answerRate * normalCdf(Math.log(x / l.medianWait!) / WAIT_LOG_SD), 0) / weight;
  let lo = 1;
  let hi = 10_000;
  for (let i = 0; i < 60; i++) {
    const mid = Math.sqrt(lo * hi);
    if (below(mid) < 0.5) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The contacts of a claim's scope in its period. */
const ownContacts = (c: SimClaim, contacts: Contact[]) =>
  contacts.filter((x) => c.scope.has(x.tp) && x.week >= c.month * MONTH && x.week < (c.month + 1) * MONTH);

/** The claim as the digest judges it, from the contacts of its period. */
function toJudge(c: SimClaim, contacts: Contact[]): ClaimToJudge {
  const own = ownContacts(c, contacts);
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

type Arm = 'uniform' | 'by-need' | 'by-need, touchpoint claims only';

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
  const inWeek = weekFamilySizes(claims);
  // the arm's own tests so far, for its completion rate (the week planned is known only after its tests are done)
  let plannedSoFar = 0;
  let completedSoFar = 0;
  for (let week = 0; week < WEEKS; week++) {
    const weekStart = mondays[week];
    let counts: Record<string, number> | undefined;
    if (arm !== 'uniform') {
      const open = claims
        .filter((c) => c.periodEnd >= weekStart)
        .map((c) => ({
          ...c,
          contactsSoFar: toJudge(c, contacts).evidence.n,
          // completed tests of its scope and period, whatever they showed: what the allocation plans on
          testsSoFar: ownContacts(c, contacts).length,
        }));
      const needs = new Map(claimNeeds(open, { gapThatMatters: GAPS }, family, inWeek).map((n) => [n.id, n]));
      counts = Object.fromEntries(
        allocateByNeed(
          touchpoints.map((t) => t.id),
          open,
          needs,
          {
            budget: TOUCHPOINTS * PER_TOUCHPOINT,
            floor: FLOOR,
            cap: CAP,
            completion: completionRate(completedSoFar, plannedSoFar),
          },
          weekStart,
          arm === 'by-need' ? claimScopes(open, scoped) : new Map(),
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
    plannedSoFar += plan.assignments.length;
    totals.unfilled += plan.unfilled.length;
    for (const a of plan.assignments) {
      existing.push({ campaignId: 'c', ...a, weekStart });
      if (outcomes() >= COMPLETED) continue;
      totals.testsCompleted++;
      completedSoFar++;
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
        const kind = c.touchpointId === null ? `team ${c.metric}` : c.metric;
        totals.claimsByMetric[kind] = (totals.claimsByMetric[kind] ?? 0) + 1;
        if (DECIDED.includes(v)) {
          if (week < 4) {
            totals.decidedByWeek4++;
            totals.week4PerQuarter[rep] = (totals.week4PerQuarter[rep] ?? 0) + 1;
          }
          totals.decidedByWeek13++;
          totals.decidedByMetric[kind] = (totals.decidedByMetric[kind] ?? 0) + 1;
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

const BEFORE: Arm = 'by-need, touchpoint claims only';

function runScenario(scenario: Scenario) {
  const started = performance.now();
  const names: Arm[] = scenario.teamShare > 0 ? ['uniform', 'by-need', BEFORE] : ['uniform', 'by-need'];
  const arms = Object.fromEntries(names.map((n) => [n, emptyTotals()])) as Partial<Record<Arm, ArmTotals>>;
  for (let rep = 0; rep < REPS; rep++) for (const arm of names) quarter(rep, arm, arms[arm]!, scenario);
  const u = arms.uniform!;
  const b = arms['by-need']!;
  const before = arms[BEFORE];
  const ratio = (x: number, y: number) => (y === 0 ? null : x / y);
  const fw = (t: ArmTotals) => t.digestsWithFalseContradiction / t.digests;
  return {
    ratioWeek4StandardError: ratioStandardError(b.week4PerQuarter, u.week4PerQuarter),
    scenario,
    claimsPerQuarter: Object.values(u.claimsByMetric).reduce((sum, n) => sum + n, 0) / REPS,
    arms,
    ratioDecidedByWeek4: ratio(b.decidedByWeek4, u.decidedByWeek4),
    ratioDecidedByWeek13: ratio(b.decidedByWeek13, u.decidedByWeek13),
    before: before && {
      ratioDecidedByWeek4: ratio(before.decidedByWeek4, u.decidedByWeek4),
      ratioWeek4StandardError: ratioStandardError(before.week4PerQuarter, u.week4PerQuarter),
      ratioDecidedByWeek13: ratio(before.decidedByWeek13, u.decidedByWeek13),
    },
    familywise: { uniform: fw(u), byNeed: fw(b), beforeTeamClaims: before && fw(before), digests: u.digests },
    seconds: Math.round((performance.now() - started) / 1000),
  };
}

function table(r: ReturnType<typeof runScenario>): string[] {
  const u = r.arms.uniform!;
  const b = r.arms['by-need']!;
  const before = r.arms[BEFORE];
  const per = (x: number) => (x / REPS).toFixed(2);
  const times = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)} ×`);
  const pct = (x: number) =>
    `${(100 * x).toFixed(1)} % ± ${(100 * Math.sqrt((x * (1 - x)) / r.familywise.digests)).toFixed(1)} %`;
  const ratio = (x: number, y: number) => (y === 0 ? null : x / y);
  const se = (x: number | null | undefined) => ` ± ${x?.toFixed(2) ?? '—'}`;
  /** A row: uniform, by need, (by need as before ÷ uniform when measured), by need ÷ uniform. */
  const row = (label: string, of: (t: ArmTotals) => string, ratios: [string, string] = ['', '']) =>
    before
      ? `| ${label} | ${of(u)} | ${of(before)} | ${of(b)} | ${ratios[0]} | ${ratios[1]} |`
      : `| ${label} | ${of(u)} | ${of(b)} | ${ratios[1]} |`;
  const rateOf = (of: (t: ArmTotals) => number): [string, string] => [
    before ? times(ratio(of(before), of(u))) : '',
    times(ratio(of(b), of(u))),
  ];
  const week4 = rateOf((t) => t.decidedByWeek4);
  return [
    `**${r.scenario.name}**: ${r.claimsPerQuarter.toFixed(1)} claims judged a quarter on average.`,
    '',
    before
      ? '| per quarter (mean) | uniform | by-need, team claims not steering (before) | by-need | before ÷ uniform | ' +
        'by-need ÷ uniform |'
      : '| per quarter (mean) | uniform | by-need | by-need ÷ uniform |',
    before ? '| --- | --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- |',
    row('claims decided by week 4', (t) => per(t.decidedByWeek4), [
      week4[0] && week4[0] + se(r.before?.ratioWeek4StandardError),
      week4[1] + se(r.ratioWeek4StandardError),
    ]),
    row(
      'claims decided by week 13',
      (t) => per(t.decidedByWeek13),
      rateOf((t) => t.decidedByWeek13),
    ),
    ...Object.keys(u.claimsByMetric).map((m) =>
      row(
        `— of them ${m} (of ${per(u.claimsByMetric[m])})`,
        (t) => per(t.decidedByMetric[m] ?? 0),
        rateOf((t) => t.decidedByMetric[m] ?? 0),
      ),
    ),
    row('flattering claims contradicted', (t) => per(t.contradictedFlattering)),
    row('false contradictions (true claims contradicted)', (t) => per(t.falseContradictions)),
    row('digests with a false contradiction (target ≤ 5 %)', (t) => pct(t.digestsWithFalseContradiction / t.digests)),
    row('tests planned / completed', (t) => `${per(t.testsPlanned)} / ${per(t.testsCompleted)}`),
    row('slots left unfilled', (t) => per(t.unfilled)),
    '',
  ];
}

function main(): void {
  const results = SCENARIOS.map(runScenario);
  const headline = results[1];
  const met = (headline.ratioDecidedByWeek4 ?? 0) >= GOAL.ratioWeek4;
  const fwMet = results.every((r) =>
    Object.values(r.arms).every((t) => t.digestsWithFalseContradiction / t.digests <= GOAL.familywise),
  );
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
