import {
  auth,
  newOrganization,
  personWithKey,
  TestOrganization,
  touchpointBody,
  created,
  appWithOrganization,
} from './support/factories.js';
import type { TestApp } from './support/test-app.js';

let t: TestApp;
let org: TestOrganization;
let quality: string;
let owner: { person: { id: string }; key: string };
let own: string;
let other: string;

const claim = (extra: Record<string, unknown> = {}) => ({
  metric: 'answer_rate',
  periodStart: '2026-11-16',
  periodEnd: '2026-11-22',
  value: 0.96,
  source: 'Weekly operations review, 23 Nov',
  reportedAt: '2026-11-23T10:00:00+00:00',
  ...extra,
});

beforeAll(async () => {
  ({ t, org } = await appWithOrganization());
  quality = (await personWithKey(t, org.adminKey, ['quality'])).key;
  owner = await personWithKey(t, org.adminKey, ['owner']);
  own = (
    await created(
      t,
      org.adminKey,
      '/api/v1/touchpoints',
      touchpointBody({ name: 'General line', ownerId: owner.person.id }),
    )
  ).id;
  other = (
    await created(
      t,
      org.adminKey,
      '/api/v1/touchpoints',
      touchpointBody({ name: 'Web chat', channel: 'chat', contact: 'https://example.org/chat' }),
    )
  ).id;
});
afterAll(() => t.close());

describe('claims', () => {
  it('records claims for a touchpoint, a team and the whole organization', async () => {
    const tp = await t
      .http()
      .post('/api/v1/claims')
      .set(auth(quality))
      .send(claim({ touchpointId: own }))
      .expect(201);
    expect(tp.body).toMatchObject({ touchpointId: own, team: null, metric: 'answer_rate', value: 0.96 });
    await created(
      t,
      quality,
      '/api/v1/claims',
      claim({ team: 'contact-centre', channel: 'phone', metric: 'median_seconds_to_human', value: 45 }),
    );
    const whole = await t
      .http()
      .post('/api/v1/claims')
      .set(auth(quality))
      .send(claim({ metric: 'courtesy_avg', value: 4.6 }))
      .expect(201);
    expect(whole.body).toMatchObject({ touchpointId: null, team: null });
    const patched = await t
      .http()
      .patch(`/api/v1/claims/${whole.body.id}`)
      .set(auth(quality))
      .send({ value: 4.2 })
      .expect(200);
    expect(patched.body.value).toBe(4.2);
  });

  it('answers 400 naming the field for a bad metric, scope or value', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ metric: 'happiness' }, 'metric', 'isIn'],
      [{ value: 1.2 }, 'value', 'fitsMetric'],
      [{ value: 96 }, 'value', 'fitsMetric'],
      [{ metric: 'avg_seconds_to_human', value: -3 }, 'value', 'fitsMetric'],
      [{ metric: 'knowledge_avg', value: 0 }, 'value', 'fitsMetric'],
      [{ periodEnd: '2026-11-01' }, 'periodEnd', 'isNotBefore'],
      [{ touchpointId: own, team: 'x' }, 'team', 'oneScope'],
      [{ touchpointId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }, 'touchpointId', 'exists'],
    ];
    for (const [change, field, rule] of cases) {
      const res = await t.http().post('/api/v1/claims').set(auth(quality)).send(claim(change)).expect(400);
      expect({
        change,
        errors: res.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`),
      }).toEqual({ change, errors: [`${field}:${rule}`] });
    }
    const message = (
      await t
        .http()
        .post('/api/v1/claims')
        .set(auth(quality))
        .send(claim({ value: 96 }))
    ).body.message;
    expect(message).toMatch(/value must be a fraction from 0 to 1 \(96 % is 0.96\) for answer_rate/);
  });

  it('lets an owner claim only for touchpoints they own, and see only those claims', async () => {
    await t
      .http()
      .post('/api/v1/claims')
      .set(auth(owner.key))
      .send(claim({ touchpointId: own, value: 0.99 }))
      .expect(201);
    await t
      .http()
      .post('/api/v1/claims')
      .set(auth(owner.key))
      .send(claim({ touchpointId: other }))
      .expect(403);
    await t
      .http()
      .post('/api/v1/claims')
      .set(auth(owner.key))
      .send(claim({ team: 'contact-centre' }))
      .expect(403);
    await t.http().post('/api/v1/claims').set(auth(owner.key)).send(claim()).expect(403);
    const mine = await t.http().get('/api/v1/claims').set(auth(owner.key)).expect(200);
    expect(mine.body.items.every((c: { touchpointId: string }) => c.touchpointId === own)).toBe(true);
    const outsider = await newOrganization(t);
    await t
      .http()
      .post('/api/v1/claims')
      .set(auth(outsider.adminKey))
      .send(claim({ touchpointId: own }))
      .expect(400);
    expect((await t.http().get('/api/v1/claims').set(auth(outsider.adminKey)).expect(200)).body.total).toBe(0);
    const tester = await personWithKey(t, org.adminKey, ['tester']);
    await t.http().get('/api/v1/claims').set(auth(tester.key)).expect(403);
  });

  it('imports claims from CSV all or nothing, reading 96% as 0.96', async () => {
    const before = (await t.http().get('/api/v1/claims').set(auth(quality)).expect(200)).body.total;
    const bad = [
      'touchpoint,team,metric,periodStart,periodEnd,value,source,reportedAt',
      'General line,,answer_rate,2026-11-16,2026-11-22,96%,Weekly review,2026-11-23T10:00:00Z',
      'Nowhere,,answer_rate,2026-11-16,2026-11-22,0.9,Weekly review,2026-11-23T10:00:00Z',
      ',contact-centre,transfer_rate,2026-11-16,2026-11-22,140%,Weekly review,2026-11-23T10:00:00Z',
    ].join('\n');
    const res = await t
      .http()
      .post('/api/v1/claims/import')
      .set(auth(quality))
      .set('Content-Type', 'text/csv')
      .send(bad)
      .expect(400);
    expect(res.body.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`).sort()).toEqual([
      '2:touchpoint',
      '3:value',
    ]);
    expect((await t.http().get('/api/v1/claims').set(auth(quality)).expect(200)).body.total).toBe(before);
    const good = bad
      .split('\n')
      .filter((_, i) => i !== 2)
      .join('\n')
      .replace('140%', '14%');
    const ok = await t
      .http()
      .post('/api/v1/claims/import')
      .set(auth(quality))
      .set('Content-Type', 'text/csv')
      .send(good)
      .expect(201);
    expect(ok.body.created).toBe(2);
    const first = await t.http().get(`/api/v1/claims/${ok.body.ids[0]}`).set(auth(quality)).expect(200);
    expect(first.body).toMatchObject({ touchpointId: own, value: 0.96 });
  });
});
