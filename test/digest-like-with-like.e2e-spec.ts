import { ManualClock } from '../src/common/clock.js';
import { auth, newOrganization, personWithKey, touchpointBody, created } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Like with like (issue 11, item 7): a team with a phone line answered in seconds and a mailbox answered
 * in hours. Waits are never pooled across channels, in the digest and in the metrics API; a gap's sign
 * and colour follow the metric's direction.
 */
let t: TestApp;
let quality: { key: string };
let subId: string;
const phoneWaits = [20, 40, 60, 80, 100, 120, 140, 160, 180, 200];
const emailWaits = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20].map((h) => h * 3600);

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-11-22T20:00:00Z') });
  const org = await newOrganization(t);
  await t
    .http()
    .patch('/api/v1/organization/settings')
    .set(auth(org.adminKey))
    .send({ countAdHocInVerdicts: true })
    .expect(200);
  quality = await personWithKey(t, org.adminKey, ['quality']);
  const tester = await personWithKey(t, org.adminKey, ['tester']);
  const make = async (body: Record<string, unknown>) =>
    (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody(body))).id;
  const line = await make({ name: 'General line' });
  const mailbox = await make({ name: 'Support mailbox', channel: 'email', contact: 'support@example.org' });
  const post = (touchpointId: string, i: number, wait: number) =>
    t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .send({
        touchpointId,
        attemptedAt: new Date(Date.parse('2026-11-17T09:00:00Z') + i * 3_600_000).toISOString(),
        reachedHuman: true,
        secondsToHuman: wait,
        courtesy: 4,
        knowledge: 4,
        // a mailbox is never asked about transfers (nor could a 0 there dilute the phone's rate)
        ...(touchpointId === line ? { transfers: i < 4 ? 1 : 0 } : {}),
        resolution: 'resolved',
      })
      .expect(201);
  for (const [i, wait] of phoneWaits.entries()) await post(line, i, wait);
  for (const [i, wait] of emailWaits.entries()) await post(mailbox, i, wait);
  const claim = (body: object) =>
    t
      .http()
      .post('/api/v1/claims')
      .set(auth(quality.key))
      .send({
        team: 'contact-centre',
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
        source: 'Weekly review',
        reportedAt: '2026-11-23T09:00:00Z',
        ...body,
      })
      .expect(201);
  await claim({ metric: 'median_seconds_to_human', channel: 'phone', value: 90 });
  await claim({ metric: 'median_seconds_to_human', channel: 'email', value: 8 * 3600 });
  await claim({ metric: 'p90_seconds_to_human', channel: 'phone', value: 190 });
  await claim({ metric: 'transfer_rate', value: 0.05 });
  await claim({ metric: 'answer_rate', value: 0.9 });
  subId = (
    await created(t, quality.key, '/api/v1/digest-subscriptions', {
      name: 'Weekly',
      recipients: ['q@example.org'],
      cron: '0 8 * * 1',
      timezone: 'UTC',
    })
  ).id;
});
afterAll(() => t.close());

const preview = async () =>
  (
    await t
      .http()
      .get(`/api/v1/digest-subscriptions/${subId}/preview?periodStart=2026-11-16`)
      .set(auth(quality.key))
      .expect(200)
  ).body;
type Row = { metric: string; channel: string | null; [k: string]: unknown };

describe('waits at team scope', () => {
  it('are judged per channel: the phone median on the phone contacts, the mailbox median on the emails', async () => {
    const p = await preview();
    const median = (channel: string) =>
      p.rows.find((r: Row) => r.metric === 'median_seconds_to_human' && r.channel === channel);
    // phone: 10 waits, median 110 s; the order-statistic interval for n = 10 is [x(2), x(9)]
    expect(median('phone')).toMatchObject({
      scopeLabel: 'team contact-centre (phone)',
      n: 10,
      observed: 110,
      ciLow: 40,
      ciHigh: 180,
      intervalMethod: 'order_statistics',
    });
    expect(median('email')).toMatchObject({
      scopeLabel: 'team contact-centre (email)',
      n: 10,
      observed: 11 * 3600,
      ciLow: 4 * 3600,
      ciHigh: 18 * 3600,
    });
    // the p90 of the phone waits alone (n = 10 is too few for a 95 % order-statistic interval of a p90)
    expect(p.rows.find((r: Row) => r.metric === 'p90_seconds_to_human')).toMatchObject({
      channel: 'phone',
      n: 10,
      observed: 182,
      ciLow: null,
      ciHigh: null,
    });
  });

  it('come per channel from the metrics API too, while rates pool the channels', async () => {
    const m = (await t.http().get('/api/v1/metrics?team=contact-centre').set(auth(quality.key)).expect(200)).body;
    const medians = m.items.filter((i: Row) => i.metric === 'median_seconds_to_human');
    expect(medians).toEqual([
      expect.objectContaining({ channel: 'email', value: 11 * 3600, n: 10 }),
      expect.objectContaining({ channel: 'phone', value: 110, n: 10 }),
    ]);
    expect(m.items.filter((i: Row) => i.metric === 'avg_seconds_to_human').map((i: Row) => i.channel)).toEqual([
      'email',
      'phone',
    ]);
    expect(m.items.filter((i: Row) => i.metric === 'answer_rate')).toEqual([
      expect.objectContaining({ channel: null, n: 20, value: 1 }),
    ]);
  });

  it('claimed without a channel (a row from before channels were required) are not pooled: shown, not tested', async () => {
    await t.dataSource.query(
      `INSERT INTO claim (organization_id, team, metric, period_start, period_end, value, source, reported_at,
                          created_at, updated_at, revised_at)
       SELECT organization_id, team, metric, period_start, period_end, 100, 'Old import', reported_at,
              created_at, updated_at, revised_at
         FROM claim WHERE metric = 'median_seconds_to_human' AND channel = 'phone' LIMIT 1`,
    );
    const p = await preview();
    expect(p.rows.find((r: Row) => r.metric === 'median_seconds_to_human' && r.channel === null)).toMatchObject({
      verdict: 'not_tested',
      n: 0,
      observed: null,
    });
    await t.dataSource.query("DELETE FROM claim WHERE source = 'Old import'");
  });
});

describe('the gap', () => {
  it('keeps its sign, and says better or worse by the metric\u2019s direction', async () => {
    const p = await preview();
    const transfer = p.rows.find((r: Row) => r.metric === 'transfer_rate');
    // the team's transfer rate is measured on its phone contacts only: 4 of 10, the emails not pooled in
    expect(transfer).toMatchObject({ n: 10, observed: 0.4 });
    expect(transfer.gap).toBeCloseTo(0.35, 10);
    expect(transfer).toMatchObject({ gapDirection: 'worse', verdict: 'contradicted' });
    const answer = p.rows.find((r: Row) => r.metric === 'answer_rate');
    expect(answer.gap).toBeCloseTo(0.1, 10);
    expect(answer.gapDirection).toBe('better');
    expect(p.rows.find((r: Row) => r.metric === 'median_seconds_to_human' && r.channel === 'phone')).toMatchObject({
      gap: 20,
      gapDirection: 'worse',
    });
  });
});
