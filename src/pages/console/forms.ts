import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import type { Response } from 'express';

import type { CurrentSession } from '../../auth/sessions/sessions.service.js';
import { PageQuery } from '../../common/pagination.js';
import { validateDto } from '../../common/validation/validate-dto.js';
import { FieldValidationException } from '../../common/validation/validation-errors.js';
import type { FieldError } from '../../common/validation/validation-errors.js';

/** A form post's fields as the DTO sees them: strings only, without the form token (which no DTO declares). */
export function formFields(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>))
    if (k !== '_csrf' && typeof v === 'string') out[k] = v;
  return out;
}

/** Every value a form posted under `name` (a checkbox group posts one per ticked box), empty ones left out. */
export function listOf(body: unknown, name: string): string[] {
  if (!body || typeof body !== 'object') return [];
  const v = (body as Record<string, unknown>)[name];
  const all = Array.isArray(v) ? v : [v];
  return all.filter((x): x is string => typeof x === 'string' && x !== '');
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

/** `?limit=&offset=` as the API reads them (PageQuery's rules); a value out of its rules falls back to the default. */
export async function pagingOf(
  query: Record<string, unknown>,
  defaultLimit = 50,
): Promise<{ limit: number; offset: number }> {
  const plain: Record<string, unknown> = { limit: String(defaultLimit) };
  for (const key of ['limit', 'offset'])
    if (typeof query[key] === 'string' && query[key] !== '') plain[key] = query[key];
  const { value, errors } = await validateDto(PageQuery, plain);
  const bad = new Set(errors.map((e) => e.field));
  return { limit: bad.has('limit') ? defaultLimit : value.limit, offset: bad.has('offset') ? 0 : value.offset };
}

/** One console form's POST, checked and saved as the API would, then answered post-redirect-get. */
export interface FormSubmission<D extends object, R> {
  /** The API's DTO for the form, and the posted values as it reads them. */
  dto: ClassConstructor<D>;
  plain: object;
  /** Saves through the API's service. */
  save: (value: D) => Promise<R>;
  /** After a save: flashes what happened and answers where the browser goes next. */
  saved: (result: R) => Promise<string>;
  /** Shows the form again with its errors beside their fields (400; 409 for a conflict). */
  refused: (status: number, errors: FieldError[]) => Promise<void> | void;
  /** A conflict (409) the form shows beside a field, when the service may answer one. */
  conflict?: (error: ConflictException) => FieldError;
}

/** The DTO's rules, then the service's own: either refusal re-shows the form, a save redirects (303) with a flash. */
export async function submitForm<D extends object, R>(res: Response, form: FormSubmission<D, R>): Promise<void> {
  const { value, errors } = await validateDto(form.dto, form.plain);
  if (errors.length) return form.refused(400, errors);
  let result: R;
  try {
    result = await form.save(value);
  } catch (error) {
    const fieldErrors = fieldErrorsOf(error);
    if (fieldErrors) return form.refused(400, fieldErrors);
    if (form.conflict && error instanceof ConflictException) return form.refused(409, [form.conflict(error)]);
    throw error;
  }
  res.redirect(303, await form.saved(result));
}

/**
 * A console form page for rows `T` (claims, subscriptions, each admin kind): how it reads its POST into the form `F`,
 * what of that the DTO validates (the form itself by default), how it shows the form again, and how it flashes.
 */
export interface FormPage<T, F> {
  formOf: (body: unknown) => F;
  plainOf?: (form: F) => object;
  /** The form's page: a new row's (`row` null) or a saved one's, with errors beside their fields. */
  send: (
    res: Response,
    status: number,
    session: CurrentSession,
    row: T | null,
    form: F,
    errors: FieldError[],
  ) => Promise<void> | void;
  flash: (session: CurrentSession, text: string) => Promise<void>;
}

/** What one of a FormPage's POSTs saves, what it then flashes and where the browser goes. */
export interface FormSave<D extends object, R> {
  dto: ClassConstructor<D>;
  save: (value: D) => Promise<R>;
  done: (saved: R) => { flash: string; next: string };
  conflict?: (error: ConflictException) => FieldError;
}

/**
 * A FormPage's POST, new (`row` null) or a change of `row`: the posted form read, then submitForm; a save flashes and
 * redirects (303), a refusal shows the same form again with its errors.
 */
export function postForm<T, F, D extends object, R>(
  page: FormPage<T, F>,
  session: CurrentSession,
  res: Response,
  body: unknown,
  row: T | null,
  save: FormSave<D, R>,
): Promise<void> {
  const form = page.formOf(body);
  return submitForm(res, {
    dto: save.dto,
    plain: page.plainOf ? page.plainOf(form) : (form as object),
    save: save.save,
    saved: async (result) => {
      const { flash, next } = save.done(result);
      await page.flash(session, flash);
      return next;
    },
    refused: (status, errors) => page.send(res, status, session, row, form, errors),
    conflict: save.conflict,
  });
}

/** A row read through its service, or a 404 page that does not repeat the id asked for (as the API's message does). */
export function rowOr404<T>(read: Promise<T>, kind: string): Promise<T> {
  return read.catch((error: unknown) => {
    throw error instanceof NotFoundException ? new NotFoundException(`There is no such ${kind}.`) : error;
  });
}
