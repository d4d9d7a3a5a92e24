import { randomUUID } from 'node:crypto';

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';

import { ConsoleRequest, CsrfRefused, SignInRequired } from '../../auth/console.guard.js';
import { clearSessionCookie, readCookie, SESSION_COOKIE } from '../../auth/sessions/session-cookie.js';
import { LOGGER } from '../../common/common.module.js';
import type { AppLogger } from '../../common/logging/logger.js';
import { Layout, SignedOutLayout, sendPage } from './layout.js';

const TITLES: Record<number, string> = {
  400: 'Not saved',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Not saved',
  410: 'No longer available',
  429: 'Too many attempts',
};

/** An HttpException's message (a string, or a validation error's list joined). */
function messageOf(body: string | object): string | undefined {
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.filter((m) => typeof m === 'string').join('; ');
  return undefined;
}

/** Where sign-in leads back to: the page asked for, unless that is the home page. */
export const signInPath = (next: string) => (next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`);

/**
 * The console's answers to what went wrong, as pages: no session → 303 to sign in (and back after); a refused
 * form, a role's closed door (403), a row not there (404) → a page saying so, inside the layout when signed in;
 * anything unexpected → a 500 page with an error id that is also in the log beside the stack.
 */
@Catch()
@Injectable()
export class ConsoleErrorsFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: AppLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<ConsoleRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof SignInRequired) {
      if (readCookie(req, SESSION_COOKIE) !== undefined) clearSessionCookie(req, res);
      res.setHeader('Cache-Control', 'no-store');
      return res.redirect(303, signInPath(exception.next));
    }
    let status = 500;
    let message: string;
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      status = exception.getStatus();
      const body = exception.getResponse();
      message = messageOf(body) ?? exception.message;
      if (exception instanceof CsrfRefused) this.logger.warn({ path: req.path }, 'console form refused: CSRF');
    } else {
      const errorId = randomUUID();
      this.logger.error({ err: exception, errorId, path: req.path }, 'console page failed');
      message = `Something went wrong on our side. If it keeps happening, quote error id ${errorId}.`;
    }
    const title = TITLES[status] ?? (status === 500 ? 'Something went wrong' : 'Not possible');
    const body = (
      <>
        <p>{message}</p>
        <p>
          <a href="/">Back to the console home</a>
        </p>
      </>
    );
    sendPage(
      res,
      status,
      req.console ? (
        <Layout session={req.console} path={req.path} title={title}>
          {body}
        </Layout>
      ) : (
        <SignedOutLayout title={title}>{body}</SignedOutLayout>
      ),
    );
  }
}
