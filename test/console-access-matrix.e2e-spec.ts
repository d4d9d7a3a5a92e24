import { hashSecret } from '../src/common/secrets.js';
import { DigestRunsService } from '../src/digests/digest-runs.service.js';
import { DigestSubscription } from '../src/digests/digest-subscription.entity.js';
import { Browser, sessionFor, textOf } from './support/console.js';
import {
  auth,
  created,
  newOrganization,
  personBody,
  personWithKey,
  scenarioBody,
  touchpointBody,
} from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Who may open which console page: every page × each role, on the caller's own organization's rows and on
 * another organization's. A feature page adds one `page(…)` line here.
 *
 *   200/303  what the page answers (303: a POST that did its work and redirects)
 *   403      the role may not use the page (the same for every id, existing or not)
 *   404      the row is not the caller's to see: on another organization's rows every 2xx/3xx becomes 404
 *
 * Every page also sends a browser without a session to /signin (303), and no page ever shows a row, name or
 * address of the other organization.
 */
type Expected = 200 | 303 | 403 | 404;
const ROLES = ['admin', 'quality', 'tester', 'owner'] as const;
type RoleName = (typeof ROLES)[number];

/** Rows a page is called on, named; each organization of the world has its own. */
type Ref =
  | 'own other session'
  | 'a tester'
  | 'a touchpoint'
  | 'a scenario'
  | 'a campaign'
  | 'digest run'
  | 'contact'
  | 'owner claim'
  | 'owned touchpoint'
  | 'team'
  | 'claim'
  | 'fresh claim'
  | 'digest subscription'
  | 'fresh subscription'
  | 'fresh person'
  | 'fresh touchpoint'
  | 'fresh scenario'
  | 'fresh campaign';

interface PageRow {
  route: string;
  on: Record<string, Ref>;
  expected: Record<RoleName, Expected>;
}

const page = (
  route: string,
  on: Record<string, Ref>,
  admin: Expected,
  quality: Expected,
  tester: Expected,
  owner: Expected,
): PageRow => ({ route, on, expected: { admin, quality, tester, owner } });

// prettier-ignore
const PAGES: PageRow[] = [
  //   route                                  called on                          admin quality tester owner
  page('GET /',                                {},                                 200,  200,   200,   200),
  page('GET /sessions',                        {},                                 200,  200,   200,   200),
  page('POST /sessions/{id}/revoke',           { id: 'own other session' },        303,  303,   303,   303),
  page('GET /people',                          {},                                 200,  403,   403,   403),
  page('GET /people?q=a&limit=5&offset=0',     {},                                 200,  403,   403,   403),
  page('GET /people?role=owner',               {},                                 200,  403,   403,   403),
  page('GET /people/new',                      {},                                 200,  403,   403,   403),
  page('GET /people/import',                   {},                                 200,  403,   403,   403),
  page('GET /people/{id}',                     { id: 'a tester' },                 200,  403,   403,   403),
  page('GET /people/{id}/delete',              { id: 'a tester' },                 200,  403,   403,   403),
  page('POST /people/{id}/delete',             { id: 'fresh person' },             303,  403,   403,   403),
  page('GET /touchpoints?channel=phone',       {},                                 200,  403,   403,   403),
  page('GET /touchpoints/new',                 {},                                 200,  403,   403,   403),
  page('GET /touchpoints/{id}',                { id: 'a touchpoint' },             200,  403,   403,   403),
  page('GET /touchpoints/{id}/delete',         { id: 'a touchpoint' },             200,  403,   403,   403),
  page('POST /touchpoints/{id}/delete',        { id: 'fresh touchpoint' },         303,  403,   403,   403),
  page('GET /scenarios?channel=phone',         {},                                 200,  403,   403,   403),
  page('GET /scenarios/new',                   {},                                 200,  403,   403,   403),
  page('GET /scenarios/{id}',                  { id: 'a scenario' },               200,  403,   403,   403),
  page('GET /scenarios/{id}/delete',           { id: 'a scenario' },               200,  403,   403,   403),
  page('POST /scenarios/{id}/delete',          { id: 'fresh scenario' },           303,  403,   403,   403),
  page('GET /settings',                        {},                                 200,  403,   403,   403),
  page('GET /campaigns?q=a',                   {},                                 200,  403,   403,   403),
  page('GET /campaigns/new',                   {},                                 200,  403,   403,   403),
  page('GET /campaigns/{id}',                  { id: 'a campaign' },               200,  403,   403,   403),
  page('GET /campaigns/{id}/delete',           { id: 'a campaign' },               200,  403,   403,   403),
  page('POST /campaigns/{id}/delete',          { id: 'fresh campaign' },           303,  403,   403,   403),
  page('GET /digests',                         {},                                 200,  200,   403,   403),
  page('GET /digests/runs/{id}',               { id: 'digest run' },               200,  200,   403,   403),
  page('GET /digests/runs/{id}/rows/0',        { id: 'digest run' },               200,  200,   403,   403),
  page('GET /digests/runs/{id}/export/csv',    { id: 'digest run' },               200,  200,   403,   403),
  page('GET /digests/runs/{id}/export/xlsx',   { id: 'digest run' },               200,  200,   403,   403),
  page('GET /contacts',                        {},                                 200,  200,   403,   403),
  page('GET /contacts/export/csv',             {},                                 200,  200,   403,   403),
  page('GET /contacts/export/xlsx',            {},                                 200,  200,   403,   403),
  page('GET /contacts/{id}',                   { id: 'contact' },                  200,  200,   403,   403),
  page('GET /my/tests',                        {},                                 403,  403,   200,   403),
  page('GET /my/tests?status=completed&limit=5&offset=0', {},                      403,  403,   200,   403),
  page('GET /my/tests/ad-hoc',                 {},                                 403,  403,   200,   403),
  page('GET /my/touchpoints',                  {},                                 403,  403,   403,   200),
  page('GET /my/touchpoints?limit=5&offset=5', {},                                 403,  403,   403,   200),
  page('GET /my/touchpoints/claims',           {},                                 403,  403,   403,   200),
  page('GET /my/touchpoints/digests',          {},                                 403,  403,   403,   200),
  page('GET /my/touchpoints/claims/{id}',      { id: 'owner claim' },              403,  403,   403,   200),
  page('GET /results',                         {},                                 200,  200,   403,   403),
  page('GET /results?channel=phone&limit=5',   {},                                 200,  200,   403,   403),
  page('GET /results/touchpoints/{id}',        { id: 'owned touchpoint' },         200,  200,   403,   200),
  page('GET /results/teams/{team}',            { team: 'team' },                   200,  200,   403,   403),
  page('GET /plan',                            {},                                 200,  200,   403,   403),
  page('GET /plan?weeks=2&channel=phone',      {},                                 200,  200,   403,   403),
  page('GET /claims',                          {},                                 200,  200,   403,   403),
  page('GET /claims?metric=answer_rate&limit=5', {},                               200,  200,   403,   403),
  page('GET /claims?verdict=contradicted',     {},                                 200,  200,   403,   403),
  page('GET /claims/new',                      {},                                 200,  200,   403,   403),
  page('GET /claims/import',                   {},                                 200,  200,   403,   403),
  page('GET /claims/{id}/edit',                { id: 'claim' },                    200,  200,   403,   403),
  page('GET /claims/{id}/history',             { id: 'claim' },                    200,  200,   403,   403),
  page('POST /claims/{id}/delete',             { id: 'fresh claim' },              303,  303,   403,   403),
  page('GET /digests/subscriptions',           {},                                 200,  200,   403,   403),
  page('GET /digests/subscriptions/new',       {},                                 200,  200,   403,   403),
  page('GET /digests/subscriptions/{id}/edit', { id: 'digest subscription' },      200,  200,   403,   403),
  page('POST /digests/subscriptions/{id}/delete', { id: 'fresh subscription' },    303,  303,   403,   403),
  page('GET /digests/subscriptions/{id}/preview', { id: 'digest subscription' },   200,  200,   403,   403),
  page('GET /digests/subscriptions/{id}/preview/page?periodStart=2026-01-05', { id: 'digest subscription' },
                                                                                   200,  200,   403,   403),
];

interface Member {
  id: string;
  email: string;
  name: string;
  browser: Browser;
}
interface World {
  orgId: string;
  adminKey: string;
  /** A touchpoint of the world's owner, in a team of this world's own (made when a page first needs it). */
  touchpoint?: { id: string; team: string };
  touchpointId: string;
  touchpointName: string;
  scenarioId: string;
  campaignId: string;
  people: Record<RoleName, Member>;
  runId: string;
  contactId: string;
  claimId: string;
  subscriptionId: string;
}

let t: TestApp;
const worlds: World[] = [];

/** A claim of the organization, entered through the API. */
async function newClaim(adminKey: string, touchpointId: string | null): Promise<string> {
  const body = {
    touchpointId,
    team: touchpointId ? undefined : 'contact-centre',
    metric: 'answer_rate',
    value: 0.9,
    periodStart: '2026-01-01',
    periodEnd: '2026-01-07',
    source: 'Review',
    reportedAt: '2026-01-08T09:00:00Z',
  };
  return (await t.http().post('/api/v1/claims').set(auth(adminKey)).send(body).expect(201)).body.id as string;
}

async function world(name: string): Promise<World> {
  const org = await newOrganization(t, name);
  const people = {} as Record<RoleName, Member>;
  const keys = {} as Record<RoleName, string>;
  for (const role of ROLES) {
    const { person, key } = await personWithKey(t, org.adminKey, [role], { name: `${role} of ${name}` });
    keys[role] = key;
    const browser = await sessionFor(t, { organizationId: org.orgId, personId: person.id });
    people[role] = { id: person.id, email: person.email, name: `${role} of ${name}`, browser };
  }
  const touchpoint = await t
    .http()
    .post('/api/v1/touchpoints')
    .set(auth(org.adminKey))
    .send(touchpointBody({ name: `Touchpoint of ${name}`, ownerId: people.owner.id }));
  const scenario = await t.http().post('/api/v1/scenarios').set(auth(org.adminKey)).send(scenarioBody());
  const campaign = await t
    .http()
    .post('/api/v1/campaigns')
    .set(auth(org.adminKey))
    .send({
      name: `Campaign of ${name}`,
      touchpointIds: [touchpoint.body.id],
      testerIds: [people.tester.id],
      contactsPerTouchpointPerWeek: 1,
      startsOn: '2026-11-02',
    });
  // a contact and a digest run of the organization, for the quality pages
  const admin = auth(org.adminKey);
  const line = (await t.http().post('/api/v1/touchpoints').set(admin).send(touchpointBody()).expect(201)).body.id;
  const contactId = (
    await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(keys.tester))
      .send({
        touchpointId: line,
        attemptedAt: t.clock.now().toISOString(),
        reachedHuman: false,
        transfers: 0,
        resolution: 'resolved',
      })
      .expect(201)
  ).body.id;
  const claimId = await newClaim(org.adminKey, line);
  const sub = (
    await t
      .http()
      .post('/api/v1/digest-subscriptions')
      .set(admin)
      .send({ name: `Digest of ${name}`, recipients: ['q@example.org'], cron: '0 8 * * 1', timezone: 'UTC' })
      .expect(201)
  ).body;
  const subscription = await t.dataSource.getRepository(DigestSubscription).findOneByOrFail({ id: sub.id });
  await t.app.get(DigestRunsService).sendOne(subscription, t.clock.now());
  const [{ id: runId }] = await t.dataSource.query('SELECT id FROM digest_run WHERE subscription_id = $1', [sub.id]);
  return {
    orgId: org.orgId,
    adminKey: org.adminKey,
    campaignId: campaign.body.id as string,
    scenarioId: scenario.body.id as string,
    touchpointId: touchpoint.body.id as string,
    touchpointName: `Touchpoint of ${name}`,
    people,
    runId,
    contactId,
    claimId,
    subscriptionId: sub.id,
  };
}

beforeAll(async () => {
  t = await createTestApp();
  worlds.push(await world('Harbour Bank'), await world('Inland Rail'));
});
afterAll(() => t.close());

/** A ref's row in `w`, as `role` of the world the caller is in would reach it. */
async function resolve(ref: Ref, w: World, role: RoleName): Promise<string> {
  switch (ref) {
    case 'digest run':
      return w.runId;
    case 'contact':
      return w.contactId;
    case 'claim':
      return w.claimId;
    case 'fresh claim':
      return newClaim(w.adminKey, null); // a delete's own row, so every caller has one to delete
    case 'digest subscription':
      return w.subscriptionId;
    case 'fresh subscription':
      return (
        await t
          .http()
          .post('/api/v1/digest-subscriptions')
          .set(auth(w.adminKey))
          .send({ name: 'Spare digest', recipients: ['q@example.org'], cron: '0 8 * * 1', timezone: 'UTC' })
          .expect(201)
      ).body.id as string;
    // a delete's own row, so every caller has one to delete
    case 'fresh person':
      return (await created(t, w.adminKey, '/api/v1/people', personBody())).id as string;
    case 'fresh touchpoint':
      return (await created(t, w.adminKey, '/api/v1/touchpoints', touchpointBody())).id as string;
    case 'fresh scenario':
      return (await created(t, w.adminKey, '/api/v1/scenarios', scenarioBody())).id as string;
    case 'fresh campaign':
      return (
        await created(t, w.adminKey, '/api/v1/campaigns', {
          name: 'Spare campaign',
          touchpointIds: [w.touchpointId],
          testerIds: [w.people.tester.id],
          contactsPerTouchpointPerWeek: 1,
          startsOn: '2026-11-02',
        })
      ).id as string;
    case 'own other session': {
      // a second browser of that world's person of the same role: the caller's own in its own world
      const p = w.people[role];
      const b = await sessionFor(t, { organizationId: w.orgId, personId: p.id });
      const [row] = await t.dataSource.query('SELECT id FROM console_session WHERE token_hash = $1', [
        hashSecret(b.cookie.slice('gt_session='.length)),
      ]);
      return row.id as string;
    }
    case 'owner claim': {
      // a touchpoint the world's owner owns, and a claim of it that they reported
      const tp = await t
        .http()
        .post('/api/v1/touchpoints')
        .set(auth(w.adminKey))
        .send(touchpointBody({ ownerId: w.people.owner.id }))
        .expect(201);
      const claim = await t
        .http()
        .post('/api/v1/claims')
        .set(auth(w.adminKey))
        .send({
          touchpointId: tp.body.id,
          metric: 'answer_rate',
          value: 0.9,
          periodStart: '2026-11-16',
          periodEnd: '2026-11-22',
          source: 'Weekly review',
          reportedAt: '2026-11-23T10:00:00Z',
        })
        .expect(201);
      return claim.body.id as string;
    }
    case 'owned touchpoint':
      return (await touchpointOf(w)).id;
    case 'team':
      return (await touchpointOf(w)).team;
    case 'a tester':
      return w.people.tester.id;
    case 'a touchpoint':
      return w.touchpointId;
    case 'a scenario':
      return w.scenarioId;
    case 'a campaign':
      return w.campaignId;
  }
}

async function touchpointOf(w: World): Promise<{ id: string; team: string }> {
  if (!w.touchpoint) {
    const team = `team-${w.orgId.slice(0, 8)}`;
    const body = touchpointBody({ ownerId: w.people.owner.id, team });
    const res = await t.http().post('/api/v1/touchpoints').set(auth(w.adminKey)).send(body).expect(201);
    w.touchpoint = { id: res.body.id, team };
  }
  return w.touchpoint;
}

async function call(row: PageRow, caller: Member | null, target: World, role: RoleName) {
  const [method, template] = row.route.split(' ');
  let path = template;
  for (const [param, ref] of Object.entries(row.on))
    path = path.replace(`{${param}}`, await resolve(ref, target, role));
  const req = method === 'GET' ? t.http().get(path) : t.http().post(path).type('form');
  if (caller) req.set('Cookie', caller.browser.cookie);
  return method === 'GET' ? req : req.send(caller ? { _csrf: caller.browser.csrf } : {});
}

const markers = (w: World) => [
  ...ROLES.flatMap((r) => [w.people[r].email, w.people[r].name, w.people[r].id]),
  w.touchpointName,
];

describe('console pages: who may open what', () => {
  for (const row of PAGES) {
    describe(row.route, () => {
      it('sends a browser without a session to sign in', async () => {
        const r = await call(row, null, worlds[0], 'admin');
        expect(r.status).toBe(303);
        expect(r.headers.location).toMatch(/^\/signin(\?next=|$)/);
      });

      for (const role of ROLES) {
        it(`${role}: ${row.expected[role]} on its own organization's rows, never a row of another's`, async () => {
          const [own, other] = worlds;
          const r = await call(row, own.people[role], own, role);
          expect(r.status).toBe(row.expected[role]);
          for (const m of markers(other)) expect(textOf(r.text)).not.toContain(m);
        });

        if (Object.keys(row.on).length > 0) {
          it(`${role}: on another organization's rows, 404 (or 403 where the role is refused)`, async () => {
            const [own, other] = worlds;
            const r = await call(row, own.people[role], other, role);
            expect(r.status).toBe(row.expected[role] === 403 ? 403 : 404);
            for (const m of markers(other)) expect(textOf(r.text)).not.toContain(m);
          });
        }
      }
    });
  }
});
