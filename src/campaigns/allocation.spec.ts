import type { OpenClaim } from '../digests/claim-progress.js';
import { allocateByNeed, allocateWeeks } from './allocation.js';

const claim = (over: Partial<OpenClaim> = {}): OpenClaim => ({
  id: 'c1',
  touchpointId: 'tp1',
  metric: 'answer_rate',
  value: 0.95,
  periodStart: '2027-01-04',
  periodEnd: '2027-01-31',
  contactsSoFar: 0,
  pending: 0,
  ...over,
});

describe('allocateByNeed', () => {
  const tps = ['a', 'b', 'c', 'd'];
  const rules = { budget: 16, floor: 2, cap: 10 };
  const needOf = (pairs: Array<[string, number | null]>) =>
    new Map(pairs.map(([id, still]) => [id, { id, needed: still, stillNeeded: still }]));

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

  it('ignores team claims and claims of touchpoints outside the campaign', () => {
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

describe('allocateWeeks', () => {
  it('counts the tests given to earlier weeks of the same plan as planned for the claims they serve', () => {
    const rules = { budget: 12, floor: 1, cap: 10 };
    const c = claim({ id: 'x', touchpointId: 'a', periodStart: '2027-01-04', periodEnd: '2027-01-17' });
    const needs = new Map([['x', { id: 'x', needed: 12, stillNeeded: 12 }]]);
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
    const needs = new Map([['x', { id: 'x', needed: 12, stillNeeded: 12 }]]);
    const weeks = allocateWeeks(['a', 'b'], [c], needs, { budget: 8, floor: 1, cap: 10 }, ['2027-01-04', '2027-01-11']);
    expect(weeks['2027-01-04']).toEqual({ a: 4, b: 4 });
    expect(weeks['2027-01-11']).toEqual({ a: 6, b: 2 });
  });
});
