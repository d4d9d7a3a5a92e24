import { validateDto } from '../common/validation/validate-dto.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import { outcomeRules } from '../outcomes/outcome-rules.js';
import { AdHocOutcomeDto, OutcomeDto } from '../outcomes/outcome.dto.js';
import { parseForm } from './outcome-form.js';
import type { FormContext, FormValues } from './outcome-form.js';

/** A posted form's text fields only, whatever the body's type says. */
export function textFields(body: unknown): FormValues {
  const out: FormValues = {};
  for (const [k, v] of Object.entries(body ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * The posted outcome form read as the API's body, with every problem at once: unreadable cells, the DTO's field
 * rules and the cross-field rules (the link's page and the console's both use it, so both say the same).
 */
export async function checkOutcomeForm(
  values: FormValues,
  form: FormContext,
  now: Date,
): Promise<{ value: OutcomeDto; errors: FieldError[] }> {
  const { plain, errors } = parseForm(values, form);
  const { value, errors: fieldErrors } = await validateDto(OutcomeDto, plain);
  const window = { ...form.window, zone: form.zone };
  const rules = outcomeRules(plain as unknown as OutcomeDto, {
    now,
    window,
    questions: form.scenario?.questions ?? [],
    channel: form.touchpoint.channel,
  });
  return { value, errors: firstPerField([...errors, ...fieldErrors, ...rules]) };
}

/** The same for a contact made without a test (POST /api/v1/outcomes): no window, and what it was made at. */
export async function checkAdHocForm(
  values: FormValues,
  form: FormContext,
  now: Date,
  at: { touchpointId: string; scenarioId: string | null },
): Promise<{ value: AdHocOutcomeDto; errors: FieldError[] }> {
  const { plain, errors } = parseForm(values, form);
  const { value, errors: fieldErrors } = await validateDto(AdHocOutcomeDto, { ...plain, ...at });
  const questions = form.scenario?.questions ?? [];
  const rules = outcomeRules(plain as unknown as OutcomeDto, { now, questions, channel: form.touchpoint.channel });
  return { value, errors: firstPerField([...errors, ...fieldErrors, ...rules]) };
}

/** Each field's first problem (an unreadable cell before the rules that could not read it). */
function firstPerField(list: FieldError[]): FieldError[] {
  const all: FieldError[] = [];
  for (const e of list) if (!all.some((x) => x.field === e.field)) all.push(e);
  return all;
}
