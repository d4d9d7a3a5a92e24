import { auth, personBody, TestOrganization, touchpointBody, appWithOrganization } from './support/factories.js';
import type { TestApp } from './support/test-app.js';

let t: TestApp;
let org: TestOrganization;

beforeAll(async () => {
  ({ t, org } = await appWithOrganization());
});
afterAll(() => t.close());

const post = (body: object) => t.http().post('/api/v1/people').set(auth(org.adminKey)).send(body);

describe('people', () => {
  it('creates, reads, updates and deletes a person', async () => {
    const created = await post(
      personBody({
        email: '  Grace@Example.ORG ',
        name: ' Grace Hopper ',
        roles: ['tester', 'owner'],
        timezone: 'America/New_York',
        workingHours: [{ day: 'tue', start: '08:30', end: '12:00' }],
        leave: [{ from: '2026-12-24', to: '2027-01-02', reason: 'holiday' }],
      }),
    ).expect(201);
    expect(created.body).toMatchObject({
      email: 'grace@example.org',
      name: 'Grace Hopper',
      roles: ['tester', 'owner'],
      timezone: 'America/New_York',
      workingHours: [{ day: 'tue', start: '08:30', end: '12:00' }],
      leave: [{ from: '2026-12-24', to: '2027-01-02', reason: 'holiday' }],
    });
    const id = created.body.id;
    await t.http().get(`/api/v1/people/${id}`).set(auth(org.adminKey)).expect(200);
    const patched = await t
      .http()
      .patch(`/api/v1/people/${id}`)
      .set(auth(org.adminKey))
      .send({ timezone: 'Asia/Tokyo' })
      .expect(200);
    expect(patched.body).toMatchObject({
      timezone: 'Asia/Tokyo',
      email: 'grace@example.org',
      roles: ['tester', 'owner'],
    });
    await t.http().delete(`/api/v1/people/${id}`).set(auth(org.adminKey)).expect(204);
    await t.http().get(`/api/v1/people/${id}`).set(auth(org.adminKey)).expect(404);
  });

  it('gives Mon–Fri 09:00–17:00 when no working hours are sent', async () => {
    const res = await post(personBody()).expect(201);
    expect(res.body.workingHours).toHaveLength(5);
    expect(res.body.workingHours[0]).toEqual({ day: 'mon', start: '09:00', end: '17:00' });
  });

  it('answers 400 naming timezone for a bad time zone', async () => {
    for (const timezone of ['Mars/Olympus', 'GMT+2', '+02:00', '', 42]) {
      const res = await post(personBody({ timezone })).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'timezone', rule: 'isIanaTimeZone' })]);
    }
  });

  it('keeps a date format (BCP 47 tag) in canonical case, clears it with null, and names locale when bad', async () => {
    const made = await post(personBody({ locale: 'DE-at' })).expect(201);
    expect(made.body.locale).toBe('de-AT');
    const path = `/api/v1/people/${made.body.id}`;
    const kept = await t.http().patch(path).set(auth(org.adminKey)).send({ name: 'Renamed' }).expect(200);
    expect(kept.body.locale).toBe('de-AT');
    const cleared = await t.http().patch(path).set(auth(org.adminKey)).send({ locale: null }).expect(200);
    expect(cleared.body.locale).toBeNull();
    expect((await post(personBody()).expect(201)).body.locale).toBeNull();
    for (const locale of ['en_GB', '', 'not a tag', 42, 'x'.repeat(65)]) {
      const res = await post(personBody({ locale })).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'locale', rule: 'isLocaleTag' })]);
    }
  });

  it('lists every failing field and rule at once', async () => {
    const res = await post({
      email: 'not-an-email',
      name: '',
      roles: ['admin', 'ceo'],
      timezone: 'Europe/Londres',
      workingHours: [
        { day: 'mon', start: '9:00', end: '17:00' },
        { day: 'funday', start: '10:00', end: '09:00' },
        { day: 'tue', start: '09:00', end: '13:00' },
        { day: 'tue', start: '12:00', end: '18:00' },
      ],
      leave: [{ from: '2027-01-05', to: '2027-01-01' }],
      salary: 10,
    }).expect(400);
    const got = res.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort();
    expect(got).toEqual(
      [
        'email:isEmail',
        'name:isLength',
        'roles:isIn',
        'timezone:isIanaTimeZone',
        'workingHours[0].start:isTimeOfDay',
        'workingHours[1].day:isIn',
        'workingHours[1].end:isLaterThan',
        'workingHours:noOverlap',
        'leave[0].to:isNotBefore',
        'salary:unknownField',
      ].sort(),
    );
    expect(res.body.message).toMatch(/^Validation failed: /);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('rejects null for a required field on PATCH, and validates the merged record', async () => {
    const { body } = await post(personBody()).expect(201);
    const res = await t
      .http()
      .patch(`/api/v1/people/${body.id}`)
      .set(auth(org.adminKey))
      .send({ timezone: null })
      .expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'timezone' });
    const roles = await t
      .http()
      .patch(`/api/v1/people/${body.id}`)
      .set(auth(org.adminKey))
      .send({ roles: [] })
      .expect(400);
    expect(roles.body.errors[0]).toMatchObject({ field: 'roles', rule: 'arrayMinSize' });
  });

  it('answers 409 for a duplicate email in one organization, whatever its case', async () => {
    await post(personBody({ email: 'dup@example.org' })).expect(201);
    const res = await post(personBody({ email: 'DUP@example.org' })).expect(409);
    expect(res.body.message).toMatch(/dup@example.org/);
    const other = await post(personBody()).expect(201);
    await t
      .http()
      .patch(`/api/v1/people/${other.body.id}`)
      .set(auth(org.adminKey))
      .send({ email: 'dup@example.org' })
      .expect(409);
  });

  it('filters by role and by text, and pages with a total', async () => {
    const tag = `zeta${Date.now()}`;
    for (let i = 0; i < 3; i++) await post(personBody({ name: `${tag} Owner ${i}`, roles: ['owner'] })).expect(201);
    await post(personBody({ name: `${tag} Quality`, roles: ['quality'] })).expect(201);
    const owners = await t.http().get(`/api/v1/people?role=owner&q=${tag}&limit=2`).set(auth(org.adminKey)).expect(200);
    expect(owners.body.total).toBe(3);
    expect(owners.body.items).toHaveLength(2);
    const next = await t
      .http()
      .get(`/api/v1/people?role=owner&q=${tag}&limit=2&offset=2`)
      .set(auth(org.adminKey))
      .expect(200);
    expect(next.body.items).toHaveLength(1);
    const quality = await t
      .http()
      .get(`/api/v1/people?role=quality&q=${tag.toUpperCase()}`)
      .set(auth(org.adminKey))
      .expect(200);
    expect(quality.body.items.map((p: { name: string }) => p.name)).toEqual([`${tag} Quality`]);
    const wildcard = await t.http().get('/api/v1/people?q=%25').set(auth(org.adminKey)).expect(200);
    expect(wildcard.body.total).toBe(0);
  });

  it('validates the query string', async () => {
    const res = await t.http().get('/api/v1/people?limit=0&role=boss&sort=name').set(auth(org.adminKey)).expect(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['limit', 'role', 'sort']);
  });

  it('keeps at least one admin', async () => {
    await t
      .http()
      .patch(`/api/v1/people/${org.adminId}`)
      .set(auth(org.adminKey))
      .send({ roles: ['quality'] })
      .expect(409);
    await t.http().delete(`/api/v1/people/${org.adminId}`).set(auth(org.adminKey)).expect(409);
    const second = await post(personBody({ roles: ['admin'] })).expect(201);
    await t.http().delete(`/api/v1/people/${second.body.id}`).set(auth(org.adminKey)).expect(204);
  });

  it('refuses to delete a person who still owns touchpoints', async () => {
    const owner = await post(personBody({ roles: ['owner'] })).expect(201);
    const tp = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(touchpointBody({ ownerId: owner.body.id }))
      .expect(201);
    const res = await t.http().delete(`/api/v1/people/${owner.body.id}`).set(auth(org.adminKey)).expect(409);
    expect(res.body.message).toMatch(/owns 1 touchpoint/);
    await t
      .http()
      .patch(`/api/v1/touchpoints/${tp.body.id}`)
      .set(auth(org.adminKey))
      .send({ ownerId: null })
      .expect(200);
    await t.http().delete(`/api/v1/people/${owner.body.id}`).set(auth(org.adminKey)).expect(204);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    await t.http().get('/api/v1/people/123').set(auth(org.adminKey)).expect(400);
    await t.http().get('/api/v1/people/7c9e6679-7425-40de-944b-e07fc1f90ae7').set(auth(org.adminKey)).expect(404);
  });
});
