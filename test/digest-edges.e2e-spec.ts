import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { auth, newOrganization, personWithKey, touchpointBody, created } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The edges of "each claim judged once, on its own period, on evidence its owner cannot dilute" (issue 11,
 * items 3 and 5), tried through the API with the digest job's stored runs: periods that straddle, overlap or
 * leave gaps, claims changed after or before their judgement, two subscriptions, ownership that changes.
 * Contacts are ad hoc and counted (the organization's setting) unless a case says otherwise; lines are in London,
 * which is on UTC in November.
 */
let t: TestApp;
let jobs: JobsService;

const HOUR = 3_600_000;

type Row = {
  claimId: string;
  verdict: string;
  n: number;
  observed: number | null;
  claimed: number;
  claimPeriod: { start: string; end: string };
};
type Payload = { rows: Row[]; familySize: number };

/** An organization with a quality analyst, a tester, an owner who also tests, and a line the owner owns. */
async function world(countAdHoc = true) {
  t.clock.set('2026-10-30T12:00:00Z');
  const org = await newOrganization(t);
  await t
    .http()
    .patch('/api/v1/organization/settings')
    .set(auth(org.adminKey))
    .send({ countAdHocInVerdicts: countAdHoc })
    .expect(200);
  const quality = await personWithKey(t, org.adminKey, ['quality']);
  const tester = await personWithKey(t, org.adminKey, ['tester']);
  const owner = await personWithKey(t, org.adminKey, ['owner', 'tester']);
  const line = (
    await created(
      t,
      org.adminKey,
      '/api/v1/touchpoints',
      touchpointBody({ name: 'General line', ownerId: owner.person.id }),
    )
  ).id as string;
  const w = { org, quality, tester, owner, line };

  const contacts = async (
    day: string,
    answered: (i: number) => boolean,
    by = tester,
    extra: Record<string, unknown> = {},
    count = 10,
  ) => {
    for (let i = 0; i < count; i++) {
      const at = new Date(Date.parse(`${day}T10:00:00Z`) + i * 600_000);
      t.clock.set(new Date(at.getTime() + HOUR));
      const reached = answered(i);
      await t
        .http()
        .post('/api/v1/outcomes')
        .set(auth(by.key))
        .send({
          touchpointId: line,
          attemptedAt: at.toISOString(),
          reachedHuman: reached,
          ...(reached ? { secondsToHuman: 30, courtesy: 4, knowledge: 4 } : {}),
          transfers: 0,
          resolution: 'resolved',
          ...extra,
        })
        .expect(201);
    }
  };
  const claim = async (body: Record<string, unknown>, by = quality) =>
    (
      await created(t, by.key, '/api/v1/claims', {
        touchpointId: line,
        metric: 'answer_rate',
        source: 'Review',
        reportedAt: t.clock.now().toISOString(),
        ...body,
      })
    ).id as string;
  const subscribe = async (body: Record<string, unknown> = {}) =>
    (
      await created(t, quality.key, '/api/v1/digest-subscriptions', {
        name: 'Weekly',
        recipients: ['q@example.org'],
        cron: '0 8 * * 1',
        timezone: 'UTC',
        ...body,
      })
    ).id as string;
  /** The digest job at `at`, then every stored run of the subscription, oldest first. */
  const runJobAt = async (at: string) => {
    t.clock.set(at);
    await jobs.run('digest');
  };
  const runs = async (subId: string) => {
    const rows: Array<{ id: string; period_start: Date }> = await t.dataSource.query(
      'SELECT id, period_start FROM digest_run WHERE subscription_id = $1 ORDER BY period_start',
      [subId],
    );
    const out: Array<Payload & { start: string }> = [];
    for (const r of rows) {
      const body = (await t.http().get(`/api/v1/digests/${r.id}`).set(auth(quality.key)).expect(200)).body;
      out.push({ ...body.payload, start: r.period_start.toISOString().slice(0, 10) });
    }
    return out;
  };
  /** Where a claim appears across the stored runs: [period start, verdict] for each run that shows it. */
  const verdicts = async (subId: string, claimId: string) =>
    (await runs(subId)).flatMap((p) => {
      const row = p.rows.find((r) => r.claimId === claimId);
      return row ? [[p.start, row.verdict]] : [];
    });
  const preview = async (subId: string, start: string, end?: string) =>
    (
      await t
        .http()
        .get(`/api/v1/digest-subscriptions/${subId}/preview?periodStart=${start}${end ? `&periodEnd=${end}` : ''}`)
        .set(auth(quality.key))
        .expect(200)
    ).body as Payload;
  return { ...w, contacts, claim, subscribe, runJobAt, runs, verdicts, preview };
}

const half = (i: number) => i % 2 === 0;
const all = () => true;
const JUDGED = ['contradicted', 'better_than_claimed', 'consistent', 'inconclusive'];

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-10-30T12:00:00Z') });
  jobs = t.app.get(JobsService);
}, 60_000);
afterAll(() => t.close());

describe('a claim whose period straddles two digests', () => {
  it('is in progress in the first on its contacts so far, and judged in the second on all of its own', async () => {
    const w = await world();
    const sub = await w.subscribe();
    t.clock.set('2026-11-05T09:00:00Z');
    const id = await w.claim({ value: 0.9, periodStart: '2026-11-05', periodEnd: '2026-11-11' });
    await w.contacts('2026-11-04', all); // the day before its period
    await w.contacts('2026-11-06', half);
    await w.runJobAt('2026-11-09T08:30:00Z');
    await w.contacts('2026-11-10', half);
    await w.contacts('2026-11-12', all); // the day after
    await w.runJobAt('2026-11-16T08:30:00Z');
    await w.runJobAt('2026-11-23T08:30:00Z');
    const stored = await w.runs(sub);
    const rowIn = (i: number) => stored[i].rows.find((r) => r.claimId === id);
    expect(stored.map((p) => p.start)).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16']);
    expect(rowIn(0)).toBeUndefined(); // recorded after that period
    expect(rowIn(1)).toMatchObject({ verdict: 'in_progress', n: 10, observed: 0.5 });
    expect(rowIn(2)).toMatchObject({ verdict: 'contradicted', n: 20, observed: 0.5 });
    expect(rowIn(3)).toBeUndefined();
  });
});

describe('a subscription whose periods overlap or leave gaps', () => {
  it('judges a claim once when each period is four weeks long but the digest goes out weekly', async () => {
    const w = await world();
    const sub = await w.subscribe({ name: 'Rolling four weeks', periodDays: 28 });
    t.clock.set('2026-11-02T09:00:00Z');
    const id = await w.claim({ value: 0.9, periodStart: '2026-11-02', periodEnd: '2026-11-08' });
    await w.contacts('2026-11-04', half);
    for (const day of ['2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']) await w.runJobAt(`${day}T08:30:00Z`);
    const judged = (await w.verdicts(sub, id)).filter(([, v]) => JUDGED.includes(v));
    expect(judged).toEqual([['2026-10-12', 'contradicted']]);
  });

  it('judges a claim whose end falls between two periods (a monthly digest of the last 7 days)', async () => {
    const w = await world();
    const sub = await w.subscribe({ name: 'Monthly, last week only', cron: '0 8 1 * *', periodDays: 7 });
    t.clock.set('2026-11-09T09:00:00Z');
    const id = await w.claim({ value: 0.9, periodStart: '2026-11-09', periodEnd: '2026-11-15' });
    await w.contacts('2026-11-11', half);
    await w.runJobAt('2026-12-01T08:30:00Z');
    expect(await w.verdicts(sub, id)).toEqual([['2026-11-24', 'contradicted']]);
  });
});

describe('a subscription an owner reads, then no longer', () => {
  it('judges each claim once across the switch from the week-old evidence to the current one', async () => {
    const w = await world();
    const sub = await w.subscribe({ recipients: ['q@example.org', w.owner.person.id] });
    t.clock.set('2026-11-02T09:00:00Z');
    const first = await w.claim({ value: 0.9, periodStart: '2026-11-02', periodEnd: '2026-11-08' });
    await w.contacts('2026-11-04', half);
    t.clock.set('2026-11-09T09:00:00Z');
    const second = await w.claim({ value: 0.9, periodStart: '2026-11-09', periodEnd: '2026-11-15' });
    await w.contacts('2026-11-11', half);
    await w.runJobAt('2026-11-16T08:30:00Z');
    // the owner leaves the recipients: the next digest reports its own week again, not the one before it
    t.clock.set('2026-11-17T09:00:00Z');
    await t
      .http()
      .patch(`/api/v1/digest-subscriptions/${sub}`)
      .set(auth(w.quality.key))
      .send({ recipients: ['q@example.org'] })
      .expect(200);
    await w.runJobAt('2026-11-23T08:30:00Z');
    const judged = async (id: string) => (await w.verdicts(sub, id)).filter(([, v]) => JUDGED.includes(v));
    expect(await judged(first)).toEqual([['2026-11-09', 'contradicted']]);
    expect(await judged(second)).toEqual([['2026-11-16', 'contradicted']]);
  });
});

describe('a claim changed', () => {
  it('by its owner to a period that has already ended is judged, not lost between digests', async () => {
    const w = await world();
    const sub = await w.subscribe();
    t.clock.set('2026-11-02T09:00:00Z');
    const id = await w.claim({ value: 0.95, periodStart: '2026-11-02', periodEnd: '2026-11-29' }, w.owner);
    await w.contacts('2026-11-03', half);
    await w.runJobAt('2026-11-09T08:30:00Z');
    await w.contacts('2026-11-10', half);
    await w.runJobAt('2026-11-16T08:30:00Z');
    // two weekly looks said "in progress, half answered": the owner cuts the claim to its first week
    t.clock.set('2026-11-18T09:00:00Z');
    const cut = await t.http().patch(`/api/v1/claims/${id}`).set(auth(w.owner.key)).send({ periodEnd: '2026-11-08' });
    for (const day of ['2026-11-23', '2026-11-30', '2026-12-07']) await w.runJobAt(`${day}T08:30:00Z`);
    const seen = await w.verdicts(sub, id);
    const judged = seen.filter(([, v]) => JUDGED.includes(v));
    // either the owner may not do it, or the claim as changed is judged once
    if (cut.status === 200) expect(seen.at(-1)).toEqual(['2026-11-16', 'contradicted']);
    else expect(cut.status).toBe(403);
    expect(judged.length).toBeLessThanOrEqual(1);
  });

  it('by quality after its judgement is judged again once, as changed; the earlier run keeps its verdict', async () => {
    const w = await world();
    const sub = await w.subscribe();
    t.clock.set('2026-11-02T09:00:00Z');
    const id = await w.claim({ value: 0.9, periodStart: '2026-11-02', periodEnd: '2026-11-08' });
    await w.contacts('2026-11-04', half);
    await w.runJobAt('2026-11-09T08:30:00Z');
    // the meeting's figure was mistyped: quality corrects it to 50 %
    t.clock.set('2026-11-11T09:00:00Z');
    await t.http().patch(`/api/v1/claims/${id}`).set(auth(w.quality.key)).send({ value: 0.5 }).expect(200);
    await w.runJobAt('2026-11-16T08:30:00Z');
    // a change of wording alone is not a new claim
    t.clock.set('2026-11-18T09:00:00Z');
    await t.http().patch(`/api/v1/claims/${id}`).set(auth(w.quality.key)).send({ source: 'Ops review' }).expect(200);
    for (const day of ['2026-11-23', '2026-11-30']) await w.runJobAt(`${day}T08:30:00Z`);
    const stored = await w.runs(sub);
    const seen = stored.flatMap((p) => {
      const row = p.rows.find((r) => r.claimId === id);
      return row ? [[p.start, row.verdict, row.claimed]] : [];
    });
    expect(seen).toEqual([
      ['2026-11-02', 'contradicted', 0.9],
      ['2026-11-09', 'inconclusive', 0.5],
    ]);
  });
});

describe('claims changed before the moment of their last revision was kept', () => {
  it('take it from their history: the last change of what is tested, else their recording', async () => {
    const w = await world();
    t.clock.set('2026-11-02T09:00:00Z');
    const period = { periodStart: '2026-11-02', periodEnd: '2026-11-08' };
    const [changed, reworded] = [await w.claim({ value: 0.9, ...period }), await w.claim({ value: 0.8, ...period })];
    const patch = (id: string, body: object) =>
      t.http().patch(`/api/v1/claims/${id}`).set(auth(w.quality.key)).send(body).expect(200);
    t.clock.set('2026-11-03T09:00:00Z');
    await patch(changed, { periodEnd: '2026-11-15' });
    t.clock.set('2026-11-04T09:00:00Z');
    await patch(changed, { source: 'Ops review' });
    await patch(reworded, { source: 'Ops review', reportedAt: '2026-11-04T08:00:00Z' });
    const applied = async () =>
      (await t.dataSource.query(`SELECT 1 FROM migrations WHERE name = 'ClaimRevisedAt1765800000000'`)).length;
    while (await applied()) await t.dataSource.undoLastMigration({ transaction: 'each' });
    await t.dataSource.runMigrations({ transaction: 'each' });
    const revisedAt = async (id: string) =>
      (await t.http().get(`/api/v1/claims/${id}`).set(auth(w.quality.key)).expect(200)).body.revisedAt;
    expect(await revisedAt(changed)).toBe('2026-11-03T09:00:00.000Z');
    expect(await revisedAt(reworded)).toBe('2026-11-02T09:00:00.000Z');
  });
});

describe('two subscriptions whose periods differ', () => {
  it('each judge the claim once, in its own family, on the same contacts', async () => {
    const w = await world();
    const weekly = await w.subscribe();
    const monthly = await w.subscribe({ name: 'Monthly', cron: '0 8 1 * *', periodDays: 30 });
    t.clock.set('2026-11-02T09:00:00Z');
    // 16 answered of 20 against 95 %: p = 0.016, below 2.5 % alone, above 5 % / 4 in a family of four
    const id = await w.claim({ value: 0.95, periodStart: '2026-11-02', periodEnd: '2026-11-08' });
    await w.contacts('2026-11-03', (i) => i < 16, w.tester, {}, 20);
    t.clock.set('2026-11-23T09:00:00Z');
    // two more claims of the month, true enough, judged only in the monthly digest
    await w.claim({ value: 0.8, periodStart: '2026-11-01', periodEnd: '2026-11-29' });
    await w.claim({
      metric: 'first_contact_resolution',
      value: 0.9,
      periodStart: '2026-11-01',
      periodEnd: '2026-11-29',
    });
    await w.claim({ metric: 'transfer_rate', value: 0.05, periodStart: '2026-11-01', periodEnd: '2026-11-29' });
    for (const day of ['2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']) await w.runJobAt(`${day}T08:30:00Z`);
    await w.runJobAt('2026-12-01T08:30:00Z');
    const [weeklyRuns, monthlyRuns] = [await w.runs(weekly), await w.runs(monthly)];
    const rows = (runs: Array<Payload & { start: string }>) =>
      runs.flatMap((p) => p.rows.filter((r) => r.claimId === id).map((r) => ({ ...r, familySize: p.familySize })));
    const [a, b] = [rows(weeklyRuns), rows(monthlyRuns)];
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect([a[0].n, a[0].observed]).toEqual([20, 0.8]);
    expect([b[0].n, b[0].observed]).toEqual([20, 0.8]);
    // the same contacts, two families: contradicted alone, not among four
    expect([a[0].verdict, a[0].familySize]).toEqual(['contradicted', 1]);
    expect([b[0].verdict, b[0].familySize]).toEqual(['inconclusive', 4]);
  });
});

describe('which contacts count', () => {
  it("an owner's glowing contacts move no wait or rating claim of their own line either", async () => {
    const w = await world();
    const sub = await w.subscribe();
    t.clock.set('2026-11-02T09:00:00Z');
    const period = { periodStart: '2026-11-02', periodEnd: '2026-11-08' };
    const ids = [
      await w.claim({ metric: 'median_seconds_to_human', value: 20, ...period }),
      await w.claim({ metric: 'p90_seconds_to_human', value: 20, ...period }),
      await w.claim({ metric: 'courtesy_avg', value: 4.8, ...period }),
    ];
    await w.contacts('2026-11-03', all, w.tester, { secondsToHuman: 45, courtesy: 3 }, 20);
    const before = await w.preview(sub, '2026-11-02');
    await w.contacts('2026-11-04', all, w.owner, { secondsToHuman: 1, courtesy: 5, knowledge: 5 }, 60);
    const after = await w.preview(sub, '2026-11-02');
    for (const id of ids) {
      const [b, a] = [before, after].map((p) => p.rows.find((r) => r.claimId === id)!);
      expect(b.verdict).toBe('contradicted');
      expect({ ...a, ownerContacts: 0 }).toEqual(b);
      expect(a).toMatchObject({ ownerContacts: 60, n: 20 });
    }
  });

  it('a contact a new owner back-dates to before their ownership never counts, nor, while they own it, older ones', async () => {
    const w = await world();
    const sub = await w.subscribe();
    const newcomer = await personWithKey(t, w.org.adminKey, ['owner', 'tester']);
    t.clock.set('2026-11-02T09:00:00Z');
    const id = await w.claim({ value: 0.95, periodStart: '2026-11-02', periodEnd: '2026-11-08' });
    await w.contacts('2026-11-03', half); // the tester: half answered
    await w.contacts('2026-11-04', half, newcomer); // the newcomer, before owning the line
    t.clock.set('2026-11-05T12:00:00Z');
    await t
      .http()
      .patch(`/api/v1/touchpoints/${w.line}`)
      .set(auth(w.org.adminKey))
      .send({ ownerId: newcomer.person.id })
      .expect(200);
    // now the owner, they record glowing contacts dated the day before they took the line over
    for (let i = 0; i < 20; i++) {
      await t
        .http()
        .post('/api/v1/outcomes')
        .set(auth(newcomer.key))
        .send({
          touchpointId: w.line,
          attemptedAt: new Date(Date.parse('2026-11-04T15:00:00Z') + i * 60_000).toISOString(),
          reachedHuman: true,
          secondsToHuman: 1,
          courtesy: 5,
          knowledge: 5,
          transfers: 0,
          resolution: 'resolved',
        })
        .expect(201);
    }
    const row = (await w.preview(sub, '2026-11-02')).rows.find((r) => r.claimId === id)!;
    expect(row).toMatchObject({ n: 10, observed: 0.5, verdict: 'contradicted' });
    expect((row as unknown as { ownerContacts: number }).ownerContacts).toBe(30);
  });

  it('a judged claim is not judged again when the organization starts or stops counting ad-hoc contacts', async () => {
    const w = await world();
    const sub = await w.subscribe();
    t.clock.set('2026-11-02T09:00:00Z');
    const id = await w.claim({ value: 0.9, periodStart: '2026-11-02', periodEnd: '2026-11-08' });
    await w.contacts('2026-11-04', half);
    await w.runJobAt('2026-11-09T08:30:00Z');
    t.clock.set('2026-11-10T09:00:00Z');
    const off = { countAdHocInVerdicts: false };
    await t.http().patch('/api/v1/organization/settings').set(auth(w.org.adminKey)).send(off).expect(200);
    await w.runJobAt('2026-11-16T08:30:00Z');
    expect(await w.verdicts(sub, id)).toEqual([['2026-11-02', 'contradicted']]);
    // a preview of the past week applies today's setting: planned tests only, and there were none
    const row = (await w.preview(sub, '2026-11-02')).rows.find((r) => r.claimId === id)!;
    expect(row).toMatchObject({ n: 0, verdict: 'too_few_contacts' });
  });
});
