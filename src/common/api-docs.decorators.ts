import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

/** The answers every authenticated route may give, documented once. */
export const ApiAuthenticated = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No key, or an unknown or revoked key' }),
    ApiForbiddenResponse({ description: "The key's person lacks the role this route needs" }),
  );

export const ApiErrors = () =>
  applyDecorators(
    ApiBadRequestResponse({ description: 'Invalid input: `errors` lists every failing field and rule' }),
    ApiNotFoundResponse({ description: 'No such row in your organization' }),
  );
