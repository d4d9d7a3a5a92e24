import { runCli } from './support/cli.js';
import {
  auth,
  personBody,
  TestOrganization,
  touchpointBody,
  created,
  appWithOrganization,
} from './support/factories.js';
import type { TestApp } from './support/test-app.js';

/**
 * Every place a time zone is taken accepts only zones both luxon and PostgreSQL know. US/Pacific-New
 * is the case from the issue: luxon (through Node's ICU) knows it, PostgreSQL's tz database no longer
 * does, so a stored one made every query that converts it fail.
 */

const BOTH_KNOW_NOT = 'US/Pacific-New';

let t: TestApp;
let org: TestOrganization;

beforeAll(async () => {
  ({ t, org } = await appWithOrganization());
});
afterAll(() => t.close());

const timezoneError = {
  field: 'timezone',
  rule: 'isIanaTimeZone',
  message: expect.stringMatching(/^timezone must be an IANA time zone that PostgreSQL also knows/),
};

describe('time zones both luxon and PostgreSQL know', () => {
  it("is what the database says: US/Pacific-New is not in PostgreSQL's list, though luxon accepts it", async () => {
    const rows = await t.dataSource.query('SELECT name FROM pg_timezone_names WHERE name IN ($1, $2)', [
      BOTH_KNOW_NOT,
      'Europe/London',
    ]);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['Europe/London']);
  });

  it('answers 400 naming timezone on people, touchpoints and digest subscriptions, created or changed', async () => {
    const person = await t
      .http()
      .post('/api/v1/people')
      .set(auth(org.adminKey))
      .send(personBody({ timezone: BOTH_KNOW_NOT }))
      .expect(400);
    expect(person.body.errors).toEqual([timezoneError]);
    const touchpoint = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(touchpointBody({ timezone: BOTH_KNOW_NOT }))
      .expect(400);
    expect(touchpoint.body.errors).toEqual([timezoneError]);
    const sub = await t
      .http()
      .post('/api/v1/digest-subscriptions')
      .set(auth(org.adminKey))
      .send({ name: 'Weekly', recipients: ['a@example.org'], cron: '0 8 * * 1', timezone: BOTH_KNOW_NOT })
      .expect(400);
    expect(sub.body.errors).toEqual([timezoneError]);

    const p = await created(t, org.adminKey, '/api/v1/people', personBody());
    expect(
      (
        await t
          .http()
          .patch(`/api/v1/people/${p.id}`)
          .set(auth(org.adminKey))
          .send({ timezone: BOTH_KNOW_NOT })
          .expect(400)
      ).body.errors,
    ).toEqual([timezoneError]);
    const tp = (await t.http().post('/api/v1/touchpoints').set(auth(org.adminKey)).send(touchpointBody()).expect(201))
      .body;
    expect(
      (
        await t
          .http()
          .patch(`/api/v1/touchpoints/${tp.id}`)
          .set(auth(org.adminKey))
          .send({ timezone: BOTH_KNOW_NOT })
          .expect(400)
      ).body.errors,
    ).toEqual([timezoneError]);
    const s = await created(t, org.adminKey, '/api/v1/digest-subscriptions', {
      name: 'W',
      recipients: ['a@example.org'],
      cron: '0 8 * * 1',
      timezone: 'UTC',
    });
    const patched = await t
      .http()
      .patch(`/api/v1/digest-subscriptions/${s.id}`)
      .set(auth(org.adminKey))
      .send({ timezone: BOTH_KNOW_NOT })
      .expect(400);
    expect(patched.body.errors).toEqual([timezoneError]);

    const [{ stored }] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM person WHERE timezone = $1) + (SELECT count(*) FROM touchpoint WHERE timezone = $1)
              + (SELECT count(*) FROM digest_subscription WHERE timezone = $1) AS stored`,
      [BOTH_KNOW_NOT],
    );
    expect(Number(stored)).toBe(0);
  });

  it('still takes zones both know, in any letter case, as both sides match them', async () => {
    for (const timezone of ['Europe/London', 'America/Argentina/Buenos_Aires', 'UTC', 'Etc/GMT+2', 'asia/kolkata']) {
      await t.http().post('/api/v1/people').set(auth(org.adminKey)).send(personBody({ timezone })).expect(201);
    }
  });

  it('refuses the zone in CSV imports of people and touchpoints, with the row and the field', async () => {
    const people = await t
      .http()
      .post('/api/v1/people/import')
      .set(auth(org.adminKey))
      .set('Content-Type', 'text/csv')
      .send(
        'email,name,roles,timezone\nok@example.org,Ok,tester,Europe/London\n' +
          `new@example.org,New,tester,${BOTH_KNOW_NOT}\n`,
      )
      .expect(400);
    expect(people.body.errors).toEqual([
      expect.objectContaining({ row: 2, field: 'timezone', rule: 'isIanaTimeZone' }),
    ]);
    const touchpoints = await t
      .http()
      .post('/api/v1/touchpoints/import')
      .set(auth(org.adminKey))
      .set('Content-Type', 'text/csv')
      .send(
        'name,channel,contact,timezone,openingHours\n' +
          `Line,phone,+44 20 7946 0000,${BOTH_KNOW_NOT},mon-fri 09:00-17:00\n`,
      )
      .expect(400);
    expect(touchpoints.body.errors).toEqual([
      expect.objectContaining({ row: 1, field: 'timezone', rule: 'isIanaTimeZone' }),
    ]);
  });

  it('refuses it when an organization is bootstrapped from the command line', async () => {
    const bad = await runCli(
      ['bootstrap', '--org', 'Pacific', '--admin-email', 'a@pacific.example', '--timezone', BOTH_KNOW_NOT],
      t.databaseUrl,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/timezone must be an IANA time zone that PostgreSQL also knows/);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM organization WHERE name = 'Pacific'`);
    expect(n).toBe(0);
  });
});
