import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { ConsoleGuard, ConsoleRoutes } from '../../auth/console.guard.js';
import { ConsoleErrorsFilter } from './console-errors.filter.js';

/**
 * A controller of console pages: behind ConsoleGuard (a session; each route names its roles with @ConsolePage,
 * or @SignedOutPage for sign-in), its errors answered as pages, out of the API docs. A route left unmarked is
 * closed to everyone.
 */
export const ConsoleController = (prefix = '') =>
  applyDecorators(
    Controller(prefix),
    ApiExcludeController(),
    ConsoleRoutes(),
    UseGuards(ConsoleGuard),
    UseFilters(ConsoleErrorsFilter),
  );
