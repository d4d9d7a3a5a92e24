import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';

import { AppConfig } from '../config/app-config.js';
import type { Role } from './roles.js';
import { readCookie, SESSION_COOKIE } from './sessions/session-cookie.js';
import { CurrentSession, csrfMatches, SessionsService } from './sessions/sessions.service.js';

export const CONSOLE_KEY = 'groundtruth:console';

/** Who may open a console route: the roles (any of them), any signed-in person, or anyone (the sign-in pages). */
export type ConsoleRule = { roles: Role[] } | 'signed-in' | 'signed-out' | 'unmarked';

/** A console page for signed-in people holding one of `roles` (none given: any signed-in person). */
export const ConsolePage = (...roles: Role[]) =>
  SetMetadata(CONSOLE_KEY, roles.length ? { roles } : ('signed-in' satisfies ConsoleRule));

/** A console page open without a session (sign-in); its POSTs still need a same-origin request. */
export const SignedOutPage = () => SetMetadata(CONSOLE_KEY, 'signed-out' satisfies ConsoleRule);

/** Marks a controller as the console's: its routes are closed until marked with ConsolePage or SignedOutPage. */
export const ConsoleRoutes = () => applyDecorators(SetMetadata(CONSOLE_KEY, 'unmarked' satisfies ConsoleRule));

export const CONSOLE_UPLOAD_KEY = 'groundtruth:console-upload';

/** Reads a multipart body into the request (its fields into `req.body`, its file beside them). */
export type UploadReader = (req: Request, res: Response) => Promise<void>;

/**
 * A console form sent as multipart (a file upload): the guard reads its body with `read`, and only once the session
 * and the route's roles are checked, so an anonymous or wrong-role upload is refused without reading it; the form
 * token among its fields is checked after.
 */
export const ConsoleUpload = (read: UploadReader) => SetMetadata(CONSOLE_UPLOAD_KEY, read);

/** No session (or an ended one): the browser is sent to sign in, and back to `next` after. */
export class SignInRequired extends HttpException {
  constructor(readonly next: string) {
    super('Sign in to continue', HttpStatus.UNAUTHORIZED);
  }
}

/** A state-changing request without this session's form token, or from another site: refused, nothing changed. */
export class CsrfRefused extends ForbiddenException {
  constructor(reason: string) {
    super(`This form could not be accepted (${reason}). Reload the page and try again.`);
  }
}

/** The request of a console route, once the guard has let it in. */
export type ConsoleRequest = Request & { console?: CurrentSession; actor?: CurrentSession['actor'] };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session's person holds one of the route's roles (any signed-in person for a 'signed-in' route), else 403,
 * answered inside the console's layout.
 */
function checkRoles(req: ConsoleRequest, rule: { roles: Role[] } | 'signed-in', session: CurrentSession): void {
  if (rule === 'signed-in' || rule.roles.some((r) => session.actor.roles.includes(r))) return;
  req.console = session;
  req.actor = session.actor;
  throw new ForbiddenException(`This page is for: ${rule.roles.join(', ')}`);
}

/**
 * The console's door: a route needs a live session whose person holds one of its roles, read fresh on each
 * request; a state-changing request must come from this site (Origin, Sec-Fetch-Site) and carry the
 * session's synchronizer token in `_csrf`. API routes never read the cookie (they take Bearer keys only).
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  private readonly origins: Set<string>;

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    config: AppConfig,
  ) {
    this.origins = new Set([new URL(config.publicUrl).origin]);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<ConsoleRule>(CONSOLE_KEY, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    const safe = SAFE.has(req.method);
    if (!safe) this.checkOrigin(req);
    if (rule === 'signed-out') return true;
    if (!rule || rule === 'unmarked') throw new ForbiddenException('This page is not open to any role');

    const session = await this.sessions.authenticate(readCookie(req, SESSION_COOKIE), safe);
    if (!session) throw new SignInRequired(safe ? req.originalUrl : '/');
    const upload = this.reflector.get<UploadReader | undefined>(CONSOLE_UPLOAD_KEY, context.getHandler());
    if (upload) {
      checkRoles(req, rule, session);
      await upload(req, context.switchToHttp().getResponse<Response>());
    }
    if (!safe && !csrfMatches(session.csrfToken, (req.body as Record<string, unknown> | undefined)?._csrf)) {
      throw new CsrfRefused('its form token is missing or out of date');
    }
    req.console = session;
    req.actor = session.actor;
    checkRoles(req, rule, session);
    return true;
  }

  /**
   * A browser names where a form was sent from: Sec-Fetch-Site when it sends it (every current browser), else
   * Origin. Origin is "null" for this site's own forms (Referrer-Policy no-referrer), which says nothing: then
   * the form token alone decides.
   */
  private checkOrigin(req: Request): void {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined) {
      if (site !== 'same-origin' && site !== 'none') throw new CsrfRefused('sent from another site');
      return;
    }
    const origin = req.headers.origin;
    if (origin === undefined || origin === 'null') return;
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin !== own && !this.origins.has(origin)) throw new CsrfRefused('sent from another site');
  }
}

/** The signed-in person's session on a console route. */
export const CurrentConsole = createParamDecorator((_data: unknown, ctx: ExecutionContext): CurrentSession => {
  const req = ctx.switchToHttp().getRequest<ConsoleRequest>();
  if (!req.console) throw new Error('CurrentConsole used on a route without a session');
  return req.console;
});
