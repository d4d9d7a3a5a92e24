import { Browser, sessionFor, textOf } from './support/console.js';
import { auth, newOrganization, personWithKey, scenarioBody, TestOrganization } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The admin's Scenarios pages: list, add and edit with question rows added, removed and reordered. */
let t: TestApp;
let org: TestOrganization;
let other: TestOrganization;
let admin: Browser;

beforeAll(async () => {
  t = await createTestApp();
  org = await newOrganization(t, 'Harbour Bank');
  other = await newOrganization(t, 'Inland Rail');
  admin = await sessionFor(t, { organizationId: org.orgId, personId: org.adminId });
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

const question = (i: number, q: Record<string, string>): Array<[string, string]> =>
  Object.entries({ order: String(i + 1), ...q }).map(([k, v]) => [`questions[${i}].${k}`, v]);

const scenario = (title = 'Port my number'): Array<[string, string]> => [
  ['title', title],
  ['brief', 'Say you moved away and want your old number back.'],
  ['channels', 'phone'],
  ['channels', 'chat'],
  ...question(0, { key: 'offered_deal', label: 'Was a deal offered?', type: 'yes_no', required: 'yes' }),
  ...question(1, { key: 'tone', label: 'Tone', type: 'choice', options: 'warm\ncurt\n' }),
  ...question(2, { key: '', label: '', type: '', options: '' }),
];

const apiScenario = async (q: string) =>
  (
    await t
      .http()
      .get(`/api/v1/scenarios?q=${encodeURIComponent(q)}`)
      .set(auth(org.adminKey))
      .expect(200)
  ).body.items[0];

describe('scenarios', () => {
  it('adds one with its question rows (a blank spare row ignored)', async () => {
    expect((await get('/scenarios/new')).text).toContain('name="questions[0].key"');
    const res = await post('/scenarios', scenario());
    expect(res.status).toBe(303);
    expect(await apiScenario('Port my number')).toMatchObject({
      channels: ['phone', 'chat'],
      questions: [
        { key: 'offered_deal', label: 'Was a deal offered?', type: 'yes_no', required: true },
        { key: 'tone', label: 'Tone', type: 'choice', required: false, options: ['warm', 'curt'] },
      ],
    });
    expect(textOf((await get('/scenarios')).text)).toContain('Port my number is added.');
  });

  it("refuses bad question rows with the API's words beside them, keeping the rows", async () => {
    const res = await post('/scenarios', [
      ['title', 'Broken'],
      ['brief', 'x'],
      ...question(0, { key: 'Bad Key', label: 'Q', type: 'yes_no' }),
      ...question(1, { key: 'pick', label: 'Pick', type: 'choice', options: 'only one' }),
      ...question(2, { key: 'count', label: 'Count', type: 'number', options: 'a\nb' }),
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="field-channels-error"/);
    expect(res.text).toMatch(/id="field-questions-0--key-error"[^>]*>key must be snake_case/);
    expect(res.text).toMatch(/id="field-questions-1--options-error"[^>]*>options must contain at least 2 elements/);
    expect(res.text).toMatch(/id="field-questions-2--options-error"[^>]*>options are allowed only when type is choice/);
    expect(res.text).toContain('value="Bad Key"');
    expect(await apiScenario('Broken')).toBeUndefined();
  });

  it('edits: removes a question, reorders by the order numbers, adds one in a spare row', async () => {
    const s = await apiScenario('Port my number');
    const page = await get(`/scenarios/${s.id}`);
    expect(page.text).toContain('value="offered_deal"');
    const res = await post(`/scenarios/${s.id}`, [
      ['title', 'Port my number'],
      ['brief', 'Same.'],
      ['channels', 'phone'],
      ...question(0, { key: 'offered_deal', label: 'Was a deal offered?', type: 'yes_no', remove: 'yes' }),
      ...question(1, { key: 'tone', label: 'Tone', type: 'choice', options: 'warm\ncurt', order: '5' }),
      ...question(2, { key: 'wait_time', label: 'Time to answer', type: 'seconds', order: '2' }),
    ]);
    expect(res.status).toBe(303);
    const now = await apiScenario('Port my number');
    expect(now.questions.map((q: { key: string }) => q.key)).toEqual(['wait_time', 'tone']);
    expect(now.channels).toEqual(['phone']);
  });

  it('lists by channel, and answers 404 for another organization and 403 to a non-admin', async () => {
    await t
      .http()
      .post('/api/v1/scenarios')
      .set(auth(org.adminKey))
      .send(scenarioBody({ title: 'Walk in', channels: ['in_person'] }));
    const phone = textOf((await get('/scenarios?channel=phone')).text);
    expect(phone).toContain('Port my number');
    expect(phone).not.toContain('Walk in');
    const theirs = await t
      .http()
      .post('/api/v1/scenarios')
      .set(auth(other.adminKey))
      .send(scenarioBody({ title: 'Their secret script' }))
      .expect(201);
    const r = await get(`/scenarios/${theirs.body.id}`);
    expect(r.status).toBe(404);
    expect(textOf(r.text)).not.toContain('Their secret script');
    expect((await post(`/scenarios/${theirs.body.id}`, scenario())).status).toBe(404);
    const q = await personWithKey(t, org.adminKey, ['tester']);
    const b = await sessionFor(t, { organizationId: org.orgId, personId: q.person.id });
    expect((await get('/scenarios', b)).status).toBe(403);
    expect((await post('/scenarios', scenario('By tester'), b)).status).toBe(403);
  });
});
