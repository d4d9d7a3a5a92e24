import { WEEKDAYS } from '../validation/domain.validators.js';
import { CellError } from './csv-import.js';

/** "admin; tester" → ['admin', 'tester'] (also accepts |). */
export function listCell(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[;|]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function optionalCell(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/**
 * Weekly hours in one cell: "mon-fri 09:00-17:00; sat 10:00-13:00" (days may be a range or a
 * comma list). Returns entries with the given key names for start and end.
 */
export function weeklyHoursCell(
  field: string,
  value: string | undefined,
  startKey: string,
  endKey: string,
): Array<Record<string, string>> | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const out: Array<Record<string, string>> = [];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z]{3}(?:\s*[-,]\s*[a-z]{3})*)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/i.exec(part);
    if (!m) throw new CellError(field, 'format', `${field}: "${part}" is not like "mon-fri 09:00-17:00"`);
    const days = expandDays(field, m[1].toLowerCase().replace(/\s+/g, ''));
    const pad = (t: string) => t.padStart(5, '0');
    for (const day of days) out.push({ day, [startKey]: pad(m[2]), [endKey]: pad(m[3]) });
  }
  return out;
}

function expandDays(field: string, spec: string): string[] {
  const days: string[] = [];
  for (const piece of spec.split(',')) {
    const [a, b] = piece.split('-');
    const i = WEEKDAYS.indexOf(a as never);
    const j = b === undefined ? i : WEEKDAYS.indexOf(b as never);
    if (i < 0 || j < 0 || j < i)
      throw new CellError(field, 'format', `${field}: "${piece}" is not a day or day range such as mon-fri`);
    days.push(...WEEKDAYS.slice(i, j + 1));
  }
  return days;
}

/** Date ranges in one cell: "2026-12-24..2027-01-02 Christmas; 2027-02-10" (reason optional). */
export function dateRangesCell(
  field: string,
  value: string | undefined,
): Array<{ from: string; to: string; reason?: string }> | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  return text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(\S+?)(?:\.\.(\S+))?(?:\s+(.+))?$/.exec(part);
      if (!m) throw new CellError(field, 'format', `${field}: "${part}" is not like "2026-12-24..2027-01-02 reason"`);
      return { from: m[1], to: m[2] ?? m[1], ...(m[3] ? { reason: m[3] } : {}) };
    });
}
