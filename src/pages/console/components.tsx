import type { ComponentChildren, VNode } from 'preact';

import type { Page } from '../../common/pagination.js';
import type { FieldError } from '../../common/validation/validation-errors.js';

/** The hidden form token every state-changing console form carries (ConsoleGuard checks it). */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/**
 * A one-button form that POSTs (revoke, sign out, delete): never a link, since a GET changes nothing. `about`
 * tells a screen reader which row's button it is; the visible label stays the start of its name.
 */
export function PostButton(props: {
  action: string;
  csrf: string;
  label: string;
  about?: string;
  secondary?: boolean;
}) {
  return (
    <form method="post" action={props.action}>
      <CsrfField token={props.csrf} />
      <button
        type="submit"
        class={props.secondary ? 'secondary' : undefined}
        aria-label={props.about ? `${props.label}: ${props.about}` : undefined}
      >
        {props.label}
      </button>
    </form>
  );
}

/** The messages for one field (a DTO's field, or a nested one like `workingHours[0].start`). */
export const errorsOf = (errors: FieldError[], field: string) => errors.filter((e) => e.field === field);

/** Errors of a field and of everything nested under it (`workingHours` and `workingHours[0].end`). */
export const errorsUnder = (errors: FieldError[], field: string) =>
  errors.filter((e) => e.field === field || e.field.startsWith(`${field}[`) || e.field.startsWith(`${field}.`));

/** A form control's id from its name (`workingHours[0].day` → `field-workingHours-0--day`). */
export const controlId = (name: string) => `field-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The attributes that tie a control to its hint and its errors, for a screen reader. */
interface ControlAria {
  id: string;
  'aria-invalid'?: 'true';
  'aria-describedby'?: string;
}

/** A field's errors under it, by the id its control names in aria-describedby. */
export function ErrorText(props: { id: string; errors: FieldError[] }) {
  if (!props.errors.length) return null;
  return (
    <p class="error" id={`${props.id}-error`}>
      {props.errors.map((e) => e.message).join('; ')}
    </p>
  );
}

/**
 * One labelled field: the label, its hint, the control (given the ids that tie it to hint and errors), and the
 * errors beside it (the API's validation messages, from validateDto). Every console field is drawn by this.
 */
function LabelledField(props: {
  name: string;
  label: string;
  errors: FieldError[];
  hint?: string;
  control: (aria: ControlAria) => VNode;
}) {
  const id = controlId(props.name);
  const { errors } = props;
  const described = [props.hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={errors.length ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.control({
        id,
        'aria-invalid': errors.length ? 'true' : undefined,
        'aria-describedby': described || undefined,
      })}
      <ErrorText id={id} errors={errors} />
    </div>
  );
}

/** A labelled input with its errors beside it. */
export function Field(props: {
  name: string;
  label: string;
  value?: string;
  type?: 'text' | 'email' | 'search' | 'number' | 'date' | 'datetime-local';
  errors?: FieldError[];
  hint?: string;
  required?: boolean;
  autocomplete?: string;
}) {
  return (
    <LabelledField
      name={props.name}
      label={props.label}
      hint={props.hint}
      errors={errorsOf(props.errors ?? [], props.name)}
      control={(aria) => (
        <input
          {...aria}
          name={props.name}
          // preact types each input type apart (a union fits none of them); any of these takes a value
          type={String(props.type ?? 'text') as 'text'}
          value={props.value ?? ''}
          required={props.required}
          autocomplete={props.autocomplete}
        />
      )}
    />
  );
}

/** A labelled file chooser (a CSV to import), its error beside it. */
export function FileField(props: { name: string; label: string; accept?: string; error?: string; hint?: string }) {
  const errors = props.error ? [{ field: props.name, rule: 'file', message: props.error }] : [];
  return (
    <LabelledField
      name={props.name}
      label={props.label}
      hint={props.hint}
      errors={errors}
      control={(aria) => <input {...aria} name={props.name} type="file" accept={props.accept} />}
    />
  );
}

/** A labelled multi-line text box (a pasted CSV, a scenario's brief, addresses one a line). */
export function TextareaField(props: {
  name: string;
  label: string;
  value?: string;
  errors?: FieldError[];
  /** The field whose errors show here, when not the box's own (addresses typed here are `recipients`). */
  errorField?: string;
  hint?: string;
  rows?: number;
}) {
  return (
    <LabelledField
      name={props.name}
      label={props.label}
      hint={props.hint}
      errors={errorsOf(props.errors ?? [], props.errorField ?? props.name)}
      control={(aria) => (
        <textarea {...aria} name={props.name} rows={props.rows ?? 6}>
          {props.value ?? ''}
        </textarea>
      )}
    />
  );
}

export interface Option {
  value: string;
  label: string;
}

/** A picker's choices, the current one selected; `blank` first, for "none" or "any". */
export function Options(props: { options: readonly Option[]; value?: string; blank?: string }) {
  return (
    <>
      {props.blank !== undefined && <option value="">{props.blank}</option>}
      {props.options.map((o) => (
        <option key={o.value} value={o.value} selected={o.value === props.value}>
          {o.label}
        </option>
      ))}
    </>
  );
}

/** A labelled picker: choices by name, never an id typed by hand; `blank` is a first "none / any" choice. */
export function SelectField(props: {
  name: string;
  label: string;
  options: readonly Option[];
  value?: string;
  errors?: FieldError[];
  hint?: string;
  blank?: string;
  required?: boolean;
}) {
  return (
    <LabelledField
      name={props.name}
      label={props.label}
      hint={props.hint}
      errors={errorsOf(props.errors ?? [], props.name)}
      control={(aria) => (
        <select {...aria} name={props.name} required={props.required}>
          <Options options={props.options} value={props.value} blank={props.blank} />
        </select>
      )}
    />
  );
}

/** A group of checkboxes sharing one name (roles, touchpoints, recipients): the ticked values post as a list. */
export function CheckboxGroup(props: {
  name: string;
  legend: string;
  options: readonly Option[];
  checked: readonly string[];
  errors?: FieldError[];
  hint?: string;
  /** Said instead of the boxes when there is nothing to tick. */
  empty?: string;
}) {
  const id = controlId(props.name);
  const errors = errorsUnder(props.errors ?? [], props.name);
  const described = [props.hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset id={id} class={errors.length ? 'field has-error' : 'field'} aria-describedby={described || undefined}>
      <legend>{props.legend}</legend>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.options.length === 0 && props.empty && <p>{props.empty}</p>}
      <div class="choices">
        {props.options.map((o) => (
          <label key={o.value}>
            <input type="checkbox" name={props.name} value={o.value} checked={props.checked.includes(o.value)} />
            {o.label}
          </label>
        ))}
      </div>
      <ErrorText id={id} errors={errors} />
    </fieldset>
  );
}

/** The list of a rejected form's problems, at its top (each field's own message also sits beside it). */
export function ErrorSummary(props: { errors: FieldError[] }) {
  if (!props.errors.length) return null;
  return (
    <div class="summary" role="alert">
      <p>
        <strong>Please correct {props.errors.length === 1 ? 'this' : 'these'}:</strong>
      </p>
      <ul>
        {props.errors.map((e) => (
          <li key={`${e.field}-${e.rule}`}>
            {e.field}: {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The message a POST left for the page it redirected to (POST-redirect-GET). */
export function Flash(props: { text: string | null }) {
  if (!props.text) return null;
  return (
    <p class="flash" role="status">
      {props.text}
    </p>
  );
}

/** What a list shows when it has nothing yet, and what to do about it. */
export function EmptyState(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p>
        <strong>{props.title}</strong>
      </p>
      {props.children}
    </div>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
}

/** A page's `?limit=&offset=` link, keeping the page's other query parameters. */
export function pageHref(base: string, query: Record<string, string>, limit: number, offset: number): string {
  const params = new URLSearchParams({ ...query, limit: String(limit), offset: String(offset) });
  return `${base}?${params.toString()}`;
}

/**
 * A table of one page of a list (`{ items, total }` as the API answers it) with previous/next links that keep
 * the other query parameters; the empty state when there is nothing at all.
 */
export function PagedTable<T>(props: {
  caption: string;
  columns: Column<T>[];
  page: Page<T>;
  paging: { limit: number; offset: number };
  base: string;
  query?: Record<string, string>;
  rowKey: (row: T) => string;
  empty: VNode;
}) {
  const { page, paging } = props;
  if (page.total === 0) return props.empty;
  const query = props.query ?? {};
  const first = page.items.length ? paging.offset + 1 : 0;
  const last = paging.offset + page.items.length;
  const previous = paging.offset > 0 ? Math.max(0, paging.offset - paging.limit) : null;
  const next = last < page.total ? paging.offset + paging.limit : null;
  return (
    <div>
      {/* scrolls sideways on a phone: focusable, so a keyboard can scroll it too */}
      <div class="table-wrap" role="region" aria-label={props.caption} tabindex={0}>
        <table>
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th scope="col" key={c.header}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.items.map((row) => (
              <tr key={props.rowKey(row)}>
                {props.columns.map((c) => (
                  <td key={c.header}>{c.cell(row)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="paging" aria-label={`Pages of ${props.caption}`}>
        <span>
          {first}–{last} of {page.total}
        </span>
        {previous !== null && (
          <a href={pageHref(props.base, query, paging.limit, previous)} rel="prev">
            Previous
          </a>
        )}
        {next !== null && (
          <a href={pageHref(props.base, query, paging.limit, next)} rel="next">
            Next
          </a>
        )}
      </nav>
    </div>
  );
}
