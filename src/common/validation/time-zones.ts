import { IANAZone } from 'luxon';

/** "UTC" and "Europe/London" are names; offsets like "+02:00" are not zones (no DST rules). */
const ZONE_NAME = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/;

/** PostgreSQL's zone names, lower-cased (it matches them case-insensitively, as luxon does); null until loaded. */
let databaseZones: Set<string> | null = null;
let bothKnow: string[] = [];
/** The same zones as the database spells them, sorted: what a picker offers. */
let bothKnowNamed: string[] = [];

/** A zone luxon can compute with (the planner, the mails and the pages use it). */
export function isLuxonZone(value: unknown): value is string {
  return typeof value === 'string' && ZONE_NAME.test(value) && IANAZone.isValidZone(value);
}

/**
 * Takes the zones of the database this process uses (`pg_timezone_names`, read once at start). A zone
 * luxon knows but PostgreSQL does not (US/Pacific-New) would make every query that converts it fail.
 */
export function useDatabaseTimeZones(names: Iterable<string>): void {
  databaseZones = new Set([...names].map((n) => n.toLowerCase()));
  bothKnow = [...databaseZones].filter((z) => isLuxonZone(z));
  bothKnowNamed = [...new Set(names)].filter((z) => isLuxonZone(z)).sort();
}

/** True for a zone both luxon and PostgreSQL know (before the database's list is loaded: luxon's word alone). */
export function isKnownTimeZone(value: unknown): value is string {
  return isLuxonZone(value) && (databaseZones === null || databaseZones.has(value.toLowerCase()));
}

/** The lower-cased names both sides know, for SQL that converts a stored zone (`lower(zone) = ANY($n)`). */
export function zonesBothKnow(): string[] {
  if (!databaseZones) throw new Error('the database time zones are not loaded yet');
  return bothKnow;
}

/**
 * Every zone the service accepts, as the database spells them ("Asia/Kolkata"), for a picker; before the
 * database's list is loaded, the runtime's own list (which spells some zones the old way: "Asia/Calcutta").
 */
export function acceptedTimeZones(): string[] {
  if (databaseZones) return bothKnowNamed;
  return [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].filter((z) => isLuxonZone(z)).sort();
}
