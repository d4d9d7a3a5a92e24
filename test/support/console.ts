import type { Response } from 'supertest';

import { SessionsService } from '../../src/auth/sessions/sessions.service.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { SignInService } from '../../src/signin/signin.service.js';
import type { SmtpSink } from './smtp-sink.js';
import type { TestApp } from './test-app.js';

/** A signed-in browser as the tests hold it: its cookie header and the form token of its pages. */
export interface Browser {
  cookie: string;
  csrf: string;
}

/** The `gt_session=…` pair a response set, if any. */
export function sessionCookieOf(res: Response): string | undefined {
  const set = res.headers['set-cookie'] as unknown as string[] | undefined;
  const cookie = set?.find((c) => c.startsWith('gt_session=') && !c.startsWith('gt_session=;'));
  return cookie?.split(';')[0];
}

/** The form token in a console page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no form token in the page');
  return match[1];
}

/** The text of a page without its tags (for "shows / never shows" checks). */
export const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ');

/** Asks for a sign-in link, delivers the outbox to the sink, and answers the newest link mailed to `email`. */
export async function mailedSignInLink(t: TestApp, sink: SmtpSink, email: string, next?: string): Promise<string> {
  const before = sink.messages.length;
  const asked = await t
    .http()
    .post('/signin')
    .type('form')
    .send({ email, ...(next ? { next } : {}) });
  if (asked.status !== 200) throw new Error(`POST /signin answered ${asked.status}`);
  await t.app.get(SignInService).settled();
  await t.app.get(JobsService).run('outbox');
  const mails = await sink.waitFor(before + 1);
  const mail = [...mails].reverse().find((m) => m.text?.includes('/signin/') && JSON.stringify(m.to).includes(email));
  const link = /https?:\/\/\S+\/signin\/[A-Za-z0-9_-]{43}(\?\S*)?/.exec(mail?.text ?? '');
  if (!link) throw new Error(`no sign-in link mailed to ${email}`);
  return new URL(link[0]).pathname + new URL(link[0]).search;
}

/** Signs in through the mailed link (GET, then the button's POST); answers the browser. */
export async function signInByMail(t: TestApp, sink: SmtpSink, email: string): Promise<Browser> {
  const path = await mailedSignInLink(t, sink, email);
  const confirmed = await t.http().post(path.split('?')[0]).type('form').send({});
  const cookie = sessionCookieOf(confirmed);
  if (confirmed.status !== 303 || !cookie) throw new Error(`sign-in answered ${confirmed.status}`);
  return browserOf(t, cookie);
}

/** A session started directly (for tests about pages, not about sign-in). */
export async function sessionFor(t: TestApp, person: { organizationId: string; personId: string }): Promise<Browser> {
  const { token } = await t.dataSource.transaction((manager) =>
    t.app.get(SessionsService).start(manager, person, { userAgent: 'test', ip: '127.0.0.1' }),
  );
  return browserOf(t, `gt_session=${token}`);
}

async function browserOf(t: TestApp, cookie: string): Promise<Browser> {
  const home = await t.http().get('/').set('Cookie', cookie);
  if (home.status !== 200) throw new Error(`home answered ${home.status}`);
  return { cookie, csrf: csrfOf(home.text) };
}
