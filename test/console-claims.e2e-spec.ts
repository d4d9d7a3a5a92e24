import { ManualClock } from '../src/common/clock.js';
import { Browser, sessionFor, textOf } from './support/console.js';
import { auth, newOrganization, personWithKey, touchpointBody, TestOrganization } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The quality lead's claims and digest-subscription pages: entering, listing, filtering, changing, deleting and
 * importing claims, a claim's history, and the digest subscriptions, through the same services as the API.
 */
let t: TestApp;
let org: TestOrganization;
let other: TestOrganization;
let quality: Browser;
let qualityKey: string;
let qualityName: string;
let tester: Browser;
let line: { id: string; name: string };
let chat: { id: string; name: string };
let otherClaimId: string;
let otherSubId: string;
let reader: { id: string; name: string };

const get = (b: Browser, path: string) => t.http().get(path).set('Cookie', b.cookie);
const post = (b: Browser, path: string, form: Record<string, string | string[]>) =>
  t
    .http()
    .post(path)
    .set('Cookie', b.cookie)
    .type('form')
    .send({ _csrf: b.csrf, ...form });
const apiClaims = async (query = '') =>
  (await t.http().get(`/api/v1/claims${query}`).set(auth(qualityKey)).expect(200)).body as {
    items: Array<Record<string, unknown>>;
    total: number;
  };
/** The error shown beside a field of a re-shown form. */
const errorOf = (html: string, field: string) =>
  new RegExp(`id="field-${field}-error">([^<]*)<`).exec(html)?.[1] ?? null;

const claimForm = (over: Record<string, string> = {}) => ({
  touchpointId: line.id,
  team: '',
  channel: '',
  metric: 'answer_rate',
  periodStart: '2026-11-16',
  periodEnd: '2026-11-22',
  value: '0.96',
  source: 'Weekly operations review',
  reportedAt: '2026-11-23',
  ...over,
});

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-11-25T10:00:00Z') });
  org = await newOrganization(t, 'Harbour Bank');
  other = await newOrganization(t, 'Inland Rail');
  const tp = async (key: string, body: Record<string, unknown>) =>
    (await t.http().post('/api/v1/touchpoints').set(auth(key)).send(touchpointBody(body)).expect(201)).body;
  line = await tp(org.adminKey, { name: 'General line' });
  chat = await tp(org.adminKey, {
    name: 'Web chat',
    channel: 'chat',
    contact: 'https://example.org/chat',
    team: 'digital',
  });
  const q = await personWithKey(t, org.adminKey, ['quality'], { name: 'Quinn Quality' });
  qualityKey = q.key;
  qualityName = 'Quinn Quality';
  quality = await sessionFor(t, { organizationId: org.orgId, personId: q.person.id });
  const someTester = await personWithKey(t, org.adminKey, ['tester']);
  tester = await sessionFor(t, { organizationId: org.orgId, personId: someTester.person.id });
  const r = await personWithKey(t, org.adminKey, ['owner'], { name: 'Rowan Reader' });
  reader = { id: r.person.id, name: 'Rowan Reader' };
  const otherLine = await tp(other.adminKey, { name: 'Other line' });
  otherClaimId = (
    await t
      .http()
      .post('/api/v1/claims')
      .set(auth(other.adminKey))
      .send({
        touchpointId: otherLine.id,
        metric: 'answer_rate',
        value: 0.5,
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
        source: 'Other review',
        reportedAt: '2026-11-23',
      })
      .expect(201)
  ).body.id;
  otherSubId = (
    await t
      .http()
      .post('/api/v1/digest-subscriptions')
      .set(auth(other.adminKey))
      .send({ name: 'Other digest', recipients: ['x@example.org'], cron: '0 8 * * 1', timezone: 'UTC' })
      .expect(201)
  ).body.id;
});
afterAll(() => t.close());

describe('claims', () => {
  let claimId: string;

  it('enters a claim from the form (touchpoint picked by name) and lists it with a flash', async () => {
    const form = await get(quality, '/claims/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain(`<option value="${line.id}">General line (phone)</option>`);
    const r = await post(quality, '/claims', claimForm());
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/claims');
    const list = await get(quality, '/claims');
    const text = textOf(list.text);
    expect(text).toContain('The claim is entered');
    expect(text).toContain('General line');
    expect(text).toContain('96 %');
    expect(text).toContain('Weekly operations review');
    const api = await apiClaims();
    expect(api.total).toBe(1);
    expect(api.items[0]).toMatchObject({ touchpointId: line.id, value: 0.96, metric: 'answer_rate' });
    claimId = api.items[0].id as string;
    expect(list.text).toContain(`href="/claims/${claimId}/history"`);
    expect(text).not.toContain('Other review');
  });

  it('reads "85%" as 0.85, as the CSV import does', async () => {
    const r = await post(quality, '/claims', claimForm({ value: '85%', touchpointId: chat.id, source: 'Chat review' }));
    expect(r.status).toBe(303);
    expect((await apiClaims(`?touchpointId=${chat.id}`)).items[0].value).toBe(0.85);
  });

  it("shows the API's rules beside their fields and keeps nothing of a refused form", async () => {
    const before = (await apiClaims()).total;
    const r = await post(
      quality,
      '/claims',
      claimForm({ value: '1.5', periodStart: '2026-11-22', periodEnd: '2026-11-16', source: '' }),
    );
    expect(r.status).toBe(400);
    expect(errorOf(r.text, 'value')).toContain('value must be a fraction from 0 to 1 (96 % is 0.96) for answer_rate');
    expect(errorOf(r.text, 'periodEnd')).toMatch(/periodEnd/);
    expect(errorOf(r.text, 'source')).toMatch(/source/);
    expect(r.text).toContain('aria-invalid="true"');
    expect(r.text).toContain('value="1.5"'); // what was typed stays
    expect((await apiClaims()).total).toBe(before);
  });

  it("shows the service's scope rule beside its field: a team's wait needs a channel", async () => {
    const r = await post(
      quality,
      '/claims',
      claimForm({ touchpointId: '', team: 'contact-centre', metric: 'median_seconds_to_human', value: '45' }),
    );
    expect(r.status).toBe(400);
    expect(errorOf(r.text, 'channel')).toMatch(/channel/);
    const ok = await post(
      quality,
      '/claims',
      claimForm({
        touchpointId: '',
        team: 'contact-centre',
        channel: 'phone',
        metric: 'median_seconds_to_human',
        value: '45',
      }),
    );
    expect(ok.status).toBe(303);
  });

  it('filters by touchpoint, team and metric (pickers by name), and names a bad filter', async () => {
    const byTp = textOf((await get(quality, `/claims?touchpointId=${chat.id}`)).text);
    expect(byTp).toContain('Chat review');
    expect(byTp).not.toContain('Weekly operations review');
    const byMetric = textOf((await get(quality, '/claims?metric=median_seconds_to_human')).text);
    expect(byMetric).toContain('Team contact-centre');
    expect(byMetric).not.toContain('Chat review');
    const byTeam = await get(quality, '/claims?team=contact-centre');
    expect(byTeam.text).toContain('<option value="digital">digital</option>');
    expect(textOf(byTeam.text)).not.toContain('Chat review');
    const bad = await get(quality, '/claims?metric=nonsense&from=yesterday');
    expect(bad.status).toBe(400);
    expect(errorOf(bad.text, 'metric')).toContain('metric must be one of');
    expect(errorOf(bad.text, 'from')).toMatch(/from/);
  });

  it('changes a claim, and its history shows each version: who, when, through what, before → after', async () => {
    const form = await get(quality, `/claims/${claimId}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="0.96"');
    const r = await post(quality, `/claims/${claimId}`, claimForm({ value: '0.9' }));
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`/claims/${claimId}/history`);
    const history = await get(quality, `/claims/${claimId}/history`);
    expect(history.status).toBe(200);
    const text = textOf(history.text);
    expect(text).toContain('The claim is changed');
    expect(text).toContain('History of General line: answer_rate');
    expect(text).toContain('created');
    expect(text).toContain('updated');
    expect(text).toContain('value: 0.96 → 0.9');
    expect(text).toContain(qualityName);
    const api = (await t.http().get(`/api/v1/claims/${claimId}/history`).set(auth(qualityKey)).expect(200)).body;
    expect(api.total).toBe(2);
  });

  it("keeps a team no touchpoint has among the team picker's choices, chosen, so a save never drops it", async () => {
    const id = (
      await t
        .http()
        .post('/api/v1/claims')
        .set(auth(qualityKey))
        .send({
          team: 'finance',
          metric: 'answer_rate',
          value: 0.7,
          periodStart: '2026-11-16',
          periodEnd: '2026-11-22',
          source: 'Finance review',
          reportedAt: '2026-11-23',
        })
        .expect(201)
    ).body.id;
    const form = await get(quality, `/claims/${id}/edit`);
    expect(form.text).toContain('<option value="finance" selected>finance</option>');
  });

  it('refuses a bad change with the rule beside its field, leaving the claim as it was', async () => {
    const r = await post(quality, `/claims/${claimId}`, claimForm({ value: 'lots' }));
    expect(r.status).toBe(400);
    expect(errorOf(r.text, 'value')).toMatch(/value must be a number/);
    expect((await t.http().get(`/api/v1/claims/${claimId}`).set(auth(qualityKey))).body.value).toBe(0.9);
  });

  it("answers another organization's claim with 404, a tester with 403, a form without its token with 403", async () => {
    expect((await get(quality, `/claims/${otherClaimId}/edit`)).status).toBe(404);
    expect((await get(quality, `/claims/${otherClaimId}/history`)).status).toBe(404);
    expect((await post(quality, `/claims/${otherClaimId}`, claimForm())).status).toBe(404);
    expect((await post(quality, `/claims/${otherClaimId}/delete`, {})).status).toBe(404);
    for (const path of ['/claims', '/claims/new', '/claims/import', `/claims/${claimId}/history`])
      expect([path, (await get(tester, path)).status]).toEqual([path, 403]);
    const forged = await t.http().post('/claims').set('Cookie', quality.cookie).type('form').send(claimForm());
    expect(forged.status).toBe(403);
  });

  it('deletes a claim; its history stays readable, ending with the deletion', async () => {
    const r = await post(quality, `/claims/${claimId}/delete`, {});
    expect(r.status).toBe(303);
    const history = textOf((await get(quality, `/claims/${claimId}/history`)).text);
    expect(history).toContain('The claim is deleted');
    expect(history).toContain('deleted');
    expect((await get(quality, '/claims')).text).not.toContain(`/claims/${claimId}/`);
    await t.http().get(`/api/v1/claims/${claimId}`).set(auth(qualityKey)).expect(404);
  });
});

describe('claims: CSV import', () => {
  const HEADER = 'touchpoint,team,channel,metric,periodStart,periodEnd,value,source,reportedAt';

  it('imports every row, touchpoints by name, and says how many', async () => {
    const before = (await apiClaims()).total;
    const csv = [
      HEADER,
      'General line,,,answer_rate,2026-11-09,2026-11-15,94%,Imported review,2026-11-16T10:00:00Z',
      ',digital,chat,median_seconds_to_human,2026-11-09,2026-11-15,30,Imported review,2026-11-16',
    ].join('\n');
    const r = await post(quality, '/claims/import', { csv });
    expect(r.status).toBe(303);
    expect(textOf((await get(quality, '/claims')).text)).toContain('Imported 2 claims.');
    expect((await apiClaims()).total).toBe(before + 2);
  });

  it('shows every bad row (row, field, rule) and imports none, keeping the text', async () => {
    const before = (await apiClaims()).total;
    const csv = [
      HEADER,
      'General line,,,answer_rate,2026-11-09,2026-11-15,0.9,Fine row,2026-11-16',
      'Nowhere line,,,answer_rate,2026-11-09,2026-11-15,0.9,Bad touchpoint,2026-11-16',
      'General line,,,answer_rate,2026-11-09,2026-11-15,1.7,Bad value,2026-11-16',
      'General line,,,no_such_metric,2026-11-09,2026-11-15,0.9,Bad metric,2026-11-16',
    ].join('\n');
    const r = await post(quality, '/claims/import', { csv });
    expect(r.status).toBe(400);
    const rows = [...r.text.matchAll(/<tr><td>(\d+)<\/td><td>\d+<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td>/g)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    expect(rows).toEqual(expect.arrayContaining(['2 touchpoint exists', '3 value fitsMetric', '4 metric isIn']));
    expect(textOf(r.text)).toContain('Nothing was imported: 3 row(s) have errors');
    expect(r.text).toContain('Nowhere line'); // the text stays in the box to correct
    expect((await apiClaims()).total).toBe(before);
  });

  it('names a missing column', async () => {
    const r = await post(quality, '/claims/import', { csv: 'touchpoint,metric\nGeneral line,answer_rate' });
    expect(r.status).toBe(400);
    expect(textOf(r.text)).toMatch(/periodStart/);
  });
});

describe('digest subscriptions', () => {
  let subId: string;

  it('adds a subscription: recipients and touchpoints picked by name, schedule, zone', async () => {
    const form = await get(quality, '/digests/subscriptions/new');
    expect(form.status).toBe(200);
    expect(textOf(form.text)).toContain(reader.name);
    expect(textOf(form.text)).toContain('Web chat (chat)');
    const r = await post(quality, '/digests/subscriptions', {
      name: 'Monday digest',
      people: [reader.id],
      emails: 'board@example.org',
      touchpointIds: [line.id, chat.id],
      team: '',
      cron: '0 8 * * 1',
      timezone: 'Europe/London',
      periodDays: '7',
      minContacts: '5',
    });
    expect(r.status).toBe(303);
    const list = await get(quality, '/digests/subscriptions');
    const text = textOf(list.text);
    expect(text).toContain('The digest Monday digest is added.');
    expect(text).toContain(`${reader.name}, board@example.org`);
    expect(text).toContain('General line, Web chat');
    expect(text).toContain('0 8 * * 1 (Europe/London)');
    expect(text).not.toContain('Other digest');
    const api = (await t.http().get('/api/v1/digest-subscriptions').set(auth(qualityKey)).expect(200)).body;
    expect(api.items[0]).toMatchObject({
      name: 'Monday digest',
      recipients: ['board@example.org', reader.id],
      touchpointIds: [line.id, chat.id],
      timezone: 'Europe/London',
    });
    subId = api.items[0].id;
    expect(list.text).toContain(`href="/digests?subscriptionId=${subId}"`);
    expect((await get(quality, '/digests')).text).toContain('href="/digests/subscriptions"');
  });

  it("shows the API's rules beside their fields, and adds nothing", async () => {
    const r = await post(quality, '/digests/subscriptions', {
      name: '',
      emails: 'not-an-address',
      cron: 'every monday',
      timezone: 'Mars/Olympus',
      periodDays: '200',
    });
    expect(r.status).toBe(400);
    expect(errorOf(r.text, 'name')).toMatch(/name/);
    expect(errorOf(r.text, 'people')).toContain('email address or the id of a person');
    expect(errorOf(r.text, 'cron')).toContain('cron expression of 5 fields');
    expect(errorOf(r.text, 'timezone')).toMatch(/timezone/);
    expect(errorOf(r.text, 'periodDays')).toMatch(/periodDays/);
    const none = await post(quality, '/digests/subscriptions', { name: 'Empty', cron: '0 8 * * 1', timezone: 'UTC' });
    expect(none.status).toBe(400);
    expect(errorOf(none.text, 'people')).toMatch(/recipients/);
    expect((await t.http().get('/api/v1/digest-subscriptions').set(auth(qualityKey))).body.total).toBe(1);
  });

  it('changes a subscription: a team instead of touchpoints, another schedule', async () => {
    const form = await get(quality, `/digests/subscriptions/${subId}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`value="${reader.id}" checked`);
    const r = await post(quality, `/digests/subscriptions/${subId}`, {
      name: 'Monday digest',
      people: [reader.id],
      emails: '',
      team: 'digital',
      cron: '0 7 * * 1',
      timezone: 'UTC',
      periodDays: '14',
      minContacts: '3',
    });
    expect(r.status).toBe(303);
    const text = textOf((await get(quality, '/digests/subscriptions')).text);
    expect(text).toContain('Team digital');
    expect(text).toContain('14 days, verdicts from 3 contacts');
    const api = (await t.http().get(`/api/v1/digest-subscriptions/${subId}`).set(auth(qualityKey))).body;
    expect(api).toMatchObject({ recipients: [reader.id], touchpointIds: [], team: 'digital', cron: '0 7 * * 1' });
  });

  it("answers another organization's subscription with 404 and a tester with 403", async () => {
    expect((await get(quality, `/digests/subscriptions/${otherSubId}/edit`)).status).toBe(404);
    expect((await post(quality, `/digests/subscriptions/${otherSubId}`, { name: 'x' })).status).toBe(404);
    expect((await post(quality, `/digests/subscriptions/${otherSubId}/delete`, {})).status).toBe(404);
    for (const path of ['/digests/subscriptions', '/digests/subscriptions/new', `/digests/subscriptions/${subId}/edit`])
      expect([path, (await get(tester, path)).status]).toEqual([path, 403]);
  });

  it('deletes a subscription', async () => {
    const r = await post(quality, `/digests/subscriptions/${subId}/delete`, {});
    expect(r.status).toBe(303);
    const text = textOf((await get(quality, '/digests/subscriptions')).text);
    expect(text).toContain('is deleted');
    expect(text).toContain('No digest goes out yet.');
    await t.http().get(`/api/v1/digest-subscriptions/${subId}`).set(auth(qualityKey)).expect(404);
  });
});
