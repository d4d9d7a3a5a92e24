import { DateTime } from 'luxon';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function rangeMillis(r: { from: string; to: string }, zone: string): [number, number] {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
  const from = dateOnly.test(r.from) ? DateTime.fromISO(r.from, { zone }) : DateTime.fromISO(r.from);
  const to = dateOnly.test(r.to) ? DateTime.fromISO(r.to, { zone }).plus({ days: 1 }) : DateTime.fromISO(r.to);
  return [from.toMillis(), to.toMillis()];
}

/**
 * An independent check, minute by minute on the wall clock of `zone`: is every minute of
 * [start, end) inside one of the weekly entries and outside every range?
 */
export function insideWeekly(
  entries: Array<{ day: string; from: string; to: string }>,
  ranges: Array<{ from: string; to: string }>,
  zone: string,
  start: number,
  end: number,
): boolean {
  const blocked = ranges.map((r) => rangeMillis(r, zone));
  for (let t = start; t < end; t += 60_000) {
    if (blocked.some(([a, b]) => a <= t && t < b)) return false;
    const local = DateTime.fromMillis(t, { zone });
    const minute = local.hour * 60 + local.minute;
    const day = DAYS[local.weekday - 1];
    const ok = entries.some((e) => {
      const [fh, fm] = e.from.split(':').map(Number);
      const [th, tm] = e.to.split(':').map(Number);
      return e.day === day && fh * 60 + fm <= minute && minute < th * 60 + tm;
    });
    if (!ok) return false;
  }
  return true;
}
