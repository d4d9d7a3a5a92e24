import { auth, newOrganization, TestOrganization } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Planning never stalls the service (issue 12, item 4): while a large plan runs, /health keeps
 * answering — shown by order of events, not by milliseconds — and a campaign too large to plan is
 * refused with a 400 that names the field and the limit.
 */
let t: TestApp;
let org: TestOrganization;
let testerIds: string[];

const ALL_WEEK = JSON.stringify(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })),
);
const OPENING = JSON.stringify(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, open: '06:00', close: '22:00' })),
);

async function touchpoints(team: string, n: number): Promise<void> {
  await t.dataSource.query(
    `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours, team)
     SELECT $1, $2 || ' ' || i, 'phone', '+44 20 7946 ' || lpad(i::text, 4, '0'), 'Europe/London', $3::jsonb, $2
       FROM generate_series(1, $4) AS i`,
    [org.orgId, team, OPENING, n],
  );
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2027-02-26T12:00:00Z');
  org = await newOrganization(t);
  await t.dataSource.query(
    `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
     SELECT $1, 'scale' || i || '@test.example', 'Tester ' || i, ARRAY['tester'], 'UTC', $2::jsonb
       FROM generate_series(1, 4000) AS i`,
    [org.orgId, ALL_WEEK],
  );
  testerIds = (
    await t.dataSource.query(`SELECT id FROM person WHERE organization_id = $1 AND 'tester' = ANY(roles)`, [org.orgId])
  ).map((r: { id: string }) => r.id);
  await touchpoints('large', 3000);
});
afterAll(() => t.close());

const campaign = (body: Record<string, unknown>) =>
  t
    .http()
    .post('/api/v1/campaigns')
    .set(auth(org.adminKey))
    .send({
      name: 'Scale',
      testerIds,
      contactsPerTouchpointPerWeek: 2,
      rotationDays: 0,
      testerWeeklyCap: 10,
      startsOn: '2027-03-01',
      ...body,
    });

/** The planning transaction (it holds the organization's planning lock): its state and when that state began. */
async function planningTransaction(): Promise<{ pid: number; state: string; since: string } | undefined> {
  const rows = await t.dataSource.query(
    `SELECT a.pid, a.state, a.state_change::text AS since FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.pid <> pg_backend_pid()`,
  );
  return rows[0];
}

describe('a large plan', () => {
  it('leaves /health answering while the planner computes', async () => {
    const created = await campaign({ team: 'large' }).expect(201);
    let answered: { status: number; body: { planned: number } } | undefined;
    const plan = t
      .http()
      .post(`/api/v1/campaigns/${created.body.id}/plan`)
      .set(auth(org.adminKey))
      .send({ from: '2027-03-01', to: '2027-03-07' })
      .then((res) => (answered = res));
    let before = 0;
    let whileComputing = 0;
    while (!answered) {
      // A /health round trip counts as made while the planner computed when, just before and just after
      // it, the planning transaction sat idle (no query running, its lock held) in one and the same
      // stretch: the inputs loaded, the plan not yet inserted. On the event loop no answer could fit there.
      const start = await planningTransaction();
      await t.http().get('/health').expect(200);
      const end = await planningTransaction();
      if (answered) break;
      before++;
      if (
        start &&
        end &&
        start.pid === end.pid &&
        start.state === 'idle in transaction' &&
        end.state === start.state &&
        end.since === start.since
      )
        whileComputing++;
    }
    await plan;
    expect(answered.status).toBe(200);
    expect(answered.body.planned).toBe(6000);
    expect(before).toBeGreaterThan(5);
    expect(whileComputing).toBeGreaterThanOrEqual(3);
  });
});

describe('campaign size', () => {
  it('refuses a campaign whose weekly slots exceed the limit, naming the field and the limit', async () => {
    const res = await campaign({ team: 'large', contactsPerTouchpointPerWeek: 7 }).expect(400);
    expect(res.body.errors).toEqual([
      {
        field: 'contactsPerTouchpointPerWeek',
        rule: 'maxWeeklyContacts',
        message: expect.stringContaining('at most 20,000 a week; 3,000 × 7 = 21,000'),
      },
    ]);
  });

  it('refuses more than 10,000 touchpoints or testers', async () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const res = await campaign({ touchpointIds: ids, testerIds: ids, contactsPerTouchpointPerWeek: 1 }).expect(400);
    expect(res.body.errors.map((e: { field: string; rule: string }) => `${e.field} ${e.rule}`).sort()).toEqual([
      'testerIds arrayMaxSize',
      'touchpointIds arrayMaxSize',
    ]);
  });

  it('refuses to plan a selection that has grown past the limit since the campaign was saved', async () => {
    await touchpoints('growing', 10);
    const created = await campaign({ team: 'growing', contactsPerTouchpointPerWeek: 21 }).expect(201);
    await touchpoints('growing', 1000);
    const res = await t
      .http()
      .post(`/api/v1/campaigns/${created.body.id}/plan`)
      .set(auth(org.adminKey))
      .send({ from: '2027-03-01', to: '2027-03-07' })
      .expect(400);
    expect(res.body.errors).toEqual([
      {
        field: 'contactsPerTouchpointPerWeek',
        rule: 'maxWeeklyContacts',
        message: expect.stringContaining('1,010 × 21 = 21,210'),
      },
    ]);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM assignment WHERE campaign_id = $1', [
      created.body.id,
    ]);
    expect(n).toBe(0);
  });

  it('refuses one plan call of more than 200,000 slots, saying how many weeks fit', async () => {
    const created = await campaign({ team: 'large', contactsPerTouchpointPerWeek: 6 }).expect(201);
    const res = await t
      .http()
      .post(`/api/v1/campaigns/${created.body.id}/plan`)
      .set(auth(org.adminKey))
      .send({ from: '2027-03-01', to: '2027-05-23' })
      .expect(400);
    expect(res.body.errors).toEqual([
      {
        field: 'to',
        rule: 'maxSlotsPerPlan',
        message: expect.stringContaining('at 18,000 a week, plan at most 11 week(s) at a time'),
      },
    ]);
  });
});
