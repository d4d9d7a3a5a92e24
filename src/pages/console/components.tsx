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

/**
 * A labelled input with its errors beside it (the API's validation messages, from validateDto), tied to it by
 * aria-describedby so a screen reader reads them with the field.
 */
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
  const id = `field-${props.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const errors = errorsOf(props.errors ?? [], props.name);
  const described = [props.hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={errors.length ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <input
        id={id}
        name={props.name}
        // preact types each input type apart (a union fits none of them); any of these takes a value
        type={String(props.type ?? 'text') as 'text'}
        value={props.value ?? ''}
        required={props.required}
        autocomplete={props.autocomplete}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      {errors.length > 0 && (
        <p class="error" id={`${id}-error`}>
          {errors.map((e) => e.message).join('; ')}
        </p>
      )}
    </div>
  );
}

/** A labelled file chooser (a CSV to import), its error beside it. */
export function FileField(props: { name: string; label: string; accept?: string; error?: string; hint?: string }) {
  const id = `field-${props.name}`;
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <input
        id={id}
        name={props.name}
        type="file"
        accept={props.accept}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      {props.error && (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
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
