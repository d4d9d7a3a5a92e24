import { Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../auth/console.guard.js';
import { clearSessionCookie } from '../../auth/sessions/session-cookie.js';
import { SessionsService } from '../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../auth/sessions/sessions.service.js';
import { UuidParam } from '../../common/validation/uuid-param.js';
import { EmptyState, PagedTable, PostButton } from './components.js';
import { ConsoleController } from './console-routes.js';
import { pagingOf } from './forms.js';
import { Layout, sendPage } from './layout.js';

const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** "My sessions": where one is signed in, and a button to end any of them. */
@ConsoleController('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ConsolePage()
  async list(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const paging = await pagingOf(query, 20);
    const page = await this.sessions.listOwn(session.actor, paging);
    sendPage(
      res,
      200,
      <Layout session={session} path="/sessions" title="My sessions">
        <p>Every browser signed in as you. End any you do not recognise.</p>
        <PagedTable
          caption="Signed-in browsers"
          base="/sessions"
          page={page}
          paging={paging}
          rowKey={(s) => s.id}
          empty={<EmptyState title="No sessions." />}
          columns={[
            {
              header: 'Browser',
              cell: (s) => (
                <>
                  {s.userAgent ?? 'Unknown browser'}
                  {s.id === session.actor.sessionId && <strong> (this one)</strong>}
                </>
              ),
            },
            { header: 'Address', cell: (s) => s.ip ?? '—' },
            { header: 'Signed in', cell: (s) => when(s.createdAt) },
            { header: 'Last used', cell: (s) => when(s.lastSeenAt) },
            {
              header: 'End',
              cell: (s) => (
                <PostButton
                  action={`/sessions/${s.id}/revoke`}
                  csrf={session.csrfToken}
                  label={s.id === session.actor.sessionId ? 'Sign out' : 'End session'}
                  about={`signed in ${when(s.createdAt)}`}
                  secondary
                />
              ),
            },
          ]}
        />
      </Layout>,
    );
  }

  @Post(':id/revoke')
  @ConsolePage()
  async revoke(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.sessions.revokeOwn(session.actor, id);
    res.setHeader('Cache-Control', 'no-store');
    if (id === session.actor.sessionId) {
      clearSessionCookie(req, res);
      return res.redirect(303, '/signin?signedOut=1');
    }
    await this.sessions.flash(session.actor, 'The session is ended: that browser is signed out.');
    res.redirect(303, '/sessions');
  }
}
