import {
  auth,
  newOrganization,
  personBody,
  personWithKey,
  scenarioBody,
  TestOrganization,
  touchpointBody,
  created,
} from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

let t: TestApp;
let a: TestOrganization;
let b: TestOrganization;
const rows: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  a = await newOrganization(t, 'Alpha');
  b = await newOrganization(t, 'Beta');
  rows.person = (await created(t, b.adminKey, '/api/v1/people', personBody({ roles: ['owner'] }))).id;
  rows.touchpoint = (await created(t, b.adminKey, '/api/v1/touchpoints', touchpointBody({ ownerId: rows.person }))).id;
  rows.scenario = (
    await t.http().post('/api/v1/scenarios').set(auth(b.adminKey)).send(scenarioBody()).expect(201)
  ).body.id;
  rows.key = (
    await t.http().post(`/api/v1/people/${rows.person}/api-keys`).set(auth(b.adminKey)).send({}).expect(201)
  ).body.id;
});
afterAll(() => t.close());

describe('organizations never see each other', () => {
  it("answers 404 for another organization's rows, exactly as for a missing row", async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const cases: Array<[string, string, object?]> = [
      ['get', `/api/v1/people/${rows.person}`],
      ['patch', `/api/v1/people/${rows.person}`, { name: 'Mallory' }],
      ['delete', `/api/v1/people/${rows.person}`],
      ['get', `/api/v1/people/${rows.person}/api-keys`],
      ['post', `/api/v1/people/${rows.person}/api-keys`, {}],
      ['delete', `/api/v1/people/${rows.person}/api-keys/${rows.key}`],
      ['get', `/api/v1/touchpoints/${rows.touchpoint}`],
      ['patch', `/api/v1/touchpoints/${rows.touchpoint}`, { name: 'x' }],
      ['delete', `/api/v1/touchpoints/${rows.touchpoint}`],
      ['get', `/api/v1/scenarios/${rows.scenario}`],
      ['patch', `/api/v1/scenarios/${rows.scenario}`, { title: 'x' }],
      ['delete', `/api/v1/scenarios/${rows.scenario}`],
      ['get', `/api/v1/organizations/${b.orgId}`],
      ['patch', `/api/v1/organizations/${b.orgId}`, { name: 'Taken' }],
      ['delete', `/api/v1/organizations/${b.orgId}?confirm=Beta`],
    ];
    for (const [method, path, body] of cases) {
      const http = t.http() as unknown as Record<
        string,
        (p: string) => {
          set: (h: object) => { send: (b?: object) => Promise<{ status: number; body: { message: string } }> };
        }
      >;
      const other = await http[method](path).set(auth(a.adminKey)).send(body);
      const absent = await http[method](path.replace(/[0-9a-f-]{36}(?=[^/]*$)/, missing))
        .set(auth(a.adminKey))
        .send(body);
      expect({ path, status: other.status }).toEqual({ path, status: 404 });
      expect(absent.status).toBe(404);
      expect(other.body.message.replace(/[0-9a-f-]{36}/g, 'ID')).toBe(
        absent.body.message.replace(/[0-9a-f-]{36}/g, 'ID'),
      );
    }
    // and nothing of Beta changed
    const still = await t.http().get(`/api/v1/touchpoints/${rows.touchpoint}`).set(auth(b.adminKey)).expect(200);
    expect(still.body.name).not.toBe('x');
    await t.http().get(`/api/v1/organizations/${b.orgId}`).set(auth(b.adminKey)).expect(200);
  });

  it("lists only the caller's own rows", async () => {
    for (const path of ['/api/v1/people', '/api/v1/touchpoints', '/api/v1/scenarios', '/api/v1/organizations']) {
      const res = await t.http().get(path).set(auth(a.adminKey)).expect(200);
      expect(JSON.stringify(res.body)).not.toMatch(
        new RegExp(`${rows.person}|${rows.touchpoint}|${rows.scenario}|${b.orgId}`),
      );
    }
    const orgs = await t.http().get('/api/v1/organizations').set(auth(a.adminKey)).expect(200);
    expect(orgs.body).toMatchObject({ total: 1, items: [{ id: a.orgId, name: 'Alpha' }] });
  });

  it('refuses an owner from another organization with 400 naming ownerId', async () => {
    const res = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(a.adminKey))
      .send(touchpointBody({ ownerId: rows.person }))
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'ownerId', rule: 'exists' })]);
  });

  it('lets the same email exist in two organizations', async () => {
    const email = `shared-${Date.now()}@example.org`;
    await t.http().post('/api/v1/people').set(auth(a.adminKey)).send(personBody({ email })).expect(201);
    await t.http().post('/api/v1/people').set(auth(b.adminKey)).send(personBody({ email })).expect(201);
  });

  it('keeps a key inside its organization even for the same person id shape', async () => {
    const { key } = await personWithKey(t, a.adminKey, ['quality']);
    await t.http().get(`/api/v1/touchpoints/${rows.touchpoint}`).set(auth(key)).expect(404);
  });
});
