import { Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../auth/console.guard.js';
import { clearSessionCookie } from '../../auth/sessions/session-cookie.js';
import { SessionsService } from '../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../auth/sessions/sessions.service.js';
import { EmptyState } from './components.js';
import { ConsoleController } from './console-routes.js';
import { Layout, sendPage } from './layout.js';
import { sectionsFor } from './sections.js';

/** The console's home (a card per section the person's roles may use) and sign-out. */
@ConsoleController()
export class HomeController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ConsolePage()
  home(@CurrentConsole() session: CurrentSession, @Res() res: Response): void {
    const sections = sectionsFor(session.actor.roles);
    sendPage(
      res,
      200,
      <Layout session={session} path="/" title={`Hello, ${session.name}`}>
        {sections.length ? (
          <ul class="cards" aria-label="Your sections">
            {sections.map((s) => (
              <li key={s.href}>
                <h2>
                  <a href={s.href}>{s.label}</a>
                </h2>
                <p>{s.summary}</p>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState title="Nothing here for your roles yet." />
        )}
      </Layout>,
    );
  }

  @Post('signout')
  @ConsolePage()
  async signOut(@CurrentConsole() session: CurrentSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.sessions.revokeOwn(session.actor, session.actor.sessionId);
    clearSessionCookie(req, res);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, '/signin?signedOut=1');
  }
}
