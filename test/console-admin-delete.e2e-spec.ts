import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { Browser, sessionFor, textOf } from './support/console.js';
import { auth, created, personBody, scenarioBody, touchpointBody } from './support/factories.js';
import { smallCampaign, SmallCampaign } from './support/small-campaign.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Deleting people, touchpoints, scenarios and campaigns from the console: a confirmation page first (a GET changes
 * nothing), then a POST with the form token that deletes through the API's service; where the API refuses (the row
 * is in use) the page says why by name, and nothing changes.
 */
let t: TestApp;
let world: SmallCampaign;
let admin: Browser;
let adminKey: string;

const KINDS = ['people', 'touchpoints', 'scenarios', 'campaigns'] as const;
type Kind = (typeof KINDS)[number];

const get = (path: string) => t.http().get(path).set('Cookie', admin.cookie);
const post = (path: string, csrf = admin.csrf) =>
  t.http().post(path).set('Cookie', admin.cookie).type('form').send({ _csrf: csrf });
const apiStatus = async (kind: Kind, id: string) =>
  (await t.http().get(`/api/v1/${kind}/${id}`).set(auth(adminKey))).status;

/** A row of each kind that nothing refers to, named so its page can be checked. */
async function spare(kind: Kind, name: string): Promise<string> {
  const body = {
    people: personBody({ name, email: `${name.toLowerCase().replace(/\W/g, '')}@example.org` }),
    touchpoints: touchpointBody({ name }),
    scenarios: scenarioBody({ title: name }),
    campaigns: {
      name,
      touchpointIds: [(await created(t, adminKey, '/api/v1/touchpoints', touchpointBody())).id],
      testerIds: [world.testers[0].person.id],
      contactsPerTouchpointPerWeek: 1,
      startsOn: '2027-04-05',
    },
  }[kind];
  return (await created(t, adminKey, `/api/v1/${kind}`, body)).id as string;
}

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-20T10:00:00Z') });
  world = await smallCampaign(t);
  adminKey = world.org.adminKey;
  // the week's first test is revealed: the campaign has history now
  const [{ first }] = await t.dataSource.query('SELECT min(reveal_at) AS first FROM assignment');
  t.clock.set(new Date((first as Date).getTime() + 60_000).toISOString());
  await t.app.get(JobsService).run('reveal');
  admin = await sessionFor(t, { organizationId: world.org.orgId, personId: world.org.adminId });
});
afterAll(() => t.close());

describe.each(KINDS)('deleting from %s', (kind) => {
  it('asks first: the row’s page links to a confirmation page with one POST button and a way back', async () => {
    const id = await spare(kind, `Spare ${kind} one`);
    expect((await get(`/${kind}/${id}`).expect(200)).text).toContain(`href="/${kind}/${id}/delete"`);
    const page = await get(`/${kind}/${id}/delete`).expect(200);
    expect(page.text).toMatch(new RegExp(`<form method="post" action="/${kind}/${id}/delete"><input type="hidden"`));
    expect(textOf(page.text)).toContain(`Delete Spare ${kind} one`);
    expect(page.text).toContain(`href="/${kind}/${id}"`);
    expect(await apiStatus(kind, id)).toBe(200);
  });

  it('deletes on the POST with the form token, flashes it and goes back to the list; not without the token', async () => {
    const id = await spare(kind, `Spare ${kind} two`);
    expect((await post(`/${kind}/${id}/delete`, 'forged')).status).toBe(403);
    expect(await apiStatus(kind, id)).toBe(200);
    const done = await post(`/${kind}/${id}/delete`);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/${kind}`);
    expect(textOf((await get(`/${kind}`)).text)).toContain(`Spare ${kind} two is deleted.`);
    expect(await apiStatus(kind, id)).toBe(404);
    // gone: its pages answer 404 without repeating the id
    const again = await get(`/${kind}/${id}/delete`);
    expect(again.status).toBe(404);
    expect(again.text).not.toContain(id);
  });
});

describe('where the API refuses', () => {
  const refused = async (kind: Kind, id: string, why: RegExp) => {
    const r = await post(`/${kind}/${id}/delete`);
    expect(r.status).toBe(409);
    const text = textOf(r.text).replace(/\s+/g, ' ');
    expect(text).toMatch(why);
    expect(r.text).not.toContain(`action="/${kind}/${id}/delete"`);
    expect(await apiStatus(kind, id)).toBe(200);
  };

  it('keeps a tester with tests on record, saying what to do instead', async () => {
    await refused('people', world.testers[0].person.id, /Not deleted: Tester 0 has \d+ test assignment\(s\) on record/);
  });

  it('keeps someone who owns a touchpoint, and the last admin', async () => {
    const owner = await created(t, adminKey, '/api/v1/people', personBody({ name: 'Olive Owner', roles: ['owner'] }));
    await created(t, adminKey, '/api/v1/touchpoints', touchpointBody({ ownerId: owner.id }));
    await refused('people', owner.id, /Not deleted: Olive Owner owns 1 touchpoint\(s\): give them another owner first/);
    await refused('people', world.org.adminId, /Not deleted: This is the last admin of the organization/);
  });

  it('keeps a touchpoint with tests on record, and a campaign with revealed tests', async () => {
    const campaign = await t.http().get(`/api/v1/campaigns/${world.campaignId}`).set(auth(adminKey)).expect(200);
    const tested = { id: campaign.body.touchpointIds[0] as string };
    await refused('touchpoints', tested.id, /has \d+ test assignment\(s\) on record; it is kept for the history/);
    await refused('campaigns', world.campaignId, /A week of tests has \d+ revealed or finished assignment\(s\)/);
  });
});
