import type { OpenClaim } from '../digests/claim-progress.js';
import {
  allocateByNeed,
  allocateWeeks,
  claimScopes,
  completionRate,
  MIN_COMPLETION,
  PRIOR_COMPLETION,
  PRIOR_TESTS,
} from './allocation.js';

const claim = (over: Partial<OpenClaim> = {}): OpenClaim => ({
  id: 'c1',
  touchpointId: 'tp1',
  metric: 'answer_rate',
  value: 0.95,
  periodStart: '2027-01-04',
  periodEnd: '2027-01-31',
  contactsSoFar: 0,
  testsSoFar: 0,
  pending: 0,
  ...over,
});

describe('allocateByNeed', () => {
  const tps = ['a', 'b', 'c', 'd'];
  const rules = { budget: 16, floor: 2, cap: 10 };
  const needOf = (pairs: Array<[string, number | null]>) =>
    new Map(pairs.map(([id, still]) => [id, { id, needed: still, stillNeeded: still, testsStillNeeded: still }]));

  it('gives every touchpoint the floor and spends the budget, evenly when no claim asks', () => {
    const counts = allocateByNeed(tps, [], new Map(), rules, '2027-01-04');
    expect([...counts.values()]).toEqual([4, 4, 4, 4]);
  });

  it('funds whole asks, cheapest first, before spreading what is left', () => {
    const claims = [
      claim({ id: 'x', touchpointId: 'a', periodEnd: '2027-01-31' }), // 24 over 4 weeks: 6 a week
      claim({ id: 'y', touchpointId: 'b', periodEnd: '2027-01-31' }), // 40 over 4 weeks: 10 a week
      claim({ id: 'z', touchpointId: 'c', periodEnd: '2027-01-31' }), // 200: cannot be decided, asks nothing
    ];
    const needs = needOf([
      ['x', 24],
      ['y', 40],
      ['z', 200],
    ]);
    const counts = allocateByNeed(tps, claims, needs, rules, '2027-01-04');
    // floor 8, a's extra 4 (total 12), b's extra 8 does not fit in the 4 left: spread evenly over b, c, d and a
    expect(Object.fromEntries(counts)).toEqual({ a: 6, b: 4, c: 3, d: 3 });
    expect([...counts.values()].reduce((s, n) => s + n, 0)).toBe(16);
  });

  it('counts tests already planned in the period, and asks again each week as the period runs down', () => {
    const c = claim({ id: 'x', touchpointId: 'a', periodEnd: '2027-01-31', pending: 8 });
    const needs = needOf([['x', 24]]);
    expect(allocateByNeed(tps, [c], needs, rules, '2027-01-04').get('a')).toBe(4 + 0); // 16 over 4: 4, evenly 4
    const late = allocateByNeed(tps, [{ ...c, pending: 0 }], needs, { ...rules, budget: 40 }, '2027-01-25');
    expect(late.get('a')).toBe(10); // 24 in the last week: above the cap of 10, so only the even share
  });

  it('plans for the completion rate, so the completed tests are expected to reach what is still needed', () => {
    // 24 completed tests over 4 weeks at 80 % completed: 30 planned, 8 a week (not 6, which would leave it short)
    const x = claim({ id: 'x', touchpointId: 'a' });
    const needs = needOf([['x', 24]]);
    const at = (completion: number) => allocateByNeed(tps, [x], needs, { ...rules, completion }, '2027-01-04');
    expect(at(1).get('a')).toBe(6);
    expect(at(0.8).get('a')).toBe(8);
    // tests already planned count at the same rate: 10 planned are expected to give 8 completed
    const planned = allocateByNeed(tps, [{ ...x, pending: 10 }], needs, { ...rules, completion: 0.8 }, '2027-01-04');
    expect(planned.get('a')).toBe(5); // 30 − 10 = 20 over 4 weeks: 5
    // exact arithmetic does not ask a test more: 24 at 0.8 is 30, not 31
    expect(Math.ceil(24 / 0.8 - 1e-9)).toBe(30);
  });

  it('asks by the tests still needed, never by the contacts (a wait claim’s answered ones) still needed', () => {
    const x = claim({ id: 'x', touchpointId: 'a', metric: 'median_seconds_to_human', value: 60 });
    const needs = new Map([['x', { id: 'x', needed: 40, stillNeeded: 40, testsStillNeeded: 24 }]]);
    expect(allocateByNeed(tps, [x], needs, rules, '2027-01-04').get('a')).toBe(6);
  });

  it("falls back to the largest smaller family whose ask the cap allows, down to its week's", () => {
    const x = claim({ id: 'x', touchpointId: 'a' });
    const need = (fallbacks: number[]) =>
      new Map([
        ['x', { id: 'x', needed: 48, stillNeeded: 48, testsStillNeeded: 48, testsStillNeededFallbacks: fallbacks }],
      ]);
    const budget20 = { ...rules, budget: 20 };
    // 48 over 4 weeks is 12 a week, above the cap of 10: 44 (11 a week) cannot be met either, 36 (9) can
    expect(allocateByNeed(tps, [x], need([44, 36, 30]), budget20, '2027-01-04').get('a')).toBe(9);
    // none can be met: nothing asked, the budget spread evenly
    expect(allocateByNeed(tps, [x], need([44]), budget20, '2027-01-04').get('a')).toBe(5);
    expect(allocateByNeed(tps, [x], need([]), budget20, '2027-01-04').get('a')).toBe(5);
    // the family planned for is asked whenever it can be met
    expect(allocateByNeed(tps, [x], need([]), { ...budget20, cap: 12 }, '2027-01-04').get('a')).toBe(12);
  });

  it('never gives less than the floor nor more than the cap', () => {
    const claims = tps.map((tp) => claim({ id: tp, touchpointId: tp }));
    const counts = allocateByNeed(
      tps,
      claims,
      needOf(tps.map((t) => [t, 20])),
      { ...rules, budget: 100 },
      '2027-01-04',
    );
    for (const n of counts.values()) {
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(10);
    }
  });

  it('ignores team claims without their scopes, and claims of touchpoints outside the campaign', () => {
    const claims = [claim({ id: 't', touchpointId: null }), claim({ id: 'o', touchpointId: 'elsewhere' })];
    const counts = allocateByNeed(
      tps,
      claims,
      needOf([
        ['t', 20],
        ['o', 20],
      ]),
      rules,
      '2027-01-04',
    );
    expect([...counts.values()]).toEqual([4, 4, 4, 4]);
  });
});

describe('completionRate', () => {
  it('is the prior without history, the campaign’s own record with much, and never below the minimum', () => {
    expect(completionRate(0, 0)).toBe(PRIOR_COMPLETION);
    expect(completionRate(900, 1000)).toBeCloseTo((900 + PRIOR_COMPLETION * PRIOR_TESTS) / 1010, 12);
    expect(completionRate(750, 1000)).toBeCloseTo(0.7515, 3);
    expect(completionRate(10, 10)).toBe(0.95);
    expect(completionRate(0, 100)).toBe(MIN_COMPLETION);
  });
});

describe('team and organization claims', () => {
  const tps = ['a', 'b', 'c', 'd'];
  const rules = { budget: 16, floor: 2, cap: 10 };
  const need = (id: string, still: number) =>
    [id, { id, needed: still, stillNeeded: still, testsStillNeeded: still }] as const;
  const team = claim({ id: 'team', touchpointId: null, team: 'north' }); // 4 weeks from 2027-01-04
  const north = new Map([['team', ['a', 'b']]]);

  it('spreads what a team claim asks over its scope, to the touchpoints with the fewest', () => {
    // 28 over 4 weeks: 7 a week from a and b between them, whose floors give 4: 3 more, to the fewest first
    const counts = allocateByNeed(
      tps,
      [team],
      new Map([need('team', 28)]),
      { ...rules, budget: 11 },
      '2027-01-04',
      north,
    );
    expect(Object.fromEntries(counts)).toEqual({ a: 4, b: 3, c: 2, d: 2 });
  });

  it('counts a test at a touchpoint once for its own claim and its team claim', () => {
    // the team's 7 a week from a and b (3 more than their floors, the cheaper ask) first: a 4, b 3; then a's own
    // 6 a week costs 2 more, not 4: the team's tests at a count for it; 6 are left to spread evenly
    const own = claim({ id: 'own', touchpointId: 'a' });
    const needs = new Map([need('team', 28), need('own', 24)]);
    const counts = allocateByNeed(tps, [team, own], needs, rules, '2027-01-04', north);
    expect(Object.fromEntries(counts)).toEqual({ a: 6, b: 4, c: 3, d: 3 });
    // team 9 a week, a 7: both 5 more; a's own first (by id) takes a to 7, and then a's 7 and b's 2 meet the team
    const bigger = new Map([need('team', 36), need('own', 28)]);
    const both = allocateByNeed(tps, [team, own], bigger, { ...rules, budget: 14 }, '2027-01-04', north);
    expect(Object.fromEntries(both)).toEqual({ a: 7, b: 3, c: 2, d: 2 });
  });

  it('lets an organization claim ask of every touchpoint, and asks nothing it could not get within the cap', () => {
    const org = claim({ id: 'org', touchpointId: null });
    const all = new Map([['org', tps]]);
    const counts = allocateByNeed(tps, [org], new Map([need('org', 160)]), rules, '2027-01-04', all);
    expect([...counts.values()]).toEqual([4, 4, 4, 4]); // 40 a week over four: within the cap of 10 each
    // 41 a week is more than four touchpoints at 10 can get: asks nothing, the budget is spread evenly
    const big = allocateByNeed(tps, [org], new Map([need('org', 164)]), { ...rules, budget: 20 }, '2027-01-04', all);
    expect([...big.values()]).toEqual([5, 5, 5, 5]);
    const two = allocateByNeed(tps, [team], new Map([need('team', 84)]), { ...rules, budget: 40 }, '2027-01-04', north);
    expect(Object.fromEntries(two)).toEqual({ a: 10, b: 10, c: 10, d: 10 }); // 21 a week > 2 × 10: even
  });

  it('scopes a team claim to its team, an organization claim to all, each to its channel if it names one', () => {
    const touchpoints = [
      { id: 'd', team: 'north', channel: 'chat' },
      { id: 'a', team: 'north', channel: 'phone' },
      { id: 'b', team: 'south', channel: 'phone' },
      { id: 'c', team: null, channel: 'phone' },
    ];
    const claims = [
      claim({ id: 'n', touchpointId: null, team: 'north' }),
      claim({ id: 'np', touchpointId: null, team: 'north', channel: 'phone' }),
      claim({ id: 'o', touchpointId: null, team: null }),
      claim({ id: 'op', touchpointId: null, channel: 'phone' }),
      claim({ id: 'w', touchpointId: null, team: 'west' }),
      claim({ id: 't', touchpointId: 'a' }),
    ];
    expect(Object.fromEntries(claimScopes(claims, touchpoints))).toEqual({
      n: ['a', 'd'],
      np: ['a'],
      o: ['a', 'b', 'c', 'd'],
      op: ['a', 'b', 'c'],
      w: [],
    });
  });

  it('gives the same counts whatever order the touchpoints and claims come in', () => {
    const claims = [team, claim({ id: 'own', touchpointId: 'c' }), claim({ id: 'x', touchpointId: 'b' })];
    const needs = new Map([need('team', 30), need('own', 20), need('x', 20)]);
    const one = allocateByNeed(tps, claims, needs, rules, '2027-01-04', north);
    const other = allocateByNeed([...tps].reverse(), [...claims].reverse(), needs, rules, '2027-01-04', north);
    expect(Object.fromEntries(other)).toEqual(Object.fromEntries(one));
  });
});

describe('allocateWeeks', () => {
  it("counts a team claim's tests over its scope as planned for it in later weeks", () => {
    const rules = { budget: 8, floor: 1, cap: 10 };
    const c = claim({ id: 't', touchpointId: null, team: 'n', periodStart: '2027-01-04', periodEnd: '2027-01-17' });
    const needs = new Map([['t', { id: 't', needed: 12, stillNeeded: 12, testsStillNeeded: 12 }]]);
    const scopes = new Map([['t', ['a', 'b']]]);
    const weeks = allocateWeeks(['a', 'b', 'c'], [c], needs, rules, ['2027-01-04', '2027-01-11'], scopes);
    // 12 over two weeks: 6 from a and b a week (floors 2, 4 more); the first week's 6 leave 6 for the second
    expect(weeks).toEqual({ '2027-01-04': { a: 3, b: 3, c: 2 }, '2027-01-11': { a: 3, b: 3, c: 2 } });
  });

  it('counts the tests given to earlier weeks of the same plan as planned for the claims they serve', () => {
    const rules = { budget: 12, floor: 1, cap: 10 };
    const c = claim({ id: 'x', touchpointId: 'a', periodStart: '2027-01-04', periodEnd: '2027-01-17' });
    const needs = new Map([['x', { id: 'x', needed: 12, stillNeeded: 12, testsStillNeeded: 12 }]]);
    const weeks = allocateWeeks(['a', 'b'], [c], needs, rules, ['2027-01-04', '2027-01-11', '2027-01-18']);
    // 12 over two weeks: 6, then the 6 still lacking in the last week; after the period, even again
    expect(weeks).toEqual({
      '2027-01-04': { a: 6, b: 6 },
      '2027-01-11': { a: 6, b: 6 },
      '2027-01-18': { a: 6, b: 6 },
    });
    const tight = allocateWeeks(['a', 'b'], [c], needs, { ...rules, budget: 8 }, ['2027-01-04', '2027-01-11']);
    expect(tight).toEqual({ '2027-01-04': { a: 6, b: 2 }, '2027-01-11': { a: 6, b: 2 } });
  });

  it('does not fund a claim in the weeks before its period starts', () => {
    const c = claim({ id: 'x', touchpointId: 'a', periodStart: '2027-01-11', periodEnd: '2027-01-24' });
    const needs = new Map([['x', { id: 'x', needed: 12, stillNeeded: 12, testsStillNeeded: 12 }]]);
    const weeks = allocateWeeks(['a', 'b'], [c], needs, { budget: 8, floor: 1, cap: 10 }, ['2027-01-04', '2027-01-11']);
    expect(weeks['2027-01-04']).toEqual({ a: 4, b: 4 });
    expect(weeks['2027-01-11']).toEqual({ a: 6, b: 2 });
  });
});
