import { ManualClock } from '../src/common/clock.js';
import { auth, created, newOrganization, personWithKey, touchpointBody } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The results pages take a lean path (issue 14 item 10): the scope's claims judged without building the rest of a
 * digest, each week's evidence from the same scans. Their figures must be the digest's: a touchpoint's and a team's
 * claims equal the rows of the digest previewed for the same scope and period (the same Holm family: a team's own
 * claims are judged with its touchpoints'), and a week's figures equal those of a claim of exactly that week.
 */
let t: TestApp;
const clock = new ManualClock('2026-11-20T12:00:00Z');
let quality: string;
let line: string;
let chat: string;

interface Row {
  claimId: string;
  touchpointId: string | null;
  metric: string;
  claimed: number;
  claimPeriod: { start: string; end: string };
  observed: number | null;
  n: number;
  ciLow: number | null;
  ciHigh: number | null;
  verdict: string;
}

const figures = (r: Row) => ({
  claimId: r.claimId,
  metric: r.metric,
  claimed: r.claimed,
  claimPeriod: r.claimPeriod,
  observed: r.observed,
  n: r.n,
  ciLow: r.ciLow,
  ciHigh: r.ciHigh,
  verdict: r.verdict,
});
const byId = (a: { claimId: string }, b: { claimId: string }) => a.claimId.localeCompare(b.claimId);

beforeAll(async () => {
  t = await createTestApp({ clock });
  const org = await newOrganization(t);
  await t
    .http()
    .patch('/api/v1/organization/settings')
    .set(auth(org.adminKey))
    .send({ countAdHocInVerdicts: true })
    .expect(200);
  quality = (await personWithKey(t, org.adminKey, ['quality'])).key;
  const tester = (await personWithKey(t, org.adminKey, ['tester'])).key;
  line = (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ team: 'north' }))).id;
  chat = (
    await created(
      t,
      org.adminKey,
      '/api/v1/touchpoints',
      touchpointBody({ team: 'north', channel: 'chat', contact: 'https://example.org/chat' }),
    )
  ).id;
  // contacts in the weeks of 16 and 23 November (London), with every metric varying
  const contact = (touchpointId: string, at: number, i: number) => {
    const reached = i % 5 !== 0;
    const resolved = i % 3 !== 0;
    return t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester))
      .send({
        touchpointId,
        attemptedAt: new Date(at + i * 3_600_000).toISOString(),
        reachedHuman: reached,
        ...(reached
          ? { secondsToHuman: 20 + ((i * 37) % 300), courtesy: 1 + (i % 5), knowledge: 1 + ((i * 2) % 5) }
          : {}),
        transfers: i % 4 === 0 ? 1 : 0,
        resolution: resolved ? 'resolved' : 'unresolved',
        ...(resolved ? {} : { optionsExplained: i % 2 === 0 }),
      })
      .expect(201);
  };
  for (let i = 0; i < 30; i++) await contact(line, Date.parse('2026-11-17T08:00:00Z'), i);
  for (let i = 0; i < 20; i++) await contact(chat, Date.parse('2026-11-18T08:00:00Z'), i);
  clock.set('2026-11-27T12:00:00Z');
  for (let i = 0; i < 12; i++) await contact(line, Date.parse('2026-11-24T08:00:00Z'), i);
  // Wednesday 2 December 2026: the week of 30 November is running
  clock.set('2026-12-02T12:00:00Z');
  const claim = (body: Record<string, unknown>) =>
    created(t, quality, '/api/v1/claims', {
      periodStart: '2026-11-16',
      periodEnd: '2026-11-22',
      source: 'Weekly review',
      reportedAt: '2026-11-23T09:00:00Z',
      ...body,
    });
  await claim({ touchpointId: line, metric: 'answer_rate', value: 0.97 });
  await claim({ touchpointId: line, metric: 'median_seconds_to_human', value: 30 });
  await claim({ touchpointId: line, metric: 'courtesy_avg', value: 4.6 });
  await claim({ touchpointId: line, metric: 'first_contact_resolution', value: 0.6 });
  await claim({
    touchpointId: line,
    metric: 'transfer_rate',
    value: 0.01,
    periodStart: '2026-11-23',
    periodEnd: '2026-12-06',
    reportedAt: '2026-12-01T09:00:00Z',
  });
  await claim({ touchpointId: chat, metric: 'answer_rate', value: 0.99 });
  await claim({ team: 'north', metric: 'first_contact_resolution', value: 0.9 });
  await claim({ team: 'north', channel: 'phone', metric: 'median_seconds_to_human', value: 40 });
});
afterAll(() => t.close());

async function preview(scope: Record<string, unknown>, period: { start: string; end: string }) {
  const sub = await created(t, quality, '/api/v1/digest-subscriptions', {
    name: 'the same period',
    recipients: ['lead@example.org'],
    cron: '0 8 * * 1',
    timezone: 'Europe/London',
    periodDays: 7,
    minContacts: 5,
    ...scope,
  });
  const query = `periodStart=${encodeURIComponent(period.start)}&periodEnd=${encodeURIComponent(period.end)}`;
  return (await t.http().get(`/api/v1/digest-subscriptions/${sub.id}/preview?${query}`).set(auth(quality)).expect(200))
    .body as { rows: Row[]; familySize: number };
}

describe('the results pages’ lean path', () => {
  it('judges a touchpoint’s claims exactly as the digest of that touchpoint and period does', async () => {
    const results = (await t.http().get(`/api/v1/results/touchpoints/${line}`).set(auth(quality)).expect(200)).body;
    const digest = await preview({ touchpointIds: [line] }, results.period);
    expect(results.claims).toHaveLength(5);
    expect(results.claims.map(figures).sort(byId)).toEqual(digest.rows.map(figures).sort(byId));
    // a judgement worth comparing: tested claims, one of them contradicted, one still running
    const verdicts = results.claims.map((c: Row) => c.verdict);
    expect(verdicts).toContain('contradicted');
    expect(verdicts).toContain('in_progress');
  });

  it('gives a week the figures the digest gives a claim of exactly that week', async () => {
    const results = (await t.http().get(`/api/v1/results/touchpoints/${line}`).set(auth(quality)).expect(200)).body;
    const digest = await preview({ touchpointIds: [line] }, results.period);
    for (const metric of ['answer_rate', 'median_seconds_to_human', 'courtesy_avg', 'first_contact_resolution']) {
      const row = digest.rows.find((r) => r.metric === metric)!;
      const series = results.metrics.find((m: { metric: string }) => m.metric === metric);
      const week = series.weeks.find((w: { start: string }) => w.start === '2026-11-16T00:00:00.000Z');
      expect({ metric, observed: week.observed, n: week.n, ciLow: week.ciLow, ciHigh: week.ciHigh }).toEqual({
        metric,
        observed: row.observed,
        n: row.n,
        ciLow: row.ciLow,
        ciHigh: row.ciHigh,
      });
      expect(week.n).toBe(metric === 'answer_rate' || metric === 'first_contact_resolution' ? 30 : 24);
    }
  });

  it('judges a team’s claims in the family of its digest, its touchpoints’ claims included', async () => {
    const results = (await t.http().get('/api/v1/results/teams/north').set(auth(quality)).expect(200)).body;
    const digest = await preview({ team: 'north' }, results.period);
    const teamRows = digest.rows.filter((r) => r.touchpointId === null);
    expect(teamRows).toHaveLength(2);
    expect(results.claims.map(figures).sort(byId)).toEqual(teamRows.map(figures).sort(byId));
    // the family is the digest's: the team's claims and its touchpoints' complete ones
    expect(digest.familySize).toBeGreaterThan(teamRows.length);
  });
});
