import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { runCli } from './support/cli.js';
import { auth, TestOrganization, appWithOrganization } from './support/factories.js';
import type { TestApp } from './support/test-app.js';

let t: TestApp;
let org: TestOrganization;

beforeAll(async () => {
  ({ t, org } = await appWithOrganization());
});
afterAll(() => t.close());

const importCsv = (kind: string, csv: string, key = org.adminKey) =>
  t.http().post(`/api/v1/${kind}/import`).set(auth(key)).set('Content-Type', 'text/csv').send(csv);

const count = async (table: string) =>
  Number((await t.dataSource.query(`SELECT count(*) AS n FROM ${table} WHERE organization_id = $1`, [org.orgId]))[0].n);

describe('CSV import through the API', () => {
  it('imports people, with compact hours and leave', async () => {
    const csv = [
      'email,name,roles,timezone,workingHours,leave',
      'maria@example.org,Maria Lopez,tester; owner,Europe/Madrid,mon-thu 08:00-15:00; fri 08:00-13:00,2026-12-24..2027-01-06 Navidad',
      '"kim@example.org","Kim, Jae-won",quality,Asia/Seoul,,',
    ].join('\n');
    const res = await importCsv('people', csv).expect(201);
    expect(res.body.created).toBe(2);
    const maria = await t.http().get(`/api/v1/people/${res.body.ids[0]}`).set(auth(org.adminKey)).expect(200);
    expect(maria.body).toMatchObject({
      roles: ['tester', 'owner'],
      leave: [{ from: '2026-12-24', to: '2027-01-06', reason: 'Navidad' }],
    });
    expect(maria.body.workingHours).toHaveLength(5);
    expect(maria.body.workingHours[4]).toEqual({ day: 'fri', start: '08:00', end: '13:00' });
    const kim = await t.http().get(`/api/v1/people/${res.body.ids[1]}`).set(auth(org.adminKey)).expect(200);
    expect(kim.body.name).toBe('Kim, Jae-won');
  });

  it('rejects the whole file and reports every bad row with its number, field and rule', async () => {
    const before = await count('person');
    const csv = [
      'email,name,roles,timezone,workingHours',
      'ok1@example.org,Fine,tester,Europe/London,',
      'broken,No Email,tester,Europe/London,',
      'ok2@example.org,Bad zone,tester,Atlantis/Capital,',
      'maria@example.org,Known already (fine: an update),tester,Europe/London,',
      'ok1@example.org,Twice,tester,Europe/London,',
      'ok3@example.org,Bad hours,tester,Europe/London,weekdays 9-5',
      'ok4@example.org,Bad role,boss,Europe/London,',
    ].join('\n');
    const res = await importCsv('people', csv).expect(400);
    expect(res.body.message).toBe('Nothing was imported: 5 row(s) have errors');
    expect(
      res.body.errors.map((e: { row: number; line: number; field: string; rule: string }) => [
        e.row,
        e.line,
        e.field,
        e.rule,
      ]),
    ).toEqual([
      [2, 3, 'email', 'isEmail'],
      [3, 4, 'timezone', 'isIanaTimeZone'],
      [5, 6, 'email', 'unique'],
      [6, 7, 'workingHours', 'format'],
      [7, 8, 'roles', 'isIn'],
    ]);
    expect(await count('person')).toBe(before);
  });

  it('updates people it already knows by email, keeping hours and leave an empty cell leaves out', async () => {
    const first = await importCsv(
      'people',
      'email,name,roles,timezone,workingHours,leave\nrui@example.org,Rui,tester,Europe/Lisbon,mon 10:00-12:00,2027-02-01..2027-02-03',
    ).expect(201);
    const rui = first.body.ids[0];
    const again = [
      'email,name,roles,timezone,workingHours,leave',
      'RUI@example.org,Rui Costa,tester; owner,Atlantic/Madeira,,',
      'new.one@example.org,New One,tester,UTC,,',
    ].join('\n');
    const res = await importCsv('people', again).expect(201);
    expect(res.body).toMatchObject({ created: 1, updated: 1, updatedIds: [rui] });
    const now = await t.http().get(`/api/v1/people/${rui}`).set(auth(org.adminKey)).expect(200);
    expect(now.body).toMatchObject({
      name: 'Rui Costa',
      roles: ['tester', 'owner'],
      timezone: 'Atlantic/Madeira',
      workingHours: [{ day: 'mon', start: '10:00', end: '12:00' }],
      leave: [{ from: '2027-02-01', to: '2027-02-03' }],
    });
  });

  it('refuses, as a row error, an update that would leave the organization without an admin', async () => {
    const me = await t.http().get('/api/v1/me').set(auth(org.adminKey)).expect(200);
    const before = await count('person');
    const res = await importCsv(
      'people',
      `email,name,roles,timezone\nlater.one@example.org,Later,tester,UTC\n${me.body.email},Demoted,tester,UTC`,
    ).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 2, field: 'roles', rule: 'lastAdmin' })]);
    expect(await count('person')).toBe(before);
    expect((await t.http().get('/api/v1/me').set(auth(org.adminKey)).expect(200)).body.roles).toEqual(['admin']);
  });

  it('rejects a wrong header, an empty file and a non-CSV body clearly', async () => {
    const header = await importCsv('people', 'mail,name,roles,timezone,shoe\nx,y,z,w,1').expect(400);
    expect(header.body.message).toMatch(/missing column\(s\): email; unknown column\(s\): mail, shoe/);
    await importCsv('people', '').expect(400);
    await importCsv('people', 'email,name,roles,timezone\n').expect(400);
    const unbalanced = await importCsv('people', 'email,name,roles,timezone\n"a@b.org,x,tester,UTC\n').expect(400);
    expect(unbalanced.body.message).toMatch(/could not be read/);
    await t.http().post('/api/v1/people/import').set(auth(org.adminKey)).send({ csv: 'x' }).expect(400);
  });

  it('imports touchpoints with owners by email, all or nothing', async () => {
    const owner = (
      await importCsv('people', 'email,name,roles,timezone\nowner.tp@example.org,Olu Owner,owner,Africa/Lagos').expect(
        201,
      )
    ).body.ids[0];
    const bad = [
      'name,channel,contact,timezone,openingHours,closures,owner,team',
      'Lagos branch,in_person,"12 Broad St, Lagos",Africa/Lagos,mon-fri 09:00-16:00; sat 10:00-13:00,2026-12-25..2026-12-26 Christmas,owner.tp@example.org,retail',
      'Support mailbox,email,not-a-mailbox,UTC,mon-fri 00:00-24:00,,,support',
      'Web chat,chat,https://example.org/chat,Europe/Berlin,mon-sun 08:00-22:00,,nobody@example.org,',
    ].join('\n');
    const before = await count('touchpoint');
    const res = await importCsv('touchpoints', bad).expect(400);
    expect(res.body.errors.map((e: { row: number; field: string; rule: string }) => [e.row, e.field, e.rule])).toEqual([
      [2, 'contact', 'isContactForChannel'],
      [3, 'owner', 'exists'],
    ]);
    expect(await count('touchpoint')).toBe(before);

    const good = bad.replace('not-a-mailbox', 'help@example.org').replace('nobody@example.org', '');
    const ok = await importCsv('touchpoints', good).expect(201);
    expect(ok.body.created).toBe(3);
    const branch = await t.http().get(`/api/v1/touchpoints/${ok.body.ids[0]}`).set(auth(org.adminKey)).expect(200);
    expect(branch.body).toMatchObject({
      ownerId: owner,
      team: 'retail',
      contact: '12 Broad St, Lagos',
      closures: [{ from: '2026-12-25', to: '2026-12-26', reason: 'Christmas' }],
    });
    expect(branch.body.openingHours).toHaveLength(6);
  });
});

describe('the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gt-cli-'));
  });

  it('bootstraps an organization and prints a working admin key once', async () => {
    const res = await runCli(
      ['bootstrap', '--org', 'Acme Health', '--admin-email', 'Boss@Acme.example', '--timezone', 'Europe/Dublin'],
      t.databaseUrl,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const key = /API key:\s+(gt_\S+)/.exec(res.stdout)?.[1];
    expect(key).toBeDefined();
    const me = await t.http().get('/api/v1/me').set(auth(key!)).expect(200);
    expect(me.body).toMatchObject({ email: 'boss@acme.example', roles: ['admin'], timezone: 'Europe/Dublin' });
    const orgs = await t.http().get('/api/v1/organizations').set(auth(key!)).expect(200);
    expect(orgs.body.items[0].name).toBe('Acme Health');
  });

  it('explains bad arguments with exit code 2 and bad values with 1, creating nothing', async () => {
    const before = Number((await t.dataSource.query('SELECT count(*) AS n FROM organization'))[0].n);
    const missing = await runCli(['bootstrap', '--org', 'X'], t.databaseUrl);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--admin-email/);
    const bad = await runCli(
      ['bootstrap', '--org', 'X', '--admin-email', 'nope', '--timezone', 'Nowhere/Land'],
      t.databaseUrl,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/admin-email must be an email address/);
    expect(bad.stderr).toMatch(/timezone must be an IANA time zone/);
    expect(Number((await t.dataSource.query('SELECT count(*) AS n FROM organization'))[0].n)).toBe(before);
  });

  it('imports people and touchpoints from files, listing bad rows', async () => {
    const people = path.join(dir, 'people.csv');
    await writeFile(
      people,
      'email,name,roles,timezone\ncli1@example.org,Cli One,tester,Asia/Kolkata\ncli2@example.org,Cli Two,tester,Asia/Kolkata\n',
    );
    const ok = await runCli(['import', 'people', '--org', org.orgId, '--file', people], t.databaseUrl);
    expect(ok).toMatchObject({ code: 0, stdout: `Imported 2 people from ${people}\n` });

    const touchpoints = path.join(dir, 'touchpoints.csv');
    await writeFile(
      touchpoints,
      'name,channel,contact,timezone,openingHours\nMumbai line,phone,+91 22 1234 5678,Asia/Kolkata,mon-sat 09:00-18:00\nBad,fax,123,Asia/Kolkata,mon 9-5\n',
    );
    const before = await count('touchpoint');
    const bad = await runCli(['import', 'touchpoints', '--org', org.orgId, '--file', touchpoints], t.databaseUrl);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Nothing was imported: 1 row\(s\) have errors/);
    expect(bad.stderr).toMatch(/row 2 \(line 3\): openingHours: .*\[format\]/);
    expect(bad.stderr).toMatch(/row 2 \(line 3\): channel: .*\[isIn\]/);
    expect(await count('touchpoint')).toBe(before);
  });
});
