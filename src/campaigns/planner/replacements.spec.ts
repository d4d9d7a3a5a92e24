import { DateTime } from 'luxon';

import {
  findReplacement,
  findReplacements,
  HOUR,
  PlannerCampaign,
  PlannerTester,
  PlannerTouchpoint,
} from './planner.js';

/** Re-filling many withdrawn tests' windows at once keeps every rule a single re-fill keeps. */

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const campaign: PlannerCampaign = {
  id: 'c1',
  seed: 'seed-1',
  contactsPerTouchpointPerWeek: 2,
  windowMinutes: 60,
  revealLeadMinutes: 120,
  holdLeadMinutes: null,
  minSpacingHours: 24,
  testerWeeklyCap: 2,
  rotationDays: 14,
  allowOwnerSelfTest: false,
  startsOn: '2026-01-05',
  endsOn: null,
};
const tester = (id: string): PlannerTester => ({
  id,
  timezone: 'Europe/London',
  workingHours: DAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
  leave: [],
});
const touchpoint = (id: string, ownerId: string | null = null): PlannerTouchpoint => ({
  id,
  channel: 'phone',
  timezone: 'Europe/London',
  openingHours: DAYS.slice(0, 5).map((day) => ({ day, open: '08:00', close: '20:00' })),
  closures: [],
  ownerId,
});
const at = (iso: string) => {
  const start = DateTime.fromISO(iso, { zone: 'Europe/London' }).toMillis();
  return { start, end: start + HOUR };
};
const WEEK = '2026-01-12';

describe('findReplacements', () => {
  it('fills one window from the testers findReplacement would choose among', () => {
    const testers = ['t1', 't2', 't3'].map(tester);
    const slot = { touchpoint: touchpoint('tp1'), window: at('2026-01-13T10:00'), exclude: ['t1'] };
    const alone = findReplacement({
      campaign,
      weekStart: WEEK,
      touchpoint: slot.touchpoint,
      testers,
      existing: [],
      window: slot.window,
      exclude: slot.exclude,
    });
    const [batch] = findReplacements({ campaign, weekStart: WEEK, testers, existing: [], slots: [slot] });
    for (const pick of [alone, batch]) expect(['t2', 't3']).toContain((pick as { testerId: string }).testerId);
  });

  it('never gives anyone two overlapping windows, an owner their own touchpoint, or a slot they let go', () => {
    const testers = ['t1', 't2', 't3'].map(tester);
    const picks = findReplacements({
      campaign,
      weekStart: WEEK,
      testers,
      existing: [],
      slots: [
        { touchpoint: touchpoint('tp1', 't3'), window: at('2026-01-13T10:00'), exclude: ['t1'] },
        { touchpoint: touchpoint('tp2'), window: at('2026-01-13T10:30'), exclude: [] },
        { touchpoint: touchpoint('tp3'), window: at('2026-01-13T10:15'), exclude: [] },
      ],
    });
    const ids = picks.map((p) => ('testerId' in p ? p.testerId : p.reason));
    // tp1: not t1 (excluded), not t3 (owner): t2. The other two overlap it and each other: t1 and t3, once each.
    expect(ids[0]).toBe('t2');
    expect([ids[1], ids[2]].sort()).toEqual(['t1', 't3']);
  });

  it('counts each pick against the weekly cap of the windows after it', () => {
    const picks = findReplacements({
      campaign,
      weekStart: WEEK,
      testers: [tester('t1')],
      existing: [],
      slots: ['2026-01-13T10:00', '2026-01-14T10:00', '2026-01-15T10:00'].map((iso, i) => ({
        touchpoint: touchpoint(`tp${i}`),
        window: at(iso),
        exclude: [],
      })),
    });
    expect(picks).toEqual([{ testerId: 't1' }, { testerId: 't1' }, { reason: 'tester_weekly_cap_reached' }]);
  });
});
