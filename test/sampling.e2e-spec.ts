import { ManualClock } from '../src/common/clock.js';
import { ClaimProgressRepository } from '../src/digests/claim-progress.repository.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { sessionFor, textOf } from './support/console.js';
import { auth, created, newOrganization, personWithKey, scenarioBody, touchpointBody } from './support/factories.js';
import type { TestOrganization } from './support/factories.js';
import { plannedWeek } from './support/planned-week.js';
import { createTestApp } from './support/test-app.js';
import type { TestApp } from './support/test-app.js';

/**
 * Claim-driven sampling (issue 16) through the HTTP API: a by-need campaign's budget and floor, validated; its
 * weekly plan divided by what the touchpoints' open claims still need; the progress of each claim beside it.
 */

let t: TestApp;
let org: TestOrganization;
let quality: string;
let owner: { person: { id: string }; key: string };
let testers: string[];
let tps: string[];

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

const campaign = (extra: Record<string, unknown> = {}) => ({
  name: `By need ${Math.random()}`,
  touchpointIds: tps,
  testerIds: testers,
  contactsPerTouchpointPerWeek: 8,
  allocation: 'by-need',
  weeklyBudget: 12,
  floorPerTouchpoint: 1,
  windowMinutes: 60,
  revealLeadMinutes: 120,
  minSpacingHours: 2,
  testerWeeklyCap: 10,
  rotationDays: 0,
  startsOn: '2027-03-01',
  ...extra,
});

const claim = (extra: Record<string, unknown>) => ({
  metric: 'answer_rate',
  periodStart: '2027-03-01',
  periodEnd: '2027-05-23',
  value: 0.95,
  source: 'Quarterly review, 22 Feb',
  reportedAt: '2027-02-22T10:00:00Z',
  ...extra,
});

/** Slots per touchpoint of a planned week (assignments and unfilled slots): the count the allocation gave it. */
async function slotsOf(campaignId: string, weekStart: string): Promise<Record<string, number>> {
  const rows: Array<{ tp: string; n: number }> = await t.dataSource.query(
    `SELECT tp, sum(n)::int AS n FROM (
       SELECT touchpoint_id AS tp, count(*) AS n FROM assignment WHERE campaign_id = $1 AND week_start = $2
        GROUP BY 1
       UNION ALL
       SELECT touchpoint_id, count(*) FROM unfilled_slot WHERE campaign_id = $1 AND week_start = $2 GROUP BY 1) s
      GROUP BY tp`,
    [campaignId, weekStart],
  );
  return Object.fromEntries(rows.map((r) => [r.tp, r.n]));
}

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-22T09:00:00Z') });
  org = await newOrganization(t);
  quality = (await personWithKey(t, org.adminKey, ['quality'])).key;
  owner = await personWithKey(t, org.adminKey, ['owner']);
  testers = [];
  for (let i = 0; i < 4; i++) {
    const workingHours = WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' }));
    testers.push((await personWithKey(t, org.adminKey, ['tester'], { workingHours })).person.id);
  }
  tps = [];
  for (let i = 0; i < 3; i++) {
    const body = touchpointBody({
      name: `Line ${i}`,
      team: 'sampling',
      openingHours: WEEKDAYS.map((day) => ({ day, open: '08:00', close: '18:00' })),
      ...(i === 0 ? { ownerId: owner.person.id } : {}),
    });
    tps.push((await created(t, org.adminKey, '/api/v1/touchpoints', body)).id);
  }
  await created(t, org.adminKey, '/api/v1/scenarios', scenarioBody({ channels: ['phone'] }));
});
afterAll(() => t.close());

describe('a by-need campaign', () => {
  it.each([
    [{ weeklyBudget: undefined }, 'weeklyBudget', 'requiredWithByNeed'],
    [{ floorPerTouchpoint: null }, 'floorPerTouchpoint', 'requiredWithByNeed'],
    [{ allocation: 'per-touchpoint' }, 'weeklyBudget', 'onlyWithByNeed'],
    [{ floorPerTouchpoint: 9 }, 'floorPerTouchpoint', 'atMostContactsPerTouchpointPerWeek'],
    [{ floorPerTouchpoint: 5, weeklyBudget: 14 }, 'weeklyBudget', 'coversFloor'],
    [{ weeklyBudget: 25 }, 'weeklyBudget', 'spendable'],
    [{ allocation: 'by-claims' }, 'allocation', 'isIn'],
    [{ weeklyBudget: 0 }, 'weeklyBudget', 'min'],
    [{ floorPerTouchpoint: 1.5 }, 'floorPerTouchpoint', 'isInt'],
  ])('refuses %j with a 400 naming %s (%s)', async (extra, field, rule) => {
    const res = await t.http().post('/api/v1/campaigns').set(auth(quality)).send(campaign(extra)).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
  });

  it('is stored and shown with its budget and floor; a per-touchpoint campaign shows none', async () => {
    const byNeed = await created(t, quality, '/api/v1/campaigns', campaign());
    expect(byNeed).toMatchObject({ allocation: 'by-need', weeklyBudget: 12, floorPerTouchpoint: 1 });
    const plain = await created(
      t,
      quality,
      '/api/v1/campaigns',
      campaign({ allocation: undefined, weeklyBudget: null, floorPerTouchpoint: null }),
    );
    expect(plain).toMatchObject({ allocation: 'per-touchpoint', weeklyBudget: null, floorPerTouchpoint: null });
    // Switching back to per touchpoint drops the budget and floor without naming them.
    const back = await t
      .http()
      .patch(`/api/v1/campaigns/${byNeed.id}`)
      .set(auth(quality))
      .send({ allocation: 'per-touchpoint' })
      .expect(200);
    expect(back.body).toMatchObject({ allocation: 'per-touchpoint', weeklyBudget: null, floorPerTouchpoint: null });
    await t
      .http()
      .patch(`/api/v1/campaigns/${plain.id}`)
      .set(auth(quality))
      .send({ allocation: 'by-need' })
      .expect(400);
  });

  it('without claims spreads its budget evenly; with one, funds the claimed touchpoint first', async () => {
    const even = await created(t, quality, '/api/v1/campaigns', campaign());
    await t
      .http()
      .post(`/api/v1/campaigns/${even.id}/plan`)
      .set(auth(quality))
      .send({ from: '2027-03-01', to: '2027-03-07' })
      .expect(200);
    expect(Object.values(await slotsOf(even.id, '2027-03-01'))).toEqual([4, 4, 4]);

    // A quarter's answer-rate claim of 95 % alone in its family needs 67 contacts: 6 a week over 12 weeks.
    const c = await created(t, quality, '/api/v1/claims', claim({ touchpointId: tps[0] }));
    const funded = await created(t, quality, '/api/v1/campaigns', campaign());
    await t
      .http()
      .post(`/api/v1/campaigns/${funded.id}/plan`)
      .set(auth(quality))
      .send({ from: '2027-03-01', to: '2027-03-14' })
      .expect(200);
    const first = await slotsOf(funded.id, '2027-03-01');
    expect(first[tps[0]]).toBe(6);
    expect(first[tps[1]] + first[tps[2]]).toBe(6);
    // The next week counts the first week's six as planned: the claim still asks for 6 a week over 11 weeks.
    expect((await slotsOf(funded.id, '2027-03-08'))[tps[0]]).toBe(6);
    await t.http().delete(`/api/v1/claims/${c.id}`).set(auth(quality)).expect(204);
  });

  it("spreads a team claim's ask over the campaign's touchpoints of that team", async () => {
    const opening = WEEKDAYS.map((day) => ({ day, open: '08:00', close: '18:00' }));
    const line = async (name: string, team: string | null) =>
      (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ name, team, openingHours: opening }))).id;
    const north = [await line('North 1', 'north'), await line('North 2', 'north')];
    const other = await line('Elsewhere', null);
    // 95 % for the team over five weeks: 67 contacts, 75 tests at the 90 % a new campaign expects completed: 15 a
    // week from its two lines (8 and 7, at most 8 each)
    const c = await created(
      t,
      quality,
      '/api/v1/claims',
      claim({ touchpointId: undefined, team: 'north', periodEnd: '2027-04-04' }),
    );
    const steered = await created(
      t,
      quality,
      '/api/v1/campaigns',
      campaign({ touchpointIds: [...north, other], weeklyBudget: 16 }),
    );
    await t
      .http()
      .post(`/api/v1/campaigns/${steered.id}/plan`)
      .set(auth(quality))
      .send({ from: '2027-03-01', to: '2027-03-07' })
      .expect(200);
    const slots = await slotsOf(steered.id, '2027-03-01');
    // the odd test goes to the team's touchpoint with the smaller id (ids are random): 8 and 7 in either order
    const team = [slots[north[0]], slots[north[1]]].sort((a, b) => a - b);
    expect([...team, slots[other]]).toEqual([7, 8, 1]); // evenly it would be 6, 5, 5
    await t.http().delete(`/api/v1/claims/${c.id}`).set(auth(quality)).expect(204);
  });
});

describe('what the counts tell', () => {
  it('progress and allocation follow how many contacts were recorded, never what they showed; owners see neither', async () => {
    const seen = [];
    let last: Awaited<ReturnType<typeof plannedWeek>> | undefined;
    for (const answered of [true, false]) {
      // Four tests of an owned line in the week of 1 March, all answered in one organization, none in the other.
      const w = await plannedWeek(t, 4, () => ({ reachedHuman: answered }));
      const c = await created(t, w.quality.key, '/api/v1/claims', claim({ touchpointId: w.tp }));
      const opening = WEEKDAYS.map((day) => ({ day, open: '08:00', close: '20:00' }));
      const other = (
        await created(
          t,
          w.org.adminKey,
          '/api/v1/touchpoints',
          touchpointBody({ name: 'Other', openingHours: opening }),
        )
      ).id;
      const byNeed = await created(
        t,
        w.quality.key,
        '/api/v1/campaigns',
        campaign({
          touchpointIds: [w.tp, other],
          testerIds: w.testers.map((x) => x.person.id),
          contactsPerTouchpointPerWeek: 7,
          weeklyBudget: 8,
          startsOn: '2027-03-08',
          minSpacingHours: 1,
        }),
      );
      await t
        .http()
        .post(`/api/v1/campaigns/${byNeed.id}/plan`)
        .set(auth(w.quality.key))
        .send({ from: '2027-03-08', to: '2027-03-14' })
        .expect(200);
      const slots = await slotsOf(byNeed.id, '2027-03-08');
      const progress = (await t.http().get(`/api/v1/claims/${c.id}`).set(auth(w.quality.key)).expect(200)).body
        .progress;
      // The owner reads the claim, but not its progress: it would tell them this week's count.
      const asOwner = await t.http().get(`/api/v1/claims/${c.id}`).set(auth(w.owner.key)).expect(200);
      expect(asOwner.body.progress).toBeNull();
      const listed = await t.http().get(`/api/v1/claims?touchpointId=${w.tp}`).set(auth(w.owner.key)).expect(200);
      expect(listed.body.items.map((x: { progress: unknown }) => x.progress)).toEqual([null]);
      seen.push({ progress, slots: [slots[w.tp], slots[other]] });
      last = w;
    }
    expect(seen[0]).toEqual(seen[1]);
    // 67 needed, 4 tests so far; the line asks for the 63 completed tests still needed at the 90 % a new campaign
    // expects completed, 70 tests over the 11 weeks left (7 a week), and the other gets the rest.
    expect(seen[0]).toEqual({
      progress: {
        contactsSoFar: 4,
        contactsNeeded: 67,
        contactsStillNeeded: 63,
        testsPerWeek: 7,
        // 7 planned in the week of 8 March, then 7 a week: 63 reached in the week of 3 May
        decisionExpectedWeek: '2027-05-03',
      },
      slots: [7, 1],
    });

    // The console's claims page says the same, in words.
    const { quality, owner: lineOwner, tp, org: lineOrg } = last!;
    const browser = await sessionFor(t, { organizationId: lineOrg.orgId, personId: quality.person.id });
    const page = await t.http().get('/claims').set('Cookie', browser.cookie).expect(200);
    expect(textOf(page.text)).toContain('4 of 67 contacts · 63 more by the week of 3 May 2027');

    // The digest shows the same beside the claim in progress; one an owner reads does not.
    const body = { name: 'Weekly', recipients: [quality.person.id], cron: '0 8 * * 1', timezone: 'UTC', periodDays: 7 };
    const sub = await created(t, quality.key, '/api/v1/digest-subscriptions', body);
    const preview = await t
      .http()
      .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2027-03-01`)
      .set(auth(quality.key))
      .expect(200);
    const row = preview.body.rows.find((r: { touchpointId: string }) => r.touchpointId === tp);
    expect(row).toMatchObject({
      verdict: 'in_progress',
      n: 4,
      contactsNeeded: 67,
      contactsStillNeeded: 63,
      decisionExpectedWeek: '2027-05-03',
    });
    const ownerSub = await created(t, quality.key, '/api/v1/digest-subscriptions', {
      ...body,
      name: 'For the line owner',
      recipients: [lineOwner.person.id],
    });
    // Its digest goes out a week late (the owner reads it) and without the pace of this week's tests.
    for (const at of ['2027-03-08T08:00:00Z', '2027-03-15T08:00:00Z']) {
      t.clock.set(at);
      await t.app.get(JobsService).run('digest');
    }
    const [run] = await t.dataSource.query(
      'SELECT id FROM digest_run WHERE subscription_id = $1 ORDER BY period_end DESC LIMIT 1',
      [ownerSub.id],
    );
    const stored = await t.http().get(`/api/v1/digests/${run.id}`).set(auth(quality.key)).expect(200);
    expect(stored.body.payload.delayDays).toBe(7);
    const ownerRow = stored.body.payload.rows.find((r: { touchpointId: string }) => r.touchpointId === tp);
    expect(ownerRow).toMatchObject({ verdict: 'in_progress', n: 4, contactsNeeded: 67 });
    expect(ownerRow).toMatchObject({ contactsStillNeeded: null, decisionExpectedWeek: null });
  });

  it('the completion rate counts slots completed of slots ended, whatever the tests showed', async () => {
    // four tests of the week of 1 March completed, two answered and two not; one slot of that week no tester took
    const w = await plannedWeek(t, 4, (i) => ({ reachedHuman: i % 2 === 0 }));
    const [{ campaign_id: campaignId, organization_id: orgId, touchpoint_id: tp }] = await t.dataSource.query(
      'SELECT campaign_id, organization_id, touchpoint_id FROM assignment WHERE id = $1',
      [w.assignments[0].id],
    );
    const unfilled = (week: string, slot: number) =>
      t.dataSource.query(
        `INSERT INTO unfilled_slot (organization_id, campaign_id, touchpoint_id, week_start, slot, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, 'no_tester', now())`,
        [orgId, campaignId, tp, week, slot],
      );
    await unfilled('2027-03-01', 90);
    await unfilled('2027-03-08', 91); // its week has not ended: not counted yet
    const reads = t.app.get(ClaimProgressRepository);
    expect(await reads.completion(null, campaignId, new Date('2027-03-08T00:00:00Z'))).toEqual({
      planned: 5,
      completed: 4,
    });
  });

  it("a wait claim's count follows its completed tests, never how many of them a person answered", async () => {
    const seen = [];
    for (const answered of [true, false]) {
      // Four completed tests of the line in the week of 1 March: all answered in one organization, none in the other.
      const w = await plannedWeek(t, 4, () => ({ reachedHuman: answered, secondsToHuman: 40 }));
      const c = await created(
        t,
        w.quality.key,
        '/api/v1/claims',
        // a median of 30 s for four weeks needs 33 answered contacts: three weeks are left to plan, so a difference of
        // four contacts so far would move the week's ask (10 or 11 a week, were answered contacts counted)
        claim({ touchpointId: w.tp, metric: 'median_seconds_to_human', value: 30, periodEnd: '2027-03-28' }),
      );
      const opening = WEEKDAYS.map((day) => ({ day, open: '08:00', close: '20:00' }));
      const other = (
        await created(
          t,
          w.org.adminKey,
          '/api/v1/touchpoints',
          touchpointBody({ name: 'Other', openingHours: opening }),
        )
      ).id;
      const byNeed = await created(
        t,
        w.quality.key,
        '/api/v1/campaigns',
        campaign({
          touchpointIds: [w.tp, other],
          testerIds: w.testers.map((x) => x.person.id),
          contactsPerTouchpointPerWeek: 21,
          weeklyBudget: 24,
          startsOn: '2027-03-08',
          minSpacingHours: 1,
        }),
      );
      await t
        .http()
        .post(`/api/v1/campaigns/${byNeed.id}/plan`)
        .set(auth(w.quality.key))
        .send({ from: '2027-03-08', to: '2027-03-14' })
        .expect(200);
      const slots = await slotsOf(byNeed.id, '2027-03-08');
      const progress = (await t.http().get(`/api/v1/claims/${c.id}`).set(auth(w.quality.key)).expect(200)).body
        .progress;
      seen.push({ progress, slots: [slots[w.tp], slots[other]] });
    }
    // what the verdict rests on differs (4 answered contacts, or none) ...
    expect(seen.map((x) => x.progress.contactsSoFar)).toEqual([4, 0]);
    // ... the tests planned, their pace and the week expected do not
    expect(seen[0].slots).toEqual(seen[1].slots);
    // 33 contacts at 0.8 answered a completed test (a fixed assumption) are 42 tests, 38 after the four done; at the
    // 90 % a new campaign expects completed 43 planned, 15 a week over the three weeks left
    expect(seen[0].slots).toEqual([15, 9]);
    expect(seen[0].progress.testsPerWeek).toBe(seen[1].progress.testsPerWeek);
    expect(seen[0].progress.decisionExpectedWeek).toBe(seen[1].progress.decisionExpectedWeek);
  });
});
