import type { ComponentChildren } from 'preact';

import { MAX_PAGE_SIZE } from '../../../common/pagination.js';
import type { Page } from '../../../common/pagination.js';
import { acceptedTimeZones } from '../../../common/validation/time-zones.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import { controlId as idOf, ErrorText, errorsOf, errorsUnder, Options } from '../components.js';
import type { Option } from '../components.js';

export type { Option };

/**
 * The admin pages' form parts beyond the foundation's Field: pickers (select, checkboxes), a textarea, and
 * repeated rows (hours, leave, closures, questions) posted as `list[i].key` fields, so nothing is typed as JSON.
 */

/** One cell of a repeated row: an input labelled for screen readers by row and column, its errors under it. */
export function RowInput(props: {
  name: string;
  label: string;
  value?: string;
  type?: 'text' | 'time' | 'date';
  errors: FieldError[];
}) {
  const id = idOf(props.name);
  const errors = errorsOf(props.errors, props.name);
  return (
    <div class={errors.length ? 'has-error' : undefined}>
      <input
        id={id}
        name={props.name}
        type={String(props.type ?? 'text') as 'text'}
        value={props.value ?? ''}
        aria-label={props.label}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={errors.length ? `${id}-error` : undefined}
      />
      <ErrorText id={id} errors={errors} />
    </div>
  );
}

/** One select cell of a repeated row, its errors under it. */
export function RowSelect(props: {
  name: string;
  label: string;
  options: Option[];
  value?: string;
  blank?: string;
  errors?: FieldError[];
}) {
  const id = idOf(props.name);
  const errors = errorsOf(props.errors ?? [], props.name);
  return (
    <div class={errors.length ? 'has-error' : undefined}>
      <select
        id={id}
        name={props.name}
        aria-label={props.label}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={errors.length ? `${id}-error` : undefined}
      >
        <Options options={props.options} value={props.value} blank={props.blank} />
      </select>
      <ErrorText id={id} errors={errors} />
    </div>
  );
}

/** One textarea cell of a repeated row (a choice question's options, one a line). */
export function RowTextarea(props: { name: string; label: string; value?: string; errors: FieldError[] }) {
  const id = idOf(props.name);
  const errors = errorsUnder(props.errors, props.name);
  return (
    <div class={errors.length ? 'has-error' : undefined}>
      <textarea
        id={id}
        name={props.name}
        rows={3}
        aria-label={props.label}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={errors.length ? `${id}-error` : undefined}
      >
        {props.value ?? ''}
      </textarea>
      <ErrorText id={id} errors={errors} />
    </div>
  );
}

/** A table of repeated rows (a row per span, leave or question), with the list's own errors above it. */
export function RowsTable(props: {
  caption: string;
  name: string;
  headers: string[];
  errors: FieldError[];
  hint?: string;
  children: ComponentChildren;
}) {
  const own = errorsOf(props.errors, props.name);
  return (
    <fieldset class={own.length ? 'field has-error' : 'field'}>
      <legend>{props.caption}</legend>
      {props.hint && <p class="hint">{props.hint}</p>}
      <ErrorText id={idOf(props.name)} errors={own} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              {props.headers.map((h) => (
                <th scope="col" key={h}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{props.children}</tbody>
        </table>
      </div>
    </fieldset>
  );
}

/**
 * Rows posted as `list[i].key` fields, in index order, with rows where every key is blank dropped (the page
 * offers spare blank rows to fill). Each row keeps only the keys asked for; values are trimmed.
 */
export function rowsOf(
  fields: Record<string, string>,
  list: string,
  keys: readonly string[],
): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>();
  const pattern = new RegExp(`^${list}\\[(\\d{1,3})\\]\\.(\\w+)$`);
  for (const [name, value] of Object.entries(fields)) {
    const match = pattern.exec(name);
    if (!match || !keys.includes(match[2])) continue;
    const index = Number(match[1]);
    const row = byIndex.get(index) ?? {};
    row[match[2]] = value.trim();
    byIndex.set(index, row);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, row]) => row)
    .filter((row) => keys.some((k) => row[k]));
}

/** The rows, then `spare` blank ones to fill without JavaScript (blank rows are dropped when posted). */
export const withSpareRows = (rows: Record<string, string>[], spare: number): Record<string, string>[] => [
  ...rows,
  ...Array.from({ length: spare }, () => ({})),
];

/** A row's value without its blank keys (an optional `reason` left empty is not sent as ""). */
export const withoutBlanks = (row: Record<string, string>) =>
  Object.fromEntries(Object.entries(row).filter(([, v]) => v !== ''));

/** The time zones the service accepts (those both luxon and the database know), for a picker. */
export function timeZoneOptions(current?: string): Option[] {
  const zones = acceptedTimeZones();
  const options = zones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') }));
  // a stored zone spelled another way still shows as picked
  return current && !zones.includes(current) ? [{ value: current, label: current }, ...options] : options;
}

export const WEEKDAY_LABELS: Record<string, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** Every item of a paged list (a picker's choices), a page at a time as the API pages it. */
export async function everyItem<T>(
  fetch: (paging: { limit: number; offset: number }) => Promise<Page<T>>,
  most = 5000,
): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; offset < most; offset += MAX_PAGE_SIZE) {
    const page = await fetch({ limit: MAX_PAGE_SIZE, offset });
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) break;
  }
  return items;
}

/** From/to/reason rows (a person's leave, a touchpoint's closures), with spare blank rows. */
export function DateRangeRows(props: {
  name: string;
  caption: string;
  hint: string;
  rows: Record<string, string>[];
  errors: FieldError[];
}) {
  const { name, errors } = props;
  return (
    <RowsTable caption={props.caption} name={name} headers={['From', 'To', 'Reason']} errors={errors} hint={props.hint}>
      {withSpareRows(props.rows, 2).map((r, i) => (
        <tr key={i}>
          <td>
            <RowInput
              name={`${name}[${i}].from`}
              label={`${props.caption} row ${i + 1}: from`}
              type="date"
              value={r.from}
              errors={errors}
            />
          </td>
          <td>
            <RowInput
              name={`${name}[${i}].to`}
              label={`${props.caption} row ${i + 1}: to`}
              type="date"
              value={r.to}
              errors={errors}
            />
          </td>
          <td>
            <RowInput
              name={`${name}[${i}].reason`}
              label={`${props.caption} row ${i + 1}: reason`}
              value={r.reason}
              errors={errors}
            />
          </td>
        </tr>
      ))}
    </RowsTable>
  );
}

/** Date ranges as posted: from/to/reason rows, blank ones dropped, an empty reason left out. */
export const dateRangesOf = (fields: Record<string, string>, name: string) =>
  rowsOf(fields, name, ['from', 'to', 'reason']).map(withoutBlanks);
