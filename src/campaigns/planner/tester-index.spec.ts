import fc from 'fast-check';

import type { Interval } from './calendar.js';
import type { ExistingAssignment, PlannerCampaign, PlannerTester } from './planner.js';
import {
  assign,
  pickLinear,
  STEP,
  TesterIndex,
  testerContext,
  type TesterState,
  type WindowRules,
} from './tester-index.js';

/** Who may take a window, and why nobody could: the rules every planned and re-filled test keeps. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = '2026-03-09';
const MONDAY = Date.parse('2026-03-09T00:00:00Z');

const state = (id: string, over: Partial<TesterState> = {}): TesterState => ({
  tester: { id, timezone: 'UTC', workingHours: [], leave: [] },
  available: [{ start: MONDAY, end: MONDAY + 7 * DAY }],
  weekLoad: 0,
  campaignLoad: 0,
  windows: [],
  tested: new Map(),
  rank: 0,
  ...over,
});
const rules = (over: Partial<WindowRules> = {}): WindowRules => ({
  touchpointId: 'tp1',
  ownerId: null,
  allowOwnerSelfTest: false,
  weeklyCap: 3,
  rotation: 14 * DAY,
  ...over,
});
const window = (startHours: number, hours = 1): Interval => ({
  start: MONDAY + startHours * HOUR,
  end: MONDAY + (startHours + hours) * HOUR,
});
const pickedId = (pick: ReturnType<typeof pickLinear>) => ('state' in pick ? pick.state.tester.id : pick.reason);

describe('who may take a window', () => {
  it('names the furthest rule anyone got past when nobody can', () => {
    const w = window(10);
    expect(pickedId(pickLinear([], w, rules()))).toBe('no_tester_available');
    expect(pickedId(pickLinear([state('a', { available: [window(11, 5)] })], w, rules()))).toBe('no_tester_available');
    const owner = state('owner');
    expect(pickedId(pickLinear([owner], w, rules({ ownerId: 'owner' })))).toBe('only_owner_available');
    const full = state('full', { weekLoad: 3 });
    expect(pickedId(pickLinear([owner, full], w, rules({ ownerId: 'owner' })))).toBe('tester_weekly_cap_reached');
    const recent = state('recent', { tested: new Map([['tp1', [w.start - 13 * DAY]]]) });
    expect(pickedId(pickLinear([owner, full, recent], w, rules({ ownerId: 'owner' })))).toBe('rotation');
    const busy = state('busy', { windows: [window(10.5)] });
    expect(pickedId(pickLinear([owner, full, recent, busy], w, rules({ ownerId: 'owner' })))).toBe('testers_busy');
    expect(pickedId(pickLinear([owner, full, recent, busy, state('free')], w, rules({ ownerId: 'owner' })))).toBe(
      'free',
    );
  });

  it('lets an owner test their own touchpoint only where the campaign allows it', () => {
    const owner = state('owner');
    expect(pickedId(pickLinear([owner], window(10), rules({ ownerId: 'owner', allowOwnerSelfTest: true })))).toBe(
      'owner',
    );
    expect(pickedId(pickLinear([owner], window(10), rules({ ownerId: 'someone else' })))).toBe('owner');
  });

  it('needs the whole window inside one stretch of availability, ends included', () => {
    const split = state('split', { available: [window(9, 1.5), window(10.5, 2)] });
    expect(pickedId(pickLinear([split], window(9, 1.5), rules()))).toBe('split');
    expect(pickedId(pickLinear([split], window(10.5, 2), rules()))).toBe('split');
    expect(pickedId(pickLinear([split], window(10, 1), rules()))).toBe('no_tester_available');
  });

  it('keeps the weekly cap: a tester at the cap is passed over, one below it is not', () => {
    expect(pickedId(pickLinear([state('a', { weekLoad: 2 })], window(10), rules({ weeklyCap: 3 })))).toBe('a');
    expect(pickedId(pickLinear([state('a', { weekLoad: 3 })], window(10), rules({ weeklyCap: 3 })))).toBe(
      'tester_weekly_cap_reached',
    );
  });

  it('keeps the rotation: no test of the same touchpoint by the same tester closer than the rotation period', () => {
    const w = window(10);
    const testedAt = (offset: number, touchpoint = 'tp1') =>
      state('a', { tested: new Map([[touchpoint, [w.start + offset]]]) });
    expect(pickedId(pickLinear([testedAt(-14 * DAY)], w, rules()))).toBe('a'); // exactly the period apart
    expect(pickedId(pickLinear([testedAt(-14 * DAY + 1)], w, rules()))).toBe('rotation');
    expect(pickedId(pickLinear([testedAt(14 * DAY - 1)], w, rules()))).toBe('rotation'); // a planned later test too
    expect(pickedId(pickLinear([testedAt(-DAY, 'tp2')], w, rules()))).toBe('a'); // another touchpoint
    expect(pickedId(pickLinear([testedAt(0)], w, rules({ rotation: 0 })))).toBe('a'); // no rotation asked
    // any one test within the period is enough, however many lie further away
    const twice = state('a', { tested: new Map([['tp1', [w.start - 30 * DAY, w.start - DAY]]]) });
    expect(pickedId(pickLinear([twice], w, rules()))).toBe('rotation');
  });

  it('never gives a tester two tests at once; back to back is fine', () => {
    const w = window(10);
    expect(pickedId(pickLinear([state('a', { windows: [window(9)] })], w, rules()))).toBe('a');
    expect(pickedId(pickLinear([state('a', { windows: [window(11)] })], w, rules()))).toBe('a');
    expect(pickedId(pickLinear([state('a', { windows: [window(9.75)] })], w, rules()))).toBe('testers_busy');
    expect(pickedId(pickLinear([state('a', { windows: [window(10.75)] })], w, rules()))).toBe('testers_busy');
    expect(pickedId(pickLinear([state('a', { windows: [window(9, 3)] })], w, rules()))).toBe('testers_busy');
  });

  it('prefers the fewest tests this week, then in this campaign, then the seeded order', () => {
    const w = window(10);
    const pool = [
      state('busy-week', { weekLoad: 2, campaignLoad: 0, rank: 0 }),
      state('busy-campaign', { weekLoad: 1, campaignLoad: 5, rank: 1 }),
      state('fresh-late', { weekLoad: 1, campaignLoad: 2, rank: 3 }),
      state('fresh-early', { weekLoad: 1, campaignLoad: 2, rank: 2 }),
    ];
    expect(pickedId(pickLinear(pool, w, rules()))).toBe('fresh-early');
    expect(pickedId(pickLinear(pool.slice(0, 3), w, rules()))).toBe('fresh-late');
    expect(pickedId(pickLinear(pool.slice(0, 2), w, rules()))).toBe('busy-campaign');
    // the seeded order decides a tie, not the order of the list
    expect(pickedId(pickLinear([pool[3], pool[2]], w, rules()))).toBe('fresh-early');
  });

  it('counts a new test against the tester at once: load, overlap and rotation', () => {
    const a = state('a');
    assign(a, 'tp1', window(10));
    assign(a, 'tp1', window(30));
    assign(a, 'tp2', window(50));
    expect([a.weekLoad, a.campaignLoad]).toEqual([3, 3]);
    expect(a.windows).toEqual([window(10), window(30), window(50)]);
    expect(a.tested).toEqual(
      new Map([
        ['tp1', [window(10).start, window(30).start]],
        ['tp2', [window(50).start]],
      ]),
    );
  });
});

describe('the index finds the same tester as a scan of everyone', () => {
  const poolArb = fc.array(
    fc.record({
      from: fc.integer({ min: 0, max: 40 }),
      hours: fc.integer({ min: 1, max: 60 }),
      weekLoad: fc.integer({ min: 0, max: 3 }),
      campaignLoad: fc.integer({ min: 0, max: 3 }),
      tested: fc.option(fc.integer({ min: -5 * 24, max: 5 * 24 }), { nil: undefined }),
      busy: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    }),
    { maxLength: 8 },
  );
  const stateArb = poolArb.map((pool) =>
    pool.map((t, i) =>
      state(`t${i}`, {
        available: [window(t.from, t.hours)],
        weekLoad: t.weekLoad,
        campaignLoad: t.campaignLoad,
        tested: new Map(t.tested === undefined ? [] : [['tp1', [MONDAY + t.tested * HOUR]]]),
        windows: t.busy === undefined ? [] : [window(t.busy)],
        rank: (i * 5) % 8,
      }),
    ),
  );
  const rulesArb = fc.record({
    ownerId: fc.constantFrom(null, 't0', 't1'),
    allowOwnerSelfTest: fc.boolean(),
    weeklyCap: fc.integer({ min: 1, max: 4 }),
    rotation: fc.constantFrom(0, DAY, 3 * DAY),
  });
  const clone = (states: TesterState[]) =>
    states.map((s) => ({ ...s, windows: [...s.windows], tested: new Map([...s.tested].map(([k, v]) => [k, [...v]])) }));

  it('window after window, as each pick adds to a tester’s load', () => {
    fc.assert(
      fc.property(
        stateArb,
        rulesArb,
        fc.array(fc.integer({ min: -4, max: 4 * 64 }), { minLength: 1, maxLength: 12 }),
        (states, r, quarters) => {
          const indexed = clone(states);
          const scanned = clone(states);
          const index = new TesterIndex(indexed, MONDAY, HOUR);
          for (const q of quarters) {
            const w = { start: MONDAY + q * STEP, end: MONDAY + q * STEP + HOUR };
            const fromIndex = index.pick(w.start, { touchpointId: 'tp1', ...r });
            const fromScan = pickLinear(scanned, w, { touchpointId: 'tp1', ...r });
            // the same kind of answer, and an equally good tester (same load; the seeded order may differ)
            if ('reason' in fromScan) {
              expect('reason' in fromIndex).toBe(true);
              continue;
            }
            expect('state' in fromIndex).toBe(true);
            if (!('state' in fromIndex)) continue;
            const chosen = scanned.find((s) => s.tester.id === fromIndex.state.tester.id)!;
            expect([chosen.weekLoad, chosen.campaignLoad]).toEqual([
              fromScan.state.weekLoad,
              fromScan.state.campaignLoad,
            ]);
            expect(pickedId(pickLinear([chosen], w, { touchpointId: 'tp1', ...r }))).toBe(chosen.tester.id);
            assign(fromIndex.state, 'tp1', w);
            assign(chosen, 'tp1', w);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('gives the scan’s reason when nobody can take a window', () => {
    const owner = state('owner');
    const full = state('full', { weekLoad: 3 });
    const recent = state('recent', { tested: new Map([['tp1', [window(10).start - DAY]]]) });
    const busy = state('busy', { windows: [window(10)] });
    const cases: Array<[TesterState[], string]> = [
      [[], 'no_tester_available'],
      [[owner], 'only_owner_available'],
      [[owner, full], 'tester_weekly_cap_reached'],
      [[owner, full, recent], 'rotation'],
      [[owner, full, recent, busy], 'testers_busy'],
    ];
    // …also when nobody is at the cap
    cases.push([[owner, recent], 'rotation'], [[owner, busy], 'testers_busy']);
    for (const [pool, reason] of cases) {
      const index = new TesterIndex(clone(pool), MONDAY, HOUR);
      expect(pickedId(index.pick(window(10).start, rules({ ownerId: 'owner' })))).toBe(reason);
    }
  });

  it('takes the least-loaded tester first and moves a tester up once loaded', () => {
    const pool = [state('b', { rank: 1 }), state('a', { rank: 0 }), state('c', { rank: 2, weekLoad: 1 })];
    const index = new TesterIndex(pool, MONDAY, HOUR);
    const order: string[] = [];
    for (const hour of [10, 20, 30, 40, 50]) {
      const pick = index.pick(window(hour).start, rules({ weeklyCap: 5, rotation: 0 }));
      order.push(pickedId(pick));
      if ('state' in pick) assign(pick.state, 'tp1', window(hour));
    }
    // a and b (no tests) first, by seeded rank; then c, a and b all hold one test
    expect(order.slice(0, 2)).toEqual(['a', 'b']);
    expect(new Set(order.slice(2, 5))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('offers a tester only the quarter hours whose whole window fits an availability off the grid', () => {
    // available 10:05–12:10: a one-hour window may start at 10:15, 10:30, …, 11:00, and not at 10:00 or 11:15
    const index = new TesterIndex(
      [state('a', { available: [{ start: MONDAY + 10 * HOUR + 5 * 60_000, end: MONDAY + 12 * HOUR + 10 * 60_000 }] })],
      MONDAY,
      HOUR,
    );
    const at = (hours: number) => pickedId(index.pick(MONDAY + hours * HOUR, rules()));
    expect([at(10), at(10.25), at(11), at(11.25)]).toEqual(['no_tester_available', 'a', 'a', 'no_tester_available']);
  });

  it('checks a window off the quarter-hour grid, or before its origin, against everyone', () => {
    const index = new TesterIndex([state('a')], MONDAY, HOUR);
    expect(pickedId(index.pick(MONDAY + 10 * HOUR + 60_000, rules()))).toBe('a');
    const late = new TesterIndex([state('a')], MONDAY + DAY, HOUR);
    expect(pickedId(late.pick(MONDAY + 10 * HOUR, rules()))).toBe('a');
    expect(pickedId(index.pick(MONDAY + 8 * DAY, rules()))).toBe('no_tester_available');
    // the whole window, start to end, is checked: availability ending inside it, or a test inside it, rules it out
    const short = new TesterIndex([state('a', { available: [window(10, 1)] })], MONDAY, HOUR);
    expect(pickedId(short.pick(MONDAY + 10 * HOUR + 60_000, rules()))).toBe('no_tester_available');
    const busy = new TesterIndex([state('a', { windows: [window(10.5)] })], MONDAY, HOUR);
    expect(pickedId(busy.pick(MONDAY + 10 * HOUR + 60_000, rules()))).toBe('testers_busy');
  });
});

describe("the testers' week", () => {
  const campaign = { id: 'c1', seed: 'seed-1' } as PlannerCampaign;
  const tester = (id: string, over: Partial<PlannerTester> = {}): PlannerTester => ({
    id,
    timezone: 'UTC',
    workingHours: [{ day: 'tue', start: '09:00', end: '17:00' }],
    leave: [],
    ...over,
  });
  const existing = (over: Partial<ExistingAssignment>): ExistingAssignment => ({
    campaignId: 'c1',
    testerId: 't1',
    touchpointId: 'tp1',
    scenarioId: null,
    weekStart: WEEK,
    windowStart: MONDAY + 34 * HOUR,
    windowEnd: MONDAY + 35 * HOUR,
    ...over,
  });

  it('counts this week’s tests of every campaign, and this campaign’s of every week', () => {
    const ctx = testerContext(
      campaign,
      WEEK,
      [tester('t1'), tester('t2')],
      [
        existing({}),
        existing({ campaignId: 'other' }),
        existing({ weekStart: '2026-03-02', windowStart: MONDAY - 6 * DAY, windowEnd: MONDAY - 6 * DAY + HOUR }),
        existing({ testerId: null }),
      ],
    );
    const t1 = ctx.states.find((s) => s.tester.id === 't1')!;
    const t2 = ctx.states.find((s) => s.tester.id === 't2')!;
    expect([t1.weekLoad, t1.campaignLoad]).toEqual([2, 2]);
    expect([t2.weekLoad, t2.campaignLoad]).toEqual([0, 0]);
    // windows near the week only (a day either side), but every past test for rotation
    expect(t1.windows).toEqual([window(34), window(34)]);
    expect(t1.tested.get('tp1')).toHaveLength(3);
    expect(t2.windows).toEqual([]);
    expect(t2.tested.size).toBe(0);
    // every test of a touchpoint, with or without a tester, counts for its spacing
    expect(ctx.touchpointWindows.get('tp1')).toHaveLength(4);
  });

  it('counts how often each touchpoint was tested with each scenario', () => {
    const ctx = testerContext(
      campaign,
      WEEK,
      [],
      [
        existing({ scenarioId: 's1' }),
        existing({ scenarioId: 's1', touchpointId: 'tp2' }),
        existing({ scenarioId: 's1' }),
        existing({ scenarioId: null }),
      ],
    );
    expect(ctx.scenarioUse).toEqual(
      new Map([
        ['tp1|s1', 2],
        ['tp2|s1', 1],
      ]),
    );
  });

  it('reads working hours and leave in each tester’s zone, a day either side of the UTC week', () => {
    const ctx = testerContext(
      campaign,
      WEEK,
      [
        tester('tokyo', { timezone: 'Asia/Tokyo' }),
        tester('away', { leave: [{ from: '2026-03-10', to: '2026-03-10' }] }),
      ],
      [],
    );
    const byId = new Map(ctx.states.map((s) => [s.tester.id, s]));
    expect(ctx.horizon).toEqual({ start: MONDAY - DAY, end: MONDAY + 8 * DAY });
    // Tuesdays 09:00–17:00 in Tokyo (UTC+9) among the nine local days from Sunday 8 March: only the 10th
    expect(byId.get('tokyo')!.available).toEqual([
      { start: Date.parse('2026-03-10T00:00:00Z'), end: Date.parse('2026-03-10T08:00:00Z') },
    ]);
    expect(byId.get('away')!.available).toEqual([]); // on leave the only Tuesday of the horizon
  });

  it('orders the pool by a seeded shuffle, the same for the same seed and week', () => {
    const pool = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => tester(id));
    const ranks = (seed: string, week = WEEK) =>
      testerContext({ ...campaign, seed }, week, pool, []).states.map((s) => `${s.tester.id}${s.rank}`);
    expect(ranks('seed-1')).toEqual(ranks('seed-1'));
    expect(
      ranks('seed-1')
        .map((r) => Number(r.slice(1)))
        .sort(),
    ).toEqual([0, 1, 2, 3, 4, 5]);
    const seeds = ['s1', 's2', 's3', 's4', 's5', 's6'].map((s) => ranks(s).join());
    expect(new Set(seeds).size).toBeGreaterThan(1);
    expect(ranks('seed-1', '2026-03-16')).not.toEqual(ranks('seed-1'));
  });
});
