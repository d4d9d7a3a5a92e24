/**
 * Every route of the OpenAPI document, fuzzed with hostile input under the key of each role:
 * bodies (nearly valid, junk, not JSON at all, forms, CSV), query strings and path ids.
 * Never a 5xx, never a stack trace or internal detail, never a row changed by a rejected
 * request (nor by any GET).
 *
 * Runs per route: FUZZ_RUNS (default 24). Random each run; to replay a failure, pass the seed
 * fast-check prints: FUZZ_SEED=<seed> (the whole file, in order, since earlier routes leave rows).
 * FUZZ_DEBUG=<file> writes the service's log lines of unexpected errors (with their stacks) there.
 */
import type { AddressInfo } from 'node:net';

import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import request from 'supertest';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { changedTables, fingerprint, Fingerprint } from './support/db-fingerprint.js';
import {
  auth,
  newOrganization,
  personBody,
  personWithKey,
  scenarioBody,
  touchpointBody,
  created,
} from './support/factories.js';
import { describeExchange, leaves, leaksIn } from './support/fuzz-checks.js';
import {
  csvBody,
  hostileString,
  jsonText,
  junk,
  mutated,
  mutatedCsv,
  nearlyValid,
  ODD_CONTENT_TYPES,
  OpenApiSchema,
  pathSegment,
  pathsOf,
  percentEncode,
  plausible,
  probesFor,
  RAW_JSON,
  valueAtPath,
  withChange,
} from './support/hostile-input.js';
import { smallCampaign } from './support/small-campaign.js';
import { createTestApp, TestApp } from './support/test-app.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 24);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

type Role = 'admin' | 'quality' | 'tester' | 'owner';
const ROLES: Role[] = ['admin', 'quality', 'tester', 'owner'];

interface Operation {
  parameters?: Array<{ name: string; in: 'path' | 'query'; required?: boolean; schema: OpenApiSchema }>;
  requestBody?: { content: Record<string, { schema: OpenApiSchema }> };
}
interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  op: Operation;
}

/** Columns and plausible cells of the CSV imports. */
const CSV: Record<string, { columns: string[]; cells: Record<string, string[]> }> = {
  '/api/v1/people/import': {
    columns: ['email', 'name', 'roles', 'timezone', 'workingHours', 'leave'],
    cells: {
      email: ['ada@example.org', 'ADA@example.org'],
      name: ['Ada'],
      roles: ['tester', 'tester; owner', 'root'],
      timezone: ['Europe/London'],
      workingHours: ['mon-fri 09:00-17:00', 'fri-mon 9-5'],
      leave: ['2026-12-24..2027-01-02 holiday', '2027-02-30'],
    },
  },
  '/api/v1/touchpoints/import': {
    columns: ['name', 'channel', 'contact', 'timezone', 'openingHours', 'closures', 'owner', 'team'],
    cells: {
      name: ['Line'],
      channel: ['phone', 'fax'],
      contact: ['+44 20 7946 0000', 'https://example.org/chat'],
      timezone: ['UTC'],
      openingHours: ['mon-fri 09:00-17:00'],
      closures: ['2026-12-25'],
      owner: ['owner@example.org', 'nobody@example.org'],
      team: ['sales'],
    },
  },
  '/api/v1/claims/import': {
    columns: ['metric', 'periodStart', 'periodEnd', 'value', 'source', 'reportedAt', 'touchpoint', 'team', 'channel'],
    cells: {
      metric: ['answer_rate', 'courtesy_avg', 'median_seconds_to_human', 'happiness'],
      periodStart: ['2026-11-02'],
      periodEnd: ['2026-11-08', '2026-11-01'],
      value: ['0.9', '1.5', '-1', '4'],
      source: ['Weekly review'],
      reportedAt: ['2026-11-09T09:00:00Z'],
      touchpoint: ['General line', 'Unknown'],
      team: ['contact-centre'],
      channel: ['phone', 'chat', 'fax', ''],
    },
  },
};

/** A valid body for each route that takes one (`n` keeps names and addresses unique); the fuzz mutates them. */
function valid(
  n: number,
  world: {
    owner: string;
    touchpoint: string;
    scenario: string;
    testers: string[];
    attemptedAt: string;
    touchpointName: string;
  },
): Record<string, unknown> {
  const hours = [
    { day: 'mon', start: '09:00', end: '17:00' },
    { day: 'tue', start: '09:00', end: '12:00' },
  ];
  const opening = [
    { day: 'mon', open: '09:00', close: '17:00' },
    { day: 'sat', open: '10:00', close: '14:00' },
  ];
  const person = personBody({
    email: `fuzz-${n}@example.org`,
    name: `Pat ${n}`,
    roles: ['tester', 'owner'],
    workingHours: hours,
    leave: [{ from: '2026-12-24', to: '2027-01-02', reason: 'holiday' }],
  });
  const touchpoint = touchpointBody({
    name: `Line ${n}`,
    ownerId: world.owner,
    closures: [{ from: '2026-12-25', to: '2026-12-26', reason: 'Christmas' }],
    openingHours: opening,
  });
  const scenario = scenarioBody({ title: `Scenario ${n}` });
  const campaign = {
    name: `Campaign ${n}`,
    touchpointIds: [world.touchpoint],
    testerIds: world.testers.slice(0, 2),
    scenarioIds: [world.scenario],
    contactsPerTouchpointPerWeek: 1,
    windowMinutes: 60,
    revealLeadMinutes: 120,
    startsOn: '2027-04-05',
    endsOn: '2027-06-30',
  };
  const outcome = {
    attemptedAt: world.attemptedAt,
    reachedHuman: true,
    secondsToHuman: 95,
    holdSeconds: 10,
    transfers: 1,
    disconnects: 0,
    repeatedStory: false,
    resolution: 'partial',
    optionsExplained: true,
    courtesy: 4,
    knowledge: 3,
    staffGaveName: false,
    promisedFollowUpBy: '2027-03-09',
    notes: `Held ${n}`,
    answers: { offered_alternative: true, mood: 'calm' },
  };
  const claim = {
    touchpointId: world.touchpoint,
    channel: 'phone',
    metric: 'answer_rate',
    periodStart: '2027-02-22',
    periodEnd: '2027-02-28',
    value: 0.9,
    source: `Review ${n}`,
    reportedAt: '2027-03-01T09:00:00Z',
  };
  const subscription = {
    name: `Digest ${n}`,
    recipients: [`q${n}@example.org`, world.testers[0]],
    touchpointIds: [world.touchpoint],
    cron: '0 8 * * 1',
    timezone: 'Europe/London',
    periodDays: 7,
    minContacts: 3,
  };
  return {
    'POST /api/v1/people/{id}/api-keys': { label: `key ${n}` },
    'PATCH /api/v1/organizations/{id}': { name: `Organisation ${n}` },
    'POST /api/v1/people': person,
    'PATCH /api/v1/people/{id}': { name: `Pat ${n}`, workingHours: hours, timezone: 'Asia/Kolkata' },
    'POST /api/v1/touchpoints': touchpoint,
    'PATCH /api/v1/touchpoints/{id}': { name: `Line ${n}`, openingHours: opening, team: `team ${n}` },
    'POST /api/v1/scenarios': scenario,
    'PATCH /api/v1/scenarios/{id}': { brief: `Brief ${n}`, questions: scenario.questions },
    'POST /api/v1/campaigns': campaign,
    'PATCH /api/v1/campaigns/{id}': { name: `Campaign ${n}`, testerWeeklyCap: 2, minSpacingHours: 24 },
    'POST /api/v1/campaigns/{id}/plan': { from: '2027-03-08', to: '2027-03-21' },
    'POST /api/v1/assignments/{id}/decline': { reason: `Away ${n}` },
    'PUT /api/v1/assignments/{id}/outcome': outcome,
    'POST /api/v1/outcomes': {
      ...outcome,
      touchpointId: world.touchpoint,
      scenarioId: world.scenario,
      promisedFollowUpBy: null,
    },
    'POST /api/v1/claims': claim,
    'PATCH /api/v1/claims/{id}': { value: 0.5, source: `Review ${n}` },
    'POST /api/v1/digest-subscriptions': subscription,
    'PATCH /api/v1/digest-subscriptions/{id}': { name: `Digest ${n}`, minContacts: 5, team: null },
    'POST /api/v1/people/import': [
      CSV['/api/v1/people/import'].columns,
      [
        `csv-${n}@example.org`,
        `Ada ${n}`,
        'tester; owner',
        'Europe/London',
        'mon-fri 09:00-17:00',
        '2026-12-24..2027-01-02 holiday',
      ],
    ],
    'POST /api/v1/touchpoints/import': [
      CSV['/api/v1/touchpoints/import'].columns,
      [`Line csv ${n}`, 'phone', '+44 20 7946 0000', 'UTC', 'mon-fri 09:00-17:00', '2026-12-25', '', 'sales'],
    ],
    'POST /api/v1/claims/import': [
      CSV['/api/v1/claims/import'].columns,
      [
        'answer_rate',
        '2027-02-22',
        '2027-02-28',
        '0.9',
        `Review ${n}`,
        '2027-03-01T09:00:00Z',
        world.touchpointName,
        '',
        'phone',
      ],
    ],
  };
}

interface Exchange {
  role: Role;
  path: string;
  query: string;
  body: { contentType?: string; raw: string } | null;
  sent: string[];
}

describe('fuzzing every API route', () => {
  let t: TestApp;
  let base: string;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, OpenApiSchema> } };
  const keys = {} as Record<Role, string>;
  const selfIds = {} as Record<Role, string>;
  let ids: Record<string, string[]>;
  let state: Fingerprint;
  let validBodies: (n: number) => Record<string, unknown>;
  const allowed: Record<string, Role[]> = {};

  beforeAll(async () => {
    t = await createTestApp({ clock: new ManualClock('2026-11-02T09:00:00Z') });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    doc = (await t.http().get('/api/docs-json').expect(200)).body;

    // A week's grace: the first test is recorded once the second is revealed, which may be days later.
    const { org, testers, campaignId } = await smallCampaign(t, { graceMinutes: 10_080 });
    const admin = auth(org.adminKey);
    const quality = await personWithKey(t, org.adminKey, ['quality']);
    const owner = await personWithKey(t, org.adminKey, ['owner']);
    const spare = await personWithKey(t, org.adminKey, ['tester']);
    const spareKey = (await t.http().get(`/api/v1/people/${spare.person.id}/api-keys`).set(admin).expect(200)).body
      .items[0].id;
    const owned = (
      await t
        .http()
        .post('/api/v1/touchpoints')
        .set(admin)
        .send(touchpointBody({ ownerId: owner.person.id }))
        .expect(201)
    ).body;
    const loose = (await t.http().post('/api/v1/touchpoints').set(admin).send(touchpointBody()).expect(201)).body;
    const scenario = (await t.http().get('/api/v1/scenarios').set(admin).expect(200)).body.items[0];
    const outcome = await created(t, testers[0].key, '/api/v1/outcomes', {
      touchpointId: owned.id,
      attemptedAt: '2026-11-02T08:00:00Z',
      reachedHuman: true,
      secondsToHuman: 30,
      courtesy: 4,
      knowledge: 4,
      resolution: 'resolved',
      notes: 'fine',
    });
    const claim = (
      await t
        .http()
        .post('/api/v1/claims')
        .set(admin)
        .send({
          touchpointId: owned.id,
          metric: 'answer_rate',
          periodStart: '2026-10-26',
          periodEnd: '2026-11-01',
          value: 0.95,
          source: 'Weekly review',
          reportedAt: '2026-11-02T08:30:00Z',
        })
        .expect(201)
    ).body;
    const sub = (
      await t
        .http()
        .post('/api/v1/digest-subscriptions')
        .set(admin)
        .send({
          name: 'Monday digest',
          recipients: ['quality@example.org'],
          cron: '0 8 * * 1',
          timezone: 'UTC',
          periodDays: 7,
        })
        .expect(201)
    ).body;
    const jobs = t.app.get(JobsService);
    t.clock.set('2026-11-09T08:05:00Z');
    await jobs.run('digest');
    const [run] = await t.dataSource.query('SELECT id FROM digest_run');
    // The tester fuzzed has two assignments revealed: the first, its window begun, to record an outcome on; the other to decline.
    const assignments: Array<{ id: string; tester_id: string; window_start: Date; reveal_at: Date }> =
      await t.dataSource.query('SELECT id, tester_id, window_start, reveal_at FROM assignment ORDER BY window_start');
    const recordable = assignments.find((a) => assignments.filter((b) => b.tester_id === a.tester_id).length > 1)!;
    const declinable = assignments.find((a) => a.tester_id === recordable.tester_id && a.id !== recordable.id)!;
    t.clock.set(recordable.reveal_at);
    await jobs.run('reveal');
    t.clock.set(new Date(Math.max(declinable.reveal_at.getTime(), recordable.window_start.getTime() + 30 * 60_000)));
    await jobs.run('reveal');
    const tester = testers.find((x) => x.person.id === recordable.tester_id)!;
    const other = await newOrganization(t);
    const otherTouchpoint = (
      await t.http().post('/api/v1/touchpoints').set(auth(other.adminKey)).send(touchpointBody()).expect(201)
    ).body;

    Object.assign(keys, { admin: org.adminKey, quality: quality.key, tester: tester.key, owner: owner.key });
    Object.assign(selfIds, {
      admin: org.adminId,
      quality: quality.person.id,
      tester: tester.person.id,
      owner: owner.person.id,
    });
    ids = {
      person: [spare.person.id, other.adminId],
      key: [spareKey],
      organization: [org.orgId, other.orgId],
      touchpoint: [owned.id, loose.id, otherTouchpoint.id],
      scenario: [scenario.id],
      campaign: [campaignId],
      assignment: [
        recordable.id,
        declinable.id,
        ...assignments
          .filter((a) => a.tester_id !== recordable.tester_id)
          .map((a) => a.id)
          .slice(0, 1),
      ],
      outcome: [outcome.id],
      claim: [claim.id],
      subscription: [sub.id],
      run: [run.id],
      tester: testers.map((x) => x.person.id),
      owner: [owner.person.id],
      email: [spare.person.email, 'quality@example.org'],
    };
    const attemptedAt = new Date(recordable.window_start.getTime() + 10 * 60_000).toISOString();
    validBodies = (n: number) =>
      valid(n, {
        owner: owner.person.id,
        touchpoint: owned.id,
        scenario: scenario.id,
        testers: ids.tester,
        attemptedAt,
        touchpointName: owned.name,
      });
    // Which roles get past the guard on each route (a junk id is enough to tell).
    for (const route of routes()) {
      const url = route.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      for (const role of ROLES) {
        const res = await request(base)[route.method](url).set(auth(keys[role]));
        if (res.status !== 403) (allowed[`${route.method} ${route.path}`] ??= []).push(role);
      }
    }
    // A key notes its first use: done here, so the snapshots below see only the fuzzed requests.
    for (const key of Object.values(keys)) await t.http().get('/api/v1/me').set(auth(key)).expect(200);
    state = await fingerprint(t.dataSource);
  });

  afterAll(async () => {
    if (process.env.FUZZ_DEBUG)
      (await import('node:fs')).writeFileSync(
        process.env.FUZZ_DEBUG,
        t.logs.filter((l) => l.includes('unhandled error')).join('\n'),
      );
    await t?.close();
  });

  /** Real ids worth sending in a path parameter of this route. */
  function pathIds(route: Route, param: string): string[] {
    if (param === 'keyId') return ids.key;
    if (param === 'runId') return ids.run;
    const resource = route.path.split('/')[3];
    const pick: Record<string, string[]> = {
      people: route.method === 'get' ? [...ids.person, ...Object.values(selfIds)] : ids.person,
      // never the caller's own organization for DELETE: a lucky `confirm` would end the run
      organizations: route.method === 'delete' ? ids.organization.slice(1) : ids.organization,
      touchpoints: ids.touchpoint,
      scenarios: ids.scenario,
      campaigns: ids.campaign,
      assignments: ids.assignment,
      outcomes: ids.outcome,
      claims: ids.claim,
      'digest-subscriptions': ids.subscription,
    };
    return pick[resource] ?? [];
  }

  const bodyIds = (property: string): string[] => {
    const by: Record<string, string[]> = {
      touchpointId: ids.touchpoint,
      touchpointIds: ids.touchpoint,
      testerId: ids.tester,
      testerIds: ids.tester,
      ownerId: ids.owner,
      scenarioId: ids.scenario,
      scenarioIds: ids.scenario,
      campaignId: ids.campaign,
      recipients: [...ids.email, ...ids.tester.slice(0, 1)],
    };
    return by[property] ?? [];
  };

  function exchange(route: Route): fc.Arbitrary<Exchange> {
    const world = { schemas: doc.components.schemas, idsFor: bodyIds };
    const params = route.op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const path = fc
      .tuple(...pathParams.map((p) => pathSegment(pathIds(route, p.name))))
      .map((values) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, values[i]), route.path));
    const queryValue = (p: { name: string; schema: OpenApiSchema }) =>
      fc.oneof(
        {
          weight: 3,
          arbitrary: plausible(p.name, p.schema, world, 0).map((v) => (typeof v === 'string' ? v : jsonText(v))),
        },
        { weight: 3, arbitrary: hostileString },
        { weight: 1, arbitrary: fc.array(hostileString, { minLength: 2, maxLength: 3 }) },
      );
    const query = fc
      .tuple(
        fc.tuple(...queryParams.map((p) => fc.option(queryValue(p), { freq: 2 }))),
        // now and then parameters no route has (each is a 400 naming it, which ends the request early)
        fc.oneof(
          { weight: 4, arbitrary: fc.constant<string[]>([]) },
          {
            weight: 1,
            arbitrary: fc.subarray(
              ['sort', 'order', 'orderBy', 'filter', 'where', 'search', 'limit[$gt]', '__proto__[admin]', 'q[]'],
              { minLength: 1 },
            ),
          },
        ),
        fc.array(hostileString, { minLength: 9, maxLength: 9 }),
      )
      .map(([values, extras, extraValues]) => {
        const pairs: Array<[string, string | string[]]> = [];
        queryParams.forEach((p, i) => values[i] !== null && pairs.push([p.name, values[i]]));
        extras.forEach((name, i) => pairs.push([name, extraValues[i]]));
        return pairs;
      });
    const content = route.op.requestBody?.content ?? {};
    const schema = content['application/json']?.schema;
    const bodies: Array<fc.WeightedArbitrary<Exchange['body']>> = [
      { weight: 1, arbitrary: junk.map((v) => ({ contentType: 'application/json', raw: jsonText(v) })) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_JSON).map((raw) => ({ contentType: 'application/json', raw })) },
      {
        weight: 1,
        arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 4 }).map((o) => ({
          contentType: 'application/x-www-form-urlencoded',
          raw: Object.entries(o)
            .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
            .join('&'),
        })),
      },
      { weight: 1, arbitrary: hostileString.map((raw) => ({ contentType: 'text/plain', raw })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...ODD_CONTENT_TYPES), fc.oneof(fc.constantFrom(...RAW_JSON), junk.map(jsonText)))
          .map(([contentType, raw]) => ({ contentType, raw })),
      },
    ];
    const name = `${route.method.toUpperCase()} ${route.path}`;
    const valid = fc.nat().map((n) => validBodies(n)[name]);
    if (schema) {
      bodies.push({
        weight: 4,
        arbitrary: nearlyValid(schema, world).map((v) => ({ contentType: 'application/json', raw: jsonText(v) })),
      });
      if (validBodies(0)[name])
        bodies.push({
          weight: 8,
          arbitrary: mutated(valid).map((v) => ({ contentType: 'application/json', raw: jsonText(v) })),
        });
    }
    if (content['text/csv']) {
      const spec = CSV[route.path];
      bodies.push({
        weight: 4,
        arbitrary: csvBody(spec.columns, spec.cells).map((raw) => ({ contentType: 'text/csv', raw })),
      });
      bodies.push({
        weight: 8,
        arbitrary: fc
          .nat()
          .chain((n) => {
            const [header, row] = validBodies(n)[name] as [string[], string[]];
            return mutatedCsv(header, fc.constant(row));
          })
          .map((raw) => ({ contentType: 'text/csv', raw })),
      });
    }
    if (!schema && !content['text/csv']) bodies.push({ weight: 6, arbitrary: fc.constant(null) });
    // mostly roles the route is open to, so that requests get past the guard
    const role = fc.oneof(
      ...ROLES.map((r) => ({
        weight: allowed[`${route.method} ${route.path}`]?.includes(r) ? 6 : 1,
        arbitrary: fc.constant(r),
      })),
    );
    return fc.record({ role, path, query, body: fc.oneof(...bodies) }).map(({ role, path, query, body }) => ({
      role,
      path,
      query: query
        .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${percentEncode(k)}=${percentEncode(x)}`))
        .join('&'),
      body,
      sent: [path, ...leaves(query), ...(body ? [body.raw, ...leavesOfJson(body.raw)] : [])],
    }));
  }

  function leavesOfJson(raw: string): string[] {
    try {
      return leaves(JSON.parse(raw));
    } catch {
      return [];
    }
  }

  async function send(route: Route, x: Exchange): Promise<number> {
    const url = x.query ? `${x.path}?${x.query}` : x.path;
    let req = request(base)[route.method](url).set(auth(keys[x.role]));
    if (x.body) {
      if (x.body.contentType) req = req.set('Content-Type', x.body.contentType);
      req = req.send(x.body.raw);
    }
    const res = await req;
    const where = describeExchange(route.method.toUpperCase(), url, x.body, res);
    if (res.status >= 500) throw new Error(`5xx: ${where}`);
    const leaks = leaksIn(res.text ?? '', x.sent);
    if (leaks.length) throw new Error(`the answer shows ${leaks.join(', ')}: ${where}`);
    if (res.status >= 400 && res.status !== 431) {
      // an error a client can act on: JSON with the status and a message (and fields, when named)
      if (typeof res.body?.message !== 'string' || res.body.statusCode !== res.status)
        throw new Error(`not a JSON error: ${where}`);
      for (const e of res.body.errors ?? [])
        if (typeof e.field !== 'string' || typeof e.rule !== 'string')
          throw new Error(`an error without field and rule: ${where}`);
    }
    const after = await fingerprint(t.dataSource);
    const changed = changedTables(state, after);
    state = after;
    if (changed.length && (res.status >= 300 || route.method === 'get'))
      throw new Error(`rows changed (${changed.join(', ')}) by ${where}`);
    return res.status;
  }

  function routes(): Route[] {
    const out: Route[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) out.push({ method: method as Route['method'], path, op });
    // what removes or closes rows last, so that the other routes meet them first
    const late = (r: Route) => (r.method === 'delete' ? 2 : /\/(cancel|decline)$/.test(r.path) ? 1 : 0);
    return out.sort((a, b) => late(a) - late(b));
  }

  it('covers every route of the document', () => {
    expect(routes().length).toBeGreaterThanOrEqual(55);
  });

  /** The route of a body in validBodies, the URL it is sent to (real ids), and a role it is open to. */
  function target(name: string): { route: Route; url: string; role: Role } {
    const [method, path] = name.split(' ');
    const route = routes().find((r) => r.method === method.toLowerCase() && r.path === path)!;
    const resource = path.split('/')[3];
    // the outcome is recorded on the first assignment; a decline goes to another
    const id = path.endsWith('/decline')
      ? ids.assignment[1]
      : (
          {
            people: ids.person[0],
            organizations: ids.organization[0],
            touchpoints: ids.touchpoint[1],
            scenarios: ids.scenario[0],
            campaigns: ids.campaign[0],
            assignments: ids.assignment[0],
            claims: ids.claim[0],
            'digest-subscriptions': ids.subscription[0],
          } as Record<string, string>
        )[resource];
    const open = allowed[`${route.method} ${route.path}`] ?? ['admin'];
    return { route, url: path.replace('{id}', id), role: open.includes('admin') ? 'admin' : open[0] };
  }

  function bodyOf(name: string, value: unknown): Exchange['body'] {
    return name.endsWith('/import')
      ? { contentType: 'text/csv', raw: stringify(value as string[][]) }
      : { contentType: 'application/json', raw: jsonText(value) };
  }

  it('starts from bodies that are valid (else the fuzz would stop at the first rule)', async () => {
    const answers: Record<string, number> = {};
    for (const [name, body] of Object.entries(validBodies(-1))) {
      if (name.endsWith('/decline')) continue; // closes an assignment: tried in the sweep below
      const { route, url, role } = target(name);
      const x = bodyOf(name, body)!;
      answers[name] = (
        await request(base)[route.method](url).set(auth(keys[role])).set('Content-Type', x.contentType!).send(x.raw)
      ).status;
    }
    expect(Object.entries(answers).filter(([, status]) => status >= 300)).toEqual([]);
    state = await fingerprint(t.dataSource);
  });

  it('sweeps every part of every valid body with each hostile value', async () => {
    const failures: string[] = [];
    const accepted = new Set<string>();
    let n = 1_000_000;
    for (const name of Object.keys(validBodies(0))) {
      const { route, url, role } = target(name);
      const base0 = validBodies(0)[name];
      // every cell of a CSV row; in JSON, a list's first element stands for the others
      const parts = name.endsWith('/import')
        ? pathsOf(base0).filter((p) => p[0] === 1 && p.length === 2)
        : pathsOf(base0).filter((p) => !p.some((k) => typeof k === 'number' && k > 0));
      if ((await send(route, { role, path: url, query: '', body: bodyOf(name, validBodies(n)[name]), sent: [] })) < 300)
        accepted.add(name);
      n++;
      for (const part of parts) {
        for (const probe of probesFor(valueAtPath(base0, part))) {
          const value = withChange(validBodies(n++)[name], part, { kind: 'set', to: probe });
          const body = bodyOf(name, value);
          try {
            await send(route, { role, path: url, query: '', body, sent: [url, body!.raw, ...leaves(value)] });
          } catch (error) {
            failures.push(`${name} at ${part.join('.')}: ${(error as Error).message}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // each valid body was accepted, so every probe met the route's rules one at a time
    expect(Object.keys(validBodies(0)).filter((name) => !accepted.has(name))).toEqual([]);
  }, 120_000);

  it('sweeps every query parameter of every route with each hostile value', async () => {
    const failures: string[] = [];
    const probes = [
      '\u0000',
      'a\uD800',
      "'; DROP TABLE person; --",
      '1 OR 1=1',
      "' OR '1'='1",
      '%',
      '_',
      '\\',
      'x'.repeat(5000),
      '9'.repeat(40),
      '-1',
      '1e309',
      'NaN',
      '',
      '<script>alert(1)</script>',
    ];
    for (const route of routes().filter((r) => r.method === 'get')) {
      const path = route.path.replace(
        /\{(\w+)\}/g,
        (_m, name: string) => pathIds(route, name)[0] ?? '00000000-0000-4000-8000-000000000000',
      );
      const open = allowed[`${route.method} ${route.path}`] ?? ['admin'];
      for (const param of (route.op.parameters ?? []).filter((p) => p.in === 'query')) {
        for (const value of [...probes.map((p) => [p]), [probes[2], probes[3]]]) {
          const query = value.map((v) => `${param.name}=${percentEncode(v)}`).join('&');
          try {
            await send(route, {
              role: open.includes('admin') ? 'admin' : open[0],
              path,
              query,
              body: null,
              sent: [path, ...value],
            });
          } catch (error) {
            failures.push(`${route.path}?${param.name}: ${(error as Error).message}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers every route × role with hostile input without a 5xx, a leak, or a change by a rejected request', async () => {
    const failures: string[] = [];
    for (const route of routes()) {
      const run = await fc.check(
        fc.asyncProperty(exchange(route), async (x) => void (await send(route, x))),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      if (run.failed)
        failures.push(
          `${route.method.toUpperCase()} ${route.path} (seed ${run.seed}, path ${run.counterexamplePath}): ${(run.errorInstance as Error)?.message}`,
        );
    }
    expect(failures).toEqual([]);
  }, 240_000);
});
