import type { WeekPlan } from './planner/planner.js';
import { fitToFreeSlots } from './replan.js';

const placed = (touchpointId: string, slot: number, windowStart: number) => ({
  touchpointId,
  slot,
  testerId: `tester-${slot}`,
  scenarioId: null,
  windowStart,
  windowEnd: windowStart + 3_600_000,
  revealAt: windowStart - 7_200_000,
  holdAt: null,
});

describe('fitToFreeSlots (a re-plan around tests already revealed or done)', () => {
  const plan: WeekPlan = {
    assignments: [
      placed('a', 0, 100),
      placed('a', 2, 300),
      placed('b', 0, 100),
      placed('b', 1, 200),
      placed('b', 2, 300),
    ],
    unfilled: [{ touchpointId: 'a', slot: 1, reason: 'spacing' }],
  };

  it('leaves a plan alone when nothing is kept', () => {
    expect(fitToFreeSlots(plan, undefined, 3)).toBe(plan);
    expect(fitToFreeSlots(plan, new Map(), 3)).toBe(plan);
  });

  it('keeps k less the kept slots per touchpoint, placed windows first, on the free slot numbers', () => {
    const fitted = fitToFreeSlots(
      plan,
      new Map([
        ['a', new Set([0])],
        ['b', new Set([1, 2])],
      ]),
      3,
    );
    // a: slot 0 kept, 2 free (1, 2): both placed windows, the unfilled one dropped.
    expect(fitted.assignments.filter((x) => x.touchpointId === 'a').map((x) => [x.slot, x.windowStart])).toEqual([
      [1, 100],
      [2, 300],
    ]);
    expect(fitted.unfilled).toEqual([]);
    // b: slots 1 and 2 kept, 0 free: its first placed window only.
    expect(fitted.assignments.filter((x) => x.touchpointId === 'b').map((x) => [x.slot, x.windowStart])).toEqual([
      [0, 100],
    ]);
  });

  it('keeps an unfilled slot when fewer windows were placed than slots are free', () => {
    const fitted = fitToFreeSlots(plan, new Map([['a', new Set([2])]]), 3);
    expect(fitted.assignments.filter((x) => x.touchpointId === 'a').map((x) => x.slot)).toEqual([0, 1]);
    expect(fitted.unfilled).toEqual([]);
    const thin = fitToFreeSlots(
      { assignments: [placed('a', 0, 100)], unfilled: [{ touchpointId: 'a', slot: 1, reason: 'spacing' }] },
      new Map([['a', new Set([2])]]),
      3,
    );
    expect(thin.unfilled).toEqual([{ touchpointId: 'a', slot: 1, reason: 'spacing' }]);
  });

  it('never hands out a slot number that is kept, even when k shrank below a kept slot', () => {
    const fitted = fitToFreeSlots(plan, new Map([['b', new Set([2])]]), 2);
    const numbers = fitted.assignments.filter((x) => x.touchpointId === 'b').map((x) => x.slot);
    expect(numbers).toEqual([0]);
  });
});
