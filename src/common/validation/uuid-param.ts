import { Param, ParseUUIDPipe } from '@nestjs/common';
import { FieldValidationException } from './validation-errors.js';

/** A path id that must be a UUID; a malformed one is a 400 naming the parameter. */
export const UuidParam = (name: string) =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new FieldValidationException([{ field: name, rule: 'isUuid', message: `${name} must be a UUID` }]),
    }),
  );
