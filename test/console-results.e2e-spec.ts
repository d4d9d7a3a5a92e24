import { ManualClock } from '../src/common/clock.js';
import { accessWorlds, AccessWorld } from './support/access-world.js';
import { Browser, sessionFor, textOf } from './support/console.js';
import { auth } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The results pages (issue 14 item 3): per touchpoint and per team, each metric over the weeks with its interval,
 * the claims with their verdicts, coverage with the reasons slots went unfilled; an owner's variant a week behind.
 */
let t: TestApp;
let w: AccessWorld;
let other: AccessWorld;
const browsers = {} as Record<'admin' | 'quality' | 'tester' | 'owner', Browser>;
let team: string;

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
  ({ own: w, other } = await accessWorlds(t));
  for (const role of ['admin', 'quality', 'tester', 'owner'] as const)
    browsers[role] = await sessionFor(t, { organizationId: w.org.orgId, personId: w.person[role].id });
  [{ team }] = await t.dataSource.query('SELECT team FROM touchpoint WHERE id = $1', [w.touchpoint]);
  // a slot nobody could take, in a week that ended before now
  await t.dataSource.query(
    `INSERT INTO unfilled_slot (organization_id, campaign_id, touchpoint_id, week_start, slot, reason, created_at)
     VALUES ($1, $2, $3, '2027-02-15', 0, 'no_tester_available', now())`,
    [w.org.orgId, w.campaign, w.touchpoint],
  );
  // and one in the week still running, for the plan calendar
  await t.dataSource.query(
    `INSERT INTO unfilled_slot (organization_id, campaign_id, touchpoint_id, week_start, slot, reason, created_at)
     VALUES ($1, $2, $3, '2027-03-01', 2, 'spacing', now())`,
    [w.org.orgId, w.campaign, w.touchpoint],
  );
});
afterAll(() => t.close());

const get = (path: string, who: Browser) => t.http().get(path).set('Cookie', who.cookie);

describe('the results page of a touchpoint', () => {
  it('shows quality each metric per week with its interval, the claim and its verdict, and coverage with reasons', async () => {
    const page = await get(`/results/touchpoints/${w.touchpoint}`, browsers.quality).expect(200);
    const api = (await t.http().get(`/api/v1/results/touchpoints/${w.touchpoint}`).set(auth(w.key.quality)).expect(200))
      .body;
    const text = textOf(page.text);
    // the completed test of this week is there, as a dot on the chart and in the table
    expect(api.contacts.at(-1).n).toBe(1);
    const answer = api.metrics.find((m: { metric: string }) => m.metric === 'answer_rate');
    expect(answer.weeks.at(-1)).toMatchObject({ observed: 1, n: 1 });
    // the digest's exact interval for 1 of 1 (Clopper–Pearson): 2.5 % – 100 %
    expect(answer.weeks.at(-1).ciLow).toBeCloseTo(0.025, 3);
    expect(page.text).toContain('<svg class="results-chart"');
    expect(page.text).toMatch(/<circle cx="[\d.]+" cy="[\d.]+" r="3.5"/);
    // the claim, drawn as a line and listed with the digest's verdict
    expect(api.claims).toEqual([expect.objectContaining({ claimId: w.claim, claimed: 0.96, verdict: 'in_progress' })]);
    expect(page.text).toContain('class="claim"');
    expect(text).toContain('Claimed');
    expect(text).toContain('96 %');
    expect(text).toContain('in progress');
    // coverage, with why slots went unfilled
    expect(api.coverage).toMatchObject({ unfilled: 1, unfilledReasons: [{ reason: 'no_tester_available', slots: 1 }] });
    expect(text).toContain('Coverage');
    expect(text).toContain('no_tester_available: 1');
    expect(api.delayDays).toBe(0);
  });

  it('answers another organization’s touchpoint, or a malformed id, with 404', async () => {
    await get(`/results/touchpoints/${other.touchpoint}`, browsers.quality).expect(404);
    await get('/results/touchpoints/not-an-id', browsers.quality).expect(404);
    await t.http().get(`/api/v1/results/touchpoints/${other.touchpoint}`).set(auth(w.key.quality)).expect(404);
  });

  it('refuses a tester (403), and a number of weeks out of the rules with the API’s message (400)', async () => {
    await get(`/results/touchpoints/${w.touchpoint}`, browsers.tester).expect(403);
    const bad = await get(`/results/touchpoints/${w.touchpoint}?weeks=99`, browsers.admin).expect(400);
    expect(textOf(bad.text)).toContain('Results');
    const api = await t.http().get(`/api/v1/results/touchpoints/${w.touchpoint}?weeks=99`).set(auth(w.key.admin));
    expect(api.status).toBe(400);
    expect(JSON.stringify(api.body)).toContain('weeks');
  });
});

describe("a touchpoint's owner on the results page", () => {
  it('reads their own touchpoint a week behind: completed tests only, no coverage, no planned count', async () => {
    const page = await get(`/results/touchpoints/${w.touchpoint}`, browsers.owner).expect(200);
    const text = textOf(page.text);
    expect(text).not.toContain('Coverage');
    expect(text).not.toMatch(/planned|unfilled|declined|revealed/i);
    expect(text).toContain('7 days after its window began');
    const api = (await t.http().get(`/api/v1/results/touchpoints/${w.touchpoint}`).set(auth(w.key.owner)).expect(200))
      .body;
    expect(api.coverage).toBeNull();
    expect(api.delayDays).toBe(7);
    // the test completed minutes ago is not there yet
    expect(api.contacts.reduce((a: number, c: { n: number }) => a + c.n, 0)).toBe(0);
  });

  it('sees the completed test once a week has passed since its window began', async () => {
    const [{ window_start: start }] = await t.dataSource.query('SELECT window_start FROM assignment WHERE id = $1', [
      w.completed,
    ]);
    const before = t.clock.now();
    const counted = async () =>
      (
        await t.http().get(`/api/v1/results/touchpoints/${w.touchpoint}`).set(auth(w.key.owner)).expect(200)
      ).body.contacts.reduce((a: number, c: { n: number }) => a + c.n, 0);
    try {
      t.clock.set(new Date(start.getTime() + 7 * 86_400_000 - 60_000));
      expect(await counted()).toBe(0);
      t.clock.set(new Date(start.getTime() + 7 * 86_400_000 + 60 * 60_000));
      expect(await counted()).toBe(1);
    } finally {
      t.clock.set(before);
    }
  });

  it('gets 404 for a touchpoint they do not own, and 403 on the team and index pages', async () => {
    await get(`/results/touchpoints/${w.unownedTouchpoint}`, browsers.owner).expect(404);
    await t.http().get(`/api/v1/results/touchpoints/${w.unownedTouchpoint}`).set(auth(w.key.owner)).expect(404);
    await get('/results', browsers.owner).expect(403);
    await get(`/results/teams/${encodeURIComponent(team)}`, browsers.owner).expect(403);
  });
});

describe('the results of a team, and the index', () => {
  it('shows a team’s metrics (waits left per touchpoint) and its coverage', async () => {
    const page = await get(`/results/teams/${encodeURIComponent(team)}`, browsers.quality).expect(200);
    const text = textOf(page.text);
    expect(text).toContain(`Results: team ${team}`);
    expect(text).toContain('answer rate');
    expect(text).not.toContain('median seconds to human');
    expect(text).toContain('never pooled across channels');
    expect(text).toContain('Coverage');
    await get('/results/teams/no-such-team', browsers.quality).expect(404);
  });

  it('lists touchpoints with pickers for team and channel, and refuses a channel out of the API’s list', async () => {
    const page = await get(`/results?team=${encodeURIComponent(team)}&channel=phone`, browsers.admin).expect(200);
    expect(page.text).toContain(`href="/results/touchpoints/${w.touchpoint}"`);
    expect(page.text).toContain('<select id="field-team" name="team"');
    const none = await get('/results?channel=chat', browsers.admin).expect(200);
    expect(none.text).not.toContain(`href="/results/touchpoints/${w.touchpoint}"`);
    const bad = await get('/results?channel=fax', browsers.admin).expect(400);
    expect(textOf(bad.text)).toContain('channel must be one of');
  });
});

describe('the plan calendar', () => {
  it('shows admin and quality every test still to happen, with its tester, and the unfilled slots with why', async () => {
    const api = (await t.http().get('/api/v1/plan-calendar').set(auth(w.key.quality)).expect(200)).body;
    const ids = api.items.map((s: { assignmentId: string }) => s.assignmentId);
    expect(ids).toEqual(expect.arrayContaining(w.planned.map((p) => p.id)));
    expect(ids).not.toContain(w.completed);
    expect(api.unfilled).toEqual([
      expect.objectContaining({ touchpointId: w.touchpoint, weekStart: '2027-03-01', reason: 'spacing' }),
    ]);
    const page = await get('/plan', browsers.quality).expect(200);
    const text = textOf(page.text);
    const [tester] = await t.dataSource.query('SELECT name FROM person WHERE id = $1', [w.planned[0].testerId]);
    expect(text).toContain(tester.name);
    expect(text).toContain(`1–${api.items.length} of ${api.total}`);
    expect(text).toContain('no window left that keeps the minimum spacing between two tests');
    await get('/plan', browsers.admin).expect(200);
  });

  it('filters by campaign, team and channel with pickers, and refuses a filter out of the API’s rules', async () => {
    const page = await get(`/plan?campaignId=${w.campaign}&team=${encodeURIComponent(team)}`, browsers.quality).expect(
      200,
    );
    expect(page.text).toContain(`<option value="${w.campaign}" selected>`);
    expect(textOf(page.text)).toContain('Tests still to happen');
    const chat = await get('/plan?channel=chat', browsers.quality).expect(200);
    expect(textOf(chat.text)).toContain('No test planned in these weeks.');
    expect(textOf(chat.text)).toContain('Every slot of these weeks has a tester.');
    const bad = await get('/plan?campaignId=nope&weeks=40', browsers.quality).expect(400);
    expect(textOf(bad.text)).toContain('campaignId must be a UUID');
    expect(textOf(bad.text)).toContain('weeks must not be greater than 12');
  });

  it('is closed to owners and testers, on the page and in the API', async () => {
    await get('/plan', browsers.owner).expect(403);
    await get('/plan', browsers.tester).expect(403);
    await t.http().get('/api/v1/plan-calendar').set(auth(w.key.owner)).expect(403);
    await t.http().get('/api/v1/plan-calendar').set(auth(w.key.tester)).expect(403);
  });
});
