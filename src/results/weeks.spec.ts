import { weeksEnding } from './weeks.js';

describe('weeksEnding', () => {
  it('answers whole weeks from Monday in the zone, oldest first, the last cut at the end', () => {
    const weeks = weeksEnding(new Date('2027-03-10T12:00:00Z'), 3, 'Europe/Helsinki');
    expect(weeks.map((w) => [w.start.toISOString(), w.end.toISOString()])).toEqual([
      ['2027-02-21T22:00:00.000Z', '2027-02-28T22:00:00.000Z'],
      ['2027-02-28T22:00:00.000Z', '2027-03-07T22:00:00.000Z'],
      ['2027-03-07T22:00:00.000Z', '2027-03-10T12:00:00.000Z'],
    ]);
  });

  it('keeps a week that spans a change of clocks its local Mondays (167 hours in spring)', () => {
    const [week] = weeksEnding(new Date('2027-03-29T12:00:00Z'), 2, 'Europe/Helsinki');
    expect((week.end.getTime() - week.start.getTime()) / 3_600_000).toBe(167);
  });

  it('drops an empty last week when the end is a Monday midnight', () => {
    const weeks = weeksEnding(new Date('2027-03-08T00:00:00Z'), 2, 'UTC');
    expect(weeks).toHaveLength(1);
    expect(weeks[0].end.toISOString()).toBe('2027-03-08T00:00:00.000Z');
  });
});
