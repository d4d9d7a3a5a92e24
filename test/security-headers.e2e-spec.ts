import { ManualClock } from '../src/common/clock.js';
import { accessWorlds, AccessWorld } from './support/access-world.js';
import { auth } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** helmet's headers on every kind of response: the API, its docs, and the pages behind secret links. */
let t: TestApp;
let w: AccessWorld;

beforeAll(async () => {
  t = await createTestApp({
    clock: new ManualClock('2027-02-28T12:00:00Z'),
    env: { PUBLIC_URL: 'https://gt.example.org' },
  });
  ({ own: w } = await accessWorlds(t));
});
afterAll(() => t.close());

type Headers = Record<string, string | undefined>;

function expectHardened(what: string, h: Headers) {
  const csp = h['content-security-policy'] ?? '';
  expect({
    what,
    poweredBy: h['x-powered-by'],
    nosniff: h['x-content-type-options'],
    frame: h['x-frame-options'],
    referrer: h['referrer-policy'],
  }).toEqual({
    what,
    poweredBy: undefined,
    nosniff: 'nosniff',
    frame: 'DENY',
    referrer: 'no-referrer',
  });
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
  ]) {
    expect({ what, csp: csp.includes(directive) ? directive : csp }).toEqual({ what, csp: directive });
  }
}

describe('security headers', () => {
  it('are set on the API, whatever the answer', async () => {
    for (const [what, res] of [
      ['GET /api/v1/me', await t.http().get('/api/v1/me').set(auth(w.key.tester)).expect(200)],
      ['GET /api/v1/me without a key', await t.http().get('/api/v1/me').expect(401)],
      ['GET /api/v1/people as a tester', await t.http().get('/api/v1/people').set(auth(w.key.tester)).expect(403)],
      [
        'POST /api/v1/people with nothing',
        await t.http().post('/api/v1/people').set(auth(w.key.admin)).send({}).expect(400),
      ],
      ['GET /health', await t.http().get('/health').expect(200)],
    ] as const) {
      expectHardened(what, res.headers);
    }
  });

  it('are set on the docs', async () => {
    for (const path of ['/api/docs', '/api/docs-json']) {
      const res = await t.http().get(path).redirects(1).expect(200);
      expectHardened(path, res.headers);
    }
  });

  it('keep the pages of secret links private: never in a shared cache, never indexed, never a Referer', async () => {
    const pages = [
      ['tester link', await t.http().get(`/t/${w.testerLink}`).expect(200)],
      [
        'unknown tester link',
        await t
          .http()
          .get(`/t/${'x'.repeat(43)}`)
          .expect(404),
      ],
      [
        'unknown follow-up link',
        await t
          .http()
          .get(`/f/${'x'.repeat(43)}`)
          .expect(404),
      ],
      [
        'unknown digest link',
        await t
          .http()
          .get(`/d/${'x'.repeat(43)}`)
          .expect(404),
      ],
    ] as const;
    for (const [what, res] of pages) {
      expectHardened(what, res.headers);
      expect({
        what,
        cache: res.headers['cache-control'],
        robots: res.headers['x-robots-tag'],
        type: res.headers['content-type'],
      }).toEqual({
        what,
        cache: 'no-store',
        robots: 'noindex',
        type: 'text/html; charset=utf-8',
      });
    }
    // A digest page and its chart may sit in the reader's own browser cache, never in a shared one,
    // and are asked for again each time (a 304), so an expired or revoked link stops showing them.
    for (const path of [`/d/${w.digestLink}`, `/d/${w.digestLink}/chart.png`]) {
      const res = await t.http().get(path).expect(200);
      expectHardened(path, res.headers);
      const { 'cache-control': cache, 'x-robots-tag': robots } = res.headers;
      expect({ path, cache, robots }).toEqual({ path, cache: 'private, no-cache', robots: 'noindex' });
    }
    // The page's chart is inline (a data: URL), which the policy allows for images only.
    expect(pages[0][1].headers['content-security-policy']).toContain("img-src 'self' data:");
  });

  it('insist on HTTPS when the service is served over it', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it("do not send an http:// deployment's forms and images to an https:// that does not answer", async () => {
    const plain = await createTestApp({ databaseUrl: t.databaseUrl, env: { PUBLIC_URL: 'http://192.0.2.10:3000' } });
    try {
      const res = await plain
        .http()
        .get(`/t/${'x'.repeat(43)}`)
        .expect(404);
      expectHardened('plain http', res.headers);
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
