import { ATTACK_TOUCHPOINTS, ATTACK_WEEK_STARTS } from '../src/campaigns/planner/attack-scenario.js';
import { planWeeks, PlannerCampaign } from '../src/campaigns/planner/planner.js';
import { ownerSeesFrom } from '../src/common/owner-view.js';
import { auth, newOrganization, personWithKey, scenarioBody, TestOrganization, created } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The owner's attack, through the service (issue 12, item 1): the attack's touchpoints and testers made
 * through the API, 26 weeks planned by `POST /campaigns/:id/plan` (worker thread, database), tests
 * completed as the clock moves, and the owner's view read from `GET /api/v1/assignments` every day. The
 * plan stored is exactly the planner's for the same inputs and seed — so the measurement of
 * src/campaigns/planner/unpredictability.spec.ts (a year × 24 seeds: 26 weeks of one campaign are too
 * few to bound a leak at 1.25) is a measurement of the service — and the owner sees each test exactly
 * as that measurement assumes: a week after it began.
 */
const WEEKS = 26;
const DAY = 86_400_000;
let t: TestApp;
let org: TestOrganization;
let ownerKey: string;
let qualityKey: string;
const touchpointIds = new Map<string, string>(); // attack touchpoint id → real id
let campaign: { id: string; seed: string; testerIds: string[] };
let testers: Array<{
  id: string;
  timezone: string;
  workingHours: Array<{ day: string; start: string; end: string }>;
  leave: [];
}> = [];
type Item = { id: string; touchpointId: string; windowStart: string };

const ALL_WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({
  day,
  start: '00:00',
  end: '24:00',
}));

async function all(path: string, key: string): Promise<Item[]> {
  const items: Item[] = [];
  for (let offset = 0; ; offset += 200) {
    const res = await t.http().get(`${path}&limit=200&offset=${offset}`).set(auth(key)).expect(200);
    items.push(...res.body.items);
    if (items.length >= res.body.total) return items;
  }
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-12-28T00:00:00Z');
  org = await newOrganization(t);
  const owner = await personWithKey(t, org.adminKey, ['owner']);
  ownerKey = owner.key;
  qualityKey = (await personWithKey(t, org.adminKey, ['quality'])).key;
  for (let i = 0; i < 6; i++) {
    const { person } = await personWithKey(t, org.adminKey, ['tester'], { timezone: 'UTC', workingHours: ALL_WEEK });
    testers.push({ id: person.id, timezone: 'UTC', workingHours: ALL_WEEK, leave: [] });
  }
  testers = testers.sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const tp of ATTACK_TOUCHPOINTS) {
    const body = {
      name: tp.id,
      channel: 'phone',
      contact: '+44 20 7946 0000',
      timezone: tp.timezone,
      openingHours: tp.openingHours,
      closures: tp.closures,
      ownerId: owner.person.id,
    };
    touchpointIds.set(tp.id, (await created(t, org.adminKey, '/api/v1/touchpoints', body)).id);
  }
  await created(t, org.adminKey, '/api/v1/scenarios', scenarioBody({ channels: ['phone'] }));
  const newCampaign = await created(t, org.adminKey, '/api/v1/campaigns', {
    name: 'A year of tests',
    touchpointIds: [...touchpointIds.values()],
    testerIds: testers.map((x) => x.id),
    contactsPerTouchpointPerWeek: 2,
    testerWeeklyCap: 50,
    rotationDays: 0,
    startsOn: ATTACK_WEEK_STARTS[0],
  });
  campaign = newCampaign;
  const to = ATTACK_WEEK_STARTS[WEEKS - 1];
  const planned = await t
    .http()
    .post(`/api/v1/campaigns/${campaign.id}/plan`)
    .set(auth(qualityKey))
    .send({ from: ATTACK_WEEK_STARTS[0], to })
    .expect(200);
  expect(planned.body.weeksPlanned).toHaveLength(WEEKS);
}, 120_000);
afterAll(() => t.close());

describe("the owner's attack through the service", () => {
  it('stores exactly the plan the planner makes for the same inputs and seed', async () => {
    const stored = await all(`/api/v1/assignments?campaignId=${campaign.id}`, qualityKey);
    const byId = new Map([...touchpointIds].map(([name, id]) => [id, name]));
    const plannerCampaign: PlannerCampaign = {
      id: campaign.id,
      seed: campaign.seed,
      contactsPerTouchpointPerWeek: 2,
      windowMinutes: 60,
      revealLeadMinutes: 120,
      holdLeadMinutes: null,
      minSpacingHours: 24,
      testerWeeklyCap: 50,
      rotationDays: 0,
      allowOwnerSelfTest: false,
      startsOn: ATTACK_WEEK_STARTS[0],
      endsOn: null,
    };
    const ownerId = (
      await t.dataSource.query('SELECT owner_id FROM touchpoint WHERE id = $1', [touchpointIds.get('office')])
    )[0].owner_id;
    const expected = planWeeks({
      campaign: plannerCampaign,
      weeks: ATTACK_WEEK_STARTS.slice(0, WEEKS),
      touchpoints: ATTACK_TOUCHPOINTS.map((tp) => ({ ...tp, id: touchpointIds.get(tp.id)!, ownerId })).sort((a, b) =>
        a.id < b.id ? -1 : 1,
      ),
      testers,
      scenarios: await t.dataSource.query<Array<{ id: string; channels: string[] }>>(
        'SELECT id, channels FROM scenario WHERE organization_id = $1',
        [org.orgId],
      ),
      existing: [],
      now: t.clock.now().getTime(),
    }).flatMap(({ plan }) =>
      plan.assignments.map((a) => `${byId.get(a.touchpointId)} ${new Date(a.windowStart).toISOString()}`),
    );
    const actual = stored.map((a) => `${byId.get(a.touchpointId)} ${new Date(a.windowStart).toISOString()}`);
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('shows the owner each completed test a week after it began: never sooner, and within a day of it', async () => {
    const truth = await all(`/api/v1/assignments?campaignId=${campaign.id}`, qualityKey);
    const firstSeen = new Map<string, number>();
    const start = Date.parse(`${ATTACK_WEEK_STARTS[0]}T00:00:00Z`);
    for (let day = 0; day <= (WEEKS + 1) * 7; day++) {
      const now = start + day * DAY;
      t.clock.set(new Date(now));
      // Every test is done once its window has ended (written behind the API: the owner's view is the point).
      await t.dataSource.query(
        `UPDATE assignment SET status = 'completed', completed_at = window_end
          WHERE campaign_id = $1 AND status = 'planned' AND window_end <= $2`,
        [campaign.id, new Date(now)],
      );
      for (const a of await all('/api/v1/assignments?status=completed', ownerKey)) {
        expect(now).toBeGreaterThanOrEqual(ownerSeesFrom(Date.parse(a.windowStart)));
        if (!firstSeen.has(a.id)) firstSeen.set(a.id, now);
      }
    }
    // Seen within a day of becoming visible (the owner looked daily).
    for (const a of truth.filter((x) => Date.parse(x.windowStart) < start + (WEEKS - 1) * 7 * DAY)) {
      expect(firstSeen.get(a.id)! - ownerSeesFrom(Date.parse(a.windowStart))).toBeLessThan(DAY);
    }
  }, 120_000);
});
