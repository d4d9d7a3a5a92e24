import { Browser, sessionFor, textOf } from './support/console.js';
import {
  auth,
  newOrganization,
  personWithKey,
  scenarioBody,
  TestOrganization,
  touchpointBody,
} from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The admin's Campaigns pages: pickers by name (never a typed id), edit, and planning from the page. */
let t: TestApp;
let org: TestOrganization;
let other: TestOrganization;
let admin: Browser;
const ids: Record<string, string> = {};

const allWeek = ['mon', 'tue', 'wed', 'thu', 'fri'];

beforeAll(async () => {
  t = await createTestApp();
  org = await newOrganization(t, 'Harbour Bank');
  other = await newOrganization(t, 'Inland Rail');
  admin = await sessionFor(t, { organizationId: org.orgId, personId: org.adminId });
  for (const name of ['Tess Tester', 'Theo Tester']) {
    const { person } = await personWithKey(t, org.adminKey, ['tester'], {
      name,
      workingHours: allWeek.map((day) => ({ day, start: '00:00', end: '24:00' })),
    });
    ids[name] = person.id;
  }
  for (const [name, team, channel] of [
    ['Leeds line', 'care', 'phone'],
    ['York line', 'care', 'phone'],
    ['Web chat', 'digital', 'chat'],
  ]) {
    const body = touchpointBody({
      name,
      team,
      channel,
      contact: channel === 'chat' ? 'https://example.org/chat' : '+44 20 7946 0000',
      openingHours: allWeek.map((day) => ({ day, open: '09:00', close: '17:00' })),
    });
    ids[name] = (await t.http().post('/api/v1/touchpoints').set(auth(org.adminKey)).send(body).expect(201)).body.id;
  }
  await t
    .http()
    .post('/api/v1/scenarios')
    .set(auth(org.adminKey))
    .send(scenarioBody({ title: 'Cancel my plan', channels: ['phone'] }));
  await personWithKey(t, other.adminKey, ['tester'], { name: 'Foreign Tester' });
  await t
    .http()
    .post('/api/v1/touchpoints')
    .set(auth(other.adminKey))
    .send(touchpointBody({ name: 'Foreign line' }));
});
afterAll(() => t.close());

const post = (path: string, fields: Array<[string, string]>, b = admin) =>
  t
    .http()
    .post(path)
    .set('Cookie', b.cookie)
    .type('form')
    .send(new URLSearchParams([['_csrf', b.csrf], ...fields]).toString());
const get = (path: string, b = admin) => t.http().get(path).set('Cookie', b.cookie);

const campaignFields = (over: Array<[string, string]> = []): Array<[string, string]> => [
  ['name', 'Winter calls'],
  ['touchpointIds', ids['Leeds line']],
  ['touchpointIds', ids['York line']],
  ['team', ''],
  ['testerIds', ids['Tess Tester']],
  ['testerIds', ids['Theo Tester']],
  ['startsOn', '2026-11-02'],
  ['endsOn', ''],
  ['contactsPerTouchpointPerWeek', '2'],
  ['windowMinutes', '60'],
  ['holdLeadMinutes', ''],
  ['minSpacingHours', '24'],
  ...over,
];

let campaignId: string;

describe('adding a campaign', () => {
  it('offers touchpoints by name, team and channel, testers and scenarios by name, all of its own organization', async () => {
    const page = await get('/campaigns/new');
    expect(page.status).toBe(200);
    const text = textOf(page.text);
    expect(text).toContain('Leeds line — Phone, care');
    expect(text).toContain('Web chat — Chat, digital');
    expect(text).toContain('Tess Tester');
    expect(text).toContain('Cancel my plan — Phone');
    expect(page.text).toContain('<option value="digital">digital</option>');
    expect(text).not.toMatch(/Foreign/);
    // every id is a checkbox's value, none a field to type into
    expect(page.text).not.toMatch(/type="text"[^>]*name="(touchpointIds|testerIds|scenarioIds)"/);
    expect(page.text).toContain(`type="checkbox" name="touchpointIds" value="${ids['Leeds line']}"`);
  });

  it("refuses a bad form with the API's words beside each field", async () => {
    const res = await post('/campaigns', [
      ['name', ''],
      ['startsOn', '2026-11-02'],
      ['endsOn', '2026-10-01'],
      ['contactsPerTouchpointPerWeek', '30'],
      ['windowMinutes', '50'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="field-testerIds-error"/);
    expect(res.text).toMatch(
      /id="field-contactsPerTouchpointPerWeek-error"[^>]*>contactsPerTouchpointPerWeek must not be greater than 21/,
    );
    expect(res.text).toMatch(/id="field-windowMinutes-error"[^>]*>windowMinutes must be a multiple of 15/);
    expect(res.text).toMatch(/id="field-endsOn-error"/);
  });

  it("will not take another organization's tester posted by hand", async () => {
    const foreign = (await personWithKey(t, other.adminKey, ['tester'])).person.id;
    const res = await post('/campaigns', campaignFields([['testerIds', foreign]]));
    expect(res.status).toBe(400);
    const list = await t.http().get('/api/v1/campaigns').set(auth(org.adminKey)).expect(200);
    expect(list.body.total).toBe(0);
  });

  it('creates it from the pickers and opens its page', async () => {
    const res = await post('/campaigns', campaignFields());
    expect(res.status).toBe(303);
    const list = await t.http().get('/api/v1/campaigns').set(auth(org.adminKey)).expect(200);
    campaignId = list.body.items[0].id;
    expect(res.headers.location).toBe(`/campaigns/${campaignId}`);
    expect(list.body.items[0]).toMatchObject({
      touchpointIds: [ids['Leeds line'], ids['York line']],
      testerIds: [ids['Tess Tester'], ids['Theo Tester']],
      contactsPerTouchpointPerWeek: 2,
      holdLeadMinutes: null,
      endsOn: null,
    });
    const page = await get(res.headers.location);
    expect(textOf(page.text)).toContain('Winter calls is added');
    expect(page.text).toMatch(new RegExp(`value="${ids['Leeds line']}" checked`));
  });
});

describe('planning from the page', () => {
  it('plans a period and says what was planned and what was left unfilled, with reasons', async () => {
    const res = await post(`/campaigns/${campaignId}/plan`, [
      ['from', '2026-11-09'],
      ['to', '2026-11-15'],
    ]);
    expect(res.status).toBe(303);
    const text = textOf((await get(`/campaigns/${campaignId}`)).text);
    expect(text).toMatch(/Planned 4 test\(s\) in the week\(s\) of 2026-11-09/);
    expect(text).toContain('no slot unfilled');
    const again = await post(`/campaigns/${campaignId}/plan`, [
      ['from', '2026-11-09'],
      ['to', '2026-11-15'],
    ]);
    expect(again.status).toBe(303);
    expect(textOf((await get(`/campaigns/${campaignId}`)).text)).toMatch(
      /Planned 0 test\(s\).*already planned, nothing added: 2026-11-09/,
    );
  });

  it("plans after an edit, naming each unfilled slot's touchpoint and reason", async () => {
    // one tester left, who tested both lines the week before: rotation leaves every slot unfilled
    const oneTester = campaignFields([['testerWeeklyCap', '1']]).filter(([, v]) => v !== ids['Theo Tester']);
    const saved = await post(`/campaigns/${campaignId}`, oneTester);
    expect(saved.status).toBe(303);
    const res = await post(`/campaigns/${campaignId}/plan`, [
      ['from', '2026-11-16'],
      ['to', '2026-11-22'],
      ['replan', 'yes'],
    ]);
    expect(res.status).toBe(303);
    const text = textOf((await get(`/campaigns/${campaignId}`)).text);
    expect(text).toContain('Planned 0 test(s) in the week(s) of 2026-11-16. 4 slot(s) unfilled: ');
    expect(text).toMatch(/unfilled: (Leeds|York) line \(week of 2026-11-16\): rotation — every available tester/);
    // re-planning a week already planned withdraws its unrevealed tests first (Theo's went when he left the pool)
    await post(`/campaigns/${campaignId}/plan`, [
      ['from', '2026-11-09'],
      ['to', '2026-11-15'],
      ['replan', 'yes'],
    ]);
    expect(textOf((await get(`/campaigns/${campaignId}`)).text)).toMatch(
      /in the week\(s\) of 2026-11-09\. 2 unrevealed test\(s\) withdrawn to plan again/,
    );
  });

  it('refuses a period the planner will not take, beside its field', async () => {
    const res = await post(`/campaigns/${campaignId}/plan`, [
      ['from', '2026-11-16'],
      ['to', '2026-11-01'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="field-to-error"/);
    const outside = await post(`/campaigns/${campaignId}/plan`, [
      ['from', '2026-01-01'],
      ['to', '2026-01-31'],
    ]);
    expect(outside.status).toBe(400);
    expect(outside.text).toMatch(/id="field-to-error"[^>]*>the period must overlap the campaign/);
  });
});

describe('access', () => {
  it("answers 404 for another organization's campaign and 403 to a non-admin", async () => {
    const tester = await personWithKey(t, other.adminKey, ['tester']);
    const theirs = await t
      .http()
      .post('/api/v1/campaigns')
      .set(auth(other.adminKey))
      .send({
        name: 'Their secret campaign',
        testerIds: [tester.person.id],
        channels: ['phone'],
        contactsPerTouchpointPerWeek: 1,
        startsOn: '2026-11-02',
      });
    expect(theirs.body).toMatchObject({ name: 'Their secret campaign' });
    const r = await get(`/campaigns/${theirs.body.id}`);
    expect(r.status).toBe(404);
    expect(textOf(r.text)).not.toContain('Their secret campaign');
    expect(
      (
        await post(`/campaigns/${theirs.body.id}/plan`, [
          ['from', '2026-11-09'],
          ['to', '2026-11-15'],
        ])
      ).status,
    ).toBe(404);
    const q = await personWithKey(t, org.adminKey, ['quality']);
    const b = await sessionFor(t, { organizationId: org.orgId, personId: q.person.id });
    expect((await get('/campaigns', b)).status).toBe(403);
    expect(
      (
        await post(
          `/campaigns/${campaignId}/plan`,
          [
            ['from', '2026-11-09'],
            ['to', '2026-11-15'],
          ],
          b,
        )
      ).status,
    ).toBe(403);
  });
});

describe('a campaign by need (issue 16)', () => {
  it('takes its budget and floor from the form, refuses a budget below the floors beside its field, and lists it', async () => {
    const byNeed = (budget: string): Array<[string, string]> => [
      ...campaignFields().filter(([k]) => k !== 'name'),
      ['name', 'Claims first'],
      ['allocation', 'by-need'],
      ['weeklyBudget', budget],
      ['floorPerTouchpoint', '1'],
    ];
    const refused = await post('/campaigns', byNeed('1'));
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(
      /id="field-weeklyBudget-error"[^>]*>weeklyBudget must cover the floor of every touchpoint/,
    );
    const res = await post('/campaigns', byNeed('3'));
    expect(res.status).toBe(303);
    const id = res.headers.location.split('/').pop();
    const api = await t.http().get(`/api/v1/campaigns/${id}`).set(auth(org.adminKey)).expect(200);
    expect(api.body).toMatchObject({ allocation: 'by-need', weeklyBudget: 3, floorPerTouchpoint: 1 });
    expect(textOf((await get('/campaigns?q=Claims')).text)).toContain('3 by need (at least 1 each)');
    const form = await get(`/campaigns/${id}`);
    expect(form.text).toMatch(/<option value="by-need" selected/);
  });
});
