import { DateTime } from 'luxon';

import { WEEKDAYS } from '../../common/validation/domain.validators.js';

/** A half-open span of real time [start, end), in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export interface WeeklyEntry {
  day: string;
  from: string;
  to: string;
}

export interface DateRangeLike {
  from: string;
  to: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function localTime(date: DateTime, hhmm: string, zone: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number);
  if (hour === 24) return date.plus({ days: 1 }).startOf('day');
  const wanted = hour * 60 + minute;
  let t = DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour, minute }, { zone });
  // A wall-clock time inside a skipped hour (clocks going forward) does not exist; luxon shifts it
  // past the gap. The honest instant is the moment the clock jumps: the first one showing ≥ HH:MM.
  if (t.hour * 60 + t.minute !== wanted) {
    while (true) {
      const before = t.minus({ minutes: 1 });
      if (before.day !== t.day || before.hour * 60 + before.minute < wanted) break;
      t = before;
    }
    return t;
  }
  // A wall-clock time that happens twice (clocks going back) is taken at its first occurrence.
  for (const minutes of [30, 60, 120]) {
    const earlier = t.minus({ minutes });
    if (earlier.hour === t.hour && earlier.minute === t.minute && earlier.day === t.day) return earlier;
  }
  return t;
}

/** The Monday (ISO week start) of the week that contains `date` (YYYY-MM-DD). */
export function weekStartOf(date: string): string {
  return DateTime.fromISO(date, { zone: 'utc' }).startOf('week').toISODate()!;
}

/** Local midnight starting the week `weekStart` (a Monday) in `zone`, and the one 7 local days later. */
export function localWeek(weekStart: string, zone: string): Interval {
  return remembered(`l|${zone}|${weekStart}`, () => [computeLocalWeek(weekStart, zone)])[0];
}

function computeLocalWeek(weekStart: string, zone: string): Interval {
  const start = DateTime.fromISO(weekStart, { zone });
  return { start: start.toMillis(), end: start.plus({ days: 7 }).toMillis() };
}

/**
 * Remembers the results of the pure calendar functions below: thousands of touchpoints share a
 * few zones and opening hours, and time-zone arithmetic is the planner's main cost. Bounded.
 */
const memo = new Map<string, Interval[]>();
function remembered(key: string, compute: () => Interval[]): Interval[] {
  let value = memo.get(key);
  if (!value) {
    if (memo.size >= 20_000) memo.clear();
    memo.set(key, (value = compute()));
  }
  return value.map((i) => ({ ...i }));
}

/**
 * Weekly hours as real-time intervals over the local days from `firstDay` for `days` days, in
 * `zone`. DST-correct: each day's times are read on that day's offset, so a 09:00–17:00 entry is
 * always 09:00–17:00 on the wall clock, however many real hours that is.
 */
export function weeklyIntervals(entries: WeeklyEntry[], zone: string, firstDay: string, days: number): Interval[] {
  return remembered(`w|${zone}|${firstDay}|${days}|${JSON.stringify(entries)}`, () =>
    computeWeeklyIntervals(entries, zone, firstDay, days),
  );
}

function computeWeeklyIntervals(entries: WeeklyEntry[], zone: string, firstDay: string, days: number): Interval[] {
  const out: Interval[] = [];
  const first = DateTime.fromISO(firstDay, { zone });
  for (let d = 0; d < days; d++) {
    const date = first.plus({ days: d });
    const weekday = WEEKDAYS[date.weekday - 1];
    for (const e of entries) {
      if (e.day !== weekday) continue;
      const start = localTime(date, e.from, zone).toMillis();
      const end = localTime(date, e.to, zone).toMillis();
      if (end > start) out.push({ start, end });
    }
  }
  return mergeIntervals(out);
}

/** A closure or leave as a real-time interval: dates are whole local days (inclusive). */
export function rangeInterval(range: DateRangeLike, zone: string): Interval {
  return remembered(`g|${zone}|${range.from}|${range.to}`, () => [computeRangeInterval(range, zone)])[0];
}

function computeRangeInterval(range: DateRangeLike, zone: string): Interval {
  const start = DATE_ONLY.test(range.from)
    ? DateTime.fromISO(range.from, { zone })
    : DateTime.fromISO(range.from, { setZone: true });
  const end = DATE_ONLY.test(range.to)
    ? DateTime.fromISO(range.to, { zone }).plus({ days: 1 })
    : DateTime.fromISO(range.to, { setZone: true });
  return { start: start.toMillis(), end: end.toMillis() };
}

export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/** `intervals` minus every interval of `remove`. */
export function subtractIntervals(intervals: Interval[], remove: Interval[]): Interval[] {
  if (remove.length === 0) return intervals;
  const cuts = mergeIntervals(remove);
  const out: Interval[] = [];
  for (const i of intervals) {
    let pieces: Interval[] = [{ ...i }];
    for (const c of cuts) {
      if (c.end <= i.start || c.start >= i.end) continue;
      const next: Interval[] = [];
      for (const p of pieces) {
        if (c.end <= p.start || c.start >= p.end) next.push(p);
        else {
          if (c.start > p.start) next.push({ start: p.start, end: c.start });
          if (c.end < p.end) next.push({ start: c.end, end: p.end });
        }
      }
      pieces = next;
    }
    out.push(...pieces);
  }
  return out;
}

export function clipIntervals(intervals: Interval[], bounds: Interval): Interval[] {
  return intervals
    .map((i) => ({ start: Math.max(i.start, bounds.start), end: Math.min(i.end, bounds.end) }))
    .filter((i) => i.end > i.start);
}

export function contains(intervals: Interval[], start: number, end: number): boolean {
  for (const i of intervals) if (i.start <= start && end <= i.end) return true;
  return false;
}

/**
 * The second pass of each repeated wall-clock hour (clocks going back) between `start` and `end`.
 * A window there would read ambiguously ("01:30" twice), so the planner leaves it out: a repeated
 * hour is handled once, on its first pass.
 */
export function repeatedPeriods(zone: string, start: number, end: number): Interval[] {
  return remembered(`r|${zone}|${start}|${end}`, () => computeRepeatedPeriods(zone, start, end));
}

function computeRepeatedPeriods(zone: string, start: number, end: number): Interval[] {
  const out: Interval[] = [];
  const offset = (t: number) => DateTime.fromMillis(t, { zone }).offset;
  const HOUR_MS = 3_600_000;
  for (let t = start; t < end; t += HOUR_MS) {
    const before = offset(t);
    const after = offset(t + HOUR_MS);
    if (after >= before) continue;
    let lo = t;
    let hi = t + HOUR_MS; // offset(lo) = before, offset(hi) = after
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 2 / 60_000) * 60_000;
      if (offset(mid) === before) lo = mid;
      else hi = mid;
    }
    out.push({ start: hi, end: hi + (before - after) * 60_000 });
  }
  return out;
}
