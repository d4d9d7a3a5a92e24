import { Browser, sessionFor, textOf } from './support/console.js';
import { auth, newOrganization, personWithKey, TestOrganization } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The admin's People pages: list and search, add, edit (rows for hours and leave), CSV import; errors by field. */
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

/** A form post as a browser sends it: repeated names for checkboxes, `list[i].key` for rows. */
const post = (path: string, fields: Array<[string, string]>, b = admin) =>
  t
    .http()
    .post(path)
    .set('Cookie', b.cookie)
    .type('form')
    .send(new URLSearchParams([['_csrf', b.csrf], ...fields]).toString());
const get = (path: string, b = admin) => t.http().get(path).set('Cookie', b.cookie);

const person = (over: Record<string, string> = {}, roles = ['tester']): Array<[string, string]> => [
  ['name', over.name ?? 'Noor Haddad'],
  ['email', over.email ?? 'noor@example.org'],
  ...roles.map((r): [string, string] => ['roles', r]),
  ['timezone', over.timezone ?? 'Asia/Amman'],
  ['workingHours[0].day', 'mon'],
  ['workingHours[0].start', '09:00'],
  ['workingHours[0].end', '12:00'],
  ['workingHours[1].day', 'mon'],
  ['workingHours[1].start', '13:00'],
  ['workingHours[1].end', over.end ?? '17:00'],
  ['workingHours[2].day', ''],
  ['workingHours[2].start', ''],
  ['workingHours[2].end', ''],
  ['leave[0].from', over.leaveFrom ?? '2027-01-04'],
  ['leave[0].to', '2027-01-08'],
  ['leave[0].reason', ''],
  ['leave[1].from', ''],
  ['leave[1].to', ''],
];

const apiPerson = async (email: string) =>
  (
    await t
      .http()
      .get(`/api/v1/people?q=${encodeURIComponent(email)}`)
      .set(auth(org.adminKey))
      .expect(200)
  ).body.items[0];

describe('adding a person', () => {
  it('offers roles as checkboxes, the accepted time zones as a picker, and hours as rows', async () => {
    const page = await get('/people/new');
    expect(page.status).toBe(200);
    expect(page.text).toContain('type="checkbox" name="roles" value="owner"');
    expect(page.text).toContain('<option value="Europe/London">Europe/London</option>');
    expect(page.text).toContain('name="workingHours[0].start"');
    expect(page.text).toContain('name="leave[0].from"');
    expect(page.text).toContain('<option value="Asia/Kolkata">Asia/Kolkata</option>'); // the database's spelling
    expect(page.text).not.toMatch(/Atlantis|posix\//);
  });

  it('creates them from the form rows (two spans on a Monday, a leave) and says so', async () => {
    const res = await post('/people', person({}, ['tester', 'owner']));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/people');
    const made = await apiPerson('noor@example.org');
    expect(made).toMatchObject({
      name: 'Noor Haddad',
      roles: ['tester', 'owner'],
      timezone: 'Asia/Amman',
      workingHours: [
        { day: 'mon', start: '09:00', end: '12:00' },
        { day: 'mon', start: '13:00', end: '17:00' },
      ],
      leave: [{ from: '2027-01-04', to: '2027-01-08' }],
    });
    expect(textOf((await get('/people')).text)).toContain('Noor Haddad is added.');
  });

  it("refuses bad rows with the API's messages beside their fields, keeping what was typed", async () => {
    const res = await post('/people', person({ email: 'not-an-address', end: '10:00', leaveFrom: '2027-02-30' }, []));
    expect(res.status).toBe(400);
    expect(res.text).toContain('email must be an email address');
    expect(res.text).toMatch(/id="field-roles-error"[^>]*>roles must contain at least 1 elements/);
    expect(res.text).toMatch(/id="field-workingHours-1--end-error"/);
    expect(res.text).toMatch(/id="field-leave-0--from-error"/);
    expect(res.text).toContain('value="not-an-address"');
    expect(res.text).toContain('value="10:00"');
  });

  it('refuses an email already taken, beside the email field', async () => {
    const res = await post('/people', person());
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/id="field-email-error"[^>]*>email noor@example.org already belongs/);
  });
});

describe('the list', () => {
  it('searches by name or email and filters by role, keeping both in its page links', async () => {
    for (let i = 0; i < 3; i++)
      await post('/people', person({ name: `Owner ${i}`, email: `owner${i}@example.org` }, ['owner']));
    const owners = await get('/people?role=owner&limit=2');
    expect(owners.status).toBe(200);
    expect(textOf(owners.text)).toContain('1–2 of 4');
    expect(owners.text).toContain('href="/people?role=owner&amp;limit=2&amp;offset=2"');
    expect(textOf(owners.text)).not.toContain('Harbour');
    const byName = await get('/people?q=owner%201');
    expect(textOf(byName.text)).toContain('Owner 1');
    expect(textOf(byName.text)).not.toContain('Owner 2');
    expect((await get('/people?role=boss')).status).toBe(400);
  });
});

describe('editing a person', () => {
  it('shows their rows and saves roles, zone, hours and leave', async () => {
    const noor = await apiPerson('noor@example.org');
    const page = await get(`/people/${noor.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="13:00"');
    expect(page.text).toMatch(/value="owner" checked/);
    const res = await post(`/people/${noor.id}`, [
      ['name', 'Noor H.'],
      ['email', 'noor@example.org'],
      ['roles', 'quality'],
      ['timezone', 'Europe/Paris'],
      ['locale', 'fr-fr'],
      ['workingHours[0].day', 'fri'],
      ['workingHours[0].start', '08:00'],
      ['workingHours[0].end', '24:00'],
    ]);
    expect(res.status).toBe(303);
    expect(await apiPerson('noor@example.org')).toMatchObject({
      name: 'Noor H.',
      roles: ['quality'],
      timezone: 'Europe/Paris',
      locale: 'fr-FR',
      workingHours: [{ day: 'fri', start: '08:00', end: '24:00' }],
      leave: [],
    });
    const bad = await post(`/people/${noor.id}`, [...person({ email: 'noor@example.org' }), ['locale', 'fr_FR']]);
    expect(bad.status).toBe(400);
    expect(textOf(bad.text)).toContain('locale must be a BCP 47 language tag');
    expect(bad.text).toContain('value="fr_FR"');
    const blank = await post(`/people/${noor.id}`, [...person({ email: 'noor@example.org' }), ['locale', '']]);
    expect(blank.status).toBe(303);
    expect((await apiPerson('noor@example.org')).locale).toBeNull();
  });

  it('will not demote the last admin, and says so beside the roles', async () => {
    const res = await post(`/people/${org.adminId}`, [
      ['name', 'The admin'],
      ['email', (await t.http().get('/api/v1/me').set(auth(org.adminKey))).body.email],
      ['roles', 'tester'],
      ['timezone', 'UTC'],
    ]);
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/id="field-roles-error"[^>]*>This is the last admin/);
  });

  it("answers 404 for another organization's person, and 403 to a non-admin", async () => {
    const outsider = await personWithKey(t, other.adminKey, ['tester'], { name: 'Outsider Olga' });
    const there = await get(`/people/${outsider.person.id}`);
    expect(there.status).toBe(404);
    expect(textOf(there.text)).not.toContain('Outsider Olga');
    expect((await post(`/people/${outsider.person.id}`, person({ email: 'x@example.org' }))).status).toBe(404);
    const quality = await personWithKey(t, org.adminKey, ['quality']);
    const q = await sessionFor(t, { organizationId: org.orgId, personId: quality.person.id });
    expect((await get('/people/new', q)).status).toBe(403);
    expect((await post('/people', person({ email: 'q@example.org' }), q)).status).toBe(403);
  });
});

describe('the CSV import page', () => {
  it('shows every bad row (row, field, rule) and imports nothing', async () => {
    const csv = [
      'email,name,roles,timezone',
      'fine@example.org,Fine,tester,UTC',
      'broken,No Email,tester,UTC',
      'zone@example.org,Bad zone,tester,Atlantis/Capital',
    ].join('\n');
    const res = await post('/people/import', [['csv', csv]]);
    expect(res.status).toBe(400);
    const text = textOf(res.text).replace(/\s+/g, ' ');
    expect(text).toContain('Nothing was imported: 2 row(s) have errors');
    expect(text).toMatch(/2 3 email isEmail/);
    expect(text).toMatch(/3 4 timezone isIanaTimeZone/);
    expect(res.text).toContain('fine@example.org,Fine');
    expect(await apiPerson('fine@example.org')).toBeUndefined();
  });

  it('adds new people and updates those it knows by email', async () => {
    const csv =
      'email,name,roles,timezone,locale\nfine@example.org,Fine,tester,UTC,\nowner0@example.org,Owner Zero,owner; tester,UTC,en-us';
    const res = await post('/people/import', [['csv', csv]]);
    expect(res.status).toBe(303);
    expect(textOf((await get('/people')).text)).toContain('Imported: 1 added, 1 already known by email and updated.');
    expect(await apiPerson('owner0@example.org')).toMatchObject({ roles: ['owner', 'tester'], locale: 'en-US' });
    expect((await apiPerson('fine@example.org')).locale).toBeNull();
  });

  it('explains an unreadable file', async () => {
    const res = await post('/people/import', [['csv', 'mail,name\nx,y']]);
    expect(res.status).toBe(400);
    expect(textOf(res.text)).toMatch(/missing column/);
  });
});
