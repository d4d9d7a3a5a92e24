import { hashSecret } from '../src/common/secrets.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { SignInService } from '../src/signin/signin.service.js';
import { runCli } from './support/cli.js';
import { csrfOf, mailedSignInLink, sessionCookieOf, signInByMail, textOf } from './support/console.js';
import { auth, newOrganization, personWithKey, TestOrganization } from './support/factories.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let sink: SmtpSink;
let t: TestApp;
let org: TestOrganization;
let other: TestOrganization;
let admin: { id: string; email: string };
let otherAdmin: { id: string; email: string };

beforeAll(async () => {
  sink = await startSmtpSink();
  // every sign-in here comes from one client: its limit is tested on an app of its own below
  t = await createTestApp({ env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test', RATE_LIMIT_FAILURES: '10000' } });
  org = await newOrganization(t, 'Northwind Telecom');
  other = await newOrganization(t, 'Southwind Energy');
  admin = (await personWithKey(t, org.adminKey, ['admin'], { name: 'Ada Admin' })).person;
  otherAdmin = (await personWithKey(t, other.adminKey, ['admin'], { name: 'Otto Other' })).person;
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

// one address may be sent 5 links per 15 minutes: each test starts in a window of its own
beforeEach(() => t.clock.advance(16 * MINUTE));

const home = (cookie: string) => t.http().get('/').set('Cookie', cookie);

describe('sign-in by email', () => {
  it('mails a one-time link; its GET shows a button and signs nobody in; its POST starts a session', async () => {
    const path = await mailedSignInLink(t, sink, admin.email);
    const mail = sink.messages.at(-1)!;
    expect(mail.subject).toBe('Sign in to Groundtruth (Northwind Telecom)');
    expect(mail.text).toContain('within 15 minutes');

    const shown = await t.http().get(path);
    expect(shown.status).toBe(200);
    expect(shown.headers['set-cookie']).toBeUndefined();
    expect(shown.text).toContain(`<form method="post" action="${path}"`);
    expect(shown.text).toContain('>Sign in</button>');
    expect(shown.headers['cache-control']).toBe('no-store');

    const again = await t.http().get(path); // a mail scanner opening it twice uses nothing
    expect(again.status).toBe(200);

    const confirmed = await t.http().post(path).type('form').send({});
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.location).toBe('/');
    const cookie = sessionCookieOf(confirmed)!;
    const page = await home(cookie);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('Ada Admin');
  });

  it('sets the cookie HttpOnly, SameSite=Lax, Path=/, and Secure only when the request is https', async () => {
    const plain = await t
      .http()
      .post((await mailedSignInLink(t, sink, admin.email)).split('?')[0])
      .send({});
    const set = (plain.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('gt_session='))!;
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Lax/);
    expect(set).toMatch(/; Path=\//);
    expect(set).not.toMatch(/; Secure/);

    const proxied = await createTestApp({
      databaseUrl: t.databaseUrl,
      clock: t.clock,
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'https://gt.test', TRUST_PROXY: '1' },
    });
    try {
      const path = await mailedSignInLink(proxied, sink, admin.email);
      const secure = await proxied.http().post(path).set('X-Forwarded-Proto', 'https').send({});
      expect(secure.status).toBe(303);
      const cookie = (secure.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('gt_session='))!;
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; HttpOnly/);
    } finally {
      await proxied.close();
    }
  });

  it('answers an unknown address exactly as a known one, and mails nobody', async () => {
    const known = await t.http().post('/signin').type('form').send({ email: admin.email });
    const unknown = await t.http().post('/signin').type('form').send({ email: 'nobody-here@example.org' });
    await t.app.get(SignInService).settled();
    await t.app.get(JobsService).run('outbox');
    expect(unknown.status).toBe(known.status);
    expect(unknown.text).toBe(known.text);
    expect(known.text).toContain('If the address is known, a link is on its way');
    const toNobody = await t.dataSource.query(
      "SELECT 1 FROM outbox_message WHERE recipient = 'nobody-here@example.org'",
    );
    expect(toNobody).toHaveLength(0);
  });

  it('names the field and its rule for an address that is not one (400), and sends nothing', async () => {
    const bad = await t.http().post('/signin').type('form').send({ email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('email must be an email address');
    expect(bad.text).toContain('aria-invalid="true"');
  });

  it('opens once: a used link answers 410 to GET and POST, and signs nobody in', async () => {
    const path = await mailedSignInLink(t, sink, admin.email);
    expect((await t.http().post(path).send({})).status).toBe(303);
    const second = await t.http().post(path).send({});
    expect(second.status).toBe(410);
    expect(sessionCookieOf(second)).toBeUndefined();
    expect((await t.http().get(path)).status).toBe(410);
  });

  it('expires 15 minutes after it was mailed (by the clock)', async () => {
    const path = await mailedSignInLink(t, sink, admin.email);
    t.clock.advance(15 * MINUTE - 1);
    expect((await t.http().get(path)).status).toBe(200);
    t.clock.advance(1);
    expect((await t.http().get(path)).status).toBe(410);
    const late = await t.http().post(path).send({});
    expect(late.status).toBe(410);
    expect(sessionCookieOf(late)).toBeUndefined();
  });

  it('answers a made-up link 404, and sends after sign-in only to a path of this site', async () => {
    expect((await t.http().get(`/signin/${'A'.repeat(43)}`)).status).toBe(404);
    const path = await mailedSignInLink(t, sink, admin.email, '/sessions');
    expect(path).toContain('?next=%2Fsessions');
    expect((await t.http().get(path)).text).toContain('name="next" value="/sessions"');
    const done = await t.http().post(path.split('?')[0]).type('form').send({ next: '/sessions' });
    expect(done.headers.location).toBe('/sessions');
    const evil = await t
      .http()
      .post((await mailedSignInLink(t, sink, admin.email)).split('?')[0])
      .type('form');
    expect(evil.status).toBe(303);
    for (const next of ['//evil.example', 'https://evil.example/', '/\\evil.example']) {
      const p = (await mailedSignInLink(t, sink, admin.email)).split('?')[0];
      const r = await t.http().post(p).type('form').send({ next });
      expect(r.headers.location).toBe('/');
    }
  });
});

describe('npm run cli -- signin-link', () => {
  it('prints a link that signs the person in, once', async () => {
    const out = await runCli(['signin-link', '--email', admin.email.toUpperCase()], t.databaseUrl, {
      PUBLIC_URL: 'http://gt.test',
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Ada Admin \(Northwind Telecom\): http:\/\/gt\.test\/signin\/[A-Za-z0-9_-]{43}\n$/);
    const path = new URL(out.stdout.trim().split(': ')[1]).pathname;
    expect((await t.http().post(path).send({})).status).toBe(303);
    expect((await t.http().post(path).send({})).status).toBe(410);
    const unknown = await runCli(['signin-link', '--email', 'nobody@example.org'], t.databaseUrl);
    expect(unknown.code).toBe(2);
  });
});

describe('sessions', () => {
  it('sends a browser without a session to sign in, and back to the page it asked for', async () => {
    const r = await t.http().get('/sessions?limit=5');
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/signin?next=%2Fsessions%3Flimit%3D5');
    const garbage = await t.http().get('/').set('Cookie', 'gt_session=not-a-token');
    expect(garbage.status).toBe(303);
    expect(garbage.headers.location).toBe('/signin');
  });

  it('ends after 8 idle hours, each use sliding it forward', async () => {
    const b = await signInByMail(t, sink, admin.email);
    t.clock.advance(7 * HOUR);
    expect((await home(b.cookie)).status).toBe(200);
    t.clock.advance(7 * HOUR); // 14 h after sign-in, 7 h after last use
    expect((await home(b.cookie)).status).toBe(200);
    t.clock.advance(8 * HOUR);
    const ended = await home(b.cookie);
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/signin');
  });

  it('writes the session at most once a minute: a burst of pages makes one write; the idle expiry holds', async () => {
    const b = await signInByMail(t, sink, admin.email);
    // xmin changes with every write of the row (a read leaves it), so it counts the writes
    const row = async () =>
      (
        await t.dataSource.query(
          'SELECT xmin::text AS version, last_seen_at, idle_expires_at FROM console_session WHERE token_hash = $1',
          [hashSecret(b.cookie.slice('gt_session='.length))],
        )
      )[0] as { version: string; last_seen_at: Date; idle_expires_at: Date };
    const signedIn = await row();
    for (let i = 0; i < 5; i++) {
      t.clock.advance(10_000);
      expect((await home(b.cookie)).status).toBe(200);
    }
    expect(await row()).toEqual(signedIn); // five pages within the minute of sign-in: read, never written

    t.clock.advance(10_000); // a minute after the last write
    const burstAt = t.clock.now();
    expect((await home(b.cookie)).status).toBe(200);
    const written = await row();
    expect(written.version).not.toBe(signedIn.version);
    expect(written.last_seen_at).toEqual(burstAt);
    expect(written.idle_expires_at).toEqual(new Date(burstAt.getTime() + 8 * HOUR));
    for (let i = 0; i < 10; i++) {
      t.clock.advance(5_000);
      expect((await t.http().get('/sessions').set('Cookie', b.cookie)).status).toBe(200);
    }
    expect(await row()).toEqual(written); // the burst made one write

    // unused since: it ends 8 hours after that write, 50 s short of 8 hours after the last page (to the minute)
    t.clock.set(new Date(burstAt.getTime() + 8 * HOUR - 1));
    expect((await row()).idle_expires_at.getTime()).toBeGreaterThan(t.clock.now().getTime());
    t.clock.set(new Date(burstAt.getTime() + 8 * HOUR));
    const ended = await home(b.cookie);
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/signin');
  });

  it('ends 7 days after sign-in however often it is used', async () => {
    const b = await signInByMail(t, sink, admin.email);
    for (let h = 0; h < 7 * 24 - 6; h += 6) {
      t.clock.advance(6 * HOUR);
      expect((await home(b.cookie)).status).toBe(200);
    }
    t.clock.advance(6 * HOUR); // 7 days and 0 hours
    expect((await home(b.cookie)).status).toBe(303);
  });

  it('signs out by POST: the cookie is cleared and the session opens nothing after', async () => {
    const b = await signInByMail(t, sink, admin.email);
    const out = await t.http().post('/signout').set('Cookie', b.cookie).type('form').send({ _csrf: b.csrf });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/signin?signedOut=1');
    expect((out.headers['set-cookie'] as unknown as string[]).join()).toMatch(/gt_session=;/);
    expect((await home(b.cookie)).status).toBe(303);
  });

  it("lists one's own sessions and ends another of them; another person's session is not found", async () => {
    const laptop = await signInByMail(t, sink, admin.email);
    const phone = await signInByMail(t, sink, admin.email);
    const theirs = await signInByMail(t, sink, otherAdmin.email);
    const list = await t.http().get('/sessions').set('Cookie', laptop.cookie);
    expect(list.status).toBe(200);
    const ids = [...list.text.matchAll(/action="\/sessions\/([0-9a-f-]{36})\/revoke"/g)].map((m) => m[1]);
    const [phoneId] = await t.dataSource.query('SELECT id FROM console_session WHERE token_hash = $1', [
      hashSecret(phone.cookie.slice('gt_session='.length)),
    ]);
    expect(ids).toContain(phoneId.id);
    const [theirId] = await t.dataSource.query('SELECT id FROM console_session WHERE person_id = $1', [otherAdmin.id]);
    expect(ids).not.toContain(theirId.id);

    const notMine = await t
      .http()
      .post(`/sessions/${theirId.id}/revoke`)
      .set('Cookie', laptop.cookie)
      .type('form')
      .send({ _csrf: laptop.csrf });
    expect(notMine.status).toBe(404);
    expect((await home(theirs.cookie)).status).toBe(200);

    const ended = await t
      .http()
      .post(`/sessions/${phoneId.id}/revoke`)
      .set('Cookie', laptop.cookie)
      .type('form')
      .send({ _csrf: laptop.csrf });
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/sessions');
    expect((await home(phone.cookie)).status).toBe(303);
    const after = await t.http().get('/sessions').set('Cookie', laptop.cookie);
    expect(after.text).toContain('The session is ended');
    expect(after.text).not.toContain(phoneId.id);
    // the message is shown once
    expect((await t.http().get('/sessions').set('Cookie', laptop.cookie)).text).not.toContain('The session is ended');
  });

  it('reads roles on every request: a role removed takes effect at once; a person removed is signed out', async () => {
    const { person } = await personWithKey(t, org.adminKey, ['admin', 'quality'], { name: 'Rolf Roles' });
    const b = await signInByMail(t, sink, person.email);
    expect((await t.http().get('/people').set('Cookie', b.cookie)).status).toBe(200);
    expect((await home(b.cookie)).text).toContain('href="/people"');
    const patched = await t
      .http()
      .patch(`/api/v1/people/${person.id}`)
      .set(auth(org.adminKey))
      .send({ roles: ['quality'] });
    expect(patched.status).toBe(200);
    const refused = await t.http().get('/people').set('Cookie', b.cookie);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Not allowed');
    const now = await home(b.cookie);
    expect(now.text).not.toContain('href="/people"');
    expect(now.text).toContain('href="/claims"');
    expect((await t.http().delete(`/api/v1/people/${person.id}`).set(auth(org.adminKey))).status).toBeLessThan(300);
    expect((await home(b.cookie)).status).toBe(303);
  });

  it('the cleanup job forgets ended sessions and expired sign-in links', async () => {
    await signInByMail(t, sink, admin.email);
    t.clock.advance(8 * 24 * HOUR);
    const result = (await t.app.get(JobsService).run('cleanup')) as Record<string, number>;
    expect(result.consoleSessions).toBeGreaterThan(0);
    expect(result.signInLinks).toBeGreaterThan(0);
    const live = await t.dataSource.query('SELECT 1 FROM console_session WHERE absolute_expires_at <= $1', [
      t.clock.now(),
    ]);
    expect(live).toHaveLength(0);
  });
});

describe('forms are refused without the session’s token or from another site', () => {
  it('answers 403 and changes nothing', async () => {
    const b = await signInByMail(t, sink, admin.email);
    const post = () => t.http().post('/signout').set('Cookie', b.cookie).type('form');
    for (const refused of [
      await post().send({}),
      await post().send({ _csrf: 'x'.repeat(43) }),
      await post().set('Origin', 'https://evil.example').send({ _csrf: b.csrf }),
      await post().set('Sec-Fetch-Site', 'cross-site').send({ _csrf: b.csrf }),
    ]) {
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('could not be accepted');
    }
    expect((await home(b.cookie)).status).toBe(200); // still signed in
    const sameSite = await post().set('Origin', 'http://gt.test').set('Sec-Fetch-Site', 'same-origin').send({
      _csrf: b.csrf,
    });
    expect(sameSite.status).toBe(303);
  });

  it('refuses a sign-in posted from another site (login CSRF)', async () => {
    const path = await mailedSignInLink(t, sink, admin.email);
    const r = await t.http().post(path).set('Sec-Fetch-Site', 'cross-site').send({});
    expect(r.status).toBe(403);
    expect(sessionCookieOf(r)).toBeUndefined();
    expect((await t.http().post(path).send({})).status).toBe(303); // the link was not used up
  });

  it('the API never takes the cookie: only Bearer keys', async () => {
    const b = await signInByMail(t, sink, admin.email);
    expect((await t.http().get('/api/v1/people').set('Cookie', b.cookie)).status).toBe(401);
  });
});

describe('the guess limiter covers sign-in', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({
      databaseUrl: t.databaseUrl,
      clock: t.clock,
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test', RATE_LIMIT_FAILURES: '3' },
    });
  });
  afterAll(() => limited.close());

  it('per client: after 3 requests in the window, 429 with Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await limited
            .http()
            .post('/signin')
            .type('form')
            .send({ email: `x${i}@example.org` })
        ).status,
      ).toBe(200);
    }
    const refused = await limited.http().post('/signin').type('form').send({ email: 'x@example.org' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    t.clock.advance(15 * MINUTE + 1);
    expect((await limited.http().post('/signin').type('form').send({ email: 'x@example.org' })).status).toBe(200);
  });

  it('per address: at most 5 links in 15 minutes, the answer unchanged', async () => {
    t.clock.advance(16 * MINUTE);
    const { person } = await personWithKey(t, org.adminKey, ['tester'], { name: 'Mo Mailbox' });
    for (let i = 0; i < 7; i++) {
      const r = await t.http().post('/signin').type('form').send({ email: person.email });
      expect(r.status).toBe(200);
    }
    await t.app.get(SignInService).settled();
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM signin_link WHERE person_id = $1', [
      person.id,
    ]);
    expect(n).toBe(5);
  });

  it('per client on the link routes: wrong secrets count as failed guesses', async () => {
    t.clock.advance(16 * MINUTE);
    for (let i = 0; i < 3; i++) expect((await limited.http().get(`/signin/${'B'.repeat(42)}${i}`)).status).toBe(404);
    expect((await limited.http().get(`/signin/${'B'.repeat(43)}`)).status).toBe(429);
  });
});

describe('pages show nothing of another organization', () => {
  it("an admin's people list holds their organization's people only", async () => {
    const b = await signInByMail(t, sink, admin.email);
    const page = await t.http().get('/people?limit=200').set('Cookie', b.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain(admin.email);
    expect(page.text).not.toContain(otherAdmin.email);
    const searched = await t
      .http()
      .get(`/people?q=${encodeURIComponent(otherAdmin.email)}`)
      .set('Cookie', b.cookie);
    expect(searched.text).toContain('Nobody matches that search.');
    expect(csrfOf(page.text)).toBe(b.csrf);
  });
});

describe('a page that is not there', () => {
  const isHtml = (r: { headers: Record<string, string> }) => expect(r.headers['content-type']).toMatch(/^text\/html/);

  it('answers an unknown path with the console 404 page, signed in (in the layout) or not', async () => {
    for (const path of ['/no-such-page', '/results/touchpoints/x/y', '/my/tests/a/b/c']) {
      const out = await t.http().get(path);
      expect(out.status).toBe(404);
      isHtml(out);
      expect(out.text).toContain('<title>Page not found');
      expect(out.text).toContain('There is no page at this address.');
      expect(out.text).not.toContain('Signed in as');
    }

    const b = await signInByMail(t, sink, admin.email);
    for (const path of ['/no-such-page', '/results/touchpoints/x/y']) {
      const page = await t.http().get(path).set('Cookie', b.cookie);
      expect(page.status).toBe(404);
      isHtml(page);
      expect(page.text).toContain('There is no page at this address.');
      expect(textOf(page.text)).toContain('Signed in as  Ada Admin');
      expect(page.text).toContain('href="/people"'); // the nav of the person's sections
    }
    const posted = await t.http().post('/no-such-page').set('Cookie', b.cookie).type('form').send({ _csrf: b.csrf });
    expect(posted.status).toBe(404);
    isHtml(posted);
  });

  it('answers a console route with an id that is not there with the same page, in the layout', async () => {
    const b = await signInByMail(t, sink, admin.email);
    for (const id of ['not-an-id', '00000000-0000-4000-8000-000000000000']) {
      const page = await t.http().get(`/results/touchpoints/${id}`).set('Cookie', b.cookie);
      expect(page.status).toBe(404);
      isHtml(page);
      expect(page.text).toContain('<title>Page not found');
      expect(page.text).toContain('Signed in as');
    }
  });

  it('leaves a waiting message for the page it was meant for', async () => {
    const b = await signInByMail(t, sink, admin.email);
    const [session] = await t.dataSource.query('SELECT id FROM console_session WHERE token_hash = $1', [
      hashSecret(b.cookie.slice('gt_session='.length)),
    ]);
    await t.dataSource.query("UPDATE console_session SET flash = 'Saved the person.' WHERE id = $1", [session.id]);
    const missing = await t.http().get('/no-such-page').set('Cookie', b.cookie);
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('Saved the person.');
    expect((await home(b.cookie)).text).toContain('Saved the person.');
  });

  it('keeps answering JSON for an unknown API path, with a key or without', async () => {
    for (const path of ['/api/v1/no-such-thing', '/api/nothing', '/api']) {
      for (const r of [await t.http().get(path), await t.http().get(path).set(auth(org.adminKey))]) {
        expect(r.status).toBe(404);
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(r.body).toMatchObject({ statusCode: 404 });
      }
    }
  });
});
