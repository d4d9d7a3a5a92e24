import { BadRequestException, ValidationPipe } from '@nestjs/common';
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
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      out.push({ field, rule: rule === 'whitelistValidation' ? 'unknownField' : rule, message: message.replace(/^property /, '') });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export class FieldValidationException extends BadRequestException {
  constructor(readonly errors: FieldError[], summary = 'Validation failed') {
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

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATION_OPTIONS,
    exceptionFactory: (errors) => new FieldValidationException(flattenValidationErrors(errors)),
  });
}
