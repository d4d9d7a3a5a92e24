import {
  auth,
  personBody,
  scenarioBody,
  TestOrganization,
  touchpointBody,
  created,
  appWithOrganization,
} from './support/factories.js';
import type { TestApp } from './support/test-app.js';

let t: TestApp;
let org: TestOrganization;
let ownerId: string;

beforeAll(async () => {
  ({ t, org } = await appWithOrganization());
  ownerId = (await created(t, org.adminKey, '/api/v1/people', personBody({ roles: ['owner'] }))).id;
});
afterAll(() => t.close());

const fieldsOf = (body: { errors: Array<{ field: string; rule: string }> }) =>
  body.errors.map((e) => `${e.field}:${e.rule}`).sort();

describe('touchpoints', () => {
  it('creates, reads, updates and deletes a touchpoint', async () => {
    const created = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(
        touchpointBody({
          ownerId,
          closures: [
            { from: '2026-12-25', to: '2026-12-26', reason: 'Christmas' },
            { from: '2026-11-30T13:00:00+00:00', to: '2026-11-30T17:00:00+00:00', reason: 'training' },
          ],
        }),
      )
      .expect(201);
    expect(created.body).toMatchObject({
      channel: 'phone',
      ownerId,
      team: 'contact-centre',
      closures: [{ reason: 'Christmas' }, { reason: 'training' }],
    });
    const id = created.body.id;
    const patched = await t
      .http()
      .patch(`/api/v1/touchpoints/${id}`)
      .set(auth(org.adminKey))
      .send({ team: null, name: 'Renamed' })
      .expect(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', team: null, ownerId });
    await t.http().get(`/api/v1/touchpoints/${id}`).set(auth(org.adminKey)).expect(200);
    await t.http().delete(`/api/v1/touchpoints/${id}`).set(auth(org.adminKey)).expect(204);
    await t.http().delete(`/api/v1/touchpoints/${id}`).set(auth(org.adminKey)).expect(404);
  });

  it('checks hours, zones, closures and enum values', async () => {
    const res = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(
        touchpointBody({
          channel: 'pigeon',
          timezone: 'Europe/Paris ',
          openingHours: [
            { day: 'fri', open: '22:00', close: '02:00' },
            { day: 'sat', open: '25:00', close: '26:00' },
            { day: 'sun', open: '09:00', close: '24:00', lunch: true },
          ],
          closures: [{ from: 'next week', to: '2026-12-01' }],
        }),
      )
      .expect(400);
    expect(fieldsOf(res.body)).toEqual(
      [
        'channel:isIn',
        'timezone:isIanaTimeZone',
        'openingHours[0].close:isLaterThan',
        'openingHours[1].open:isTimeOfDay',
        'openingHours[1].close:isEndTimeOfDay',
        'openingHours[2].lunch:unknownField',
        'closures[0].from:isDateOrDateTime',
      ].sort(),
    );
  });

  it('refuses a name of several lines (it would reach mail subjects)', async () => {
    const res = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(touchpointBody({ name: 'Line\nBcc: x@example.org' }))
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'name', rule: 'isSingleLine' })]);
  });

  it('accepts a shop open past midnight as two entries, and 24:00 as a close', async () => {
    await created(
      t,
      org.adminKey,
      '/api/v1/touchpoints',
      touchpointBody({
        openingHours: [
          { day: 'fri', open: '18:00', close: '24:00' },
          { day: 'sat', open: '00:00', close: '02:00' },
        ],
      }),
    );
  });

  it('refuses a channel that is a property of every object ("__proto__", "constructor") as an unknown channel, not a 500', async () => {
    for (const channel of ['__proto__', 'constructor', 'toString']) {
      const res = await t
        .http()
        .post('/api/v1/touchpoints')
        .set(auth(org.adminKey))
        .send(touchpointBody({ channel }))
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['channel']);
    }
    const csv =
      'name,channel,contact,timezone,openingHours,closures,owner,team\nLine,__proto__,+44 20 7946 0000,UTC,mon-fri 09:00-17:00,,,sales\n';
    const res = await t
      .http()
      .post('/api/v1/touchpoints/import')
      .set(auth(org.adminKey))
      .type('text/csv')
      .send(csv)
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 1, field: 'channel' })]);
  });

  it('checks the contact against the channel, also when only the channel changes', async () => {
    const cases: Array<[string, string, boolean]> = [
      ['phone', '+44 (0)20 7946-0000', true],
      ['phone', 'call us', false],
      ['email', 'support@example.org', true],
      ['email', 'https://example.org', false],
      ['chat', 'https://example.org/chat', true],
      ['chat', 'javascript:alert(1)', false],
      ['in_person', '1 High Street, Leeds', true],
    ];
    for (const [channel, contact, ok] of cases) {
      const res = await t
        .http()
        .post('/api/v1/touchpoints')
        .set(auth(org.adminKey))
        .send(touchpointBody({ channel, contact }));
      expect({ channel, contact, status: res.status }).toEqual({ channel, contact, status: ok ? 201 : 400 });
      if (!ok) expect(res.body.errors[0]).toMatchObject({ field: 'contact', rule: 'isContactForChannel' });
    }
    const phone = await t.http().post('/api/v1/touchpoints').set(auth(org.adminKey)).send(touchpointBody()).expect(201);
    const res = await t
      .http()
      .patch(`/api/v1/touchpoints/${phone.body.id}`)
      .set(auth(org.adminKey))
      .send({ channel: 'email' })
      .expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'contact' });
  });

  it('requires the owner to be a person of the organization', async () => {
    const res = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(touchpointBody({ ownerId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }))
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'ownerId', rule: 'exists' })]);
    const bad = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(touchpointBody({ ownerId: 'bob' }))
      .expect(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'ownerId', rule: 'isUuid' });
  });

  it('filters by channel, team, owner and text', async () => {
    const tag = `q${Date.now()}`;
    await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ name: `${tag} line`, team: 'retail' }));
    await created(
      t,
      org.adminKey,
      '/api/v1/touchpoints',
      touchpointBody({
        name: `${tag} chat`,
        channel: 'chat',
        contact: 'https://x.example/chat',
        team: 'retail',
        ownerId,
      }),
    );
    const byChannel = await t
      .http()
      .get(`/api/v1/touchpoints?q=${tag}&channel=chat`)
      .set(auth(org.adminKey))
      .expect(200);
    expect(byChannel.body.items.map((x: { name: string }) => x.name)).toEqual([`${tag} chat`]);
    const byTeam = await t.http().get(`/api/v1/touchpoints?q=${tag}&team=retail`).set(auth(org.adminKey)).expect(200);
    expect(byTeam.body.total).toBe(2);
    const byOwner = await t
      .http()
      .get(`/api/v1/touchpoints?q=${tag}&ownerId=${ownerId}`)
      .set(auth(org.adminKey))
      .expect(200);
    expect(byOwner.body.total).toBe(1);
  });
});

describe('scenarios', () => {
  it('creates, reads, updates and deletes a scenario with its questions', async () => {
    const created = await t.http().post('/api/v1/scenarios').set(auth(org.adminKey)).send(scenarioBody()).expect(201);
    expect(created.body.questions).toEqual([
      { key: 'offered_alternative', label: 'Were you offered an alternative?', type: 'yes_no', required: true },
      { key: 'mood', label: 'How did it feel?', type: 'choice', required: false, options: ['calm', 'rushed'] },
    ]);
    const id = created.body.id;
    const patched = await t
      .http()
      .patch(`/api/v1/scenarios/${id}`)
      .set(auth(org.adminKey))
      .send({ channels: ['chat'] })
      .expect(200);
    expect(patched.body.channels).toEqual(['chat']);
    expect(patched.body.questions).toHaveLength(2);
    const listed = await t.http().get('/api/v1/scenarios?channel=chat').set(auth(org.adminKey)).expect(200);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(id);
    await t.http().delete(`/api/v1/scenarios/${id}`).set(auth(org.adminKey)).expect(204);
    await t.http().get(`/api/v1/scenarios/${id}`).set(auth(org.adminKey)).expect(404);
  });

  it('checks channels and questions', async () => {
    const res = await t
      .http()
      .post('/api/v1/scenarios')
      .set(auth(org.adminKey))
      .send(
        scenarioBody({
          channels: [],
          questions: [
            { key: 'Wait Time', label: 'Wait', type: 'seconds' },
            { key: 'dup', label: 'A', type: 'choice', options: ['only one'] },
            { key: 'dup', label: 'B', type: 'text', options: ['x', 'y'] },
            { key: 'kind', label: 'C', type: 'colour' },
          ],
        }),
      )
      .expect(400);
    expect(fieldsOf(res.body)).toEqual(
      [
        'channels:arrayMinSize',
        'questions:arrayUnique',
        'questions[0].key:matches',
        'questions[1].options:arrayMinSize',
        'questions[2].options:optionsOnlyForChoice',
        'questions[3].type:isIn',
      ].sort(),
    );
  });
});
