import {
  formatDateField,
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
