import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import pg from 'pg';

import { requestHash } from '../src/idempotency/idempotency.interceptor.js';
import { IDEMPOTENCY_KEY_TTL_HOURS } from '../src/idempotency/idempotency.service.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import {
  auth,
  newOrganization,
  personBody,
  personWithKey,
  scenarioBody,
  TestOrganization,
  touchpointBody,
  unique,
  created,
  appWithOrganization,
} from './support/factories.js';
import type { TestApp } from './support/test-app.js';

/**
 * Creating requests honour an Idempotency-Key: the same key with the same request gets the first
 * answer again and creates nothing; the same key with another request answers 422; a request still
 * running with the key answers 409. Keys are per organization and API key, kept 24 hours.
 */

let t: TestApp;
let org: TestOrganization;
let tester: { person: { id: string }; key: string };
let owner: { person: { id: string }; key: string };
let touchpointId: string;

beforeAll(async () => {
  ({ t, org } = await appWithOrganization());
  tester = await personWithKey(t, org.adminKey, ['tester']);
  owner = await personWithKey(t, org.adminKey, ['owner']);
  touchpointId = (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ ownerId: owner.person.id })))
    .id;
  await t.http().post('/api/v1/scenarios').set(auth(org.adminKey)).send(scenarioBody()).expect(201);
});
afterAll(() => t.close());

const outcomeBody = (notes = 'kept waiting') => ({
  touchpointId,
  attemptedAt: '2026-11-02T08:00:00Z',
  reachedHuman: true,
  secondsToHuman: 240,
  resolution: 'partial',
  optionsExplained: true,
  courtesy: 4,
  knowledge: 4,
  notes,
});

const count = async (sql: string) => Number((await t.dataSource.query(sql, [org.orgId]))[0].n);

interface Route {
  name: string;
  path: string;
  key: () => string;
  csv?: boolean;
  body: () => unknown;
  other: () => unknown;
  rows: string;
}

const claim = (value: number) => ({
  touchpointId,
  metric: 'answer_rate',
  periodStart: '2026-10-01',
  periodEnd: '2026-10-31',
  value,
  source: 'October review',
  reportedAt: '2026-11-01T10:00:00Z',
});
const claimsCsv = (value: string) =>
  'touchpoint,metric,periodStart,periodEnd,value,source,reportedAt\n' +
  `${touchpointId},answer_rate,2026-09-01,2026-09-30,${value},September review,2026-10-01T10:00:00Z\n`;

const ROUTES: Route[] = [
  {
    name: 'POST /people',
    path: '/api/v1/people',
    key: () => org.adminKey,
    body: () => personBody({ email: 'same.person@example.org' }),
    other: () => personBody({ email: 'other.person@example.org' }),
    rows: 'SELECT count(*) AS n FROM person WHERE organization_id = $1',
  },
  {
    name: 'POST /touchpoints',
    path: '/api/v1/touchpoints',
    key: () => org.adminKey,
    body: () => touchpointBody({ name: 'Same line' }),
    other: () => touchpointBody({ name: 'Other line' }),
    rows: 'SELECT count(*) AS n FROM touchpoint WHERE organization_id = $1',
  },
  {
    name: 'POST /campaigns',
    path: '/api/v1/campaigns',
    key: () => org.adminKey,
    body: () => ({
      name: 'Same campaign',
      touchpointIds: [touchpointId],
      testerIds: [tester.person.id],
      contactsPerTouchpointPerWeek: 1,
      startsOn: '2027-03-01',
    }),
    other: () => ({
      name: 'Other campaign',
      touchpointIds: [touchpointId],
      testerIds: [tester.person.id],
      contactsPerTouchpointPerWeek: 1,
      startsOn: '2027-03-01',
    }),
    rows: 'SELECT count(*) AS n FROM campaign WHERE organization_id = $1',
  },
  {
    name: 'POST /claims',
    path: '/api/v1/claims',
    key: () => owner.key,
    body: () => claim(0.96),
    other: () => claim(0.9),
    rows: 'SELECT count(*) AS n FROM claim WHERE organization_id = $1',
  },
  {
    name: 'POST /outcomes',
    path: '/api/v1/outcomes',
    key: () => tester.key,
    body: () => outcomeBody(),
    other: () => outcomeBody('answered at once'),
    rows: 'SELECT count(*) AS n FROM outcome WHERE organization_id = $1',
  },
  {
    name: 'POST /people/import',
    path: '/api/v1/people/import',
    key: () => org.adminKey,
    csv: true,
    body: () =>
      'email,name,roles,timezone\n' +
      'imported.one@example.org,One,tester,Europe/London\nimported.two@example.org,Two,tester,UTC\n',
    other: () => 'email,name,roles,timezone\nimported.three@example.org,Three,tester,Europe/London\n',
    rows: 'SELECT count(*) AS n FROM person WHERE organization_id = $1',
  },
  {
    name: 'POST /touchpoints/import',
    path: '/api/v1/touchpoints/import',
    key: () => org.adminKey,
    csv: true,
    body: () =>
      'name,channel,contact,timezone,openingHours\n' +
      'Imported line,phone,+44 20 7946 0100,Europe/London,mon-fri 09:00-17:00\n',
    other: () =>
      'name,channel,contact,timezone,openingHours\n' +
      'Another line,phone,+44 20 7946 0101,Europe/London,mon-fri 09:00-17:00\n',
    rows: 'SELECT count(*) AS n FROM touchpoint WHERE organization_id = $1',
  },
  {
    name: 'POST /claims/import',
    path: '/api/v1/claims/import',
    key: () => owner.key,
    csv: true,
    body: () => claimsCsv('95%'),
    other: () => claimsCsv('85%'),
    rows: 'SELECT count(*) AS n FROM claim WHERE organization_id = $1',
  },
];

function send(route: Route, body: unknown, idempotencyKey?: string, key = route.key()) {
  const req = t.http().post(route.path).set(auth(key));
  if (idempotencyKey !== undefined) req.set('Idempotency-Key', idempotencyKey);
  if (route.csv) req.set('Content-Type', 'text/csv');
  return req.send(body as object);
}

describe('Idempotency-Key on creating routes', () => {
  it.each(ROUTES.map((r) => [r.name, r] as const))(
    '%s: the same key and body give the first answer again, another body 422',
    async (_name, route) => {
      const logsBefore = t.logs.length;
      const key = randomUUID();
      const first = await send(route, route.body(), key).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const rows = await count(route.rows);

      const again = await send(route, route.body(), key).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await count(route.rows)).toBe(rows);

      // the key was marked used in the transaction that wrote the rows (the interceptor says so otherwise)
      expect(t.logs.slice(logsBefore).filter((l) => l.includes('did not mark its Idempotency-Key'))).toEqual([]);

      const other = await send(route, route.other(), key).expect(422);
      expect(other.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key', rule: 'sameRequest' })]);
      expect(other.body.message).toMatch(/Idempotency-Key was already used with a different request/);
      expect(await count(route.rows)).toBe(rows);
    },
  );

  it('treats a body with its fields in another order as the same request', async () => {
    const key = randomUUID();
    const body = outcomeBody('reordered');
    const first = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', key)
      .send(reordered)
      .expect(201);
    expect(again.body.id).toBe(first.body.id);
  });

  it('changes nothing without the header: two posts, two rows', async () => {
    const before = await count('SELECT count(*) AS n FROM outcome WHERE organization_id = $1');
    const a = await t.http().post('/api/v1/outcomes').set(auth(tester.key)).send(outcomeBody('no key')).expect(201);
    const b = await t.http().post('/api/v1/outcomes').set(auth(tester.key)).send(outcomeBody('no key')).expect(201);
    expect(a.body.id).not.toBe(b.body.id);
    expect(await count('SELECT count(*) AS n FROM outcome WHERE organization_id = $1')).toBe(before + 2);
  });

  it('keeps keys apart per API key and per organization', async () => {
    const key = `shared-${unique()}`;
    const first = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', key)
      .send(outcomeBody('scoped'))
      .expect(201);
    // the same person's second key is another client: its own request
    const secondKey = (
      await created(t, org.adminKey, `/api/v1/people/${tester.person.id}/api-keys`, { label: 'phone' })
    ).key;
    const viaSecond = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(secondKey))
      .set('Idempotency-Key', key)
      .send(outcomeBody('scoped'))
      .expect(201);
    expect(viaSecond.body.id).not.toBe(first.body.id);
    expect(viaSecond.headers['idempotent-replayed']).toBeUndefined();
    // another organization's admin with the same key
    const other = await newOrganization(t);
    const elsewhere = await t
      .http()
      .post('/api/v1/people')
      .set(auth(other.adminKey))
      .set('Idempotency-Key', key)
      .send(personBody())
      .expect(201);
    expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
  });

  it('answers 400 naming the header for a key that is not 1 to 255 visible characters', async () => {
    for (const bad of ['', 'has space', 'x'.repeat(256), 'naïve']) {
      const res = await t
        .http()
        .post('/api/v1/outcomes')
        .set(auth(tester.key))
        .set('Idempotency-Key', bad)
        .send(outcomeBody());
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key', rule: 'idempotencyKey' })]);
    }
  });

  it('does not keep a refused request: after a 400, the same key is free for the corrected request', async () => {
    const key = randomUUID();
    await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', key)
      .send({ ...outcomeBody(), courtesy: 9 })
      .expect(400);
    await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', key)
      .send(outcomeBody('corrected'))
      .expect(201);
  });

  it('records one outcome when a client times out and retries: 409 while the first runs, then its answer', async () => {
    const key = randomUUID();
    const body = outcomeBody('retried after a timeout');
    const mine = () =>
      count(`SELECT count(*) AS n FROM outcome WHERE organization_id = $1 AND notes = 'retried after a timeout'`);
    const keyState = async () =>
      (await t.dataSource.query('SELECT state FROM idempotency_key WHERE key = $1', [key]))[0]?.state as
        string | undefined;
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; !(await ok()); i++) {
        if (i > 600) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const server = t.app.getHttpServer();
    if (!server.address()) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/outcomes`;
    const headers = { ...auth(tester.key), 'Idempotency-Key': key, 'Content-Type': 'application/json' };

    // another session holds the outcome table, so the first request waits inside its transaction
    const blocker = new pg.Client({ connectionString: t.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE outcome IN EXCLUSIVE MODE');
      const client = new AbortController();
      const first = fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: client.signal }).then(
        () => 'answered',
        (e: Error) => e.name,
      );
      await until('the first request to hold the key', async () => (await keyState()) === 'in_flight');
      // and to have marked it in the transaction that is writing the outcome: that transaction holds the key's row
      await until('the key to be marked in the open transaction', async () => {
        const [probe] = await t.dataSource.query(
          'SELECT count(*)::int AS free FROM (SELECT 1 FROM idempotency_key WHERE key = $1 FOR UPDATE SKIP LOCKED) k',
          [key],
        );
        return probe.free === 0;
      });
      client.abort(); // the client's timeout: it gives up, the server goes on
      expect(await first).toBe('AbortError');

      const retry = await t
        .http()
        .post('/api/v1/outcomes')
        .set(auth(tester.key))
        .set('Idempotency-Key', key)
        .send(body)
        .expect(409);
      expect(retry.body.message).toMatch(/still in progress/);
      expect(retry.headers['retry-after']).toBe('1');
      await t
        .http()
        .post('/api/v1/outcomes')
        .set(auth(tester.key))
        .set('Idempotency-Key', key)
        .send(outcomeBody('something else'))
        .expect(422);
    } finally {
      await blocker.query('COMMIT');
      await blocker.end();
    }
    // the first request finishes on the server and stores its answer
    await until('the first request to store its answer', async () => (await keyState()) === 'done');
    const answer = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    expect(answer.headers['idempotent-replayed']).toBe('true');
    expect(await mine()).toBe(1);
    const [stored] = await t.dataSource.query(`SELECT id FROM outcome WHERE notes = 'retried after a timeout'`);
    expect(answer.body.id).toBe(stored.id);
  });

  it('after a crash: a key whose request left nothing is taken over; one that committed never runs again', async () => {
    const me = (await t.http().get('/api/v1/me').set(auth(tester.key)).expect(200)).body as { personId: string };
    const [{ id: keyId }] = await t.dataSource.query(
      `SELECT id FROM api_key WHERE person_id = $1 ORDER BY created_at LIMIT 1`,
      [me.personId],
    );
    const hold = async (key: string, state: string, body: object) => {
      // what a process killed mid-request leaves behind: the key held, its lease run out
      await t.dataSource.query(
        `INSERT INTO idempotency_key (organization_id, api_key_id, key, person_id, request_hash, state, attempt,
                                      lease_expires_at, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
        [
          org.orgId,
          keyId,
          key,
          me.personId,
          requestHash('POST', '/api/v1/outcomes', body),
          state,
          randomUUID(),
          t.clock.now(),
          new Date(t.clock.now().getTime() + 3_600_000),
        ],
      );
    };
    const died = randomUUID();
    const diedBody = outcomeBody('first attempt died');
    await hold(died, 'in_flight', diedBody);
    const taken = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', died)
      .send(diedBody)
      .expect(201);
    expect(taken.headers['idempotent-replayed']).toBeUndefined();

    const lost = randomUUID();
    const lostBody = outcomeBody('answer lost');
    await hold(lost, 'committed', lostBody);
    const refused = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', lost)
      .send(lostBody)
      .expect(409);
    expect(refused.body.message).toMatch(
      /carried out, but the service stopped before its answer was stored; nothing was created twice/,
    );
    expect(await count(`SELECT count(*) AS n FROM outcome WHERE organization_id = $1 AND notes = 'answer lost'`)).toBe(
      0,
    );
  });

  it('keeps a key 24 hours; the hourly cleanup forgets it, and the key is new again', async () => {
    const key = randomUUID();
    const first = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', key)
      .send(outcomeBody('kept a day'))
      .expect(201);
    const [row] = await t.dataSource.query('SELECT created_at, expires_at FROM idempotency_key WHERE key = $1', [key]);
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000);

    t.clock.advance(IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000 - 60_000);
    expect(
      (
        await t
          .http()
          .post('/api/v1/outcomes')
          .set(auth(tester.key))
          .set('Idempotency-Key', key)
          .send(outcomeBody('kept a day'))
          .expect(201)
      ).body.id,
    ).toBe(first.body.id);
    t.clock.advance(60_000);
    const result = (await t.app.get(JobsService).run('cleanup')) as { idempotencyKeys: number };
    expect(result.idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(await t.dataSource.query('SELECT 1 FROM idempotency_key WHERE key = $1', [key])).toEqual([]);
    const fresh = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .set('Idempotency-Key', key)
      .send(outcomeBody('kept a day'))
      .expect(201);
    expect(fresh.body.id).not.toBe(first.body.id);
  });

  it('documents the header on each creating operation in the OpenAPI document', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    const paths = [
      '/api/v1/people',
      '/api/v1/people/import',
      '/api/v1/touchpoints',
      '/api/v1/touchpoints/import',
      '/api/v1/campaigns',
      '/api/v1/claims',
      '/api/v1/claims/import',
      '/api/v1/outcomes',
    ];
    for (const path of paths) {
      const op = doc.paths[path].post;
      expect({
        path,
        header: op.parameters.find(
          (p: { in: string; name: string }) => p.in === 'header' && p.name === 'Idempotency-Key',
        ),
      }).toEqual({
        path,
        header: expect.objectContaining({
          required: false,
          description: expect.stringMatching(/same key with the same request gets the first answer again/),
        }),
      });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
  });
});
