import { acceptedTimeZones, isKnownTimeZone, isLuxonZone, useDatabaseTimeZones, zonesBothKnow } from './time-zones.js';

describe('time zones both sides know', () => {
  it("takes luxon's word for a zone name until the database has said which zones it knows", () => {
    expect(isLuxonZone('US/Pacific-New')).toBe(true);
    expect(isLuxonZone('+02:00')).toBe(false);
    expect(isLuxonZone('Mars/Olympus')).toBe(false);
  });

  it('accepts only zones PostgreSQL also lists, in any letter case, as both match them', () => {
    useDatabaseTimeZones(['Europe/London', 'UTC', 'Factory']);
    expect(isKnownTimeZone('Europe/London')).toBe(true);
    expect(isKnownTimeZone('europe/london')).toBe(true);
    // luxon knows it, PostgreSQL 18 does not: every query converting it would fail
    expect(isKnownTimeZone('US/Pacific-New')).toBe(false);
    // PostgreSQL knows it, luxon does not
    expect(isKnownTimeZone('Factory')).toBe(false);
    expect(isKnownTimeZone(42)).toBe(false);
    expect(zonesBothKnow().sort()).toEqual(['europe/london', 'utc']);
  });
});

describe('acceptedTimeZones', () => {
  it("offers the database's spelling of the zones both sides know, sorted", () => {
    // a name the database lists that luxon cannot compute with is left out, as the validators refuse it
    useDatabaseTimeZones(['Europe/London', 'Asia/Kolkata', 'Mars/Olympus_Mons', 'UTC', 'Asia/Kolkata']);
    expect(acceptedTimeZones()).toEqual(['Asia/Kolkata', 'Europe/London', 'UTC']);
  });
});
