import { randomUUID } from 'node:crypto';

import { ManualClock } from '../src/common/clock.js';
import { accessWorlds, AccessWorld, ROLE_NAMES, RoleName } from './support/access-world.js';
import { auth, personBody, scenarioBody, touchpointBody, unique, created } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Who may do what: every documented route × each role, on the caller's own organization's rows,
 * and on another organization's.
 *
 *   ok   allowed: 2xx, or a 4xx about the request itself (400 validation, 409 state) — never 401/403/404
 *   403  the role may not use the route (the same for every id, existing or not)
 *   404  the row does not exist for the caller: another organization's, or one the role may not see
 *        (a planned test; someone else's outcome); the body is that of an id that does not exist at all
 *
 * Every route also answers 401 — to no key, a revoked key and a malformed one — except /health.
 * On another organization's rows, every `ok` and `404` below becomes 404 (a 403 stays 403).
 */
const ok = 'ok' as const;
type Expected = typeof ok | 403 | 404;

/**
 * The rows a route is called on, named: rows of the world (see support/access-world.ts), `self`
 * (the caller), or `new …` (made for this one call, for routes that delete).
 */
type Ref =
  | 'organization'
  | 'touchpoint'
  | 'unowned touchpoint'
  | 'team'
  | 'new touchpoint'
  | 'scenario'
  | 'new scenario'
  | 'campaign'
  | 'new campaign'
  | 'completed test'
  | 'planned test'
  | 'outcome'
  | 'evidence'
  | 'new evidence'
  | 'claim'
  | 'claim of an unowned touchpoint'
  | 'new claim'
  | 'new claim of an unowned touchpoint'
  | 'subscription'
  | 'new subscription'
  | 'digest'
  | 'someone'
  | 'new person'
  | 'self'
  | 'new key'
  | 'second contact';

interface Row {
  route: string;
  on: Record<string, Ref>;
  expected: Record<RoleName, Expected>;
  body?: (w: AccessWorld) => object;
  csv?: string;
  query?: Record<string, string>;
  /** A multipart body with this file in its `file` part. */
  file?: Buffer;
}

const row = (
  route: string,
  on: Record<string, Ref>,
  admin: Expected,
  quality: Expected,
  tester: Expected,
  owner: Expected,
  extra: Partial<Row> = {},
): Row => ({
  route,
  on,
  expected: { admin, quality, tester, owner },
  ...extra,
});

let now: () => Date;
const outcome = () => ({
  attemptedAt: new Date(now().getTime() - 5 * 60_000).toISOString(),
  reachedHuman: false,
  transfers: 0,
  resolution: 'unresolved',
  optionsExplained: false,
  answers: { offered_alternative: true },
});
const caseContact = () => ({
  kind: 'chase',
  attemptedAt: now().toISOString(),
  reachedHuman: true,
  status: 'continues',
});
const claim = (w: AccessWorld) => ({
  touchpointId: w.touchpoint,
  metric: 'transfer_rate',
  value: 0.1,
  periodStart: '2027-03-01',
  periodEnd: '2027-03-07',
  source: 'Monthly review',
  reportedAt: '2027-03-08T09:00:00Z',
});
const subscription = () => ({
  name: 'Weekly',
  recipients: ['quality@example.org'],
  cron: '0 8 * * 1',
  timezone: 'Europe/London',
});
const campaign = (w: AccessWorld) => ({
  name: `Spring ${unique()}`,
  touchpointIds: [w.touchpoint],
  testerIds: [w.person.tester.id],
  contactsPerTouchpointPerWeek: 1,
  startsOn: '2027-06-07',
});

/** The smallest PDF the evidence routes accept (its type is read from the content). */
const EVIDENCE_FILE = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);

// prettier-ignore
const MATRIX: Row[] = [
  //  route                                             called on                                       admin quality tester owner
  row('GET /health',                                    {},                                               ok,   ok,   ok,   ok),
  row('GET /api/v1/me',                                 {},                                               ok,   ok,   ok,   ok),
  row('GET /api/v1/me/digests',                         {},                                               ok,   ok,   ok,   ok),
  row('GET /api/v1/organizations',                      {},                                               ok,   ok,   ok,   ok),
  row('GET /api/v1/organizations/{id}',                 { id: 'organization' },                           ok,   ok,   ok,   ok),
  row('PATCH /api/v1/organizations/{id}',               { id: 'organization' },                           ok,  403,  403,  403, { body: () => ({ name: `Renamed ${unique()}` }) }),
  row('DELETE /api/v1/organizations/{id}',              { id: 'organization' },                           ok,  403,  403,  403, { query: { confirm: 'not its name' } }),
  row('GET /api/v1/organization/settings',              {},                                               ok,   ok,  403,  403),
  row('PATCH /api/v1/organization/settings',            {},                                               ok,  403,  403,  403, { body: () => ({ countAdHocInVerdicts: false }) }),

  row('POST /api/v1/people',                            {},                                               ok,  403,  403,  403, { body: () => personBody() }),
  row('POST /api/v1/people/import',                     {},                                               ok,  403,  403,  403, { csv: 'email,name\n' }),
  row('GET /api/v1/people',                             {},                                               ok,  403,  403,  403),
  row('GET /api/v1/people/{id}',                        { id: 'self' },                                   ok,   ok,   ok,   ok),
  row('GET /api/v1/people/{id}',                        { id: 'someone' },                                ok,  403,  403,  403),
  row('PATCH /api/v1/people/{id}',                      { id: 'someone' },                                ok,  403,  403,  403, { body: () => ({ name: 'Sam Someone' }) }),
  row('DELETE /api/v1/people/{id}',                     { id: 'new person' },                             ok,  403,  403,  403),
  row('POST /api/v1/people/{id}/api-keys',              { id: 'self' },                                   ok,   ok,   ok,   ok, { body: () => ({ label: 'laptop' }) }),
  row('POST /api/v1/people/{id}/api-keys',              { id: 'someone' },                                ok,  403,  403,  403, { body: () => ({ label: 'laptop' }) }),
  row('GET /api/v1/people/{id}/api-keys',               { id: 'self' },                                   ok,   ok,   ok,   ok),
  row('GET /api/v1/people/{id}/api-keys',               { id: 'someone' },                                ok,  403,  403,  403),
  row('DELETE /api/v1/people/{id}/api-keys/{keyId}',    { id: 'self', keyId: 'new key' },                 ok,   ok,   ok,   ok),
  row('DELETE /api/v1/people/{id}/api-keys/{keyId}',    { id: 'someone', keyId: 'new key' },              ok,  403,  403,  403),

  row('POST /api/v1/touchpoints',                       {},                                               ok,   ok,  403,  403, { body: () => touchpointBody() }),
  row('POST /api/v1/touchpoints/import',                {},                                               ok,   ok,  403,  403, { csv: 'name\n' }),
  // an owner lists and reads the touchpoints they own; another's is not there for them
  row('GET /api/v1/touchpoints',                        {},                                               ok,   ok,  403,   ok),
  row('GET /api/v1/touchpoints/{id}',                   { id: 'touchpoint' },                             ok,   ok,  403,   ok),
  row('GET /api/v1/touchpoints/{id}',                   { id: 'unowned touchpoint' },                     ok,   ok,  403,  404),
  row('PATCH /api/v1/touchpoints/{id}',                 { id: 'touchpoint' },                             ok,   ok,  403,  403, { body: () => ({ team: 'front-desk' }) }),
  row('DELETE /api/v1/touchpoints/{id}',                { id: 'new touchpoint' },                         ok,   ok,  403,  403),

  row('POST /api/v1/scenarios',                         {},                                               ok,   ok,  403,  403, { body: () => scenarioBody() }),
  row('GET /api/v1/scenarios',                          {},                                               ok,   ok,  403,  403),
  row('GET /api/v1/scenarios/{id}',                     { id: 'scenario' },                               ok,   ok,  403,  403),
  row('PATCH /api/v1/scenarios/{id}',                   { id: 'scenario' },                               ok,   ok,  403,  403, { body: () => ({ brief: 'Ask for the number to be ported back.' }) }),
  row('DELETE /api/v1/scenarios/{id}',                  { id: 'new scenario' },                           ok,   ok,  403,  403),

  row('POST /api/v1/campaigns',                         {},                                               ok,   ok,  403,  403, { body: campaign }),
  row('GET /api/v1/campaigns',                          {},                                               ok,   ok,  403,  403),
  row('GET /api/v1/campaigns/{id}',                     { id: 'campaign' },                               ok,   ok,  403,  403),
  row('PATCH /api/v1/campaigns/{id}',                   { id: 'campaign' },                               ok,   ok,  403,  403, { body: () => ({ name: 'A week of tests' }) }),
  row('DELETE /api/v1/campaigns/{id}',                  { id: 'new campaign' },                           ok,   ok,  403,  403),
  row('POST /api/v1/campaigns/{id}/plan',               { id: 'campaign' },                               ok,   ok,  403,  403, { body: () => ({ from: '2027-03-01', to: '2027-03-07' }) }),

  // Assignments: a tester sees their own once revealed, an owner the completed tests of their touchpoints
  // a week after they happened (src/common/owner-view.ts; this one happened minutes ago).
  row('GET /api/v1/assignments',                        {},                                               ok,   ok,   ok,   ok),
  row('GET /api/v1/assignments/{id}',                   { id: 'completed test' },                         ok,   ok,   ok,  404),
  row('GET /api/v1/assignments/{id}',                   { id: 'planned test' },                           ok,   ok,  404,  404),
  row('POST /api/v1/assignments/{id}/decline',          { id: 'completed test' },                         403, 403,  ok,  403, { body: () => ({ reason: 'Away that day' }) }),
  row('POST /api/v1/assignments/{id}/cancel',           { id: 'completed test' },                         ok,   ok,  403,  403),
  row('PUT /api/v1/assignments/{id}/outcome',           { id: 'completed test' },                         403, 403,  ok,  403, { body: outcome }),
  row('PUT /api/v1/assignments/{id}/outcome',           { id: 'planned test' },                           403, 403,  404, 403, { body: outcome }),
  row('GET /api/v1/assignments/{id}/outcome',           { id: 'completed test' },                         ok,   ok,   ok,  403),
  row('GET /api/v1/assignments/{id}/outcome',           { id: 'planned test' },                           404, 404,  404, 403),

  row('POST /api/v1/outcomes',                          {},                                               403, 403,  ok,  403, { body: (w) => ({ ...outcome(), answers: {}, touchpointId: w.touchpoint }) }),
  row('GET /api/v1/outcomes',                           {},                                               ok,   ok,   ok,  403),
  row('GET /api/v1/outcomes/register.csv',              {},                                               ok,   ok,  403,  403),
  row('GET /api/v1/outcomes/{id}',                      { id: 'outcome' },                                ok,   ok,   ok,  403),
  row('GET /api/v1/outcomes/{id}/audit',                { id: 'outcome' },                                ok,   ok,  403,  403),
  // Cases: its tester adds later contacts and gives up; quality and admins read; never an owner.
  row('GET /api/v1/outcomes/{id}/case',                 { id: 'outcome' },                                ok,   ok,   ok,  403),
  row('POST /api/v1/outcomes/{id}/case/contacts',       { id: 'outcome' },                               403, 403,   ok,  403, { body: caseContact }),
  row('PUT /api/v1/outcomes/{id}/case/contacts/{seq}',  { id: 'outcome', seq: 'second contact' },        403, 403,   ok,  403, { body: caseContact }),
  row('POST /api/v1/outcomes/{id}/case/give-up',        { id: 'outcome' },                               403, 403,   ok,  403, { body: () => ({ notes: 'No reply' }) }),
  // Evidence: its tester attaches (and removes while editable); quality and admins read; never an owner.
  row('POST /api/v1/outcomes/{id}/evidence',            { id: 'outcome' },                               403, 403,   ok,  403, { file: EVIDENCE_FILE }),
  row('GET /api/v1/outcomes/{id}/evidence',             { id: 'outcome' },                                ok,   ok,  403,  403),
  row('GET /api/v1/outcomes/{id}/evidence/{evidenceId}', { id: 'outcome', evidenceId: 'evidence' },      ok,   ok,  403,  403),
  row('DELETE /api/v1/outcomes/{id}/evidence/{evidenceId}', { id: 'outcome', evidenceId: 'new evidence' }, ok, 403,   ok,  403),
  row('GET /api/v1/metrics',                            {},                                               ok,   ok,  403,  403),
  row('GET /api/v1/metrics/catalogue',                  {},                                               ok,   ok,   ok,   ok),
  // Results: an owner reads those of their own touchpoints (a week back, without coverage); the plan is staff's.
  row('GET /api/v1/results/touchpoints/{id}',           { id: 'touchpoint' },                             ok,   ok,  403,   ok),
  row('GET /api/v1/results/touchpoints/{id}',           { id: 'unowned touchpoint' },                     ok,   ok,  403,  404),
  row('GET /api/v1/results/teams',                      {},                                               ok,   ok,  403,  403),
  row('GET /api/v1/results/teams/{team}',               { team: 'team' },                                 ok,   ok,  403,  403),
  row('GET /api/v1/plan-calendar',                      {},                                               ok,   ok,  403,  403),

  // Claims: an owner enters and reads those of the touchpoints they own, and changes those they reported until
  // judged (a 403 naming the rule otherwise, for that claim only: test/claim-history.e2e-spec.ts).
  row('POST /api/v1/claims',                            {},                                               ok,   ok,  403,   ok, { body: claim }),
  row('POST /api/v1/claims/import',                     {},                                               ok,   ok,  403,   ok, { csv: 'metric\n' }),
  row('GET /api/v1/claims',                             {},                                               ok,   ok,  403,   ok),
  row('GET /api/v1/claims/{id}',                        { id: 'claim' },                                  ok,   ok,  403,   ok),
  row('GET /api/v1/claims/{id}',                        { id: 'claim of an unowned touchpoint' },         ok,   ok,  403,  404),
  row('GET /api/v1/claims/{id}/history',                { id: 'claim' },                                  ok,   ok,  403,   ok),
  row('GET /api/v1/claims/{id}/history',                { id: 'claim of an unowned touchpoint' },         ok,   ok,  403,  404),
  row('PATCH /api/v1/claims/{id}',                      { id: 'claim' },                                  ok,   ok,  403,   ok, { body: () => ({ source: 'Board pack' }) }),
  row('PATCH /api/v1/claims/{id}',                      { id: 'claim of an unowned touchpoint' },         ok,   ok,  403,  404, { body: () => ({ source: 'Board pack' }) }),
  row('DELETE /api/v1/claims/{id}',                     { id: 'new claim' },                              ok,   ok,  403,   ok),
  row('DELETE /api/v1/claims/{id}',                     { id: 'new claim of an unowned touchpoint' },     ok,   ok,  403,  404),

  // Digests: stored runs are for admin, quality and the digest's recipients (the owner here).
  row('POST /api/v1/digest-subscriptions',              {},                                               ok,   ok,  403,  403, { body: subscription }),
  row('GET /api/v1/digest-subscriptions',               {},                                               ok,   ok,  403,  403),
  row('GET /api/v1/digest-subscriptions/{id}',          { id: 'subscription' },                           ok,   ok,  403,  403),
  row('PATCH /api/v1/digest-subscriptions/{id}',        { id: 'subscription' },                           ok,   ok,  403,  403, { body: () => ({ minContacts: 1 }) }),
  row('DELETE /api/v1/digest-subscriptions/{id}',       { id: 'new subscription' },                       ok,   ok,  403,  403),
  row('GET /api/v1/digest-subscriptions/{id}/preview',  { id: 'subscription' },                           ok,   ok,  403,  403, { query: { periodStart: '2027-02-22', periodEnd: '2027-03-01' } }),
  row('GET /api/v1/digests',                            {},                                               ok,   ok,  403,  403),
  row('GET /api/v1/digests/{runId}',                    { runId: 'digest' },                              ok,   ok,  404,   ok),
  // Its web links: quality and admins list, revoke and re-issue them; a recipient may not.
  row('GET /api/v1/digests/{runId}/links',              { runId: 'digest' },                              ok,   ok,  403,  403),
  row('POST /api/v1/digests/{runId}/links/revoke',      { runId: 'digest' },                              ok,   ok,  403,  403, { body: () => ({ reason: 'Left the company' }) }),
  row('POST /api/v1/digests/{runId}/links',             { runId: 'digest' },                              ok,   ok,  403,  403, { body: () => ({}) }),

  row('GET /api/v1/outbox',                             {},                                               ok,  403,  403,  403),
  row('GET /api/v1/outbox/summary',                     {},                                               ok,  403,  403,  403),
];

let t: TestApp;
let own: AccessWorld;
let other: AccessWorld;
let otherBefore: Record<string, string>;

/** A digest of every row of an organization, table by table. */
async function fingerprint(organizationId: string): Promise<Record<string, string>> {
  const tables: Array<{ table_name: string }> = await t.dataSource.query(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'organization_id' ORDER BY table_name`,
  );
  const prints: Record<string, string> = {};
  for (const { table_name: table } of tables) {
    const [row] = await t.dataSource.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest FROM "${table}" x WHERE organization_id = $1`,
      [organizationId],
    );
    prints[table] = `${row.n} ${row.digest}`;
  }
  const [org] = await t.dataSource.query('SELECT md5(x::text) AS digest FROM organization x WHERE id = $1', [
    organizationId,
  ]);
  prints.organization = org.digest;
  return prints;
}

beforeAll(async () => {
  // Every row sends a revoked and a malformed key: far more failed guesses than the default allows.
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z'), env: { RATE_LIMIT_FAILURES: '100000' } });
  ({ own, other } = await accessWorlds(t));
  now = () => t.clock.now();
  // each world's own team, made before the other organization's rows are fingerprinted
  await Promise.all([teamOf(own), teamOf(other)]);
  for (const w of [own, other]) evidenceOf.set(w.org.orgId, await attachedEvidence(w));
  otherBefore = await fingerprint(other.org.orgId);
});
afterAll(() => t.close());

type Response = { status: number; body: unknown; text: string };

function send(
  route: string,
  path: string,
  headers: Record<string, string>,
  r: Pick<Row, 'body' | 'csv' | 'query' | 'file'>,
  w: AccessWorld,
): Promise<Response> {
  const method = route.split(' ')[0].toLowerCase();
  let req = (t.http() as unknown as Record<string, (p: string) => import('supertest').Test>)[method](path).set(headers);
  if (r.query) req = req.query(r.query);
  if (r.csv !== undefined) return req.set('Content-Type', 'text/csv').send(r.csv);
  if (r.file) return req.attach('file', r.file, 'evidence.pdf');
  return r.body ? req.send(r.body(w)) : req;
}

/** A file attached to each world's outcome by its tester, before the other organization is fingerprinted. */
const evidenceOf = new Map<string, string>();
async function attachedEvidence(w: AccessWorld): Promise<string> {
  const path = `/api/v1/outcomes/${w.outcome}/evidence`;
  const res = await t.http().post(path).set(auth(w.key.tester)).attach('file', EVIDENCE_FILE, 'letter.pdf');
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** The id a reference names, in a world; `new …` rows are made by that world's admin (or quality). */
/** A team of this world's alone (the worlds' own touchpoints share a team name). */
const teams = new Map<string, Promise<string>>();
function teamOf(w: AccessWorld): Promise<string> {
  if (!teams.has(w.org.orgId)) {
    const team = `team-${w.org.orgId.slice(0, 8)}`;
    const body = touchpointBody({ team });
    teams.set(
      w.org.orgId,
      t
        .http()
        .post('/api/v1/touchpoints')
        .set(auth(w.key.admin))
        .send(body)
        .expect(201)
        .then(() => team),
    );
  }
  return teams.get(w.org.orgId)!;
}

async function resolve(ref: Ref, w: AccessWorld, caller: RoleName, fresh: boolean): Promise<string> {
  const admin = auth(w.key.admin);
  const made = async (path: string, body: object, key = admin) => {
    const res = await t.http().post(path).set(key).send(body);
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  switch (ref) {
    case 'organization':
      return w.org.orgId;
    case 'touchpoint':
      return w.touchpoint;
    case 'unowned touchpoint':
      return w.unownedTouchpoint;
    case 'team':
      return teamOf(w);
    case 'scenario':
      return w.scenario;
    case 'campaign':
      return w.campaign;
    case 'completed test':
      return w.completed;
    case 'planned test':
      return w.planned[0].id;
    case 'outcome':
      return w.outcome;
    case 'evidence':
      return evidenceOf.get(w.org.orgId)!;
    case 'new evidence':
      return fresh ? attachedEvidence(w) : evidenceOf.get(w.org.orgId)!;
    case 'claim':
      return w.claim;
    case 'claim of an unowned touchpoint':
      return w.unownedClaim;
    case 'subscription':
      return w.subscription;
    case 'digest':
      return w.digestRun;
    case 'someone':
      return w.bystander.id;
    case 'self':
      return w.person[caller].id;
    case 'new touchpoint':
      return fresh ? made('/api/v1/touchpoints', touchpointBody()) : w.unownedTouchpoint;
    case 'new scenario':
      return fresh ? made('/api/v1/scenarios', scenarioBody()) : w.scenario;
    case 'new campaign':
      return fresh ? made('/api/v1/campaigns', campaign(w)) : w.campaign;
    case 'new claim':
      return fresh ? made('/api/v1/claims', claim(w), auth(w.key.owner)) : w.claim;
    case 'new claim of an unowned touchpoint':
      return fresh
        ? made('/api/v1/claims', { ...claim(w), touchpointId: w.unownedTouchpoint }, auth(w.key.quality))
        : w.unownedClaim;
    case 'new subscription':
      return fresh ? made('/api/v1/digest-subscriptions', subscription()) : w.subscription;
    case 'new person':
      return fresh ? made('/api/v1/people', personBody()) : w.bystander.id;
    case 'new key':
      throw new Error('resolved with its person');
    case 'second contact':
      return '2';
  }
}

async function pathOf(r: Row, w: AccessWorld, caller: RoleName, fresh: boolean): Promise<string> {
  let path = r.route.split(' ')[1];
  for (const [param, ref] of Object.entries(r.on)) {
    let id: string;
    if (ref === 'new key' && fresh) {
      const person = await resolve(r.on.id, w, caller, fresh);
      id = (await created(t, w.key.admin, `/api/v1/people/${person}/api-keys`, { label: 'spare' })).id;
    } else if (ref === 'new key') id = w.revokedKeyId;
    else id = await resolve(ref, w, caller, fresh);
    path = path.replace(`{${param}}`, id);
  }
  return path;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const withoutIds = (body: unknown) => JSON.parse(JSON.stringify(body).replace(UUID, 'ID'));

function meets(expected: Expected | 401, status: number): boolean {
  if (expected === ok) return status < 500 && ![401, 403, 404, 429].includes(status);
  return status === expected;
}

/** A 404 must say no more than the 404 of an id that never existed. */
async function expectSameAsMissing(r: Row, path: string, key: string, w: AccessWorld, answer: Response) {
  const missing = path.replace(UUID, () => randomUUID());
  const absent = await send(r.route, missing, auth(key), r, w);
  expect({ path, status: absent.status, body: withoutIds(absent.body) }).toEqual({
    path,
    status: answer.status,
    body: withoutIds(answer.body),
  });
}

const onOtherOrganization = (e: Expected): Expected => (e === 403 ? 403 : 404);
const label = (r: Row) => `${r.route}${Object.keys(r.on).length ? ` on ${Object.values(r.on).join(', ')}` : ''}`;

describe('the access matrix', () => {
  it('has a row for every documented route', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const inTable = new Set(MATRIX.map((r) => r.route));
    expect(documented.filter((route) => !inTable.has(route))).toEqual([]);
    expect([...inTable].filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('documents for every route the roles this table finds allowed', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { 'x-roles'?: string[] }>>;
    };
    for (const r of MATRIX.filter((m) => m.route !== 'GET /health')) {
      const [method, path] = r.route.split(' ');
      const stated = doc.paths[path][method.toLowerCase()]['x-roles'] ?? [];
      // `self`: any role may call it on the caller's own row; on anyone else's, only the roles named
      const onSelf = stated.includes('self') && Object.values(r.on).includes('self');
      const allowed = onSelf ? ROLE_NAMES : ROLE_NAMES.filter((role) => stated.includes(role));
      const refused = ROLE_NAMES.filter((role) => r.expected[role] === 403);
      expect([r.route, ROLE_NAMES.filter((role) => !refused.includes(role))]).toEqual([r.route, allowed]);
    }
  });

  it.each(MATRIX.map((r) => [label(r), r] as const))('%s', async (_label, r) => {
    const secured = r.route !== 'GET /health';
    for (const role of ROLE_NAMES) {
      const path = await pathOf(r, own, role, true);
      const res = await send(r.route, path, auth(own.key[role]), r, own);
      const expected = r.expected[role];
      expect({ role, path, expected, status: res.status, meets: meets(expected, res.status) }).toEqual({
        role,
        path,
        expected,
        status: res.status,
        meets: true,
      });
      if (expected === 404) await expectSameAsMissing(r, path, own.key[role], own, res);

      if (Object.keys(r.on).length === 0 || Object.values(r.on).includes('self')) continue;
      const elsewhere = await pathOf(r, other, role, false);
      const theirs = await send(r.route, elsewhere, auth(own.key[role]), r, own);
      const there = onOtherOrganization(expected);
      expect({ role, elsewhere, status: theirs.status }).toEqual({ role, elsewhere, status: there });
      if (there === 404) await expectSameAsMissing(r, elsewhere, own.key[role], own, theirs);
    }

    const path = await pathOf(r, own, 'admin', true);
    for (const [who, headers] of [
      ['no key', {}],
      ['a revoked key', auth(own.revokedKey)],
      ['a malformed key', { Authorization: 'Bearer not a key' }],
    ] as const) {
      const res = await send(r.route, path, headers, r, own);
      expect({ who, status: res.status }).toEqual({ who, status: secured ? 401 : 200 });
    }
  });
});

describe('another organization', () => {
  it('has not a row changed by all the requests above', async () => {
    expect(await fingerprint(other.org.orgId)).toEqual(otherBefore);
  });
});

describe('a stored digest', () => {
  it('is read by a recipient named by email address, and is a missing id to everyone else', async () => {
    const sub = (
      await t.http().get(`/api/v1/digest-subscriptions/${own.subscription}`).set(auth(own.key.quality)).expect(200)
    ).body;
    const reader = own.key.tester;
    const before = await t.http().get(`/api/v1/digests/${own.digestRun}`).set(auth(reader)).expect(404);
    const missing = await t.http().get(`/api/v1/digests/${randomUUID()}`).set(auth(reader)).expect(404);
    expect(withoutIds(before.body)).toEqual(withoutIds(missing.body));
    await t
      .http()
      .patch(`/api/v1/digest-subscriptions/${own.subscription}`)
      .set(auth(own.key.quality))
      .send({ recipients: [...sub.recipients, own.person.tester.email] })
      .expect(200);
    const after = await t.http().get(`/api/v1/digests/${own.digestRun}`).set(auth(reader)).expect(200);
    expect(after.body).toMatchObject({ id: own.digestRun, subscriptionName: 'Owner digest' });
  });
});
