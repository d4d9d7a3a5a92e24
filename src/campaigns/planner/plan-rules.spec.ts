import fc from 'fast-check';
import { DateTime } from 'luxon';

import {
  candidateWindows,
  findReplacement,
  HOUR,
  MINUTE,
  openTime,
  PlannedAssignment,
  PlannerCampaign,
  PlannerTester,
  PlannerTouchpoint,
  planWeek,
  PlanWeekInput,
  planWeeks,
  UNFILLED_REASONS,
} from './planner.js';

/** What a campaign's settings promise about each planned test: reveal and hold times, scenarios, reasons, weeks. */

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const campaign = (over: Partial<PlannerCampaign> = {}): PlannerCampaign => ({
  id: 'c1',
  seed: 'seed-1',
  contactsPerTouchpointPerWeek: 2,
  windowMinutes: 60,
  revealLeadMinutes: 120,
  holdLeadMinutes: null,
  minSpacingHours: 24,
  testerWeeklyCap: 5,
  rotationDays: 0,
  allowOwnerSelfTest: false,
  startsOn: '2026-01-05',
  endsOn: null,
  ...over,
});
const touchpoint = (id: string, over: Partial<PlannerTouchpoint> = {}): PlannerTouchpoint => ({
  id,
  channel: 'phone',
  timezone: 'UTC',
  openingHours: DAYS.slice(0, 5).map((day) => ({ day, open: '09:00', close: '17:00' })),
  closures: [],
  ownerId: null,
  ...over,
});
const tester = (id: string, over: Partial<PlannerTester> = {}): PlannerTester => ({
  id,
  timezone: 'UTC',
  workingHours: DAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
  leave: [],
  ...over,
});
const WEEK = '2026-03-09';
const MONDAY = Date.parse('2026-03-09T00:00:00Z');
const input = (over: Partial<PlanWeekInput> = {}): PlanWeekInput => ({
  campaign: campaign(),
  weekStart: WEEK,
  touchpoints: [touchpoint('tp1')],
  testers: [tester('t1'), tester('t2')],
  scenarios: [],
  existing: [],
  now: MONDAY - 7 * 24 * HOUR,
  ...over,
});

describe('each planned test', () => {
  it('is revealed the lead time before its window, and held no later than reveal nor earlier than now', () => {
    const held = planWeek(input({ campaign: campaign({ holdLeadMinutes: 24 * 60 }) })).assignments;
    for (const a of held) {
      expect(a.revealAt).toBe(a.windowStart - 120 * MINUTE);
      expect(a.holdAt).toBe(a.windowStart - 24 * HOUR);
    }
    // a hold lead shorter than the reveal lead holds at the reveal
    for (const a of planWeek(input({ campaign: campaign({ holdLeadMinutes: 30 }) })).assignments) {
      expect(a.holdAt).toBe(a.revealAt);
    }
    // a hold time already past is now
    const now = MONDAY - 2 * HOUR;
    for (const a of planWeek(input({ now, campaign: campaign({ holdLeadMinutes: 30 * 24 * 60 }) })).assignments) {
      expect(a.holdAt).toBe(now);
    }
    for (const a of planWeek(input()).assignments) expect(a.holdAt).toBeNull();
  });

  it('starts no sooner than the reveal lead from now, and inside the campaign', () => {
    const now = Date.parse('2026-03-11T12:00:00Z');
    const late = planWeek(input({ now, campaign: campaign({ contactsPerTouchpointPerWeek: 3, minSpacingHours: 1 }) }));
    for (const a of late.assignments) expect(a.windowStart).toBeGreaterThanOrEqual(now + 120 * MINUTE);
    const open = openTime(touchpoint('tp1'), campaign({ startsOn: '2026-03-11', endsOn: '2026-03-12' }), WEEK, 0);
    expect(open).toEqual([
      { start: Date.parse('2026-03-11T09:00:00Z'), end: Date.parse('2026-03-11T17:00:00Z') },
      { start: Date.parse('2026-03-12T09:00:00Z'), end: Date.parse('2026-03-12T17:00:00Z') },
    ]);
    expect(openTime(touchpoint('tp1'), campaign(), WEEK, Date.parse('2026-03-13T14:00:00Z'))).toEqual([
      { start: Date.parse('2026-03-13T16:00:00Z'), end: Date.parse('2026-03-13T17:00:00Z') },
    ]);
  });

  it('rotates the scenarios that fit its channel, least used first', () => {
    const scenarios = [
      { id: 's-chat', channels: ['chat'] },
      { id: 's1', channels: ['phone'] },
      { id: 's2', channels: ['phone', 'chat'] },
    ];
    const plan = planWeek(input({ scenarios, campaign: campaign({ contactsPerTouchpointPerWeek: 2 }) }));
    expect(plan.assignments.map((a) => a.scenarioId).sort()).toEqual(['s1', 's2']);
    const used = [1, 2, 3].map((i) => ({
      campaignId: 'c0',
      testerId: null,
      touchpointId: 'tp1',
      scenarioId: 's1',
      weekStart: '2026-01-05',
      windowStart: MONDAY - i * 7 * 24 * HOUR,
      windowEnd: MONDAY - i * 7 * 24 * HOUR + HOUR,
    }));
    const after = planWeek(
      input({ scenarios, existing: used, campaign: campaign({ contactsPerTouchpointPerWeek: 2 }) }),
    );
    expect(after.assignments.map((a) => a.scenarioId)).toEqual(['s2', 's2']); // s1 was used three times before
    expect(planWeek(input({ scenarios: [{ id: 's-chat', channels: ['chat'] }] })).assignments[0].scenarioId).toBeNull();
  });

  it('is told to the caller as soon as it is made, in plan order', () => {
    const told: PlannedAssignment[] = [];
    const plan = planWeek(input({ touchpoints: [touchpoint('a'), touchpoint('b')], onPlanned: (a) => told.push(a) }));
    expect(told).toEqual(plan.assignments);
    expect(told).toHaveLength(4);
  });
});

describe('a slot left unfilled', () => {
  it('says whether the week had no open time or the spacing left no room', () => {
    const monday = touchpoint('tp1', { openingHours: [{ day: 'mon', open: '09:00', close: '17:00' }] });
    const plan = planWeek(input({ touchpoints: [monday] }));
    expect(plan.assignments).toHaveLength(1);
    expect(plan.unfilled).toEqual([{ touchpointId: 'tp1', slot: 1, reason: 'spacing' }]);
    const closed = touchpoint('tp1', { openingHours: [] });
    expect(planWeek(input({ touchpoints: [closed] })).unfilled).toEqual([
      { touchpointId: 'tp1', slot: 0, reason: 'no_open_time' },
      { touchpointId: 'tp1', slot: 1, reason: 'no_open_time' },
    ]);
  });

  it('is tried again in other windows until one has a tester', () => {
    // the only tester works Thursdays 10:00–11:00: whatever was drawn, that window is found
    const thursday = tester('t1', { workingHours: [{ day: 'thu', start: '10:00', end: '11:00' }] });
    const plan = planWeek(input({ testers: [thursday], campaign: campaign({ contactsPerTouchpointPerWeek: 1 }) }));
    expect(plan.assignments.map((a) => DateTime.fromMillis(a.windowStart, { zone: 'UTC' }).toISO())).toEqual([
      '2026-03-12T10:00:00.000Z',
    ]);
  });

  it('has words for every reason', () => {
    for (const text of Object.values(UNFILLED_REASONS)) expect(text).toMatch(/\w{3}/);
    expect(Object.keys(UNFILLED_REASONS)).toHaveLength(10);
  });
});

describe('several weeks', () => {
  it('are planned in order, each seeing the tests planned before it', () => {
    const told: string[] = [];
    const weeks = planWeeks({
      ...input({ testers: [tester('only')] }),
      campaign: campaign({ contactsPerTouchpointPerWeek: 1, rotationDays: 10 }),
      weeks: [WEEK, '2026-03-16', '2026-03-23'],
      onPlanned: (week, a) => told.push(`${week}:${a.testerId}`),
    });
    expect(weeks.map((w) => w.weekStart)).toEqual([WEEK, '2026-03-16', '2026-03-23']);
    // one tester, a 10-day rotation: a week's test rules out the next week's unless they are 10 days apart
    const starts = weeks.flatMap((w) => w.plan.assignments.map((a) => a.windowStart));
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(10 * 24 * HOUR);
    expect(told).toEqual(weeks.flatMap((w) => w.plan.assignments.map((a) => `${w.weekStart}:${a.testerId}`)));
    expect(weeks.some((w) => w.plan.unfilled.some((u) => u.reason === 'rotation'))).toBe(true);
  });
});

describe('a replacement for a declined window', () => {
  const window = { start: Date.parse('2026-03-10T10:00:00Z'), end: Date.parse('2026-03-10T11:00:00Z') };
  const replace = (testers: PlannerTester[], exclude: string[], tp = touchpoint('tp1')) =>
    findReplacement({ campaign: campaign(), weekStart: WEEK, touchpoint: tp, testers, existing: [], window, exclude });

  it('is never the tester who declined, nor the owner', () => {
    expect(replace([tester('t1'), tester('t2')], ['t1'])).toEqual({ testerId: 't2' });
    expect(replace([tester('t1')], ['t1'])).toEqual({ reason: 'no_tester_available' });
    expect(replace([tester('t1'), tester('t2')], ['t1'], touchpoint('tp1', { ownerId: 't2' }))).toEqual({
      reason: 'only_owner_available',
    });
  });
});

describe('candidate windows', () => {
  const zones = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];
  it('start on local quarter hours, fit their open interval, and carry their local weekday and 2-hour block', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 400 * 24 * 4 }),
        fc.integer({ min: 1, max: 60 * 30 }),
        fc.constantFrom(15, 30, 45, 60, 90),
        (zone, quarterHours, lengthMinutes, windowMinutes) => {
          const start = Date.parse('2026-01-01T00:00:00Z') + quarterHours * 15 * MINUTE + 7 * MINUTE;
          const open = [{ start, end: start + lengthMinutes * MINUTE }];
          const windows = candidateWindows(open, zone, windowMinutes);
          const wrong = windows.filter((c) => {
            const local = DateTime.fromMillis(c.start, { zone });
            return (
              local.minute % 15 !== 0 ||
              local.second !== 0 ||
              c.end - c.start !== windowMinutes * MINUTE ||
              c.start < open[0].start ||
              c.end > open[0].end ||
              c.day !== local.weekday - 1 ||
              c.block !== Math.floor(local.hour / 2)
            );
          });
          expect(wrong).toEqual([]);
          // every quarter hour that fits is offered
          const firstQuarter = Math.ceil((start - Date.parse('2026-01-01T00:00:00Z')) / (15 * MINUTE));
          const fits = (q: number) => Date.parse('2026-01-01T00:00:00Z') + q * 15 * MINUTE + windowMinutes * MINUTE;
          let expected = 0;
          for (let q = firstQuarter; fits(q) <= open[0].end; q++) expected++;
          const offsetIsQuarter = DateTime.fromMillis(start, { zone }).offset % 15 === 0;
          if (offsetIsQuarter) expect(windows).toHaveLength(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('tests planned elsewhere', () => {
  it('keep the spacing from this week’s new tests of the same touchpoint', () => {
    const elsewhere = Date.parse('2026-03-11T12:00:00Z');
    const other = {
      campaignId: 'c0',
      testerId: 'x',
      touchpointId: 'tp1',
      scenarioId: null,
      weekStart: WEEK,
      windowStart: elsewhere,
      windowEnd: elsewhere + HOUR,
    };
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const plan = planWeek(input({ existing: [other], campaign: campaign({ seed }) }));
      expect(plan.assignments).toHaveLength(2);
      for (const a of plan.assignments) expect(Math.abs(a.windowStart - elsewhere)).toBeGreaterThanOrEqual(24 * HOUR);
    }
    // another touchpoint's test does not count
    const tp2 = { ...other, touchpointId: 'tp2' };
    const starts = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((seed) =>
      planWeek(input({ existing: [tp2], campaign: campaign({ seed }) })).assignments.map((a) => a.windowStart),
    );
    expect(starts.some((s) => Math.abs(s - elsewhere) < 24 * HOUR)).toBe(true);
  });
});
