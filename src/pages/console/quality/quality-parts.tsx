import type { Response } from 'express';
import { DateTime } from 'luxon';

import type { Actor } from '../../../auth/actor.js';
import { toCsv, toXlsx, type Cell } from '../../../common/csv/spreadsheet.js';
import { MAX_PAGE_SIZE, type Page } from '../../../common/pagination.js';
import type { Touchpoint } from '../../../touchpoints/touchpoint.entity.js';
import type { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';

/** The formats an export comes in. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const isExportFormat = (f: string): f is ExportFormat => (EXPORT_FORMATS as readonly string[]).includes(f);

/** At most this many rows go into one export (a filter narrows a bigger one). */
export const EXPORT_ROW_CAP = 50_000;

/** Sends a table as a download in the asked format, formula-safe either way. */
export async function sendExport(
  res: Response,
  format: ExportFormat,
  name: string,
  header: readonly string[],
  rows: readonly Cell[][],
): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.${format}"`);
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').send(toCsv(header, rows));
    return;
  }
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(name, header, rows));
}

/** Every item of a paged service list (up to the export cap), fetched a page at a time. */
export async function allPages<T>(fetch: (limit: number, offset: number) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; offset < EXPORT_ROW_CAP; offset += MAX_PAGE_SIZE) {
    const page = await fetch(MAX_PAGE_SIZE, offset);
    out.push(...page.items);
    if (page.items.length < MAX_PAGE_SIZE || out.length >= page.total) break;
  }
  return out.slice(0, EXPORT_ROW_CAP);
}

/** The organization's touchpoints by id, for the ids a page shows (each read through TouchpointsService). */
export async function touchpointsById(
  touchpoints: TouchpointsService,
  me: Actor,
  ids: Iterable<string | null>,
): Promise<Map<string, Touchpoint>> {
  const wanted = [...new Set([...ids].filter((id): id is string => !!id))];
  const found = await Promise.all(wanted.map((id) => touchpoints.get(me.organizationId, id).catch(() => null)));
  return new Map(found.filter((t): t is Touchpoint => t !== null).map((t) => [t.id, t]));
}

/** The first page of touchpoints by name, for a picker. */
export async function touchpointChoices(touchpoints: TouchpointsService, me: Actor): Promise<Page<Touchpoint>> {
  return touchpoints.list(me.organizationId, { limit: MAX_PAGE_SIZE, offset: 0 });
}

/** An instant as people read it: date and time in UTC (the zone named). */
export function when(value: Date | string | null | undefined): string {
  if (!value) return '';
  return `${DateTime.fromJSDate(new Date(value), { zone: 'UTC' }).toFormat('d LLL yyyy HH:mm')} UTC`;
}

/** A date as people read it. */
export function day(value: Date | string): string {
  return DateTime.fromJSDate(new Date(value), { zone: 'UTC' }).toFormat('d LLL yyyy');
}

/** Download links for a page's export, keeping its filter. */
export function ExportLinks(props: { base: string; query?: Record<string, string>; what: string }) {
  const qs = new URLSearchParams(props.query ?? {}).toString();
  return (
    <p class="exports">
      Download {props.what}:{' '}
      {EXPORT_FORMATS.map((f, i) => (
        <>
          {i > 0 && ' · '}
          <a href={`${props.base}/${f}${qs ? `?${qs}` : ''}`} download>
            {f.toUpperCase()}
          </a>
        </>
      ))}
    </p>
  );
}

/** Only the non-empty values of a query, as strings (to keep a filter in links). */
export function kept(values: Record<string, string | number | undefined | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && v !== '') out[k] = String(v);
  return out;
}
