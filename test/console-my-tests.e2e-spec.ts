import { randomUUID } from 'node:crypto';

import { DateTime } from 'luxon';

import { ManualClock } from '../src/common/clock.js';
import { windowText } from '../src/common/locale.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { Browser, csrfOf, sessionFor, textOf } from './support/console.js';
import { auth } from './support/factories.js';
import { smallCampaign } from './support/small-campaign.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * "My tests" (tester): a test shows only once revealed; the form records through the same service and rules as
 * PUT /api/v1/assignments/:id/outcome; past tests are read-only after the 48 hours; decline follows the API's 409s.
 */
let t: TestApp;
let orgId: string;
let adminKey: string;
interface Test {
  id: string;
  testerId: string;
  zone: string;
  revealAt: Date;
  windowStart: Date;
}
let tests: Test[];
const browsers = new Map<string, Browser>();

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
  const { org, campaignId } = await smallCampaign(t);
  orgId = org.orgId;
  adminKey = org.adminKey;
  const rows = await t.dataSource.query(
    `SELECT a.id, a.tester_id, p.timezone, a.reveal_at, a.window_start
       FROM assignment a JOIN person p ON p.id = a.tester_id WHERE a.campaign_id = $1 ORDER BY a.window_start, a.id`,
    [campaignId],
  );
  tests = rows.map((r: Record<string, never>) => ({
    id: r.id,
    testerId: r.tester_id,
    zone: r.timezone,
    revealAt: r.reveal_at,
    windowStart: r.window_start,
  }));
});
afterAll(() => t.close());

/** Moves the clock; sessions start afresh, as their idle expiry reads the same clock. */
function setClock(at: Date): void {
  t.clock.set(at);
  browsers.clear();
}

async function browserOf(personId: string): Promise<Browser> {
  if (!browsers.has(personId)) browsers.set(personId, await sessionFor(t, { organizationId: orgId, personId }));
  return browsers.get(personId)!;
}
const get = async (personId: string, path: string) =>
  t
    .http()
    .get(path)
    .set('Cookie', (await browserOf(personId)).cookie);
async function post(personId: string, path: string, form: Record<string, string>) {
  const b = await browserOf(personId);
  return t
    .http()
    .post(path)
    .set('Cookie', b.cookie)
    .type('form')
    .send({ _csrf: b.csrf, ...form });
}
const statusOf = async (id: string) =>
  (await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [id]))[0].status as string;

function outcomeForm(test: Test, at: Date): Record<string, string> {
  return {
    attemptedAt: DateTime.fromJSDate(at, { zone: test.zone }).toFormat("yyyy-MM-dd'T'HH:mm"),
    reachedHuman: 'yes',
    secondsToHuman: '1:35',
    transfers: '0',
    disconnects: '0',
    repeatedStory: 'no',
    resolution: 'resolved',
    courtesy: '4',
    knowledge: '5',
    'answers.offered_alternative': 'no',
    notes: 'Quick and clear.',
  };
}

describe('my tests, before a reveal', () => {
  it('shows nothing of a planned test: not in the list, and its page answers as a missing id does', async () => {
    const first = tests[0];
    const list = await get(first.testerId, '/my/tests');
    expect(list.status).toBe(200);
    expect(textOf(list.text)).toContain('No test to do now.');
    expect(list.text).not.toContain(first.id);
    const planned = await get(first.testerId, `/my/tests/${first.id}`);
    const missing = await get(first.testerId, `/my/tests/${randomUUID()}`);
    expect([planned.status, missing.status]).toEqual([404, 404]);
    expect(textOf(planned.text).replaceAll(first.id, 'ID')).toBe(
      textOf(missing.text)
        .replace(/[0-9a-f-]{36}/g, 'ID')
        .replace(/error id \S+/i, ''),
    );
  });
});

describe('my tests, once revealed', () => {
  beforeAll(async () => {
    setClock(tests[0].revealAt);
    await t.app.get(JobsService).run('reveal');
  });

  it("writes each window in the tester's own zone and the reader's date format, as the form does", async () => {
    const first = tests[0];
    const end = (await t.dataSource.query('SELECT window_end FROM assignment WHERE id = $1', [first.id]))[0].window_end;
    for (const locale of ['de-DE', 'en-US']) {
      const page = await t
        .http()
        .get('/my/tests')
        .set('Cookie', (await browserOf(first.testerId)).cookie)
        .set('Accept-Language', `${locale},en;q=0.5`);
      expect(textOf(page.text)).toContain(windowText(first.windowStart, end, first.zone, locale));
      const form = await t
        .http()
        .get(`/my/tests/${first.id}`)
        .set('Cookie', (await browserOf(first.testerId)).cookie)
        .set('Accept-Language', locale);
      expect(textOf(form.text)).toContain(windowText(first.windowStart, end, first.zone, locale));
    }
    expect(windowText(first.windowStart, end, first.zone, 'de-DE')).toMatch(/^\p{L}+, \d{1,2}\. \p{L}+ \d{4} um /u);
  });

  it('lists the revealed test with its brief, and opens its form with the form token', async () => {
    const first = tests[0];
    const list = await get(first.testerId, '/my/tests');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`/my/tests/${first.id}`);
    expect(textOf(list.text)).toContain('Say you moved abroad last year');
    const page = await get(first.testerId, `/my/tests/${first.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`action="/my/tests/${first.id}"`);
    expect(page.text).toContain(`action="/my/tests/${first.id}/decline"`);
    expect(csrfOf(page.text)).toBe((await browserOf(first.testerId)).csrf);
    expect(textOf(page.text)).toContain('Were you offered an alternative?');
  });

  it("never opens another tester's test", async () => {
    const first = tests[0];
    const other = tests.find((x) => x.testerId !== first.testerId)!;
    expect((await get(other.testerId, `/my/tests/${first.id}`)).status).toBe(404);
    const posted = await post(other.testerId, `/my/tests/${first.id}`, outcomeForm(first, first.windowStart));
    expect(posted.status).toBe(404);
    expect(await statusOf(first.id)).toBe('revealed');
  });

  it('refuses a form without the form token', async () => {
    const first = tests[0];
    const b = await browserOf(first.testerId);
    const res = await t
      .http()
      .post(`/my/tests/${first.id}`)
      .set('Cookie', b.cookie)
      .type('form')
      .send(outcomeForm(first, first.windowStart));
    expect(res.status).toBe(403);
    expect(await statusOf(first.id)).toBe('revealed');
  });

  it('shows each problem beside its field, keeps what was typed, and saves nothing', async () => {
    const first = tests[0];
    setClock(new Date(first.windowStart.getTime() + 30 * 60_000));
    const { reachedHuman: _r, ...rest } = outcomeForm(first, first.windowStart);
    const res = await post(first.testerId, `/my/tests/${first.id}`, { ...rest, secondsToHuman: 'soon' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="reachedHuman-error"');
    expect(res.text).toContain('id="secondsToHuman-error"');
    expect(res.text).toContain('value="soon"');
    expect(await statusOf(first.id)).toBe('revealed');
  });

  it('records the outcome as the API does (the audit says: through a session), and flashes until when it may change', async () => {
    const first = tests[0];
    const at = new Date(first.windowStart.getTime() + 10 * 60_000);
    const res = await post(first.testerId, `/my/tests/${first.id}`, outcomeForm(first, at));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/my/tests/${first.id}`);
    expect(await statusOf(first.id)).toBe('completed');
    const [outcome] = await t.dataSource.query('SELECT id, seconds_to_human FROM outcome WHERE assignment_id = $1', [
      first.id,
    ]);
    expect(outcome.seconds_to_human).toBe(95);
    const audit = await t.http().get(`/api/v1/outcomes/${outcome.id}/audit`).set(auth(adminKey)).expect(200);
    expect(audit.body.items.map((e: { via: string }) => e.via)).toEqual(['session']);
    const page = await get(first.testerId, `/my/tests/${first.id}`);
    expect(textOf(page.text)).toMatch(/Saved\. You can change it until/);
    expect(page.text).toContain('value="1:35"'); // editable: the form, with what was saved
  });

  it('shows a past test read-only once the 48 hours have passed, and the service refuses a late change (409)', async () => {
    const first = tests[0];
    setClock(new Date(first.windowStart.getTime() + 49 * 3_600_000));
    const page = await get(first.testerId, `/my/tests/${first.id}`);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('What you recorded');
    expect(textOf(page.text)).toContain('Quick and clear.');
    expect(page.text).not.toContain(`action="/my/tests/${first.id}"`);
    const late = await post(first.testerId, `/my/tests/${first.id}`, outcomeForm(first, first.windowStart));
    expect(late.status).toBe(409);
    const list = await get(first.testerId, '/my/tests?status=completed');
    expect(list.text).toContain(`/my/tests/${first.id}`);
  });
});

describe('declining from my tests', () => {
  it('asks for a reason (the API rule), then declines before the window and answers 409 once it has begun', async () => {
    const [, second, third] = tests;
    setClock(second.revealAt);
    await t.app.get(JobsService).run('reveal');
    const before = t.clock.now();
    expect(before < second.windowStart).toBe(true);
    const empty = await post(second.testerId, `/my/tests/${second.id}/decline`, { reason: '  ' });
    expect(empty.status).toBe(400);
    expect(textOf(empty.text)).toContain('reason');
    expect(await statusOf(second.id)).toBe('revealed');
    const ok = await post(second.testerId, `/my/tests/${second.id}/decline`, { reason: 'In a board meeting' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/my/tests');
    expect(await statusOf(second.id)).toBe('declined');
    const listed = await get(second.testerId, '/my/tests');
    expect(textOf(listed.text)).toContain('You declined the test');
    const page = await get(second.testerId, `/my/tests/${second.id}`);
    expect(textOf(page.text)).toContain('You declined this test: In a board meeting.');

    setClock(third.revealAt);
    await t.app.get(JobsService).run('reveal');
    setClock(new Date(third.windowStart.getTime() + 60_000));
    const late = await post(third.testerId, `/my/tests/${third.id}/decline`, { reason: 'Too late now' });
    expect(late.status).toBe(409);
    expect(await statusOf(third.id)).toBe('revealed');
  });
});

describe('a contact made without a test, from my tests', () => {
  it('offers the touchpoints of the tester’s own tests by name, and records the contact as POST /api/v1/outcomes', async () => {
    const first = tests[0];
    setClock(new Date(first.windowStart.getTime() + 50 * 3_600_000));
    const picker = await get(first.testerId, '/my/tests/ad-hoc');
    expect(picker.status).toBe(200);
    const option = /<option value="([^"]+)"[^>]*>([^<]+)<\/option>/.exec(picker.text);
    expect(option).not.toBeNull();
    const at = option![1];
    const form = await get(first.testerId, `/my/tests/ad-hoc?at=${encodeURIComponent(at)}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('action="/my/tests/ad-hoc"');
    expect(form.text).not.toContain('Decline this test');
    const count = async () =>
      (await t.dataSource.query('SELECT count(*)::int AS n FROM outcome WHERE assignment_id IS NULL'))[0].n as number;
    const before = await count();
    // the API's rules: an ad-hoc contact is recorded within 7 days, and never in the future
    const future = await post(first.testerId, '/my/tests/ad-hoc', {
      ...outcomeForm(first, new Date(t.clock.now().getTime() + 86_400_000)),
      at,
    });
    expect(future.status).toBe(400);
    expect(future.text).toContain('id="attemptedAt-error"');
    const unknown = await post(first.testerId, '/my/tests/ad-hoc', { ...outcomeForm(first, t.clock.now()), at: 'x/y' });
    expect(unknown.status).toBe(400);
    expect(await count()).toBe(before);
    const ok = await post(first.testerId, '/my/tests/ad-hoc', {
      ...outcomeForm(first, new Date(t.clock.now().getTime() - 3_600_000)),
      at,
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/my/tests');
    expect(await count()).toBe(before + 1);
    const [row] = await t.dataSource.query(
      'SELECT tester_id, touchpoint_id FROM outcome WHERE assignment_id IS NULL ORDER BY created_at DESC LIMIT 1',
    );
    expect(row.tester_id).toBe(first.testerId);
    expect(at.startsWith(row.touchpoint_id)).toBe(true);
  });

  it('offers nothing to a tester before any test of theirs is revealed', async () => {
    const revealed = new Set(tests.slice(0, 3).map((x) => x.testerId));
    const fresh = tests.find((x) => !revealed.has(x.testerId));
    if (!fresh) return; // every tester of the small campaign has had a test revealed
    const page = await get(fresh.testerId, '/my/tests/ad-hoc');
    expect(textOf(page.text)).toContain('Nothing to record a contact at yet.');
  });
});
