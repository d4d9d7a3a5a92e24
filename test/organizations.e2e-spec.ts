import { auth, newOrganization, personWithKey, scenarioBody, touchpointBody, created } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('organizations', () => {
  it('lets an admin rename their organization, and others read it', async () => {
    const org = await newOrganization(t, 'Old Name');
    const { key } = await personWithKey(t, org.adminKey, ['tester']);
    const renamed = await t
      .http()
      .patch(`/api/v1/organizations/${org.orgId}`)
      .set(auth(org.adminKey))
      .send({ name: '  New Name ' })
      .expect(200);
    expect(renamed.body.name).toBe('New Name');
    const read = await t.http().get(`/api/v1/organizations/${org.orgId}`).set(auth(key)).expect(200);
    expect(read.body).toMatchObject({ id: org.orgId, name: 'New Name' });
    await t.http().patch(`/api/v1/organizations/${org.orgId}`).set(auth(org.adminKey)).send({ name: '' }).expect(400);
  });

  it('deletes an organization and every row of it only with its exact name as confirmation', async () => {
    const org = await newOrganization(t, 'Doomed Ltd');
    const { person, key } = await personWithKey(t, org.adminKey, ['owner']);
    await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ ownerId: person.id }));
    await t.http().post('/api/v1/scenarios').set(auth(org.adminKey)).send(scenarioBody()).expect(201);

    const unconfirmed = await t.http().delete(`/api/v1/organizations/${org.orgId}`).set(auth(org.adminKey)).expect(400);
    expect(unconfirmed.body.errors[0]).toMatchObject({ field: 'confirm' });
    await t
      .http()
      .delete(`/api/v1/organizations/${org.orgId}?confirm=doomed%20ltd`)
      .set(auth(org.adminKey))
      .expect(400);
    await t.http().delete(`/api/v1/organizations/${org.orgId}?confirm=Doomed%20Ltd`).set(auth(key)).expect(403);
    await t
      .http()
      .delete(`/api/v1/organizations/${org.orgId}?confirm=Doomed%20Ltd`)
      .set(auth(org.adminKey))
      .expect(204);

    await t.http().get('/api/v1/me').set(auth(org.adminKey)).expect(401);
    for (const table of ['person', 'api_key', 'touchpoint', 'scenario']) {
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE organization_id = $1`, [
        org.orgId,
      ]);
      expect({ table, n }).toEqual({ table, n: 0 });
    }
  });
});
