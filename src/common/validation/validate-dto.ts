import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, ValidateIf, ValidationOptions } from 'class-validator';

import {
  FieldError,
  flattenValidationErrors,
  FieldValidationException,
  unstorableInput,
  VALIDATION_OPTIONS,
} from './validation-errors.js';

/** Validates a plain object against a DTO class with the same rules as the HTTP pipe. */
export async function validateDto<T extends object>(
  cls: ClassConstructor<T>,
  plain: object,
): Promise<{ value: T; errors: FieldError[] }> {
  // checked first: class-transformer would recurse into a value nested too deep
  const unstorable = unstorableInput(plain);
  if (unstorable) return { value: plainToInstance(cls, {}), errors: [unstorable] };
  const value = plainToInstance(cls, plain);
  const errors = await validate(value, VALIDATION_OPTIONS);
  return { value, errors: flattenValidationErrors(errors) };
}

/** PATCH: the merged record must satisfy every rule of a create (cross-field rules included). */
export async function assertValidMerged<T extends object>(cls: ClassConstructor<T>, merged: object): Promise<T> {
  const { value, errors } = await validateDto(cls, merged);
  if (errors.length) throw new FieldValidationException(errors);
  return value;
}

/** The field may be left out, but not sent as null (unlike @IsOptional, which lets null through). */
export const Omittable = (options?: ValidationOptions) => ValidateIf((_object, value) => value !== undefined, options);
