import { ManualClock } from '../src/common/clock.js';
import { DigestRunsService } from '../src/digests/digest-runs.service.js';
import { DigestSubscription } from '../src/digests/digest-subscription.entity.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { linkOf } from './support/access-world.js';
import { auth, TestOrganization, created } from './support/factories.js';
import { smallCampaign } from './support/small-campaign.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Repeated wrong API keys (401) and wrong, expired or revoked link secrets (404, 410 on /t, /f, /d) from one
 * client address are refused with 429 for the rest of the window; authorised traffic never is.
 * Here: 5 failures per 60 s, behind one proxy (X-Forwarded-For names the client).
 */
let t: TestApp;
let org: TestOrganization;
let testerKey: string;
let expiredLink: string;

beforeAll(async () => {
  t = await createTestApp({
    clock: new ManualClock('2027-02-28T12:00:00Z'),
    env: { RATE_LIMIT_FAILURES: '5', RATE_LIMIT_WINDOW_SECONDS: '60', TRUST_PROXY: '1' },
  });
  const campaign = await smallCampaign(t);
  org = campaign.org;
  testerKey = campaign.testers[0].key;
  const [first] = await t.dataSource.query('SELECT id, reveal_at FROM assignment ORDER BY reveal_at LIMIT 1');
  t.clock.set(first.reveal_at);
  await t.app.get(JobsService).run('reveal');
  expiredLink = await linkOf(t, `reveal:${first.id}`, 't');
  t.clock.advance(10 * 24 * 3_600_000);
});
afterAll(() => t.close());

const wrongKey = (i: number) => auth(`gt_${String(i).padStart(43, 'x')}`);
const guess = (i: number) => String(i).padStart(43, 'g');
const from = (client: string) => ({ 'X-Forwarded-For': client });

describe('failed guesses', () => {
  it('of API keys: the sixth wrong key in a window gets 429 with Retry-After, and so does a right one, until the window ends', async () => {
    const client = from('203.0.113.1');
    for (let i = 0; i < 5; i++) await t.http().get('/api/v1/me').set(client).set(wrongKey(i)).expect(401);
    const refused = await t.http().get('/api/v1/me').set(client).set(wrongKey(5)).expect(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many attempts with a wrong API key or link from your address. Try again in 60 seconds.',
    });
    // A guess that happens to be right is refused too: a refused guess must say nothing.
    await t.http().get('/api/v1/me').set(client).set(auth(org.adminKey)).expect(429);
    // Requests that show no secret are not guesses.
    await t.http().get('/health').set(client).expect(200);
    await t.http().get('/api/docs-json').set(client).expect(200);
    // Another address is not affected.
    await t.http().get('/api/v1/me').set(from('203.0.113.2')).set(auth(org.adminKey)).expect(200);

    t.clock.advance(45_000);
    expect(
      (await t.http().get('/api/v1/me').set(client).set(auth(org.adminKey)).expect(429)).headers['retry-after'],
    ).toBe('15');
    t.clock.advance(15_000);
    await t.http().get('/api/v1/me').set(client).set(auth(org.adminKey)).expect(200);
    await t.http().get('/api/v1/me').set(client).set(wrongKey(6)).expect(401);
  });

  it('of links: wrong and expired secrets on /t, /f and /d count together; the refusal is a page', async () => {
    const client = from('203.0.113.3');
    await t
      .http()
      .get(`/t/${guess(1)}`)
      .set(client)
      .expect(404);
    await t
      .http()
      .post(`/t/${guess(2)}`)
      .set(client)
      .type('form')
      .send({ reason: 'x' })
      .expect(404);
    await t
      .http()
      .get(`/f/${guess(3)}`)
      .set(client)
      .expect(404);
    await t
      .http()
      .get(`/d/${guess(4)}/chart.png`)
      .set(client)
      .expect(404);
    await t.http().get(`/t/${expiredLink}`).set(client).expect(410);
    const refused = await t
      .http()
      .get(`/d/${guess(5)}`)
      .set(client)
      .expect(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.text).toContain(
      'Too many attempts with a wrong API key or link from your address. Try again in 60 seconds.',
    );
    t.clock.advance(60_000);
    await t
      .http()
      .get(`/t/${guess(6)}`)
      .set(client)
      .expect(404);
  });

  it('of links in upper case too (Express routes ignore case), and their secrets are not logged', async () => {
    const client = from('203.0.113.9');
    const before = t.logs.length;
    await t
      .http()
      .get(`/T/${guess(11)}`)
      .set(client)
      .expect(404);
    await t
      .http()
      .get(`/F/${guess(12)}`)
      .set(client)
      .expect(404);
    await t
      .http()
      .get(`/D/${guess(13)}/CHART.PNG`)
      .set(client)
      .expect(404);
    await t
      .http()
      .get(`/t/${guess(14)}`)
      .set(client)
      .expect(404);
    await t
      .http()
      .get(`/T/${guess(15)}`)
      .set(client)
      .expect(404);
    await t
      .http()
      .get(`/t/${guess(16)}`)
      .set(client)
      .expect(429);
    const logged = t.logs.slice(before).join('\n');
    for (let i = 11; i <= 16; i++) expect(logged).not.toContain(guess(i));
    t.clock.advance(60_000);
  });

  it('are the only thing counted: requests without a key, refused roles and bad input are not guesses', async () => {
    const client = from('203.0.113.4');
    for (let i = 0; i < 10; i++) {
      await t.http().get('/api/v1/me').set(client).expect(401);
      await t.http().get('/api/v1/people').set(client).set(auth(testerKey)).expect(403);
      await t.http().get('/api/v1/outbox').set(client).set(auth(org.adminKey)).query({ limit: 'many' }).expect(400);
      await t
        .http()
        .get(`/api/v1/touchpoints/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)
        .set(client)
        .set(auth(org.adminKey))
        .expect(404);
    }
    await t.http().get('/api/v1/me').set(client).set(auth(org.adminKey)).expect(200);
  });
});

describe('authorised traffic', () => {
  it('is never limited, however many requests run at once, even from a client one failure short of the limit', async () => {
    const client = from('203.0.113.5');
    for (let i = 0; i < 4; i++) await t.http().get('/api/v1/me').set(client).set(wrongKey(i)).expect(401);
    const statuses: number[] = [];
    for (let round = 0; round < 6; round++) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () => t.http().get('/api/v1/me').set(client).set(auth(org.adminKey))),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(300);
    // The one failure left still counts.
    await t.http().get('/api/v1/me').set(client).set(wrongKey(4)).expect(401);
    await t.http().get('/api/v1/me').set(client).set(auth(org.adminKey)).expect(429);
  });
});

describe('digest links', () => {
  it('that were revoked or have expired count as failed guesses, like wrong ones', async () => {
    const recipients = ['first@example.org', 'second@example.org'];
    const sub = await created(t, org.adminKey, '/api/v1/digest-subscriptions', {
      name: 'Weekly',
      recipients,
      cron: '0 8 * * 1',
      timezone: 'UTC',
    });
    const subscription = await t.dataSource.getRepository(DigestSubscription).findOneByOrFail({ id: sub.id });
    await t.app.get(DigestRunsService).sendOne(subscription, t.clock.now());
    const revoked = await linkOf(t, `digest:${sub.id}:%:first@example.org`, 'd');
    const expiring = await linkOf(t, `digest:${sub.id}:%:second@example.org`, 'd');
    const [run] = await t.dataSource.query('SELECT id FROM digest_run WHERE subscription_id = $1', [sub.id]);
    await t
      .http()
      .post(`/api/v1/digests/${run.id}/links/revoke`)
      .set(auth(org.adminKey))
      .send({ recipient: 'first@example.org' })
      .expect(200);

    const client = from('203.0.113.7');
    await t.http().get(`/d/${expiring}`).set(client).expect(200);
    for (let i = 0; i < 4; i++) await t.http().get(`/d/${revoked}`).set(client).expect(410);
    await t.http().get(`/d/${revoked}/chart.png`).set(client).expect(410);
    await t.http().get(`/d/${expiring}`).set(client).expect(429);

    t.clock.advance(91 * 24 * 3_600_000);
    const late = from('203.0.113.8');
    for (let i = 0; i < 5; i++) await t.http().get(`/d/${expiring}`).set(late).expect(410);
    await t.http().get(`/d/${expiring}`).set(late).expect(429);
  });
});
