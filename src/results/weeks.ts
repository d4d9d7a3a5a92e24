import { DateTime } from 'luxon';

/** One week of a results page: Monday 00:00 in the scope's zone up to the next Monday (the last one cut at `end`). */
export interface Week {
  start: Date;
  end: Date;
}

export const DEFAULT_WEEKS = 12;
export const MAX_WEEKS = 26;

/**
 * The `count` weeks that end with the one holding `end` (the last cut at `end`), oldest first, in `zone`
 * (a touchpoint's own; UTC for a team), so a week is the one its staff mean by "last week".
 */
export function weeksEnding(end: Date, count: number, zone: string): Week[] {
  const last = DateTime.fromJSDate(end, { zone }).startOf('week');
  const weeks: Week[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const start = last.minus({ weeks: i });
    const next = start.plus({ weeks: 1 }).toJSDate();
    weeks.push({ start: start.toJSDate(), end: next.getTime() > end.getTime() ? end : next });
  }
  return weeks.filter((w) => w.end.getTime() > w.start.getTime());
}
