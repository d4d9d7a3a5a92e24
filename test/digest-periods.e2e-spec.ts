import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { auth, newOrganization, personWithKey, touchpointBody, created } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Each claim is judged on the contacts of its own period, once (issue 11, item 3). A four-week claim
 * (2–29 Nov 2026) of a line answered half the time, weekly digests on Mondays 08:00 UTC, and contacts
 * on either side of the claim's period that would flatter it if they counted.
 */
let t: TestApp;
let quality: { key: string };
let tester: { key: string };
let line: string;
let subId: string;
let monthly: string;
let late: string;

const DAY = 86_400_000;
/** Ten contacts on the day, from 10:00, every other one answered (or all of them). */
async function contacts(day: string, allAnswered = false) {
  for (let i = 0; i < 10; i++) {
    const at = new Date(Date.parse(`${day}T10:00:00Z`) + i * 600_000);
    t.clock.set(new Date(at.getTime() + 3_600_000));
    const reached = allAnswered || i % 2 === 0;
    await created(t, tester.key, '/api/v1/outcomes', {
      touchpointId: line,
      attemptedAt: at.toISOString(),
      reachedHuman: reached,
      ...(reached ? { secondsToHuman: 30, courtesy: 4, knowledge: 4 } : {}),
      transfers: 0,
      resolution: 'resolved',
    });
  }
}
const claim = (body: object) =>
  t
    .http()
    .post('/api/v1/claims')
    .set(auth(quality.key))
    .send({
      touchpointId: line,
      metric: 'answer_rate',
      source: 'Monthly review',
      reportedAt: '2026-11-01T09:00:00Z',
      ...body,
    })
    .expect(201);
const preview = async (start: string) =>
  (
    await t
      .http()
      .get(`/api/v1/digest-subscriptions/${subId}/preview?periodStart=${start}`)
      .set(auth(quality.key))
      .expect(200)
  ).body;
type Row = { claimId: string; verdict: string };
const rowOf = (payload: { rows: Row[] }, id: string) => payload.rows.find((r) => r.claimId === id);

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-10-30T12:00:00Z') });
  const org = await newOrganization(t);
  await t
    .http()
    .patch('/api/v1/organization/settings')
    .set(auth(org.adminKey))
    .send({ countAdHocInVerdicts: true })
    .expect(200);
  quality = await personWithKey(t, org.adminKey, ['quality']);
  tester = await personWithKey(t, org.adminKey, ['tester']);
  line = (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ name: 'General line' }))).id;
  monthly = (await claim({ value: 0.9, periodStart: '2026-11-02', periodEnd: '2026-11-29' })).body.id;
  subId = (
    await created(t, quality.key, '/api/v1/digest-subscriptions', {
      name: 'Weekly',
      recipients: ['q@example.org'],
      cron: '0 8 * * 1',
      timezone: 'UTC',
      periodDays: 7,
    })
  ).id;
  const jobs = t.app.get(JobsService);
  await contacts('2026-11-01', true); // the day before the claim's period: all answered
  for (const monday of ['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']) {
    await contacts(new Date(Date.parse(monday) + 2 * DAY).toISOString().slice(0, 10));
    t.clock.set(new Date(Date.parse(monday) + 7 * DAY + 8.5 * 3_600_000));
    await jobs.run('digest');
  }
  await contacts('2026-11-30', true); // the day after: all answered
  t.clock.set('2026-12-02T09:00:00Z');
  // recorded after its period and after the digest that period ended in: judged in the digest of its recording
  late = (await claim({ value: 0.9, periodStart: '2026-11-02', periodEnd: '2026-11-08', source: 'Late figure' })).body
    .id;
  t.clock.set('2026-12-07T08:30:00Z');
  await jobs.run('digest');
}, 120_000);
afterAll(() => t.close());

describe('a claim judged on its own period', () => {
  it('is in progress while its period runs, with the evidence so far, outside the family', async () => {
    const first = await preview('2026-11-02');
    expect(rowOf(first, monthly)).toMatchObject({
      verdict: 'in_progress',
      n: 10,
      observed: 0.5,
      pFlattering: null,
      claimPeriod: { start: '2026-11-02', end: '2026-11-29' },
    });
    expect(first.familySize).toBe(0);
    expect(first.headline).toBe('No claim\u2019s period ended in this digest · 1 still running');
    expect(rowOf(await preview('2026-11-16'), monthly)).toMatchObject({ verdict: 'in_progress', n: 30 });
  });

  it('is judged in the digest its period ends in, on the contacts of all its weeks and only those', async () => {
    const last = await preview('2026-11-23');
    expect(rowOf(last, monthly)).toMatchObject({ verdict: 'contradicted', n: 40, observed: 0.5 });
    expect(last.familySize).toBe(1);
    expect(last.headline).toBe('1 of 1 claim contradicted');
    expect(last.explanation).toMatch(/^"Contradicted" means/);
  });

  it('is not shown, nor tested afresh, by later digests', async () => {
    expect(rowOf(await preview('2026-11-30'), monthly)).toBeUndefined();
    expect(rowOf(await preview('2026-12-14'), monthly)).toBeUndefined();
  });

  it('is judged once across the stored runs, the late one in the digest of its recording on its own period', async () => {
    const runs: Array<{ id: string; period_start: Date }> = await t.dataSource.query(
      'SELECT id, period_start FROM digest_run WHERE subscription_id = $1 ORDER BY period_start',
      [subId],
    );
    const payloads: Array<{ rows: Row[] }> = [];
    for (const r of runs)
      payloads.push((await t.http().get(`/api/v1/digests/${r.id}`).set(auth(quality.key)).expect(200)).body.payload);
    const verdictsOf = (id: string) => payloads.map((p) => rowOf(p, id)?.verdict ?? null);
    expect(runs.map((r) => r.period_start.toISOString().slice(0, 10))).toEqual([
      '2026-10-26',
      '2026-11-02',
      '2026-11-09',
      '2026-11-16',
      '2026-11-23',
      '2026-11-30',
    ]);
    expect(verdictsOf(monthly)).toEqual([
      'in_progress',
      'in_progress',
      'in_progress',
      'in_progress',
      'contradicted',
      null,
    ]);
    expect(verdictsOf(late)).toEqual([null, null, null, null, null, 'contradicted']);
    expect(rowOf(payloads[5], late)).toMatchObject({
      n: 10,
      observed: 0.5,
      claimPeriod: { start: '2026-11-02', end: '2026-11-08' },
    });
    // the stored run of the claim's last week says what the preview says
    expect(rowOf(payloads[4], monthly)).toMatchObject({ n: 40, observed: 0.5 });
  });
});
