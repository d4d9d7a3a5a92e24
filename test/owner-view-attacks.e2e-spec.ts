import { randomUUID } from 'node:crypto';

import type { ParsedMail } from 'mailparser';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { auth, created } from './support/factories.js';
import { plannedWeek } from './support/planned-week.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * A touchpoint's owner who wants to know when their touchpoint is tested, attacking through what an owner
 * may read: the assignments API shows a completed test a week after its window began (src/common/owner-view.ts),
 * so nothing else an owner reads (a digest by mail, on the web or through the API) may show one sooner.
 */
let t: TestApp;
let sink: SmtpSink;
let w: Awaited<ReturnType<typeof plannedWeek>>;
const WEEK = 7 * 86_400_000;

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({
    env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
    clock: new ManualClock('2027-02-26T12:00:00Z'),
  });
  // Five tests of the owner's line in the week of 1 March 2027, all recorded; the clock stands on Saturday 6 March.
  w = await plannedWeek(t, 5, (i) => ({ reachedHuman: i % 2 === 0, resolved: i % 3 === 0 }));
  await created(t, w.owner.key, '/api/v1/claims', {
    touchpointId: w.tp,
    metric: 'answer_rate',
    value: 0.96,
    periodStart: '2027-03-01',
    periodEnd: '2027-03-07',
    source: 'Weekly review',
    reportedAt: '2027-03-06T09:00:00Z',
  });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

interface Payload {
  period: { start: string; end: string };
  coverage: { planned: number; completed: number; missed: number };
  rows: Array<{ n: number; metric: string; verdict: string }>;
  notes: Array<{ attemptedAt: string; notes: string }>;
}

/** The tests of the owner's touchpoint the assignments API shows the owner now (window starts). */
async function visibleToOwner(): Promise<number[]> {
  const res = await t
    .http()
    .get(`/api/v1/assignments?touchpointId=${w.tp}&limit=100`)
    .set(auth(w.owner.key))
    .expect(200);
  return res.body.items.map((a: { windowStart: string }) => Date.parse(a.windowStart));
}

/** A subscription made by quality, to these recipients, for the owner's touchpoint, from `since` on. */
async function subscription(recipients: string[], cron: string, periodDays: number, since: string): Promise<string> {
  t.clock.set(since);
  const res = await t
    .http()
    .post('/api/v1/digest-subscriptions')
    .set(auth(w.quality.key))
    .send({
      name: `Line digest ${randomUUID()}`,
      recipients,
      touchpointIds: [w.tp],
      cron,
      timezone: 'UTC',
      periodDays,
      minContacts: 1,
    })
    .expect(201);
  return res.body.id;
}

/** Runs the digest and outbox jobs at `at`; the subscription's runs, oldest first. */
async function digestsAt(at: string, subscriptionId: string): Promise<Array<{ id: string; created_at: Date }>> {
  t.clock.set(at);
  await t.app.get(JobsService).run('digest');
  await t.app.get(JobsService).run('outbox');
  return t.dataSource.query('SELECT id, created_at FROM digest_run WHERE subscription_id = $1 ORDER BY period_start', [
    subscriptionId,
  ]);
}

/** The test whose window a contact made at `attempted` belongs to (the outcome rules: an hour before to two after). */
const testOf = (attempted: number) =>
  w.assignments.find((a) => {
    const start = Date.parse(a.windowStart);
    return attempted >= start - 3_600_000 && attempted <= start + 3 * 3_600_000;
  });

/**
 * What a digest tells the owner that the assignments API does not yet: tests counted in its coverage
 * beyond those the API shows, contacts in its rows beyond them, notes of tests the API hides.
 */
function aheadOfTheApi(payload: Payload, visible: number[]) {
  const hiddenNotes = payload.notes.filter((n) => {
    const test = testOf(Date.parse(n.attemptedAt));
    return test && !visible.includes(Date.parse(test.windowStart));
  });
  return {
    coverage: Math.max(0, payload.coverage.completed - visible.length),
    contacts: Math.max(0, ...payload.rows.map((r) => r.n - visible.length)),
    notes: hiddenNotes.length,
  };
}

const nothingAhead = { coverage: 0, contacts: 0, notes: 0 };

const mailsTo = (email: string, after: number): ParsedMail[] =>
  sink.messages.slice(after).filter((m) => m.to && JSON.stringify(m.to).includes(email));

describe("an owner's digest", () => {
  it('counts no test the assignments API still hides from the owner: by mail, on the web, by the API', async () => {
    const sub = await subscription([w.owner.person.id], '0 9 * * 1', 7, '2027-03-06T12:00:00Z');
    const before = sink.messages.length;
    // Monday 8 March 09:00: the digest of the week before goes out. Every test of the week began less
    // than seven days ago, bar one in Monday's first hour: the API shows the owner none (or that one).
    const runs = await digestsAt('2027-03-08T09:05:00Z', sub);
    expect(runs).toHaveLength(1);
    const visible = await visibleToOwner();
    expect(visible.length).toBeLessThan(w.assignments.length);

    const api = (await t.http().get(`/api/v1/digests/${runs[0].id}`).set(auth(w.owner.key)).expect(200)).body;
    expect(aheadOfTheApi(api.payload, visible)).toEqual(nothingAhead);

    const [mail] = mailsTo(w.owner.person.email, before);
    expect(mail).toBeDefined();
    expect(mail.text).toContain("goes to a touchpoint's owner, so it reports the period that ended 7 days before");
    const completed = Number(/Coverage: planned \d+, completed (\d+)/.exec(mail.text ?? '')![1]);
    expect(completed).toBeLessThanOrEqual(visible.length);
    for (const n of [...(mail.text ?? '').matchAll(/, n (\d+),/g)].map((m) => Number(m[1])))
      expect(n).toBeLessThanOrEqual(visible.length);
    const link = /http:\/\/gt\.test(\/d\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1];
    const page = (await t.http().get(link).expect(200)).text;
    expect(Number(/completed (\d+)/.exec(page)![1])).toBeLessThanOrEqual(visible.length);
    for (const a of w.assignments.filter((x) => !visible.includes(Date.parse(x.windowStart)))) {
      const i = w.assignments.indexOf(a);
      expect(page).not.toContain(`planned test ${i}`);
      expect(mail.text).not.toContain(`planned test ${i}`);
    }

    // A week on, the week's tests are the owner's to see (the API shows them too), the claim judged on them.
    const later = await digestsAt('2027-03-15T09:05:00Z', sub);
    expect(later).toHaveLength(2);
    const next = (await t.http().get(`/api/v1/digests/${later[1].id}`).set(auth(w.owner.key)).expect(200)).body;
    const visibleLater = await visibleToOwner();
    expect(visibleLater).toHaveLength(w.assignments.length);
    expect(aheadOfTheApi(next.payload, visibleLater)).toEqual(nothingAhead);
    const all = [api.payload, next.payload].reduce((n: number, p: Payload) => n + p.coverage.completed, 0);
    expect(all).toBe(w.assignments.length);
    const claim = next.payload.rows.find((r: Payload['rows'][number]) => r.metric === 'answer_rate');
    expect(claim.n).toBe(w.assignments.length);
  });

  it('sent every day says no more than the API does on that day', async () => {
    // Dated from the week's start (the fixture records the week's outcomes on its Saturday; a digest reads the rows).
    const sub = await subscription([w.owner.person.id], '0 9 * * *', 1, '2027-03-01T00:00:00Z');
    for (let day = 2; day <= 16; day++) {
      const at = `2027-03-${String(day).padStart(2, '0')}T09:00:00Z`;
      const runs = await digestsAt(at, sub);
      const run = runs[runs.length - 1];
      const visible = await visibleToOwner();
      const res = await t.http().get(`/api/v1/digests/${run.id}`).set(auth(w.owner.key)).expect(200);
      expect({ at, ...aheadOfTheApi(res.body.payload, visible) }).toEqual({ at, ...nothingAhead });
    }
    // Each test is told once, a week late: every run of the subscription together counts the whole week.
    const runs: Array<{ id: string }> = await t.dataSource.query(
      'SELECT id FROM digest_run WHERE subscription_id = $1',
      [sub],
    );
    let told = 0;
    for (const run of runs)
      told += (await t.http().get(`/api/v1/digests/${run.id}`).set(auth(w.owner.key)).expect(200)).body.payload.coverage
        .completed;
    expect(told).toBe(w.assignments.length);
  });

  it('shows no contact made an hour before a window the assignments API still hides', async () => {
    // The outcome rules let a contact be made up to an hour before its window: moved to 30 minutes before one.
    const a = w.assignments[2];
    const start = Date.parse(a.windowStart);
    const tester = w.testers.find((x) => x.person.id === a.testerId)!;
    t.clock.set('2027-03-07T12:00:00Z');
    const [outcome] = await t.dataSource.query('SELECT * FROM outcome WHERE assignment_id = $1', [a.id]);
    await t
      .http()
      .put(`/api/v1/assignments/${a.id}/outcome`)
      .set(auth(tester.key))
      .send({
        attemptedAt: new Date(start - 30 * 60_000).toISOString(),
        reachedHuman: outcome.reached_human,
        ...(outcome.reached_human ? { secondsToHuman: 60, courtesy: 3, knowledge: 3 } : {}),
        resolution: outcome.resolution,
        ...(outcome.resolution === 'resolved' ? {} : { optionsExplained: false }),
        notes: outcome.notes,
      })
      .expect(200);
    // A daily digest whose period (a week back) ends between that contact and its window.
    const fire = new Date(start - 15 * 60_000 + WEEK);
    const cron = `${fire.getUTCMinutes()} ${fire.getUTCHours()} ${fire.getUTCDate()} ${fire.getUTCMonth() + 1} *`;
    const sub = await subscription([w.owner.person.id], cron, 1, '2027-03-07T12:00:00Z');
    const runs = await digestsAt(fire.toISOString(), sub);
    expect(runs).toHaveLength(1);
    const visible = await visibleToOwner();
    expect(visible).not.toContain(start);
    const res = await t.http().get(`/api/v1/digests/${runs[0].id}`).set(auth(w.owner.key)).expect(200);
    expect(aheadOfTheApi(res.body.payload, visible)).toEqual(nothingAhead);
  });

  it("is not readable by an owner added to a staff digest's recipients until its tests are a week old", async () => {
    const sub = await subscription([w.quality.person.id], '30 9 * * 1', 7, '2027-03-06T12:00:00Z');
    const runs = await digestsAt('2027-03-08T09:35:00Z', sub);
    // Quality's own digest keeps what the week found (their view is not delayed).
    const staff = (await t.http().get(`/api/v1/digests/${runs[0].id}`).set(auth(w.quality.key)).expect(200)).body;
    expect(staff.payload.coverage.completed).toBeGreaterThan(1);
    await t
      .http()
      .patch(`/api/v1/digest-subscriptions/${sub}`)
      .set(auth(w.quality.key))
      .send({ recipients: [w.quality.person.id, w.owner.person.id] })
      .expect(200);
    // The owner is now a recipient: the run answers as a run that does not exist, until its tests are a week old.
    const missing = randomUUID();
    const asOwner = async (id: string) => {
      const res = await t.http().get(`/api/v1/digests/${id}`).set(auth(w.owner.key));
      return `${res.status} ${res.text.replaceAll(id, 'ID')}`;
    };
    expect(await asOwner(runs[0].id)).toBe(await asOwner(missing));
    // Nor can quality mail the owner a link to it before then: 409, saying until when.
    const reissue = await t
      .http()
      .post(`/api/v1/digests/${runs[0].id}/links`)
      .set(auth(w.quality.key))
      .send({ recipient: w.owner.person.email });
    expect(reissue.status).toBe(409);
    expect(reissue.body.message).toMatch(/owner/);
    await created(t, w.quality.key, `/api/v1/digests/${runs[0].id}/links`, { recipient: w.quality.person.email });
    t.clock.set(new Date(Date.parse(staff.payload.period.end) + WEEK));
    await t.http().get(`/api/v1/digests/${runs[0].id}`).set(auth(w.owner.key)).expect(200);
    await created(t, w.quality.key, `/api/v1/digests/${runs[0].id}/links`, { recipient: w.owner.person.email });
  });
});

describe("an owner's other views", () => {
  it('give the same bytes and ETags while tests are planned and revealed, and ids that carry no time', async () => {
    t.clock.set('2027-03-06T12:00:00Z');
    const routes = ['/api/v1/assignments', `/api/v1/assignments?touchpointId=${w.tp}`, '/api/v1/claims', '/api/v1/me'];
    const view = async () => {
      const out: string[] = [];
      for (const path of routes) {
        const res = await t.http().get(path).set(auth(w.owner.key)).expect(200);
        out.push(`${path} ${res.headers.etag} ${res.text}`);
      }
      return out;
    };
    const before = await view();
    const [{ campaign_id: campaign }] = await t.dataSource.query(
      'SELECT campaign_id FROM assignment WHERE touchpoint_id = $1',
      [w.tp],
    );
    await t
      .http()
      .post(`/api/v1/campaigns/${campaign}/plan`)
      .set(auth(w.quality.key))
      .send({ from: '2027-03-08', to: '2027-03-14' })
      .expect(200);
    const [next] = await t.dataSource.query(
      `SELECT id, reveal_at FROM assignment WHERE touchpoint_id = $1 AND status = 'planned' ORDER BY reveal_at LIMIT 1`,
      [w.tp],
    );
    expect(next).toBeDefined();
    expect(await view()).toEqual(before);
    t.clock.set(next.reveal_at);
    await t.app.get(JobsService).run('reveal');
    t.clock.set('2027-03-06T12:00:00Z');
    expect(await view()).toEqual(before);

    // Every id is a random (version 4) UUID: no creation time, no count, no order to read.
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ids: Array<{ id: string }> = await t.dataSource.query(
      `SELECT id::text FROM assignment UNION ALL SELECT id::text FROM outcome UNION ALL SELECT id::text FROM claim
       UNION ALL SELECT id::text FROM digest_run`,
    );
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.filter((r) => !v4.test(r.id))).toEqual([]);
  });
});
