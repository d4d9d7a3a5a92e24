import { ManualClock } from '../src/common/clock.js';
import { DigestPagesService } from '../src/digests/digest-pages.service.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { Browser, sessionFor, textOf } from './support/console.js';
import { handComputedCase } from './support/digest-case.js';
import { personWithKey } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * A digest subscription's preview in the console: the next digest's period filled in, and the digest for it
 * computed now and rendered as its readers' page renders it, nothing sent or kept; the same page the digest job
 * then sends for that period.
 */
let t: TestApp;
let world: Awaited<ReturnType<typeof handComputedCase>>;
let other: Awaited<ReturnType<typeof handComputedCase>>;
let quality: Browser;
let tester: Browser;

const get = (path: string, b: Browser = quality) => t.http().get(path).set('Cookie', b.cookie);
const count = async (table: string) =>
  Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-11-22T20:00:00Z') });
  world = await handComputedCase(t);
  other = await handComputedCase(t, { name: 'Other digest' });
  quality = await sessionFor(t, { organizationId: world.org.orgId, personId: world.quality.person.id });
});
afterAll(() => t.close());

describe('the preview of a subscription', () => {
  it('is linked from the subscriptions and fills in the next digest’s period (its schedule, in its zone)', async () => {
    const list = await get('/digests/subscriptions').expect(200);
    expect(list.text).toContain(`href="/digests/subscriptions/${world.sub.id}/preview"`);
    const form = await get(`/digests/subscriptions/${world.sub.id}/preview`).expect(200);
    expect(form.text).toContain(`action="/digests/subscriptions/${world.sub.id}/preview/page"`);
    // Monday 08:00 UTC is the next fire; the digest covers the 7 days before it
    expect(form.text).toContain('name="periodStart" type="text" value="2026-11-16T08:00:00Z"');
    expect(form.text).toContain('name="periodEnd" type="text" value="2026-11-23T08:00:00Z"');
  });

  it('renders the digest as its readers’ page does, sends and keeps nothing, and is what the job then sends', async () => {
    const [runs, mails] = [await count('digest_run'), await count('outbox_message')];
    const query = '?periodStart=2026-11-16T08:00:00Z&periodEnd=2026-11-23T08:00:00Z';
    const preview = await get(`/digests/subscriptions/${world.sub.id}/preview/page${query}`).expect(200);
    expect(preview.headers['cache-control']).toBe('no-store');
    expect(preview.text).toContain('<p>Monday digest · 16 Nov 2026 – 23 Nov 2026</p>');
    const api = await t
      .http()
      .get(`/api/v1/digest-subscriptions/${world.sub.id}/preview${query}`)
      .set('Authorization', `Bearer ${world.quality.key}`)
      .expect(200);
    expect(api.body.rows.length).toBe(5);
    expect(textOf(preview.text)).toContain(api.body.headline);
    expect([await count('digest_run'), await count('outbox_message')]).toEqual([runs, mails]);

    t.clock.set('2026-11-23T08:00:30Z');
    await t.app.get(JobsService).run('digest');
    const [run]: Array<{ id: string }> = await t.dataSource.query(
      'SELECT id FROM digest_run WHERE subscription_id = $1',
      [world.sub.id],
    );
    const sent = (await t.app.get(DigestPagesService).page(run.id)).html.toString('utf8');
    expect(preview.text).toBe(sent);
    // the sessions signed in before the night have lapsed
    quality = await sessionFor(t, { organizationId: world.org.orgId, personId: world.quality.person.id });
    const someTester = await personWithKey(t, world.org.adminKey, ['tester']);
    tester = await sessionFor(t, { organizationId: world.org.orgId, personId: someTester.person.id });
  });

  it('re-shows the period form with the API’s rule beside a bad field (400)', async () => {
    const bad = await get(`/digests/subscriptions/${world.sub.id}/preview/page?periodStart=soon`);
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="field-periodStart-error">[^<]*periodStart/);
    const backwards = await get(
      `/digests/subscriptions/${world.sub.id}/preview/page?periodStart=2026-11-20&periodEnd=2026-11-10`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('id="field-periodEnd-error">periodEnd must be after periodStart');
  });

  it('is not there for another organisation’s subscription (404), nor open to a tester (403)', async () => {
    expect((await get(`/digests/subscriptions/${other.sub.id}/preview`)).status).toBe(404);
    expect((await get(`/digests/subscriptions/${other.sub.id}/preview/page?periodStart=2026-11-16`)).status).toBe(404);
    expect((await get(`/digests/subscriptions/${world.sub.id}/preview`, tester)).status).toBe(403);
  });
});
