import type { Request } from 'express';
import { DateTime } from 'luxon';

/** Dates for a reader whose browser names no language we can format. */
export const DEFAULT_LOCALE = 'en-GB';

/** The first language a reader prefers that Intl can format dates in (Accept-Language order), else en-GB. */
export function preferredLocale(languages: readonly string[]): string {
  for (const tag of languages) {
    try {
      const [supported] = Intl.DateTimeFormat.supportedLocalesOf(tag);
      if (supported) return supported;
    } catch {
      // '*' or a malformed tag: not a language to format in
    }
  }
  return DEFAULT_LOCALE;
}

/** The locale of the request's Accept-Language header. */
export const requestLocale = (req: Request): string => preferredLocale(req.acceptsLanguages());

/** Western digits whatever the locale: what a phone's numeric keyboard types, and what the parser reads back. */
const LATN = { numberingSystem: 'latn' } as const;

/** The locale's numeric pattern for a date (and a time), as luxon writes and reads it. */
function pattern(locale: string, withTime: boolean): string {
  const opts: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
  if (withTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
  // luxon 3.7 writes a numeric year as five y's; strip Unicode direction marks (ar, he) so typing needs none
  return DateTime.parseFormatForOpts(opts, { locale, ...LATN })!
    .replace(/y{5}/g, 'yyyy')
    .replace(/[\u200e\u200f\u061c]/g, '');
}

/** The same pattern, accepting one digit where the written form pads to two (1/3/2027 as well as 01/03/2027). */
const lenient = (p: string) => p.replace(/dd/g, 'd').replace(/MM/g, 'M').replace(/hh/g, 'h').replace(/HH/g, 'H');

/** A moment as the reader writes it, in their zone: 01/03/2027, 14:30 (en-GB), 03/01/2027, 02:30 PM (en-US). */
export function formatDateTimeField(d: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(d, { zone }).setLocale(locale).reconfigure(LATN).toFormat(pattern(locale, true));
}

/** A calendar date (yyyy-mm-dd) as the reader writes it: 04/03/2027 (en-GB), 04.03.2027 (de). */
export function formatDateField(isoDate: string, locale: string): string {
  return DateTime.fromISO(isoDate, { zone: 'UTC' })
    .setLocale(locale)
    .reconfigure(LATN)
    .toFormat(pattern(locale, false));
}

/** A typed moment in the reader's zone: their locale's pattern, or ISO (yyyy-mm-ddThh:mm); null if neither. */
export function parseDateTimeField(text: string, zone: string, locale: string): DateTime | null {
  const v = text.trim().replace(/\s+/g, ' ');
  const opts = { zone, locale, ...LATN };
  for (const format of [
    lenient(pattern(locale, true)),
    "yyyy-MM-dd'T'HH:mm",
    'yyyy-MM-dd HH:mm',
    "yyyy-MM-dd'T'HH:mm:ss",
  ]) {
    const d = DateTime.fromFormat(v, format, opts);
    if (d.isValid) return d;
  }
  return null;
}

/** A typed date, as yyyy-mm-dd: the reader's locale's pattern, or ISO; null if neither. */
export function parseDateField(text: string, locale: string): string | null {
  const v = text.trim();
  for (const format of [lenient(pattern(locale, false)), 'yyyy-MM-dd']) {
    const d = DateTime.fromFormat(v, format, { zone: 'UTC', locale, ...LATN });
    if (d.isValid) return d.toISODate();
  }
  return null;
}

/** How the reader's locale writes a date and time, for a hint: e.g. 01/03/2027, 14:30. */
export const exampleDateTime = (d: Date, zone: string, locale: string) => formatDateTimeField(d, zone, locale);

/** A moment in words, in the reader's language and zone: Monday 1 March 2027, 14:30. */
export function longDateTime(d: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(d, { zone }).setLocale(locale).toLocaleString({
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A day and time in words without the year (a test window's start): Monday 1 March, 14:30. */
export function dayAndTime(d: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(d, { zone })
    .setLocale(locale)
    .toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
}

/** A time of day in the reader's format: 14:30 or 2:30 PM. */
export function timeOfDay(d: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(d, { zone }).setLocale(locale).toLocaleString(DateTime.TIME_SIMPLE);
}

/** A calendar date (yyyy-mm-dd) in words, in the reader's language: Thursday, 4 March 2027. */
export function longDate(isoDate: string, locale: string): string {
  return DateTime.fromISO(isoDate, { zone: 'UTC' })
    .setLocale(locale)
    .toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/** A short day and time for a subject line: Mon 1 Mar, 14:30 (en-GB), Mon, Mar 1, 02:30 PM (en-US). */
export function shortDayAndTime(d: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(d, { zone })
    .setLocale(locale)
    .toLocaleString({ weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/**
 * A test window in the reader's language and zone, the one way every tester page and mail writes it:
 * Monday, 1 March 2027 at 14:30 – 15:30 (Europe/London); the end's day is named when it is another day
 * (… – Tuesday 2 March, 00:30 (Europe/London)).
 */
export function windowText(start: Date, end: Date, zone: string, locale: string): string {
  const endAt = DateTime.fromJSDate(end, { zone }).setLocale(locale);
  const sameDay = DateTime.fromJSDate(start, { zone }).hasSame(endAt, 'day');
  // the end's day and time apart ("Tuesday 2 March, 00:30"): "at 00:30 (zone)" reads like a stack frame to a scanner
  const endDay = endAt.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long' });
  const endText = sameDay ? timeOfDay(end, zone, locale) : `${endDay}, ${timeOfDay(end, zone, locale)}`;
  return `${longDateTime(start, zone, locale)} – ${endText} (${zone})`;
}

/** The locale a mail to a person is written in: their own if set, else the default. */
export const mailLocale = (person: { locale?: string | null }): string => person.locale ?? DEFAULT_LOCALE;

/** A BCP 47 language tag in its canonical form (en-gb → en-GB), or null if it is not one. */
export function canonicalLocale(tag: unknown): string | null {
  if (typeof tag !== 'string' || tag.trim() === '') return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag.trim());
    return canonical ?? null;
  } catch {
    return null;
  }
}
