import {
  canonicalLocale,
  formatDateField,
  longDate,
  mailLocale,
  shortDayAndTime,
  windowText,
  formatDateTimeField,
  longDateTime,
  parseDateField,
  parseDateTimeField,
  preferredLocale,
} from './locale.js';

const at = new Date('2027-03-01T14:30:00Z');

describe('preferredLocale', () => {
  it('takes the first language Intl can format, and en-GB when none is named', () => {
    expect(preferredLocale(['de-DE', 'en'])).toBe('de-DE');
    expect(preferredLocale(['*'])).toBe('en-GB');
    expect(preferredLocale([])).toBe('en-GB');
    expect(preferredLocale(['not a tag', 'fr'])).toBe('fr');
  });
});

describe('date fields in the reader’s own format and zone', () => {
  it('writes a moment the way each locale writes it, in the given zone', () => {
    expect(formatDateTimeField(at, 'Europe/London', 'en-GB')).toBe('01/03/2027, 14:30');
    expect(formatDateTimeField(at, 'Europe/Berlin', 'de-DE')).toBe('01.03.2027, 15:30');
    expect(formatDateTimeField(at, 'America/New_York', 'en-US')).toBe('03/01/2027, 09:30 AM');
    expect(formatDateField('2027-03-04', 'en-GB')).toBe('04/03/2027');
    expect(formatDateField('2027-03-04', 'en-US')).toBe('03/04/2027');
  });

  it('reads back what it writes, unpadded digits and ISO too', () => {
    for (const [zone, locale] of [
      ['Europe/London', 'en-GB'],
      ['Europe/Berlin', 'de-DE'],
      ['America/New_York', 'en-US'],
      ['Asia/Tokyo', 'ja-JP'],
      ['Africa/Cairo', 'ar-EG'],
    ]) {
      const text = formatDateTimeField(at, zone, locale);
      expect({ locale, ms: parseDateTimeField(text, zone, locale)?.toMillis() }).toEqual({ locale, ms: at.getTime() });
      expect(parseDateField(formatDateField('2027-03-04', locale), locale)).toBe('2027-03-04');
    }
    expect(parseDateTimeField('1/3/2027, 14:30', 'Europe/London', 'en-GB')?.toMillis()).toBe(at.getTime());
    expect(parseDateTimeField('2027-03-01T14:30', 'Europe/London', 'en-US')?.toMillis()).toBe(at.getTime());
    expect(parseDateField('2027-03-04', 'de-DE')).toBe('2027-03-04');
    expect(parseDateTimeField('31/02/2027, 10:00', 'Europe/London', 'en-GB')).toBeNull();
    expect(parseDateField('yesterday', 'en-GB')).toBeNull();
  });

  it('says a moment in words in the reader’s language', () => {
    expect(longDateTime(at, 'Europe/London', 'en-GB')).toBe('Monday, 1 March 2027 at 14:30');
    expect(longDateTime(at, 'Europe/Berlin', 'de-DE')).toBe('Montag, 1. März 2027 um 15:30');
  });
});

describe('one way to write a test window, a date and a subject time', () => {
  const end = new Date('2027-03-01T15:30:00Z');
  it('writes the window in the reader’s language and the given zone, naming the end’s day only when it differs', () => {
    expect(windowText(at, end, 'Europe/London', 'en-GB')).toBe('Monday, 1 March 2027 at 14:30 – 15:30 (Europe/London)');
    expect(windowText(at, end, 'America/New_York', 'en-US')).toBe(
      'Monday, March 1, 2027 at 09:30 AM – 10:30 AM (America/New_York)',
    );
    expect(windowText(at, end, 'Europe/Berlin', 'de-DE')).toBe('Montag, 1. März 2027 um 15:30 – 16:30 (Europe/Berlin)');
    const late = new Date('2027-03-01T23:30:00Z');
    expect(windowText(late, new Date('2027-03-02T00:30:00Z'), 'Europe/London', 'en-GB')).toBe(
      'Monday, 1 March 2027 at 23:30 – Tuesday 2 March, 00:30 (Europe/London)',
    );
  });

  it('writes a calendar date and a subject’s day and time the locale’s way', () => {
    expect(longDate('2027-03-04', 'en-GB')).toBe('Thursday, 4 March 2027');
    expect(longDate('2027-03-04', 'en-US')).toBe('Thursday, March 4, 2027');
    expect(shortDayAndTime(at, 'Europe/London', 'en-GB')).toBe('Mon 1 Mar, 14:30');
    expect(shortDayAndTime(at, 'Europe/Berlin', 'de-DE')).toBe('Mo., 1. März, 15:30');
  });

  it('mails a person in their own locale, else en-GB; keeps tags canonical and refuses what is not one', () => {
    expect(mailLocale({ locale: 'de-DE' })).toBe('de-DE');
    expect(mailLocale({ locale: null })).toBe('en-GB');
    expect(mailLocale({})).toBe('en-GB');
    expect(canonicalLocale('EN-gb')).toBe('en-GB');
    expect(canonicalLocale('zh-hant-tw')).toBe('zh-Hant-TW');
    for (const bad of ['en_GB', '', '  ', 'not a tag', 42, null]) expect(canonicalLocale(bad)).toBeNull();
  });
});
