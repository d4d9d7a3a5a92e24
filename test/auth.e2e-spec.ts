import { randomUUID } from 'node:crypto';

import { auth, personWithKey, TestOrganization, appWithOrganization } from './support/factories.js';
import type { TestApp } from './support/test-app.js';

let t: TestApp;
let org: TestOrganization;

beforeAll(async () => {
  ({ t, org } = await appWithOrganization());
});
afterAll(() => t.close());

/** Every route of the OpenAPI document, with path parameters filled by random ids. */
async function documentedRoutes(): Promise<Array<{ method: string; path: string; secured: boolean }>> {
  const doc = (await t.http().get('/api/docs-json').expect(200)).body as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  const routes = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      routes.push({
        method,
        path: path.replace(/\{[^}]+\}/g, () => randomUUID()),
        secured: Boolean(op.security?.length),
      });
    }
  }
  return routes;
}

describe('authentication', () => {
  it('answers 401 without a key on every documented route except /health', async () => {
    const routes = await documentedRoutes();
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      const res = await (t.http() as unknown as Record<string, (p: string) => Promise<{ status: number }>>)[
        route.method
      ](route.path);
      if (route.path === '/health') expect(res.status).toBe(200);
      else {
        expect({ route, status: res.status }).toEqual({ route, status: 401 });
        expect(route.secured).toBe(true);
      }
    }
  });

  it('rejects malformed, unknown and revoked keys with 401', async () => {
    await t.http().get('/api/v1/me').set('Authorization', 'Basic abc').expect(401);
    await t.http().get('/api/v1/me').set('Authorization', 'Bearer ').expect(401);
    await t
      .http()
      .get('/api/v1/me')
      .set(auth('gt_' + 'x'.repeat(43)))
      .expect(401);

    const { person, key } = await personWithKey(t, org.adminKey, ['tester']);
    await t.http().get('/api/v1/me').set(auth(key)).expect(200);
    const keys = await t.http().get(`/api/v1/people/${person.id}/api-keys`).set(auth(key)).expect(200);
    expect(keys.body.total).toBe(1);
    await t.http().delete(`/api/v1/people/${person.id}/api-keys/${keys.body.items[0].id}`).set(auth(key)).expect(204);
    const res = await t.http().get('/api/v1/me').set(auth(key)).expect(401);
    expect(res.body.message).toMatch(/revoked/);
  });

  it('shows a key once, stores only its hash, and records when it was last used', async () => {
    const { person } = await personWithKey(t, org.adminKey, ['quality']);
    const issued = await t
      .http()
      .post(`/api/v1/people/${person.id}/api-keys`)
      .set(auth(org.adminKey))
      .send({ label: 'laptop' })
      .expect(201);
    expect(issued.body.key).toMatch(/^gt_[A-Za-z0-9_-]{43}$/);
    const stored = await t.dataSource.query('SELECT hash, prefix FROM api_key WHERE id = $1', [issued.body.id]);
    expect(stored[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(issued.body.key);

    const listed = await t.http().get(`/api/v1/people/${person.id}/api-keys`).set(auth(org.adminKey)).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);
    const before = listed.body.items.find((k: { id: string }) => k.id === issued.body.id);
    expect(before.lastUsedAt).toBeNull();

    t.clock.advance(5 * 60_000);
    await t.http().get('/api/v1/me').set(auth(issued.body.key)).expect(200);
    const after = (await t.http().get(`/api/v1/people/${person.id}/api-keys`).set(auth(org.adminKey))).body.items.find(
      (k: { id: string }) => k.id === issued.body.id,
    );
    expect(after.lastUsedAt).toBe(t.clock.now().toISOString());
  });
});

// Who may use which route is the access matrix (access-matrix.e2e-spec.ts); here, what a role change and self-service mean.
describe('roles', () => {
  let keys: Record<string, string>;
  let ids: Record<string, string>;
  beforeAll(async () => {
    keys = { admin: org.adminKey };
    ids = { admin: org.adminId };
    for (const role of ['quality', 'tester', 'owner']) {
      const { person, key } = await personWithKey(t, org.adminKey, [role]);
      keys[role] = key;
      ids[role] = person.id;
    }
  });

  it("lets a person read themself and manage their own keys, but not anyone else's", async () => {
    await t.http().get(`/api/v1/people/${ids.tester}`).set(auth(keys.tester)).expect(200);
    await t.http().get(`/api/v1/people/${ids.owner}`).set(auth(keys.tester)).expect(403);
    const own = await t
      .http()
      .post(`/api/v1/people/${ids.tester}/api-keys`)
      .set(auth(keys.tester))
      .send({ label: 'phone' })
      .expect(201);
    await t.http().get('/api/v1/me').set(auth(own.body.key)).expect(200);
    await t.http().post(`/api/v1/people/${ids.owner}/api-keys`).set(auth(keys.tester)).send({}).expect(403);
    await t.http().get(`/api/v1/people/${ids.owner}/api-keys`).set(auth(keys.tester)).expect(403);
  });

  it('takes effect at once when roles change', async () => {
    const { person, key } = await personWithKey(t, org.adminKey, ['tester']);
    await t.http().get('/api/v1/touchpoints').set(auth(key)).expect(403);
    await t
      .http()
      .patch(`/api/v1/people/${person.id}`)
      .set(auth(org.adminKey))
      .send({ roles: ['tester', 'quality'] })
      .expect(200);
    await t.http().get('/api/v1/touchpoints').set(auth(key)).expect(200);
  });
});
