import { Param, ParseUUIDPipe } from '@nestjs/common';

import { ApiNotFound } from '../api-docs.decorators.js';
import { FieldValidationException } from './validation-errors.js';

/** A path id that must be a UUID; a malformed one is a 400 naming the parameter, an unknown one a 404. */
export const UuidParam =
  (name: string): ParameterDecorator =>
  (target, key, index) => {
    Param(
      name,
      new ParseUUIDPipe({
        exceptionFactory: () =>
          new FieldValidationException([{ field: name, rule: 'isUuid', message: `${name} must be a UUID` }]),
      }),
    )(target, key, index);
    // the route's 404 is documented where its id is declared, so no route that takes an id can miss it
    const method = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (key !== undefined && method) ApiNotFound()(target, key, method);
  };
