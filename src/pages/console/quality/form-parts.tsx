import { BadRequestException } from '@nestjs/common';

import type { FieldError } from '../../../common/validation/validation-errors.js';
import { FieldValidationException } from '../../../common/validation/validation-errors.js';
import { errorsOf } from '../components.js';

/** Every value a form posted under `name` (a checkbox list posts one per ticked box). */
export function listField(body: unknown, name: string): string[] {
  if (!body || typeof body !== 'object') return [];
  const v = (body as Record<string, unknown>)[name];
  const all = Array.isArray(v) ? v : [v];
  return all.filter((x): x is string => typeof x === 'string' && x !== '');
}

/** A typed number as the DTO wants it: a number when it reads as one, else the text (so the DTO names the rule). */
export function numberOrText(text: string | undefined): number | string | undefined {
  const t = (text ?? '').trim();
  if (t === '') return undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : t;
}

/** The field errors a service's 400 carries (FieldValidationException, or a 400 with `errors`), else null. */
export function fieldErrorsOf(error: unknown): FieldError[] | null {
  if (error instanceof FieldValidationException) return error.errors;
  if (error instanceof BadRequestException) {
    const body = error.getResponse() as { errors?: unknown };
    if (Array.isArray(body.errors)) return body.errors as FieldError[];
  }
  return null;
}

/** A labelled list of checkboxes (choices by name), the error of its field beside it. */
export function CheckboxList(props: {
  name: string;
  legend: string;
  choices: Array<{ value: string; label: string }>;
  checked: readonly string[];
  errors?: FieldError[];
  hint?: string;
  empty?: string;
}) {
  const id = `field-${props.name}`;
  const errors = errorsOf(props.errors ?? [], props.name);
  const described = [props.hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset id={id} class={errors.length ? 'field has-error' : 'field'} aria-describedby={described || undefined}>
      <legend>{props.legend}</legend>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.choices.length === 0 && props.empty && <p>{props.empty}</p>}
      <div class="choices">
        {props.choices.map((c) => (
          <label key={c.value}>
            <input type="checkbox" name={props.name} value={c.value} checked={props.checked.includes(c.value)} />
            {c.label}
          </label>
        ))}
      </div>
      {errors.length > 0 && (
        <p class="error" id={`${id}-error`}>
          {errors.map((e) => e.message).join('; ')}
        </p>
      )}
    </fieldset>
  );
}

/** A labelled multi-line text box, the error of its field beside it (as Field does for inputs). */
export function TextArea(props: {
  name: string;
  label: string;
  value?: string;
  errors?: FieldError[];
  errorField?: string;
  hint?: string;
  rows?: number;
}) {
  const id = `field-${props.name}`;
  const errors = errorsOf(props.errors ?? [], props.errorField ?? props.name);
  const described = [props.hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={errors.length ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 4}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={described || undefined}
      >
        {props.value ?? ''}
      </textarea>
      {errors.length > 0 && (
        <p class="error" id={`${id}-error`}>
          {errors.map((e) => e.message).join('; ')}
        </p>
      )}
    </div>
  );
}

/**
 * The distinct teams of some touchpoints, by name: a team picker's choices. A team already chosen stays among them
 * even when no listed touchpoint has it, so saving a form never drops it unasked.
 */
export function teamChoices(
  touchpoints: ReadonlyArray<{ team: string | null }>,
  current?: string | null,
): Array<{ value: string; label: string }> {
  const teams = new Set(touchpoints.map((t) => t.team).filter((t): t is string => !!t));
  if (current) teams.add(current);
  return [...teams].sort().map((t) => ({ value: t, label: t }));
}
