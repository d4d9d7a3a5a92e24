import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ManualClock } from '../src/common/clock.js';
import { runCli } from './support/cli.js';
import { handComputedCase } from './support/digest-case.js';
import { auth, newOrganization, personWithKey, created } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * A hand-computed case: 10 ad-hoc contacts (counted: the organization's setting) with one touchpoint in
 * the week of 16 Nov 2026. 6 reached a person (answer rate 0.6, Clopper–Pearson 95 % [0.2624, 0.8784], as
 * R's binom.test(6, 10)); 4 had a transfer (0.4, [0.1216, 0.7376]); 5 resolved (0.5); courtesy 4,4,5,3,4,4
 * among those reached (mean 4.0). Four claims are tested (Holm's family): the answer rate claimed at 96 %
 * has one-sided p = P(Bin(10, 0.96) ≤ 6) = 0.000443, under 0.05 / 4; the transfer rate claimed at 5 % has
 * p = P(Bin(10, 0.05) ≥ 4) = 0.00103, under 0.05 / 3. Six courtesy ratings cannot tell 4.0 from a claimed
 * 3.0 at that level, and ten contacts cannot show a 10-point gap: both inconclusive.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-11-22T20:00:00Z') });
});
afterAll(() => t.close());

describe('digest preview', () => {
  it('sets each claim beside the observed value with its interval and the right verdict', async () => {
    const { quality, line, chat, sub } = await handComputedCase(t);
    const res = await t
      .http()
      .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-16`)
      .set(auth(quality.key))
      .expect(200);
    const p = res.body;
    expect(p.headline).toBe('2 of 5 claims contradicted');
    const row = (tp: string, metric: string) =>
      p.rows.find((r: { touchpointId: string; metric: string }) => r.touchpointId === tp && r.metric === metric);
    const close = (x: number, y: number) => expect(x).toBeCloseTo(y, 4);
    expect(p.familySize).toBe(4);
    expect(p.explanation).toBe(
      '"Contradicted" means the test contacts would be very unlikely if the claim were true: even if all 4 claims judged here were true, at most 1 digest in 20 (5 %) would flag any of them wrongly.',
    );
    const answer = row(line, 'answer_rate');
    expect(answer).toMatchObject({
      observed: 0.6,
      n: 10,
      verdict: 'contradicted',
      claimed: 0.96,
      intervalMethod: 'clopper_pearson',
      gapDirection: 'worse',
    });
    close(answer.ciLow, 0.2624);
    close(answer.ciHigh, 0.8784);
    close(answer.gap, -0.36);
    close(answer.pFlattering, 0.000443);
    close(answer.pAdjusted, 4 * 0.000443);
    expect(answer.detectableGap).toBeGreaterThan(0.1);
    expect(answer.contactsNeeded).toBeGreaterThan(10);
    expect(answer.gapThatMatters).toBe(0.1);
    const transfer = row(line, 'transfer_rate');
    expect(transfer).toMatchObject({ observed: 0.4, n: 10, verdict: 'contradicted', gapDirection: 'worse' });
    close(transfer.ciLow, 0.1216);
    close(transfer.ciHigh, 0.7376);
    close(transfer.pFlattering, 0.00103);
    const polite = row(line, 'courtesy_avg');
    expect(polite).toMatchObject({
      observed: 4,
      n: 6,
      verdict: 'inconclusive',
      intervalMethod: 'bounded_mean',
      gapThatMatters: 0.5,
    });
    expect(polite.ciLow).toBeLessThan(4);
    expect(polite.ciHigh).toBeGreaterThan(4);
    expect(polite.ciHigh).toBeLessThanOrEqual(5);
    expect(row(line, 'first_contact_resolution')).toMatchObject({ observed: 0.5, verdict: 'inconclusive' });
    expect(row(chat, 'answer_rate')).toMatchObject({ observed: null, n: 0, verdict: 'too_few_contacts' });
    expect(p.notes).toHaveLength(5);
    expect(p.coverage).toEqual({ planned: 0, completed: 0, missed: 0, declined: 0, unfilled: 0 });
    expect(p.trend.find((x: { claimId: string }) => x.claimId === answer.claimId)).toMatchObject({
      previous: null,
      current: 0.6,
    });

    // Nothing was stored or sent.
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM outbox_message'))[0].n).toBe(0);
  });

  it('computes medians by order statistics, and team and organization scopes', async () => {
    const { quality, line, sub } = await handComputedCase(t);
    const claim = (extra: Record<string, unknown>) =>
      t
        .http()
        .post('/api/v1/claims')
        .set(auth(quality.key))
        .send({
          periodStart: '2026-11-16',
          periodEnd: '2026-11-22',
          source: 'Weekly review',
          reportedAt: '2026-11-23T09:00:00Z',
          ...extra,
        })
        .expect(201);
    // Waits 60, 90, …, 210 s among the 6 reached: median 135; for n = 6 the 95 % order-statistic interval is
    // [x(1), x(6)] = [60, 210]. All six above a claimed 30 s: p = 1/64, not enough in a family of seven.
    await claim({ touchpointId: line, metric: 'median_seconds_to_human', value: 30 });
    await claim({ team: 'contact-centre', metric: 'answer_rate', value: 0.6 });
    await claim({ metric: 'courtesy_avg', value: 4.0 });
    const p = (
      await t
        .http()
        .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-16`)
        .set(auth(quality.key))
        .expect(200)
    ).body;
    const median = p.rows.find((r: { metric: string }) => r.metric === 'median_seconds_to_human');
    expect(median).toMatchObject({
      observed: 135,
      n: 6,
      ciLow: 60,
      ciHigh: 210,
      intervalMethod: 'order_statistics',
      verdict: 'inconclusive',
    });
    expect(median.pFlattering).toBeCloseTo(1 / 64, 10);
    expect(p.rows.find((r: { team: string }) => r.team === 'contact-centre')).toMatchObject({
      observed: 0.6,
      n: 10,
      verdict: 'inconclusive',
      scopeLabel: 'team contact-centre',
    });
    expect(
      p.rows.find(
        (r: { touchpointId: string | null; team: string | null; metric: string }) =>
          r.touchpointId === null && r.team === null && r.metric === 'courtesy_avg',
      ),
    ).toMatchObject({
      observed: 4,
      n: 6,
      verdict: 'inconclusive',
      scopeLabel: 'whole organization',
    });
    expect(p.headline).toBe('2 of 8 claims contradicted');
    expect(p.familySize).toBe(7);
  });

  it('writes the digest to a file from the command line', async () => {
    const { sub } = await handComputedCase(t);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-digest-'));
    const out = path.join(dir, 'digest.html');
    const res = await runCli(
      ['digest', '--subscription', sub.id, '--period-start', '2026-11-16', '--out', out],
      t.databaseUrl,
    );
    expect(res).toMatchObject({ code: 0, stdout: `Wrote the digest to ${out}\n` });
    const html = await readFile(out, 'utf8');
    expect(html).toContain('2 of 5 claims contradicted');
    expect(html).toMatch(/<img src="data:image\/png;base64,/);
    const bad = await runCli(
      ['digest', '--subscription', sub.id, '--period-start', 'monday', '--out', out],
      t.databaseUrl,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/periodStart must be a date/);
  });

  it('validates subscriptions and preview periods', async () => {
    const org = await newOrganization(t);
    const res = await t
      .http()
      .post('/api/v1/digest-subscriptions')
      .set(auth(org.adminKey))
      .send({ name: 'x', recipients: ['not an address'], cron: 'every monday', timezone: 'Mars/Base' })
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['cron', 'recipients', 'timezone']);
    const sub = await created(t, org.adminKey, '/api/v1/digest-subscriptions', {
      name: 'x',
      recipients: ['a@example.org'],
      cron: '0 8 * * 1',
      timezone: 'UTC',
    });
    await t.http().get(`/api/v1/digest-subscriptions/${sub.id}/preview`).set(auth(org.adminKey)).expect(400);
    await t
      .http()
      .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-16&periodEnd=2026-11-10`)
      .set(auth(org.adminKey))
      .expect(400);
    const tester = await personWithKey(t, org.adminKey, ['tester']);
    await t
      .http()
      .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-16`)
      .set(auth(tester.key))
      .expect(403);
    const other = await newOrganization(t);
    await t
      .http()
      .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-16`)
      .set(auth(other.adminKey))
      .expect(404);
  });
});
