import { randomBytes } from 'node:crypto';

import type { Response } from 'supertest';

import { BootstrapService } from '../../src/bootstrap/bootstrap.service.js';
import { createTestApp, type TestApp } from './test-app.js';

export const unique = () => randomBytes(4).toString('hex');

export interface TestOrganization {
  orgId: string;
  adminId: string;
  adminKey: string;
}

/** A tenant with its first admin, made the way `cli bootstrap` makes one. */
export async function newOrganization(t: TestApp, name = `Org ${unique()}`): Promise<TestOrganization> {
  const result = await t.app
    .get(BootstrapService)
    .bootstrap({ name, adminEmail: `admin-${unique()}@example.org`, timezone: 'Europe/London' });
  return { orgId: result.organization.id, adminId: result.admin.id, adminKey: result.apiKey.key };
}

/** A spec's usual start: an app of its own (a database of its own) and one organization in it. */
export async function appWithOrganization(): Promise<{ t: TestApp; org: TestOrganization }> {
  const t = await createTestApp();
  return { t, org: await newOrganization(t) };
}

export const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

export function personBody(overrides: Record<string, unknown> = {}) {
  return {
    email: `p-${unique()}@example.org`,
    name: 'Pat Tester',
    roles: ['tester'],
    timezone: 'Europe/London',
    ...overrides,
  };
}

export function touchpointBody(overrides: Record<string, unknown> = {}) {
  return {
    name: `General line ${unique()}`,
    channel: 'phone',
    contact: '+44 20 7946 0000',
    timezone: 'Europe/London',
    openingHours: [
      { day: 'mon', open: '08:00', close: '20:00' },
      { day: 'sat', open: '10:00', close: '14:00' },
    ],
    team: 'contact-centre',
    ...overrides,
  };
}

export function scenarioBody(overrides: Record<string, unknown> = {}) {
  return {
    title: `Port my number back ${unique()}`,
    brief: 'Say you moved abroad last year and want your old number back on a new contract.',
    channels: ['phone', 'in_person'],
    questions: [
      { key: 'offered_alternative', label: 'Were you offered an alternative?', type: 'yes_no', required: true },
      { key: 'mood', label: 'How did it feel?', type: 'choice', options: ['calm', 'rushed'] },
    ],
    ...overrides,
  };
}

/** POSTs a body with the key, expects 201, and answers the created resource as the API returns it. */
export async function created(t: TestApp, key: string, path: string, body: object): Promise<Response['body']> {
  return (await t.http().post(path).set(auth(key)).send(body).expect(201)).body;
}

/** A person with the given roles and a key of their own. */
export async function personWithKey(
  t: TestApp,
  adminKey: string,
  roles: string[],
  overrides: Record<string, unknown> = {},
) {
  const created = await t
    .http()
    .post('/api/v1/people')
    .set(auth(adminKey))
    .send(personBody({ roles, ...overrides }));
  if (created.status !== 201) throw new Error(`person not created: ${created.status} ${JSON.stringify(created.body)}`);
  const issued = await t
    .http()
    .post(`/api/v1/people/${created.body.id}/api-keys`)
    .set(auth(adminKey))
    .send({ label: 'test' });
  if (issued.status !== 201) throw new Error(`key not issued: ${issued.status} ${JSON.stringify(issued.body)}`);
  return { person: created.body as { id: string; email: string }, key: issued.body.key as string };
}
