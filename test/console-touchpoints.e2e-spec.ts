import { Browser, sessionFor, textOf } from './support/console.js';
import { auth, newOrganization, personWithKey, TestOrganization, touchpointBody } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The admin's Touchpoints pages: list and filters, add and edit with a week grid, closures, an owner by name. */
let t: TestApp;
let org: TestOrganization;
let other: TestOrganization;
let admin: Browser;
let ownerId: string;

beforeAll(async () => {
  t = await createTestApp();
  org = await newOrganization(t, 'Harbour Bank');
  other = await newOrganization(t, 'Inland Rail');
  admin = await sessionFor(t, { organizationId: org.orgId, personId: org.adminId });
  ownerId = (await personWithKey(t, org.adminKey, ['owner'], { name: 'Olu Owner' })).person.id;
  await personWithKey(t, other.adminKey, ['owner'], { name: 'Foreign Owner' });
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

/** The form as the week grid posts it: every span row with its hidden day, blank spares included. */
const touchpoint = (over: Record<string, string> = {}): Array<[string, string]> => [
  ['name', over.name ?? 'High Street branch'],
  ['channel', over.channel ?? 'in_person'],
  ['contact', over.contact ?? '1 High Street, Leeds'],
  ['timezone', 'Europe/London'],
  ['team', over.team ?? 'retail'],
  ['ownerId', over.ownerId ?? ownerId],
  ['openingHours[0].day', 'mon'],
  ['openingHours[0].open', '09:00'],
  ['openingHours[0].close', '12:30'],
  ['openingHours[1].day', 'mon'],
  ['openingHours[1].open', '13:30'],
  ['openingHours[1].close', over.close ?? '17:00'],
  ['openingHours[2].day', 'sat'],
  ['openingHours[2].open', '10:00'],
  ['openingHours[2].close', '13:00'],
  ['openingHours[3].day', 'sun'],
  ['openingHours[3].open', ''],
  ['openingHours[3].close', ''],
  ['closures[0].from', '2026-12-25'],
  ['closures[0].to', '2026-12-26'],
  ['closures[0].reason', 'Christmas'],
  ['closures[1].from', ''],
  ['closures[1].to', ''],
];

const apiTouchpoint = async (q: string) =>
  (
    await t
      .http()
      .get(`/api/v1/touchpoints?q=${encodeURIComponent(q)}`)
      .set(auth(org.adminKey))
      .expect(200)
  ).body.items[0];

describe('adding a touchpoint', () => {
  it('offers a week grid, closures rows and an owner picker of its own organization', async () => {
    const page = await get('/touchpoints/new');
    expect(page.status).toBe(200);
    for (const day of ['Monday', 'Sunday']) expect(textOf(page.text)).toContain(day);
    expect(page.text).toContain('name="closures[0].reason"');
    expect(textOf(page.text)).toContain('Olu Owner');
    expect(textOf(page.text)).not.toContain('Foreign Owner');
  });

  it('creates it: two spans on a Monday, a Saturday, a closure, the owner picked', async () => {
    const res = await post('/touchpoints', touchpoint());
    expect(res.status).toBe(303);
    expect(await apiTouchpoint('High Street')).toMatchObject({
      channel: 'in_person',
      team: 'retail',
      ownerId,
      openingHours: [
        { day: 'mon', open: '09:00', close: '12:30' },
        { day: 'mon', open: '13:30', close: '17:00' },
        { day: 'sat', open: '10:00', close: '13:00' },
      ],
      closures: [{ from: '2026-12-25', to: '2026-12-26', reason: 'Christmas' }],
    });
    expect(textOf((await get('/touchpoints')).text)).toContain('High Street branch is added.');
  });

  it("refuses a bad contact and overlapping spans with the API's words, beside their fields", async () => {
    const res = await post(
      '/touchpoints',
      touchpoint({ name: 'Line', channel: 'phone', contact: 'call us', close: '11:00' }),
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="field-contact-error"[^>]*>contact must be a phone number/);
    expect(res.text).toMatch(/id="field-openingHours-1--close-error"/);
    expect(res.text).toContain('value="call us"');
    expect(await apiTouchpoint('Line')).toBeUndefined();
  });

  it("will not take another organization's person as owner", async () => {
    const foreign = (await personWithKey(t, other.adminKey, ['owner'])).person.id;
    const res = await post('/touchpoints', touchpoint({ name: 'Sneaky', ownerId: foreign }));
    expect(res.status).toBe(400);
    expect(await apiTouchpoint('Sneaky')).toBeUndefined();
  });
});

describe('the list and editing', () => {
  it('filters by channel, team and owner, showing the owner by name', async () => {
    await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(touchpointBody({ name: 'Phone line', team: 'care' }));
    const byTeam = textOf((await get('/touchpoints?team=retail')).text);
    expect(byTeam).toContain('High Street branch');
    expect(byTeam).toContain('Olu Owner');
    expect(byTeam).not.toContain('Phone line');
    const byChannel = textOf((await get('/touchpoints?channel=phone')).text);
    expect(byChannel).toContain('Phone line');
    expect(byChannel).not.toContain('High Street branch');
    expect(textOf((await get(`/touchpoints?ownerId=${ownerId}`)).text)).not.toContain('Phone line');
    expect((await get('/touchpoints?channel=fax')).status).toBe(400);
  });

  it('edits the grid: a span removed by clearing it, the owner cleared', async () => {
    const tp = await apiTouchpoint('High Street');
    const page = await get(`/touchpoints/${tp.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="13:30"');
    const fields = touchpoint({ ownerId: '' }).map(([k, v]): [string, string] =>
      k.startsWith('openingHours[2].') && k !== 'openingHours[2].day' ? [k, ''] : [k, v],
    );
    expect((await post(`/touchpoints/${tp.id}`, fields)).status).toBe(303);
    const now = await apiTouchpoint('High Street');
    expect(now.ownerId).toBeNull();
    expect(now.openingHours.map((o: { day: string }) => o.day)).toEqual(['mon', 'mon']);
  });

  it("answers 404 for another organization's touchpoint and 403 to a non-admin", async () => {
    const theirs = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(other.adminKey))
      .send(touchpointBody({ name: 'Their secret line' }))
      .expect(201);
    const r = await get(`/touchpoints/${theirs.body.id}`);
    expect(r.status).toBe(404);
    expect(textOf(r.text)).not.toContain('Their secret line');
    expect((await post(`/touchpoints/${theirs.body.id}`, touchpoint())).status).toBe(404);
    const q = await personWithKey(t, org.adminKey, ['owner']);
    const b = await sessionFor(t, { organizationId: org.orgId, personId: q.person.id });
    expect((await get('/touchpoints', b)).status).toBe(403);
    expect((await post('/touchpoints', touchpoint({ name: 'By owner' }), b)).status).toBe(403);
  });
});
