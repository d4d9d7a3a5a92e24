import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';

/** Where an operation's roles are stated, for tools (the description repeats them for people). */
export const ROLES_EXTENSION = 'x-roles';

/** The body of every error answer (AllExceptionsFilter). */
export class ErrorBody {
  @ApiProperty({ example: 403 })
  statusCode!: number;

  @ApiPropertyOptional({ example: 'Forbidden' })
  error?: string;

  @ApiProperty({ example: 'This route requires one of the roles: admin, quality' })
  message!: string;
}

export class FieldErrorView {
  @ApiProperty({ example: 'touchpoints[0].timezone', description: 'The field, with its path inside the body' })
  field!: string;

  @ApiProperty({ example: 'isTimeZone', description: 'The rule it breaks' })
  rule!: string;

  @ApiProperty({ example: 'touchpoints[0].timezone must be an IANA time zone such as Europe/London' })
  message!: string;
}

/** A 400: every failing field and rule at once, so a client can show them all. */
export class ValidationErrorBody {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'Validation failed: name must be a string' })
  message!: string;

  @ApiProperty({ type: [FieldErrorView] })
  errors!: FieldErrorView[];
}

/**
 * The standard answers of every route that needs a key, documented once per controller: 400 with the
 * field list, 401, 403, and the guess limiter's 429. A route's own answer for a status wins over these.
 */
export const ApiAuthenticated = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiBadRequestResponse({
      type: ValidationErrorBody,
      description: 'Invalid input: `errors` lists every field and rule',
    }),
    ApiUnauthorizedResponse({ type: ErrorBody, description: 'No key, or an unknown, revoked or malformed key' }),
    ApiForbiddenResponse({ type: ErrorBody, description: "The key's person lacks every role this route allows" }),
    ApiTooManyRequestsResponse({
      type: ErrorBody,
      description: 'Too many wrong keys from this address lately: wait for Retry-After seconds',
    }),
  );

/** The roles a route allows, stated for readers of the API document (`self`: the person the path names). */
export const ApiRoles = (roles: readonly string[]) => ApiExtension(ROLES_EXTENSION, [...roles]);

/** A route that names a row by id answers 404 for one that is not there for the caller. */
export const ApiNotFound = () =>
  ApiNotFoundResponse({
    type: ErrorBody,
    description: 'No such row in your organization, or one your role may not see',
  });

interface OperationObject {
  description?: string;
  responses?: Record<string, { content?: unknown }>;
  [ROLES_EXTENSION]?: string[];
}

const WRITES = new Set(['post', 'put', 'patch', 'delete']);

/** Any write may meet the database's own rules, which the exception filter answers with 409. */
const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };

const WRITE_CONFLICT = {
  description:
    'A row the request refers to was removed meanwhile, a unique value is taken, or other rows still refer ' +
    'to the one being removed',
  content: ERROR_CONTENT,
};

const roleName = (role: string) => (role === 'self' ? 'self (the person named in the path)' : role);

/**
 * Finishes the generated document with what holds for every route: "Roles: …" ahead of each
 * description (from `x-roles`), the 409 every write can answer where the route states none of its own,
 * and the error body on every 4xx answer that names none.
 */
export function completeApiDocument(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const [method, value] of Object.entries(pathItem as Record<string, unknown>)) {
      const operation = value as OperationObject;
      const roles = operation[ROLES_EXTENSION];
      if (roles) {
        const statement = `**Roles:** ${roles.map(roleName).join(', ')}.`;
        operation.description = operation.description ? `${statement}\n\n${operation.description}` : statement;
      }
      if (WRITES.has(method) && roles && !operation.responses?.['409'])
        operation.responses = { ...operation.responses, '409': WRITE_CONFLICT };
      // a route's own error answers say when; the body is the filter's, the same for all
      for (const [status, response] of Object.entries(operation.responses ?? {}))
        if (/^4\d\d$/.test(status) && !response.content) response.content = ERROR_CONTENT;
    }
  }
}
