import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { ValidationError } from 'class-validator';

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

/** Turns class-validator's tree into a flat list: one entry per failing field and rule. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent
      ? /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      out.push({
        field,
        rule: rule === 'whitelistValidation' ? 'unknownField' : rule,
        message: message.replace(/^property /, ''),
      });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export class FieldValidationException extends BadRequestException {
  constructor(
    readonly errors: FieldError[],
    summary = 'Validation failed',
  ) {
    super({
      statusCode: 400,
      error: 'Bad Request',
      message: `${summary}: ${errors.map((e) => e.message).join('; ')}`,
      errors,
    });
  }
}

export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
} as const;

/** Deeper than any DTO goes; class-transformer recurses once per level, so a body nested thousands deep would exhaust the stack. */
export const MAX_NESTING = 32;

const childPath = (parent: string, key: string) =>
  !parent ? key : /^\d+$/.test(key) ? `${parent}[${key}]` : `${parent}.${key}`;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text PostgreSQL cannot store as sent: NUL (text and jsonb refuse it) and half a surrogate pair (jsonb refuses it, email checks throw on it). */
function unstorableText(text: string, field: string): FieldError | null {
  if (text.includes('\u0000'))
    return { field, rule: 'noNulCharacter', message: `${field} must not contain the NUL character (U+0000)` };
  if (LONE_SURROGATE.test(text))
    return {
      field,
      rule: 'wellFormedUnicode',
      message: `${field} must be well-formed Unicode text (it has half of a surrogate pair)`,
    };
  return null;
}

/**
 * What no field can hold, found before any other rule runs (walked without recursion): nesting deeper
 * than MAX_NESTING, and text PostgreSQL cannot store (in values and in keys).
 */
export function unstorableInput(value: unknown, field = ''): FieldError | null {
  const stack: Array<[unknown, number, string]> = [[value, 0, field]];
  while (stack.length) {
    const [v, depth, path] = stack.pop()!;
    if (typeof v === 'string') {
      const error = unstorableText(v, path || 'body');
      if (error) return error;
    }
    if (!v || typeof v !== 'object') continue;
    if (depth > MAX_NESTING) {
      const top = path.split(/[.[]/)[0] || 'body';
      return { field: top, rule: 'maxNesting', message: `${top} is nested deeper than ${MAX_NESTING} levels` };
    }
    for (const [key, child] of Object.entries(v)) {
      const at = childPath(path, key);
      const error = unstorableText(key, at);
      if (error) return error;
      stack.push([child, depth + 1, at]);
    }
  }
  return null;
}

export function assertStorable(value: unknown, field?: string): void {
  const error = unstorableInput(value, field);
  if (error) throw new FieldValidationException([error]);
}

const NOT_DTOS: unknown[] = [String, Boolean, Number, Array, Object];

class AppValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // DTOs, before class-transformer sees them; the rest (CSV text, page forms) go through validateDto with row or field context
    if (metadata.metatype && !NOT_DTOS.includes(metadata.metatype)) assertStorable(value, metadata.data);
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    ...VALIDATION_OPTIONS,
    exceptionFactory: (errors) => new FieldValidationException(flattenValidationErrors(errors)),
  });
}
