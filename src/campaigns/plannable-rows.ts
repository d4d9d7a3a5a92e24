import { isDateOrDateTime, isEndTimeOfDay, isTimeOfDay, WEEKDAYS } from '../common/validation/domain.validators.js';
import { isLuxonZone } from '../common/validation/time-zones.js';

/*
 * The API never stores a row the planner cannot use, but a row written behind its back (a zone luxon
 * does not know, opening hours that are not a list) would make the planner throw for the whole
 * campaign. Such a row is left out of planning, and logged, instead.
 */

type Row = Record<string, unknown>;

function weeklyHours(value: unknown, start: string, end: string): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (e: Row | null) =>
        !!e && (WEEKDAYS as readonly unknown[]).includes(e.day) && isTimeOfDay(e[start]) && isEndTimeOfDay(e[end]),
    )
  );
}

function dateRanges(value: unknown): boolean {
  return (
    Array.isArray(value) && value.every((r: Row | null) => !!r && isDateOrDateTime(r.from) && isDateOrDateTime(r.to))
  );
}

/** Why a stored row (its zone, weekly hours and date ranges, by column) cannot be planned, or null when it can. */
function unplannable(row: Row, hours: string, [start, end]: [string, string], ranges: string): string | null {
  if (!isLuxonZone(row.timezone))
    return `time zone ${JSON.stringify(row.timezone)} is not one the planner can compute with`;
  if (!weeklyHours(row[hours], start, end)) return `${hours} is not a list of { day, ${start}: HH:MM, ${end}: HH:MM }`;
  if (!dateRanges(row[ranges])) return `${ranges} is not a list of { from, to } dates`;
  return null;
}

/** Why a stored touchpoint cannot be planned, or null when it can. */
export const unplannableTouchpoint = (row: Row): string | null =>
  unplannable(row, 'opening_hours', ['open', 'close'], 'closures');

/** Why a stored tester cannot be planned, or null when they can. */
export const unplannableTester = (row: Row): string | null =>
  unplannable(row, 'working_hours', ['start', 'end'], 'leave');
