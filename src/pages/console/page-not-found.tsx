import { ArgumentsHost, Injectable, NotFoundException } from '@nestjs/common';

import type { ConsoleRequest } from '../../auth/console.guard.js';
import { readCookie, SESSION_COOKIE } from '../../auth/sessions/session-cookie.js';
import { SessionsService } from '../../auth/sessions/sessions.service.js';
import { ConsoleErrorsFilter } from './console-errors.filter.js';

/**
 * A path outside the API that no route answers: the console's 404 page, in the layout with its nav when the browser
 * is signed in (read without taking the waiting message, which belongs to a real page), else in the narrow one.
 */
@Injectable()
export class ConsolePageNotFound {
  constructor(
    private readonly sessions: SessionsService,
    private readonly errors: ConsoleErrorsFilter,
  ) {}

  async send(host: ArgumentsHost): Promise<void> {
    const req = host.switchToHttp().getRequest<ConsoleRequest>();
    const session = await this.sessions.authenticate(readCookie(req, SESSION_COOKIE), false);
    if (session) req.console = { ...session, flash: null };
    this.errors.catch(new NotFoundException('There is no page at this address.'), host);
  }
}
