import { DateTime } from 'luxon';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import type { JobName } from '../src/jobs/schedules.js';
import {
  auth,
  newOrganization,
  personWithKey,
  scenarioBody,
  TestOrganization,
  touchpointBody,
  unique,
  created,
} from './support/factories.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * No job stops for all organizations because of one row. For each job, organization A gets a row
 * written behind the API's back that the API would never store (a zone PostgreSQL or luxon does not
 * know, opening hours that are not a list, a broken cron string, a time that overflows); the job runs
 * (the ManualClock moves), and organization B's work must be done: its mail in the real SMTP sink,
 * its rows changed. The bad row is logged with its id and waits out its failure (backing off).
 */

let t: TestApp;
let sink: SmtpSink;

beforeEach(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({
    env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
    clock: new ManualClock('2027-02-28T12:00:00Z'),
  });
});
afterEach(async () => {
  await t.close();
  await sink.close();
});

const ALL_WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({
  day,
  start: '00:00',
  end: '24:00',
}));
// One window a week, the same for every tenant: Wednesday 10:00–11:00 London (GMT in March).
const WEDNESDAY_TEN = [{ day: 'wed', open: '10:00', close: '11:00' }];
const WINDOW_START = new Date('2027-03-03T10:00:00Z');
const WINDOW_END = new Date('2027-03-03T11:00:00Z');

interface Tenant {
  org: TestOrganization;
  tester: { id: string; email: string; key: string };
  touchpointId: string;
  campaignId: string;
}

/** An organization: one tester, one touchpoint open Wednesdays 10–11, a scenario, a one-test-a-week campaign. */
async function tenant(campaign: Record<string, unknown> = {}): Promise<Tenant> {
  const org = await newOrganization(t);
  const { person, key } = await personWithKey(t, org.adminKey, ['tester'], {
    email: `tester-${unique()}@example.org`,
    workingHours: ALL_WEEK,
  });
  const tp = await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ openingHours: WEDNESDAY_TEN }));
  await t
    .http()
    .post('/api/v1/scenarios')
    .set(auth(org.adminKey))
    .send(scenarioBody({ channels: ['phone'], questions: [] }))
    .expect(201);
  const newCampaign = await created(t, org.adminKey, '/api/v1/campaigns', {
    name: 'Weekly',
    touchpointIds: [tp.id],
    testerIds: [person.id],
    contactsPerTouchpointPerWeek: 1,
    rotationDays: 0,
    startsOn: '2027-03-01',
    endsOn: '2027-03-07',
    ...campaign,
  });
  return { org, tester: { id: person.id, email: person.email, key }, touchpointId: tp.id, campaignId: newCampaign.id };
}

async function planFirstWeek(x: Tenant): Promise<string> {
  const plan = await t
    .http()
    .post(`/api/v1/campaigns/${x.campaignId}/plan`)
    .set(auth(x.org.adminKey))
    .send({ from: '2027-03-01', to: '2027-03-07' })
    .expect(200);
  expect(plan.body.planned).toBe(1);
  const [a] = await t.dataSource.query('SELECT id FROM assignment WHERE campaign_id = $1', [x.campaignId]);
  return a.id;
}

const run = (job: JobName) => t.app.get(JobsService).run(job);

async function deliver(): Promise<void> {
  await run('outbox');
}

const mailTo = (email: string, subject: RegExp) =>
  sink.messages.filter((m) => m.to && JSON.stringify(m.to).includes(email) && subject.test(m.subject ?? ''));

const statusOf = async (id: string) =>
  (await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [id]))[0].status as string;

async function failure(
  job: string,
  rowId: string,
): Promise<{ failures: number; retry_at: Date; last_error: string } | undefined> {
  return (
    await t.dataSource.query('SELECT failures, retry_at, last_error FROM job_failure WHERE job = $1 AND row_id = $2', [
      job,
      rowId,
    ])
  )[0];
}

/** The app's log lines that name this row as skipped. */
const loggedFailures = (id: string) =>
  t.logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.level === 50 && Object.values(l).includes(id));

async function setTesterZone(x: Tenant, zone: string): Promise<void> {
  await t.dataSource.query('UPDATE person SET timezone = $1 WHERE id = $2', [zone, x.tester.id]);
}

describe('one bad row never stops a job for every organization', () => {
  it('plan: a touchpoint or tester the planner cannot read is left out and logged; the rest is planned', async () => {
    const a = await tenant({ endsOn: null });
    const b = await tenant({ endsOn: null });
    // behind the API: A's touchpoints with hours that are not a list or a zone nobody knows, a tester with bad hours
    const [broken] = await t.dataSource.query(
      `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours)
       VALUES ($1, 'Broken hours', 'phone', '+44 20 7946 0001', 'Europe/London', '{"mon": "9-5"}') RETURNING id`,
      [a.org.orgId],
    );
    const [lost] = await t.dataSource.query(
      `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours)
       VALUES ($1, 'Lost zone', 'phone', '+44 20 7946 0002', 'Mars/Olympus', $2) RETURNING id`,
      [a.org.orgId, JSON.stringify(WEDNESDAY_TEN)],
    );
    const [odd] = await t.dataSource.query(
      `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
       VALUES ($1, $2, 'Odd hours', ARRAY['tester'], 'Europe/London', '"always"') RETURNING id`,
      [a.org.orgId, `odd-${unique()}@example.org`],
    );
    await t.dataSource.query(
      `UPDATE campaign SET touchpoint_ids = touchpoint_ids || $1::uuid[], tester_ids = tester_ids || $2::uuid[]
        WHERE id = $3`,
      [[broken.id, lost.id], [odd.id], a.campaignId],
    );

    await run('plan');

    const planned = async (campaignId: string) =>
      await t.dataSource.query<Array<{ touchpoint_id: string; tester_id: string }>>(
        'SELECT touchpoint_id, tester_id FROM assignment WHERE campaign_id = $1',
        [campaignId],
      );
    expect((await planned(b.campaignId)).length).toBeGreaterThan(0);
    // A's own good touchpoint is planned too: the campaign is not given up for one row
    const ofA = await planned(a.campaignId);
    expect(ofA.length).toBeGreaterThan(0);
    expect(new Set(ofA.map((r) => r.touchpoint_id))).toEqual(new Set([a.touchpointId]));
    expect(ofA.every((r) => r.tester_id === a.tester.id)).toBe(true);
    for (const id of [broken.id, lost.id, odd.id])
      expect(loggedFailures(id)).toEqual([expect.objectContaining({ job: 'plan', campaignId: a.campaignId })]);
  });

  it('hold: an unknown zone is skipped and logged, the other hold goes out; the row backs off, recovers', async () => {
    const a = await tenant({ holdLeadMinutes: 2 * 24 * 60 });
    const b = await tenant({ holdLeadMinutes: 2 * 24 * 60 });
    const held = await planFirstWeek(a);
    await planFirstWeek(b);
    await setTesterZone(a, 'Mars/Olympus');

    t.clock.set(new Date(WINDOW_START.getTime() - 2 * 24 * 3_600_000));
    await run('reveal');
    await deliver();
    expect(mailTo(b.tester.email, /hold this time/)).toHaveLength(1);
    expect(mailTo(a.tester.email, /./)).toHaveLength(0);
    expect(await failure('hold', held)).toMatchObject({
      failures: 1,
      last_error: expect.stringMatching(/Mars\/Olympus/),
    });
    expect(loggedFailures(held)).toEqual([
      expect.objectContaining({ job: 'hold', msg: 'job item failed; it is skipped until retryAt' }),
    ]);

    // not taken again before its retry time; then tried again (twice as long to wait after that)
    await run('reveal');
    expect((await failure('hold', held))!.failures).toBe(1);
    t.clock.advance(61_000);
    await run('reveal');
    const second = (await failure('hold', held))!;
    expect(second.failures).toBe(2);
    expect(second.retry_at.getTime() - t.clock.now().getTime()).toBe(120_000);

    // fixed: it goes through, and its failure record is gone
    await setTesterZone(a, 'Europe/London');
    t.clock.advance(121_000);
    await run('reveal');
    await deliver();
    expect(mailTo(a.tester.email, /hold this time/)).toHaveLength(1);
    expect(await failure('hold', held)).toBeUndefined();
  });

  it('reveal: a bad row is skipped, and a batch of bad rows ahead of a good one does not hold it up', async () => {
    const a = await tenant();
    const b = await tenant();
    const bad = await planFirstWeek(a);
    const good = await planFirstWeek(b);
    await setTesterZone(a, 'Mars/Olympus');
    // more bad rows than one claimed batch (200), all due before B's
    await t.dataSource.query(
      `INSERT INTO assignment (organization_id, campaign_id, tester_id, touchpoint_id, week_start, slot,
                               window_start, window_end, reveal_at, status)
       SELECT $1, $2, $3, $4, '2027-03-01', 100 + i,
              $5::timestamptz, $6::timestamptz, $5::timestamptz - interval '3 hours', 'planned'
         FROM generate_series(1, 250) AS i`,
      [a.org.orgId, a.campaignId, a.tester.id, a.touchpointId, WINDOW_START, WINDOW_END],
    );

    t.clock.set(new Date(WINDOW_START.getTime() - 2 * 3_600_000));
    await run('reveal');
    await deliver();
    expect(await statusOf(good)).toBe('revealed');
    expect(mailTo(b.tester.email, /^Your test contact/)).toHaveLength(1);
    expect(await statusOf(bad)).toBe('planned');
    const [{ waiting }] = await t.dataSource.query(
      `SELECT count(*)::int AS waiting FROM job_failure WHERE job = 'reveal' AND retry_at > $1`,
      [t.clock.now()],
    );
    expect(waiting).toBe(251);
    expect(loggedFailures(bad)).toEqual([expect.objectContaining({ job: 'reveal', failures: 1 })]);
    expect(mailTo(a.tester.email, /./)).toHaveLength(0);
  });

  it('remind: a bad zone and a time that would overflow the claim are skipped; the other reminder goes', async () => {
    const a = await tenant();
    const b = await tenant();
    const bad = await planFirstWeek(a);
    const good = await planFirstWeek(b);
    t.clock.set(new Date(WINDOW_START.getTime() - 2 * 3_600_000));
    await run('reveal');
    await setTesterZone(a, 'Mars/Olympus');
    // a campaign of A reminding "after" the window, with a revealed test at the very end of PostgreSQL's calendar:
    // `window_end - remind_before` overflowed, and with it the whole statement
    const [late] = await t.dataSource.query(
      `INSERT INTO campaign (organization_id, name, tester_ids, contacts_per_touchpoint_per_week, window_minutes,
                             reveal_lead_minutes, remind_before_minutes, grace_minutes, min_spacing_hours,
                             tester_weekly_cap, rotation_days, starts_on, seed, horizon_days)
       VALUES ($1, 'Far future', ARRAY[$2]::uuid[], 1, 60, 120, -1440, 720, 24, 2, 0, '2027-03-01', 'seed', 14)
       RETURNING id`,
      [a.org.orgId, a.tester.id],
    );
    await t.dataSource.query(
      `INSERT INTO assignment (organization_id, campaign_id, tester_id, touchpoint_id, week_start, slot,
                               window_start, window_end, reveal_at, status, revealed_at)
       VALUES ($1, $2, $3, $4, '2027-03-01', 0, '294276-12-31 19:00Z', '294276-12-31 20:00Z',
               '2027-03-01 00:00Z', 'revealed', '2027-03-01 00:00Z')`,
      [a.org.orgId, late.id, a.tester.id, a.touchpointId],
    );

    t.clock.set(new Date(WINDOW_END.getTime() - 20 * 60_000));
    await run('remindExpire');
    await deliver();
    expect(mailTo(b.tester.email, /reminder|closes/i)).toHaveLength(1);
    expect(
      (await t.dataSource.query('SELECT reminded_at FROM assignment WHERE id = $1', [good]))[0].reminded_at,
    ).not.toBeNull();
    expect(
      (await t.dataSource.query('SELECT reminded_at FROM assignment WHERE id = $1', [bad]))[0].reminded_at,
    ).toBeNull();
    expect(await failure('remind', bad)).toMatchObject({ failures: 1 });
    expect(loggedFailures(bad)).toEqual([expect.objectContaining({ job: 'remind' })]);
  });

  it('expire: a time that would overflow the statement does not keep every other test from being missed', async () => {
    const a = await tenant();
    const b = await tenant();
    const ofA = await planFirstWeek(a);
    const ofB = await planFirstWeek(b);
    t.clock.set(new Date(WINDOW_START.getTime() - 2 * 3_600_000));
    await run('reveal');
    // `window_end + grace` of this row lies past PostgreSQL's last timestamp
    const [far] = await t.dataSource.query(
      `INSERT INTO assignment (organization_id, campaign_id, tester_id, touchpoint_id, week_start, slot,
                               window_start, window_end, reveal_at, status, revealed_at)
       VALUES ($1, $2, $3, $4, '2027-03-01', 7, '294276-12-31 19:00Z', '294276-12-31 20:00Z',
               '2027-03-01 00:00Z', 'revealed', '2027-03-01 00:00Z')
       RETURNING id`,
      [a.org.orgId, a.campaignId, a.tester.id, a.touchpointId],
    );

    t.clock.set(new Date(WINDOW_END.getTime() + 721 * 60_000)); // grace: 720 minutes
    await run('remindExpire');
    expect(await statusOf(ofB)).toBe('missed');
    expect(await statusOf(ofA)).toBe('missed');
    expect(await statusOf(far.id)).toBe('revealed');
  });

  it("followUp: a zone PostgreSQL does not know (US/Pacific-New) no longer stops everyone's questions", async () => {
    const a = await tenant();
    const b = await tenant();
    const outcome = async (x: Tenant) =>
      (
        await created(t, x.tester.key, '/api/v1/outcomes', {
          touchpointId: x.touchpointId,
          attemptedAt: '2027-02-28T10:00:00Z',
          reachedHuman: true,
          secondsToHuman: 30,
          resolution: 'partial',
          optionsExplained: true,
          courtesy: 4,
          knowledge: 4,
          promisedFollowUpBy: '2027-03-03',
        })
      ).id as string;
    const ofA = await outcome(a);
    await outcome(b);
    await setTesterZone(a, 'US/Pacific-New');

    t.clock.set(DateTime.fromISO('2027-03-04T09:30', { zone: 'Europe/London' }).toJSDate());
    await run('followUp');
    await deliver();
    expect(mailTo(b.tester.email, /get back to you/)).toHaveLength(1);
    expect(mailTo(a.tester.email, /./)).toHaveLength(0);

    // once surely due in every zone, A's row is taken, fails (its due time cannot be computed), is logged and backs off
    t.clock.set('2027-03-06T12:00:00Z');
    await run('followUp');
    expect(await failure('followUp', ofA)).toMatchObject({
      failures: 1,
      last_error: expect.stringMatching(/US\/Pacific-New/),
    });
    expect(loggedFailures(ofA)).toEqual([expect.objectContaining({ job: 'followUp' })]);
    expect(
      (await t.dataSource.query('SELECT promise_asked_at FROM outcome WHERE id = $1', [ofA]))[0].promise_asked_at,
    ).toBeNull();
  });

  it('digest: a broken cron string or an unknown zone is skipped and logged; the other digest goes out', async () => {
    const a = await tenant();
    const b = await tenant();
    const subscribe = async (x: Tenant, name: string) =>
      (await created(t, x.org.adminKey, '/api/v1/digest-subscriptions', {
        name,
        recipients: [`${name.toLowerCase()}-${unique()}@example.org`],
        cron: '0 8 * * 1',
        timezone: 'Europe/London',
      })) as { id: string; recipients: string[] };
    const brokenCron = await subscribe(a, 'Cron');
    const lostZone = await subscribe(a, 'Zone');
    const good = await subscribe(b, 'Good');
    await t.dataSource.query(`UPDATE digest_subscription SET cron = 'every monday morning' WHERE id = $1`, [
      brokenCron.id,
    ]);
    await t.dataSource.query(`UPDATE digest_subscription SET timezone = 'Mars/Olympus' WHERE id = $1`, [lostZone.id]);

    t.clock.set('2027-03-01T08:05:00Z');
    await run('digest');
    await deliver();
    expect(sink.messages.filter((m) => JSON.stringify(m.to).includes(good.recipients[0]))).toHaveLength(1);
    for (const sub of [brokenCron, lostZone]) {
      expect(await failure('digest', sub.id)).toMatchObject({ failures: 1 });
      expect(loggedFailures(sub.id)).toEqual([expect.objectContaining({ job: 'digest' })]);
    }
    // within its retry time a failed subscription is not tried (nor logged) again
    t.clock.advance(30_000);
    await run('digest');
    expect((await failure('digest', brokenCron.id))!.failures).toBe(1);
    expect(loggedFailures(brokenCron.id)).toHaveLength(1);
  });

  it('outbox: a message whose attachments are not a list is retried later; the other one is delivered', async () => {
    const a = await tenant();
    const b = await tenant();
    const insert = (orgId: string, to: string, attachments: string) =>
      t.dataSource.query(
        `INSERT INTO outbox_message (organization_id, message_id, recipient, subject, text_body, attachments, status,
                                     attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, 'Hello', 'Hello.', $4::jsonb, 'pending', 0, $5, $5) RETURNING id`,
        [orgId, `<${unique()}@groundtruth>`, to, attachments, t.clock.now()],
      );
    const [bad] = await insert(a.org.orgId, a.tester.email, '"not a list"');
    await insert(b.org.orgId, b.tester.email, '[]');

    await deliver();
    expect(mailTo(b.tester.email, /Hello/)).toHaveLength(1);
    const [row] = await t.dataSource.query(
      'SELECT status, attempts, next_attempt_at, last_error FROM outbox_message WHERE id = $1',
      [bad.id],
    );
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.any(String) });
    expect(row.next_attempt_at.getTime()).toBeGreaterThanOrEqual(t.clock.now().getTime());
  });
});

describe('other kinds of bad row written behind the API', () => {
  it('plan: hours that close before they open, an empty seed, a campaign asking for 10,000 tests a week', async () => {
    const a = await tenant({ endsOn: null });
    const b = await tenant({ endsOn: null });
    const insertTouchpoint = async (name: string, hours: unknown) =>
      (
        await t.dataSource.query(
          `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours)
           VALUES ($1, $2, 'phone', '+44 20 7946 0003', 'Europe/London', $3) RETURNING id`,
          [a.org.orgId, name, JSON.stringify(hours)],
        )
      )[0].id as string;
    const backwards = await insertTouchpoint('Backwards', [{ day: 'wed', open: '17:00', close: '09:00' }]);
    const empty = await insertTouchpoint('Empty', [{ day: 'wed', open: '10:00', close: '10:00' }]);
    await t.dataSource.query(
      `UPDATE campaign SET touchpoint_ids = touchpoint_ids || $1::uuid[], seed = '' WHERE id = $2`,
      [[backwards, empty], a.campaignId],
    );
    // A second campaign of A's: more tests a week than its one touchpoint has windows.
    const greedy = await tenant({ endsOn: null });
    await t.dataSource.query('UPDATE campaign SET contacts_per_touchpoint_per_week = 10000 WHERE id = $1', [
      greedy.campaignId,
    ]);

    await run('plan');
    const planned = async (campaignId: string) =>
      (await t.dataSource.query('SELECT touchpoint_id FROM assignment WHERE campaign_id = $1', [campaignId])).map(
        (r: { touchpoint_id: string }) => r.touchpoint_id,
      );
    expect((await planned(b.campaignId)).length).toBeGreaterThan(0);
    // The empty seed plans like any other; the touchpoints with no open time get nothing (recorded unfilled).
    expect(new Set(await planned(a.campaignId))).toEqual(new Set([a.touchpointId]));
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM unfilled_slot WHERE campaign_id = $1 AND touchpoint_id = ANY($2::uuid[])',
      [a.campaignId, [backwards, empty]],
    );
    expect(n).toBeGreaterThan(0);
    // The greedy campaign plans what it can (one window a week) or is refused and logged: it stops nobody.
    expect(
      (await planned(greedy.campaignId)).length + ((await failure('plan', greedy.campaignId)) ? 1 : 0),
    ).toBeGreaterThan(0);
  });

  it('reveal, remind: a tester whose zone is an empty string is skipped and logged; the other is mailed', async () => {
    const a = await tenant();
    const b = await tenant();
    const bad = await planFirstWeek(a);
    const good = await planFirstWeek(b);
    await setTesterZone(a, '');
    t.clock.set(new Date(WINDOW_START.getTime() - 2 * 3_600_000));
    await run('reveal');
    await deliver();
    expect(await statusOf(good)).toBe('revealed');
    expect(mailTo(b.tester.email, /^Your test contact/)).toHaveLength(1);
    expect(await statusOf(bad)).toBe('planned');
    expect(await failure('reveal', bad)).toMatchObject({ failures: 1 });
    t.clock.set(new Date(WINDOW_END.getTime() - 20 * 60_000));
    await run('remindExpire');
    await deliver();
    expect(mailTo(b.tester.email, /reminder|closes/i)).toHaveLength(1);
  });

  it('digest: a six-field cron (every second), an address that is none: skipped; the other goes out', async () => {
    const a = await tenant();
    const b = await tenant();
    const subscribe = async (x: Tenant, name: string) =>
      (await created(t, x.org.adminKey, '/api/v1/digest-subscriptions', {
        name,
        recipients: [`${name.toLowerCase()}-${unique()}@example.org`],
        cron: '0 8 * * 1',
        timezone: 'UTC',
      })) as { id: string; recipients: string[] };
    const everySecond = await subscribe(a, 'Seconds');
    const noAddress = await subscribe(a, 'Address');
    const good = await subscribe(b, 'Good');
    await t.dataSource.query(`UPDATE digest_subscription SET cron = '* * * * * *' WHERE id = $1`, [everySecond.id]);
    await t.dataSource.query(`UPDATE digest_subscription SET recipient_emails = '{"not an address"}' WHERE id = $1`, [
      noAddress.id,
    ]);

    t.clock.set('2027-03-01T08:05:00Z');
    await run('digest');
    await deliver();
    expect(sink.messages.filter((m) => JSON.stringify(m.to).includes(good.recipients[0]))).toHaveLength(1);
    // Not a digest a second (twelve a minute, on catch-up): refused like any cron the API would refuse.
    const runsOf = async (id: string) =>
      (await t.dataSource.query('SELECT count(*)::int AS n FROM digest_run WHERE subscription_id = $1', [id]))[0].n;
    expect(await runsOf(everySecond.id)).toBe(0);
    expect(await failure('digest', everySecond.id)).toMatchObject({
      failures: 1,
      last_error: expect.stringMatching(/cron/),
    });
    expect(await runsOf(noAddress.id)).toBe(0);
    expect(await failure('digest', noAddress.id)).toMatchObject({ failures: 1 });
  });

  it('withdraw: more failing withdrawals than a batch (broken hours, unknown zone) hold up no one else', async () => {
    // Whichever organization sorts first gets the bad rows, so they come ahead of the other's in the batch.
    const [x, y] = [await tenant(), await tenant()];
    const [a, b] = x.org.orgId < y.org.orgId ? [x, y] : [y, x];
    await planFirstWeek(a);
    const good = await planFirstWeek(b);
    // B: the test's tester loses the role behind the API; a second tester can take the slot.
    const spare = await personWithKey(t, b.org.adminKey, ['tester'], { workingHours: ALL_WEEK });
    await t.dataSource.query('UPDATE campaign SET tester_ids = tester_ids || $1::uuid WHERE id = $2', [
      spare.person.id,
      b.campaignId,
    ]);
    await t.dataSource.query(`UPDATE person SET roles = '{owner}' WHERE id = $1`, [b.tester.id]);
    // A: 550 revealed tests of a tester who lost the role and whose zone nobody knows (the mail telling them
    // cannot be written), and a pool tester whose hours are not a list (the slots cannot be handed on).
    const [odd] = await t.dataSource.query(
      `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
       VALUES ($1, $2, 'Odd hours', ARRAY['tester'], 'Europe/London', '"always"') RETURNING id`,
      [a.org.orgId, `odd-${unique()}@example.org`],
    );
    await t.dataSource.query('UPDATE campaign SET tester_ids = tester_ids || $1::uuid WHERE id = $2', [
      odd.id,
      a.campaignId,
    ]);
    await t.dataSource.query(
      `INSERT INTO assignment (organization_id, campaign_id, tester_id, touchpoint_id, week_start, slot,
                               window_start, window_end, reveal_at, status)
       SELECT $1, $2, $3, $4, '2027-03-01', 100 + i,
              $5::timestamptz, $6::timestamptz, $5::timestamptz - interval '3 hours', 'planned'
         FROM generate_series(1, 550) AS i`,
      [a.org.orgId, a.campaignId, a.tester.id, a.touchpointId, WINDOW_START, WINDOW_END],
    );
    await t.dataSource.query(
      `UPDATE assignment SET status = 'revealed', revealed_at = reveal_at WHERE campaign_id = $1 AND slot >= 100`,
      [a.campaignId],
    );
    await t.dataSource.query(`UPDATE person SET roles = '{owner}', timezone = 'Mars/Olympus' WHERE id = $1`, [
      a.tester.id,
    ]);

    t.clock.set(new Date(WINDOW_START.getTime() - 2 * 3_600_000));
    await run('reveal');
    await deliver();
    // B's test is withdrawn and its slot handed to the spare tester, who is mailed it.
    expect(await statusOf(good)).toBe('cancelled');
    expect(mailTo(spare.person.email, /^Your test contact/)).toHaveLength(1);
    // A's wait out their back-off, each logged once.
    const [{ waiting }] = await t.dataSource.query(
      `SELECT count(*)::int AS waiting FROM job_failure WHERE job = 'withdraw' AND retry_at > $1`,
      [t.clock.now()],
    );
    expect(waiting).toBe(550);
  });

  it('a decline is re-filled, not a 500, although the pool holds a tester whose hours are not a list', async () => {
    const a = await tenant();
    const planned = await planFirstWeek(a);
    const spare = await personWithKey(t, a.org.adminKey, ['tester'], { workingHours: ALL_WEEK });
    const [odd] = await t.dataSource.query(
      `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
       VALUES ($1, $2, 'Odd hours', ARRAY['tester'], 'Europe/London', '"always"') RETURNING id`,
      [a.org.orgId, `odd-${unique()}@example.org`],
    );
    await t.dataSource.query('UPDATE campaign SET tester_ids = tester_ids || $1::uuid[] WHERE id = $2', [
      [spare.person.id, odd.id],
      a.campaignId,
    ]);
    t.clock.set(new Date(WINDOW_START.getTime() - 2 * 3_600_000));
    await run('reveal');
    await t
      .http()
      .post(`/api/v1/assignments/${planned}/decline`)
      .set(auth(a.tester.key))
      .send({ reason: 'Away' })
      .expect(200);
    const [replacement] = await t.dataSource.query('SELECT tester_id FROM assignment WHERE replaces_id = $1', [
      planned,
    ]);
    expect(replacement.tester_id).toBe(spare.person.id);
  });
});
