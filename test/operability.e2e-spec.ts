import { auth, personBody, TestOrganization, appWithOrganization } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

let t: TestApp;
let org: TestOrganization;

beforeAll(async () => {
  ({ t, org } = await appWithOrganization());
});
afterAll(() => t.close());

describe('operability', () => {
  it('serves the OpenAPI document with every route and its DTOs', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/health',
      '/api/v1/me',
      '/api/v1/organizations/{id}',
      '/api/v1/people',
      '/api/v1/people/import',
      '/api/v1/people/{id}',
      '/api/v1/people/{id}/api-keys',
      '/api/v1/people/{id}/api-keys/{keyId}',
      '/api/v1/touchpoints',
      '/api/v1/touchpoints/import',
      '/api/v1/touchpoints/{id}',
      '/api/v1/scenarios',
      '/api/v1/scenarios/{id}',
    ]) {
      expect(paths).toContain(p);
    }
    for (const schema of [
      'CreatePersonDto',
      'WorkingHoursDto',
      'CreateTouchpointDto',
      'OpeningHoursDto',
      'DateRangeDto',
      'CreateScenarioDto',
      'QuestionDto',
      'PersonView',
    ]) {
      expect(Object.keys(doc.components.schemas)).toContain(schema);
    }
    expect(doc.components.schemas.CreateTouchpointDto.properties.channel.enum).toEqual([
      'phone',
      'chat',
      'email',
      'in_person',
      'web_form',
      'social',
    ]);
    const html = await t.http().get('/api/docs').expect(200);
    expect(html.text).toMatch(/swagger/i);
  });

  it('reports the database in /health without a key', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('logs requests as JSON with a request id that is echoed back, and never logs the key', async () => {
    const res = await t
      .http()
      .get('/api/v1/me')
      .set(auth(org.adminKey))
      .set('X-Request-Id', 'trace-abc-12345')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-12345');
    const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'trace-abc-12345');
    expect(line).toMatchObject({
      msg: 'request completed',
      res: { statusCode: 200 },
      req: { method: 'GET', url: '/api/v1/me' },
    });
    const generated = await t.http().get('/health').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.logs.join('\n')).not.toContain(org.adminKey);
  });

  it('answers an unexpected failure with 500 and an errorId that is in the log, without a stack', async () => {
    await t.dataSource.query('ALTER TABLE scenario RENAME TO scenario_gone');
    try {
      const res = await t
        .http()
        .get('/api/v1/scenarios')
        .set(auth(org.adminKey))
        .set('X-Request-Id', 'req-for-500-test')
        .expect(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: expect.stringMatching(/errorId/),
        errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/scenario|QueryFailed|\.ts:|\.js:/);
      const logged = t.logs.map((l) => JSON.parse(l)).find((l) => l.errorId === res.body.errorId);
      expect(logged).toMatchObject({ level: 50, reqId: 'req-for-500-test', err: { stack: expect.any(String) } });
    } finally {
      await t.dataSource.query('ALTER TABLE scenario_gone RENAME TO scenario');
    }
  });

  it('answers malformed JSON with 400, a body over the limit with 413, and unknown routes with 404', async () => {
    const bad = await t
      .http()
      .post('/api/v1/people')
      .set(auth(org.adminKey))
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(bad.body.message).toMatch(/JSON/);
    const huge = await t
      .http()
      .post('/api/v1/people')
      .set(auth(org.adminKey))
      .send(personBody({ name: 'x'.repeat(2 * 1024 * 1024) }))
      .expect(413);
    expect(huge.body.statusCode).toBe(413);
    await t.http().get('/api/v1/nothing-here').set(auth(org.adminKey)).expect(404);
  });

  it('schedules the jobs only when ENABLE_JOBS is on, and stops them on close', async () => {
    const cron = (await import('node-cron')).default;
    const names = () =>
      [...cron.getTasks().values()].map((task) => task.name).filter((n) => n?.startsWith('groundtruth:'));
    expect(names()).toEqual([]);
    const withJobs = await createTestApp({ env: { ENABLE_JOBS: 'true' } });
    try {
      expect(names().sort()).toEqual([
        'groundtruth:cleanup',
        'groundtruth:digest',
        'groundtruth:followUp',
        'groundtruth:outbox',
        'groundtruth:plan',
        'groundtruth:remindExpire',
        'groundtruth:reveal',
      ]);
    } finally {
      await withJobs.close();
    }
    expect(names()).toEqual([]);
  });

  it('sets security headers', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});
