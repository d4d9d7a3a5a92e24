import fc from 'fast-check';

import {
  clipIntervals,
  contains,
  type Interval,
  localWeek,
  mergeIntervals,
  rangeInterval,
  repeatedPeriods,
  subtractIntervals,
  weekStartOf,
  weeklyIntervals,
} from './calendar.js';

/** Opening hours, working hours, closures and leave as real time: what every window the planner draws rests on. */

const at = (iso: string) => Date.parse(iso);
const span = (from: string, to: string): Interval => ({ start: at(from), end: at(to) });
const HOUR = 3_600_000;

describe('weeks', () => {
  it.each([
    ['2026-03-23', '2026-03-23'], // a Monday is its own week's start
    ['2026-03-25', '2026-03-23'],
    ['2026-03-29', '2026-03-23'], // Sunday ends the ISO week
    ['2027-01-01', '2026-12-28'], // across the new year
  ])('the week of %s starts on Monday %s', (date, monday) => {
    expect(weekStartOf(date)).toBe(monday);
  });

  it('runs from local midnight to local midnight seven days on, however long that is', () => {
    // London's clocks go forward on 29 March 2026: that week has 167 hours.
    expect(localWeek('2026-03-23', 'Europe/London')).toEqual(span('2026-03-23T00:00:00Z', '2026-03-29T23:00:00Z'));
    expect(localWeek('2026-10-19', 'Europe/London')).toEqual(span('2026-10-18T23:00:00Z', '2026-10-26T00:00:00Z'));
    expect(localWeek('2026-06-15', 'Asia/Kolkata')).toEqual(span('2026-06-14T18:30:00Z', '2026-06-21T18:30:00Z'));
  });

  it('hands every caller its own copy (a caller that edits one does not change the next answer)', () => {
    const first = localWeek('2026-06-15', 'UTC');
    first.start = 0;
    expect(localWeek('2026-06-15', 'UTC')).toEqual(span('2026-06-15T00:00:00Z', '2026-06-22T00:00:00Z'));
  });
});

describe('weekly hours as real time', () => {
  const mondayToSunday = (zone: string, firstDay: string, entries: Array<{ day: string; from: string; to: string }>) =>
    weeklyIntervals(entries, zone, firstDay, 7);

  it('puts each entry on its own weekday, in the zone of the touchpoint', () => {
    const hours = mondayToSunday('America/New_York', '2026-06-15', [
      { day: 'mon', from: '09:00', to: '17:00' },
      { day: 'sat', from: '10:00', to: '12:30' },
    ]);
    expect(hours).toEqual([
      span('2026-06-15T13:00:00Z', '2026-06-15T21:00:00Z'),
      span('2026-06-20T14:00:00Z', '2026-06-20T16:30:00Z'),
    ]);
  });

  it('only counts the days asked for, from the first day given', () => {
    const daily = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, from: '09:00', to: '10:00' }));
    expect(weeklyIntervals(daily, 'UTC', '2026-06-17', 2)).toEqual([
      span('2026-06-17T09:00:00Z', '2026-06-17T10:00:00Z'),
      span('2026-06-18T09:00:00Z', '2026-06-18T10:00:00Z'),
    ]);
    expect(weeklyIntervals(daily, 'UTC', '2026-06-17', 0)).toEqual([]);
  });

  it('keeps wall-clock hours on the days the clocks change', () => {
    const sunday = [{ day: 'sun', from: '00:00', to: '04:00' }];
    // Spring: 01:00–02:00 does not exist, so 00:00–04:00 is three real hours; autumn: 01:00–02:00 twice, five.
    expect(mondayToSunday('Europe/London', '2026-03-23', sunday)).toEqual([
      span('2026-03-29T00:00:00Z', '2026-03-29T03:00:00Z'),
    ]);
    expect(mondayToSunday('Europe/London', '2026-10-19', sunday)).toEqual([
      span('2026-10-24T23:00:00Z', '2026-10-25T04:00:00Z'),
    ]);
    // A 09:00–17:00 day on the change is still 09:00–17:00 on the wall clock.
    expect(mondayToSunday('Europe/London', '2026-03-23', [{ day: 'sun', from: '09:00', to: '17:00' }])).toEqual([
      span('2026-03-29T08:00:00Z', '2026-03-29T16:00:00Z'),
    ]);
  });

  it('starts an entry that opens inside a skipped hour at the moment the clocks jump', () => {
    expect(mondayToSunday('Europe/London', '2026-03-23', [{ day: 'sun', from: '01:30', to: '03:00' }])).toEqual([
      span('2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z'),
    ]);
    // Santiago skips midnight itself (00:00 → 01:00 on 6 September 2026): the day starts at the jump.
    expect(mondayToSunday('America/Santiago', '2026-08-31', [{ day: 'sun', from: '00:30', to: '03:00' }])).toEqual([
      span('2026-09-06T04:00:00Z', '2026-09-06T06:00:00Z'),
    ]);
  });

  it('ends an entry at the first pass of a wall-clock time that happens twice', () => {
    // London 25 October 2026: 01:30 is 00:30 UTC (BST) and again 01:30 UTC (GMT).
    expect(mondayToSunday('Europe/London', '2026-10-19', [{ day: 'sun', from: '00:00', to: '01:30' }])).toEqual([
      span('2026-10-24T23:00:00Z', '2026-10-25T00:30:00Z'),
    ]);
    // Lord Howe Island turns its clocks back half an hour (02:00 → 01:30 on 5 April 2026).
    expect(mondayToSunday('Australia/Lord_Howe', '2026-03-30', [{ day: 'sun', from: '00:00', to: '01:45' }])).toEqual([
      span('2026-04-04T13:00:00Z', '2026-04-04T14:45:00Z'),
    ]);
  });

  it('reads 24:00 as the next midnight, joins entries that meet, ignores one that ends before it starts', () => {
    const entries = [
      { day: 'tue', from: '18:00', to: '24:00' },
      { day: 'wed', from: '00:00', to: '06:00' },
      { day: 'thu', from: '17:00', to: '09:00' },
      { day: 'fri', from: '09:00', to: '09:00' },
    ];
    expect(mondayToSunday('UTC', '2026-06-15', entries)).toEqual([
      span('2026-06-16T18:00:00Z', '2026-06-17T06:00:00Z'),
    ]);
  });
});

describe('closures and leave as real time', () => {
  it('takes whole local days, both ends included, for plain dates', () => {
    expect(rangeInterval({ from: '2026-03-23', to: '2026-03-24' }, 'Europe/London')).toEqual(
      span('2026-03-23T00:00:00Z', '2026-03-25T00:00:00Z'),
    );
    expect(rangeInterval({ from: '2026-07-01', to: '2026-07-01' }, 'Asia/Tokyo')).toEqual(
      span('2026-06-30T15:00:00Z', '2026-07-01T15:00:00Z'),
    );
  });

  it('takes instants as given when they carry a time and an offset', () => {
    expect(rangeInterval({ from: '2026-03-23T10:00:00+02:00', to: '2026-03-23T12:30:00+02:00' }, 'UTC')).toEqual(
      span('2026-03-23T08:00:00Z', '2026-03-23T10:30:00Z'),
    );
    expect(rangeInterval({ from: '2026-03-23', to: '2026-03-23T12:00:00Z' }, 'America/New_York')).toEqual(
      span('2026-03-23T04:00:00Z', '2026-03-23T12:00:00Z'),
    );
  });
});

describe('the second pass of a repeated hour', () => {
  it('is found to the minute where clocks go back, and nowhere else', () => {
    const week = (zone: string, monday: string) => {
      const { start, end } = localWeek(monday, zone);
      return repeatedPeriods(zone, start, end);
    };
    expect(week('Europe/London', '2026-10-19')).toEqual([span('2026-10-25T01:00:00Z', '2026-10-25T02:00:00Z')]);
    expect(week('Australia/Lord_Howe', '2026-03-30')).toEqual([span('2026-04-04T15:00:00Z', '2026-04-04T15:30:00Z')]);
    expect(week('America/New_York', '2026-10-26')).toEqual([span('2026-11-01T06:00:00Z', '2026-11-01T07:00:00Z')]);
    expect(week('Europe/London', '2026-03-23')).toEqual([]); // clocks going forward repeat nothing
    expect(week('Asia/Kolkata', '2026-10-19')).toEqual([]);
  });

  it('is found whichever hour of the scan it falls in', () => {
    const change = at('2026-10-25T01:00:00Z');
    for (const offset of [0, 1, 17, 59, 60]) {
      const start = change - offset * 60_000 - HOUR;
      expect(repeatedPeriods('Europe/London', start, start + 3 * HOUR)).toEqual([
        { start: change, end: change + HOUR },
      ]);
    }
  });
});

// Interval algebra against a point-by-point oracle on a small integer line.
const LINE = 60;
const intervalArb = fc
  .tuple(fc.integer({ min: 0, max: LINE }), fc.integer({ min: 1, max: 12 }))
  .map(([start, length]): Interval => ({ start, end: start + length }));
const listArb = fc.array(intervalArb, { maxLength: 6 });
const covers = (list: Interval[], t: number) => list.some((i) => i.start <= t && t < i.end);
const points = Array.from({ length: 2 * LINE + 30 }, (_, i) => i / 2 - 5);
/** The moments (on a half-unit grid) where `actual` and `expected` disagree. */
const disagreements = (actual: (t: number) => boolean, expected: (t: number) => boolean) =>
  points.filter((t) => actual(t) !== expected(t));

describe('interval algebra', () => {
  it('merges into sorted, disjoint intervals covering exactly the same time, without touching the input', () => {
    fc.assert(
      fc.property(listArb, (list) => {
        const before = JSON.stringify(list);
        const merged = mergeIntervals(list);
        expect(JSON.stringify(list)).toBe(before);
        expect(
          disagreements(
            (t) => covers(merged, t),
            (t) => covers(list, t),
          ),
        ).toEqual([]);
        for (let i = 1; i < merged.length; i++) expect(merged[i].start).toBeGreaterThan(merged[i - 1].end);
      }),
    );
  });

  it('joins intervals that only touch, and keeps the later end of one inside another', () => {
    expect(
      mergeIntervals([
        { start: 5, end: 9 },
        { start: 0, end: 5 },
      ]),
    ).toEqual([{ start: 0, end: 9 }]);
    expect(
      mergeIntervals([
        { start: 0, end: 10 },
        { start: 2, end: 4 },
      ]),
    ).toEqual([{ start: 0, end: 10 }]);
    expect(
      mergeIntervals([
        { start: 0, end: 4 },
        { start: 5, end: 9 },
      ]),
    ).toEqual([
      { start: 0, end: 4 },
      { start: 5, end: 9 },
    ]);
  });

  it('subtracts: a moment stays exactly when it was in and is not in anything removed', () => {
    fc.assert(
      fc.property(
        listArb,
        fc.array(
          intervalArb.map((i) => ({ ...i, end: i.end - 1 })),
          { maxLength: 6 },
        ),
        (list, remove) => {
          const open = mergeIntervals(list);
          const left = subtractIntervals(open, remove);
          expect(
            disagreements(
              (t) => covers(left, t),
              (t) => covers(open, t) && !covers(remove, t),
            ),
          ).toEqual([]);
          for (const i of left) expect(i.end).toBeGreaterThan(i.start);
        },
      ),
    );
  });

  it('cuts holes, ends and whole intervals, and leaves what a removal does not reach', () => {
    const day = [{ start: 0, end: 10 }];
    expect(subtractIntervals(day, [{ start: 3, end: 5 }])).toEqual([
      { start: 0, end: 3 },
      { start: 5, end: 10 },
    ]);
    expect(subtractIntervals(day, [{ start: 0, end: 3 }])).toEqual([{ start: 3, end: 10 }]);
    expect(subtractIntervals(day, [{ start: 8, end: 12 }])).toEqual([{ start: 0, end: 8 }]);
    expect(subtractIntervals(day, [{ start: -2, end: 12 }])).toEqual([]);
    expect(
      subtractIntervals(day, [
        { start: 10, end: 12 },
        { start: -5, end: 0 },
      ]),
    ).toEqual(day);
    expect(subtractIntervals(day, [])).toEqual(day);
  });

  it('clips to bounds, dropping what falls outside', () => {
    fc.assert(
      fc.property(listArb, intervalArb, (list, bounds) => {
        const clipped = clipIntervals(list, bounds);
        for (const i of clipped) {
          expect(i.end).toBeGreaterThan(i.start);
          expect(i.start).toBeGreaterThanOrEqual(bounds.start);
          expect(i.end).toBeLessThanOrEqual(bounds.end);
        }
        const inside = (t: number) => covers(list, t) && bounds.start <= t && t < bounds.end;
        expect(disagreements((t) => covers(clipped, t), inside)).toEqual([]);
      }),
    );
  });

  it('says a span is contained only when one interval holds all of it, ends included', () => {
    const open = [
      { start: 0, end: 10 },
      { start: 10, end: 20 },
    ];
    expect(contains(open, 0, 10)).toBe(true);
    expect(contains(open, 10, 20)).toBe(true);
    expect(contains(open, 5, 15)).toBe(false); // across two intervals, even touching ones
    expect(contains(open, -1, 5)).toBe(false);
    expect(contains(open, 15, 21)).toBe(false);
    expect(contains([], 0, 0)).toBe(false);
  });
});
