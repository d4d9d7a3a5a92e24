import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { DateTime } from 'luxon';

import { canonicalLocale } from '../locale.js';
import { isKnownTimeZone } from './time-zones.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const END_OF_DAY = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export const isTimeOfDay = (v: unknown): v is string => typeof v === 'string' && TIME_OF_DAY.test(v);
export const isEndTimeOfDay = (v: unknown): v is string => typeof v === 'string' && END_OF_DAY.test(v);

export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** A zone both luxon and PostgreSQL know (see time-zones.ts): one the service can compute with everywhere. */
export function isIanaTimeZone(value: unknown): value is string {
  return isKnownTimeZone(value);
}

export const TIME_ZONE_MESSAGE = 'must be an IANA time zone that PostgreSQL also knows, such as Europe/London';

/** A class-validator decorator from a name, a message and a predicate. */
export function decorator(
  name: string,
  message: string,
  validate: (value: unknown, args: ValidationArguments) => boolean,
) {
  return (options?: ValidationOptions) => (object: object, propertyName: string) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options: { message, ...options },
      validator: { validate },
    });
}

export const IsIanaTimeZone = decorator('isIanaTimeZone', `$property ${TIME_ZONE_MESSAGE}`, (v) => isIanaTimeZone(v));

export const IsTimeOfDay = decorator('isTimeOfDay', '$property must be a time HH:MM from 00:00 to 23:59', isTimeOfDay);

export const IsEndTimeOfDay = decorator(
  'isEndTimeOfDay',
  '$property must be a time HH:MM from 00:01 to 24:00',
  isEndTimeOfDay,
);

/** The end of an interval lies after its start (`startField` names the sibling property). */
export function IsLaterThan(startField: string, options?: ValidationOptions) {
  return decorator(
    'isLaterThan',
    `$property must be later than ${startField} (a span past midnight is two entries)`,
    (v, args) => {
      const start = (args.object as Record<string, unknown>)[startField];
      if (typeof v !== 'string' || typeof start !== 'string' || !END_OF_DAY.test(v) || !TIME_OF_DAY.test(start))
        return true;
      return minutesOfDay(v) > minutesOfDay(start);
    },
  )(options);
}

/** Entries of one weekday may not overlap (keeps availability arithmetic simple and honest). */
export function HasNoOverlap(startKey: string, endKey: string, options?: ValidationOptions) {
  return decorator('noOverlap', `$property has overlapping entries on the same day`, (v) => {
    if (!Array.isArray(v)) return true;
    const byDay = new Map<string, Array<[number, number]>>();
    for (const e of v as Array<Record<string, unknown>>) {
      if (!e || typeof e.day !== 'string' || typeof e[startKey] !== 'string' || typeof e[endKey] !== 'string') continue;
      const list = byDay.get(e.day) ?? [];
      list.push([minutesOfDay(e[startKey]), minutesOfDay(e[endKey])]);
      byDay.set(e.day, list);
    }
    for (const list of byDay.values()) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) if (list[i][0] < list[i - 1][1]) return false;
    }
    return true;
  })(options);
}

/** Years a schedule can sensibly mention; outside them PostgreSQL and calendars misbehave. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

function sensible(d: DateTime): boolean {
  return d.isValid && d.year >= MIN_YEAR && d.year <= MAX_YEAR && Math.abs(d.offset) <= 14 * 60;
}

export function isDateOrDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (ISO_DATE.test(value)) return sensible(DateTime.fromISO(value, { zone: 'utc' }));
  return ISO_DATE_TIME_WITH_OFFSET.test(value) && sensible(DateTime.fromISO(value, { setZone: true }));
}

export const IsDateOrDateTime = decorator(
  'isDateOrDateTime',
  '$property must be a date YYYY-MM-DD (a whole local day) or a date-time with offset such as 2026-12-24T13:00:00+01:00, between the years 1900 and 2200',
  (v) => isDateOrDateTime(v),
);

export const IsDate = decorator(
  'isDate',
  '$property must be a date YYYY-MM-DD between the years 1900 and 2200',
  (v) => typeof v === 'string' && ISO_DATE.test(v) && sensible(DateTime.fromISO(v, { zone: 'utc' })),
);

/** Sorting key for a date or date-time: a date counts from its start (as `from`) or its end (as `to`). */
function instant(value: string, asEnd: boolean): number {
  if (ISO_DATE.test(value)) {
    const day = DateTime.fromISO(value, { zone: 'utc' });
    return (asEnd ? day.endOf('day') : day).toMillis();
  }
  return DateTime.fromISO(value).toMillis();
}

export function IsNotBefore(startField: string, options?: ValidationOptions) {
  return decorator('isNotBefore', `$property must not be before ${startField}`, (v, args) => {
    const start = (args.object as Record<string, unknown>)[startField];
    if (!isDateOrDateTime(v) || !isDateOrDateTime(start)) return true;
    return instant(v, true) >= instant(start, false);
  })(options);
}

/** A name or title: one line, no control characters (they end up in mail subjects and CSV cells). */
export const IsSingleLine = decorator(
  'isSingleLine',
  '$property must be a single line without control characters',
  (v) => typeof v === 'string' && !/[\u0000-\u001f\u007f]/.test(v),
);

/** A BCP 47 language tag (de-DE, en-US, fr): what Intl.getCanonicalLocales accepts, at most 64 characters. */
export const IsLocaleTag = decorator(
  'isLocaleTag',
  '$property must be a BCP 47 language tag such as en-GB, de-DE or fr',
  (v) => typeof v === 'string' && v.length <= 64 && canonicalLocale(v) !== null,
);
