import { ManualClock } from '../src/common/clock.js';
import { auth, created, newOrganization, personWithKey, touchpointBody } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Issue 15 item 3: a test continues as a case over days. Its tester records each later contact through the API
 * until the case is resolved or given up; the case metrics are in the catalogue, claimable, and in the digest.
 */
const DAY = 86_400_000;
let t: TestApp;
let org: Awaited<ReturnType<typeof newOrganization>>;
let quality: string;
let tester: Awaited<ReturnType<typeof personWithKey>>;
let otherTester: Awaited<ReturnType<typeof personWithKey>>;
let owner: Awaited<ReturnType<typeof personWithKey>>;
let line: string;

const at = (iso: string, plusDays = 0) => new Date(Date.parse(iso) + plusDays * DAY).toISOString();

async function firstContact(body: Record<string, unknown> = {}): Promise<string> {
  const res = await t
    .http()
    .post('/api/v1/outcomes')
    .set(auth(tester.key))
    .send({
      touchpointId: line,
      attemptedAt: t.clock.now().toISOString(),
      reachedHuman: true,
      secondsToHuman: 60,
      resolution: 'unresolved',
      optionsExplained: false,
      courtesy: 3,
      knowledge: 2,
      caseContinues: true,
      ...body,
    });
  if (res.status !== 201) throw new Error(`first contact refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

const contact = (id: string, body: Record<string, unknown>, key = tester.key) =>
  t.http().post(`/api/v1/outcomes/${id}/case/contacts`).set(auth(key)).send(body);

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-11-16T09:00:00Z') });
  org = await newOrganization(t);
  await t
    .http()
    .patch('/api/v1/organization/settings')
    .set(auth(org.adminKey))
    .send({ countAdHocInVerdicts: true })
    .expect(200);
  quality = (await personWithKey(t, org.adminKey, ['quality'])).key;
  tester = await personWithKey(t, org.adminKey, ['tester'], { timezone: 'Europe/London' });
  otherTester = await personWithKey(t, org.adminKey, ['tester']);
  owner = await personWithKey(t, org.adminKey, ['owner']);
  line = (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ ownerId: owner.person.id }))).id;
});
afterAll(() => t.close());

describe('a case followed over days', () => {
  let id: string;

  it('opens with the first contact and takes each later contact until resolved', async () => {
    t.clock.set('2026-11-16T09:00:00Z');
    id = await firstContact({ promisedFollowUpBy: '2026-11-17', repeatedStory: false });
    const opened = await t.http().get(`/api/v1/outcomes/${id}/case`).set(auth(tester.key)).expect(200);
    expect(opened.body).toMatchObject({ status: 'open', contactCount: 1, endedAt: null, daysToResolution: null });

    // the callback came the next afternoon (by the promised date): that is the second contact, and the promise kept
    t.clock.set('2026-11-17T15:00:00Z');
    const second = await contact(id, {
      kind: 'callback',
      attemptedAt: '2026-11-17T14:30:00Z',
      reachedHuman: true,
      repeatedStory: true,
      status: 'continues',
      promisedFollowUpBy: '2026-11-18',
      notes: 'Called back, had to explain it all again; promised a fix by tomorrow',
    }).expect(201);
    expect(second.body).toMatchObject({ status: 'open', contactCount: 2, storyRepeats: 1, promisesKept: 1 });
    expect(second.body.contacts.map((c: { kind: string }) => c.kind)).toEqual(['first', 'callback']);

    // nothing came by the 18th: the tester chases on the 19th (the promise broken) and it is resolved then
    t.clock.set('2026-11-19T11:00:00Z');
    const third = await contact(id, {
      kind: 'chase',
      attemptedAt: '2026-11-19T10:30:00Z',
      reachedHuman: true,
      repeatedStory: true,
      status: 'resolved',
    }).expect(201);
    expect(third.body).toMatchObject({
      status: 'resolved',
      contactCount: 3,
      storyRepeats: 2,
      promisesKept: 1,
      promisesFailed: 1,
      endedAt: '2026-11-19T10:30:00.000Z',
    });
    expect(third.body.daysToResolution).toBeCloseTo(3 + 1.5 / 24, 9);
    expect(third.body.contacts[1].promiseStatus).toBe('broken');

    // a resolved case takes nothing more
    const more = await contact(id, {
      kind: 'chase',
      attemptedAt: '2026-11-19T10:45:00Z',
      reachedHuman: false,
      status: 'continues',
    }).expect(409);
    expect(more.body.message).toMatch(/resolved/);

    // every save is in the outcome's audit trail
    const audit = await t.http().get(`/api/v1/outcomes/${id}/audit`).set(auth(quality)).expect(200);
    expect(audit.body.items.map((e: { after: { caseContact?: number } }) => e.after.caseContact ?? null)).toEqual([
      null,
      2,
      3,
    ]);
    const outcome = await t.http().get(`/api/v1/outcomes/${id}`).set(auth(quality)).expect(200);
    expect(outcome.body).toMatchObject({ caseStatus: 'resolved', caseContacts: 3, promiseStatus: 'kept' });
  });

  it('refuses a later contact that breaks a rule, naming the field and the rule, and writes nothing', async () => {
    t.clock.set('2026-11-20T09:00:00Z');
    const open = await firstContact({ attemptedAt: '2026-11-20T08:00:00Z' });
    const refused = async (body: Record<string, unknown>, field: string, rule: string) => {
      const res = await contact(open, {
        kind: 'chase',
        attemptedAt: '2026-11-20T08:30:00Z',
        reachedHuman: true,
        status: 'continues',
        ...body,
      }).expect(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
    };
    await refused({ attemptedAt: '2026-11-20T07:00:00Z' }, 'attemptedAt', 'afterPreviousContact');
    await refused({ attemptedAt: '2026-11-21T09:00:00Z' }, 'attemptedAt', 'notInFuture');
    await refused({ status: 'maybe' }, 'status', 'isIn');
    await refused({ kind: 'letter' }, 'kind', 'isIn');
    await refused({ status: 'resolved', promisedFollowUpBy: '2026-11-22' }, 'promisedFollowUpBy', 'onlyWhenContinues');
    await refused({ previousPromise: 'kept' }, 'previousPromise', 'noPromiseMade');
    await refused({ reachedHuman: 'yes' }, 'reachedHuman', 'isBoolean');
    await refused({ extra: 1 }, 'extra', 'unknownField');
    const view = await t.http().get(`/api/v1/outcomes/${open}/case`).set(auth(tester.key)).expect(200);
    expect(view.body.contactCount).toBe(1);

    // a resolved first contact cannot continue; an unresolved one with nothing promised ends given up
    const bad = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .send({
        touchpointId: line,
        attemptedAt: '2026-11-20T08:00:00Z',
        reachedHuman: false,
        resolution: 'resolved',
        caseContinues: true,
      })
      .expect(400);
    expect(bad.body.errors).toContainEqual(
      expect.objectContaining({ field: 'caseContinues', rule: 'onlyWhenUnresolved' }),
    );
  });

  it('is seen by its tester, admins and quality only: another tester and another organization get 404', async () => {
    t.clock.set('2026-11-20T10:00:00Z');
    const open = await firstContact({ attemptedAt: '2026-11-20T09:30:00Z' });
    await t.http().get(`/api/v1/outcomes/${open}/case`).set(auth(quality)).expect(200);
    await t.http().get(`/api/v1/outcomes/${open}/case`).set(auth(otherTester.key)).expect(404);
    await t.http().get(`/api/v1/outcomes/${open}/case`).set(auth(owner.key)).expect(403);
    await contact(
      open,
      { kind: 'chase', attemptedAt: at('2026-11-20T09:40:00Z'), reachedHuman: true, status: 'resolved' },
      otherTester.key,
    ).expect(404);
    const stranger = await newOrganization(t);
    await t.http().get(`/api/v1/outcomes/${open}/case`).set(auth(stranger.adminKey)).expect(404);
    const strangerTester = await personWithKey(t, stranger.adminKey, ['tester']);
    await contact(
      open,
      { kind: 'chase', attemptedAt: '2026-11-20T09:40:00Z', reachedHuman: true, status: 'resolved' },
      strangerTester.key,
    ).expect(404);
    // quality reads but does not record a tester's contacts
    await contact(
      open,
      { kind: 'chase', attemptedAt: '2026-11-20T09:40:00Z', reachedHuman: true, status: 'resolved' },
      quality,
    ).expect(403);
    await t
      .http()
      .post(`/api/v1/outcomes/${open}/case/give-up`)
      .set(auth(tester.key))
      .send({ notes: 'No reply' })
      .expect(200);
  });
});

describe('editing a later contact', () => {
  it('is its tester’s for 48 hours after its first save, keeps the order of contacts, and is audited', async () => {
    t.clock.set('2026-11-21T09:00:00Z');
    const id = await firstContact({ attemptedAt: '2026-11-21T08:00:00Z' });
    const body = { kind: 'chase', attemptedAt: '2026-11-21T08:30:00Z', reachedHuman: true, status: 'continues' };
    await contact(id, body).expect(201);
    await contact(id, { ...body, attemptedAt: '2026-11-21T08:45:00Z' }).expect(201);
    const put = (seq: number | string, change: Record<string, unknown>, key = tester.key) =>
      t
        .http()
        .put(`/api/v1/outcomes/${id}/case/contacts/${seq}`)
        .set(auth(key))
        .send({ ...body, ...change });
    const edited = await put(2, { notes: 'Held 20 minutes, then told to call back', repeatedStory: true }).expect(200);
    expect(edited.body).toMatchObject({ status: 'open', contactCount: 3, storyRepeats: 1 });
    expect(edited.body.contacts[1]).toMatchObject({ notes: 'Held 20 minutes, then told to call back' });
    const after = await put(2, { attemptedAt: '2026-11-21T08:50:00Z' }).expect(400);
    expect(after.body.errors).toContainEqual(
      expect.objectContaining({ field: 'attemptedAt', rule: 'beforeNextContact' }),
    );
    const ends = await put(2, { status: 'resolved' }).expect(400);
    expect(ends.body.errors).toContainEqual(expect.objectContaining({ field: 'status', rule: 'laterContactsFollow' }));
    await put(9, {}).expect(404);
    const seq = await put('two', {}).expect(400);
    expect(seq.body.errors).toContainEqual(expect.objectContaining({ field: 'seq', rule: 'isInt' }));
    await put(2, {}, otherTester.key).expect(404);
    // the last contact may end the case
    await put(3, { attemptedAt: '2026-11-21T08:45:00Z', status: 'resolved' }).expect(200);
    t.clock.set('2026-11-23T09:00:01Z');
    await put(2, { notes: 'too late' }).expect(409);
    const audit = await t.http().get(`/api/v1/outcomes/${id}/audit`).set(auth(quality)).expect(200);
    expect(audit.body.items).toHaveLength(5); // the first contact, two later ones, two edits
    const edits = audit.body.items.filter((e: { before: { caseContact?: number } | null }) => e.before?.caseContact);
    expect(edits.map((e: { before: object }) => e.before)).toContainEqual(
      expect.objectContaining({ caseContact: 2, notes: null }),
    );
    expect(edits.map((e: { after: object }) => e.after)).toContainEqual(
      expect.objectContaining({ caseContact: 3, status: 'resolved', caseStatus: 'resolved' }),
    );
  });
});

describe('case metrics', () => {
  let desk: string;

  /** A case at the desk: its first contact (ad hoc), then later contacts, each recorded when made. */
  async function caseOf(firstAt: string, first: Record<string, unknown>, later: Array<Record<string, unknown>>) {
    t.clock.set(at(firstAt, 0.01));
    const id = await firstContact({ touchpointId: desk, attemptedAt: firstAt, ...first });
    for (const c of later) {
      if (c.giveUpAt) {
        t.clock.set(c.giveUpAt as string);
        await t.http().post(`/api/v1/outcomes/${id}/case/give-up`).set(auth(tester.key)).send({}).expect(200);
        continue;
      }
      t.clock.set(at(c.attemptedAt as string, 0.01));
      await contact(id, { reachedHuman: true, ...c }).expect(201);
    }
    return id;
  }

  beforeAll(async () => {
    desk = (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ name: 'Help desk' }))).id;
    // A: resolved on its first contact
    await caseOf('2026-11-23T09:00:00Z', { resolution: 'resolved', caseContinues: null, optionsExplained: null }, []);
    // B: a callback the next day, by the promised date, resolves it (the story told again)
    await caseOf('2026-11-23T10:00:00Z', { promisedFollowUpBy: '2026-11-24' }, [
      { kind: 'callback', attemptedAt: '2026-11-24T10:00:00Z', repeatedStory: true, status: 'resolved' },
    ]);
    // C: chased on day 2, resolved on day 4
    await caseOf('2026-11-23T11:00:00Z', {}, [
      { kind: 'chase', attemptedAt: '2026-11-25T11:00:00Z', repeatedStory: true, status: 'continues' },
      { kind: 'chase', attemptedAt: '2026-11-27T11:00:00Z', status: 'resolved' },
    ]);
    // D: given up the next day, unresolved
    await caseOf('2026-11-23T12:00:00Z', {}, [{ giveUpAt: '2026-11-24T12:00:00Z' }]);
    // E: opened on the 26th, nothing since: not known yet either way
    await caseOf('2026-11-26T09:00:00Z', {}, []);
    // F: still open after a chase on day 4: known not resolved within 3 days, unknown for 7
    await caseOf('2026-11-23T13:00:00Z', {}, [
      { kind: 'chase', attemptedAt: '2026-11-27T14:00:00Z', status: 'continues' },
    ]);
    t.clock.set('2026-11-30T09:00:00Z');
  });

  it('are measured per case, never counting an open case resolved', async () => {
    const metrics = (await t.http().get(`/api/v1/metrics?touchpointId=${desk}`).set(auth(quality)).expect(200)).body
      .items as Array<{ metric: string; value: number; n: number }>;
    const of = (key: string) => metrics.find((m) => m.metric === key);
    expect(of('resolved_within_3_days_rate')).toMatchObject({ value: 0.4, n: 5 }); // A, B of A B C D F
    expect(of('resolved_within_7_days_rate')).toMatchObject({ value: 0.75, n: 4 }); // A, B, C of A B C D
    expect(of('contacts_to_resolution')).toMatchObject({ value: 2, n: 3 }); // 1, 2, 3
    expect(of('story_repeats_per_case')).toMatchObject({ value: 0.5, n: 4 }); // 0, 1, 1, 0 over the ended ones
    expect(of('case_promises_kept_rate')).toMatchObject({ value: 1, n: 1 }); // B's promise, kept by the callback
    const open = await t
      .http()
      .get(`/api/v1/outcomes?touchpointId=${desk}&caseStatus=open`)
      .set(auth(quality))
      .expect(200);
    expect(open.body.total).toBe(2);
  });

  it('are in the catalogue and claimable within their range', async () => {
    const catalogue = (await t.http().get('/api/v1/metrics/catalogue').set(auth(quality)).expect(200)).body;
    const keys = (catalogue.items ?? catalogue).map((m: { key: string }) => m.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'resolved_within_3_days_rate',
        'resolved_within_7_days_rate',
        'contacts_to_resolution',
        'story_repeats_per_case',
        'case_promises_kept_rate',
      ]),
    );
    const claim = (metric: string, value: number) => ({
      touchpointId: desk,
      metric,
      value,
      periodStart: '2026-11-23',
      periodEnd: '2026-11-29',
      source: 'Service review, 23 Nov',
      reportedAt: '2026-11-23T08:00:00Z',
    });
    for (const value of [0.5, 21]) {
      const res = await t.http().post('/api/v1/claims').set(auth(quality)).send(claim('contacts_to_resolution', value));
      expect(res.status).toBe(400);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'value', rule: 'fitsMetric' }));
    }
    // entered before the digest's period ends, as a claim it judges is
    t.clock.set('2026-11-29T20:00:00Z');
    await created(t, quality, '/api/v1/claims', claim('contacts_to_resolution', 1.2));
    await created(t, quality, '/api/v1/claims', claim('resolved_within_3_days_rate', 0.9));
    t.clock.set('2026-11-30T09:00:00Z');
  });

  it('show in the digest: claim rows with the statistics of their type, and unclaimed case facts', async () => {
    const sub = await created(t, quality, '/api/v1/digest-subscriptions', {
      name: 'Desk digest',
      recipients: ['quality@example.org'],
      touchpointIds: [desk],
      cron: '0 8 * * 1',
      timezone: 'UTC',
      periodDays: 7,
      minContacts: 1,
    });
    const p = (
      await t
        .http()
        .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-23`)
        .set(auth(quality))
        .expect(200)
    ).body;
    const row = (metric: string) => p.rows.find((r: { metric: string }) => r.metric === metric);
    expect(row('contacts_to_resolution')).toMatchObject({
      unit: 'count',
      claimed: 1.2,
      observed: 2,
      n: 3,
      intervalMethod: 'bounded_mean',
    });
    expect(row('contacts_to_resolution').ciLow).toBeLessThanOrEqual(2);
    expect(row('contacts_to_resolution').ciHigh).toBeGreaterThanOrEqual(2);
    const within = row('resolved_within_3_days_rate');
    expect(within).toMatchObject({ claimed: 0.9, observed: 0.4, n: 5, intervalMethod: 'clopper_pearson' });
    expect(within.ciLow).toBeCloseTo(0.052745, 5); // Clopper–Pearson 2/5, as R's binom.test(2, 5)
    expect(within.ciHigh).toBeCloseTo(0.853367, 5);
    const facts = p.unclaimed.facts.filter((f: { touchpointId: string }) => f.touchpointId === desk);
    const fact = (metric: string) => facts.find((f: { metric: string }) => f.metric === metric);
    expect(fact('resolved_within_7_days_rate')).toMatchObject({ observed: 0.75, n: 4 });
    expect(fact('story_repeats_per_case')).toMatchObject({ observed: 0.5, n: 4 });
    expect(fact('contacts_to_resolution')).toBeUndefined(); // claimed: its row says it
  });
});

describe("the digest's worst contacts", () => {
  it('judge a contact by its case: resolved on a later contact is not listed as unresolved', async () => {
    const desk = (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ ownerId: owner.person.id })))
      .id;
    // good on every count but the resolution: only its case's outcome can put it among the worst
    const good = { touchpointId: desk, courtesy: 4, knowledge: 4, transfers: 0, disconnects: 0, holdSeconds: 30 };
    t.clock.set('2026-12-01T10:00:00Z');
    const later = await firstContact({ ...good, notes: 'Not sorted on the call; they rang back the next day' });
    await firstContact({ ...good, notes: 'Not sorted; I gave up after a week', attemptedAt: '2026-12-01T09:30:00Z' });
    await firstContact({ ...good, notes: 'Rang back as promised, still waiting', attemptedAt: '2026-12-01T09:45:00Z' });
    t.clock.set('2026-12-02T15:00:00Z');
    await contact(later, {
      kind: 'callback',
      attemptedAt: '2026-12-02T14:00:00Z',
      reachedHuman: true,
      status: 'resolved',
    }).expect(201);
    const open = (await t.http().get(`/api/v1/outcomes?touchpointId=${desk}&caseStatus=open`).set(auth(quality))).body
      .items as Array<{ id: string; notes: string }>;
    const givenUp = open.find((o) => o.notes.startsWith('Not sorted; I gave up'))!;
    await t.http().post(`/api/v1/outcomes/${givenUp.id}/case/give-up`).set(auth(tester.key)).send({}).expect(200);

    t.clock.set('2026-12-07T09:00:00Z');
    const sub = await created(t, quality, '/api/v1/digest-subscriptions', {
      name: 'Second desk digest',
      recipients: ['quality@example.org'],
      touchpointIds: [desk],
      cron: '0 8 * * 1',
      timezone: 'UTC',
      periodDays: 7,
      minContacts: 1,
    });
    const p = (
      await t
        .http()
        .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-30`)
        .set(auth(quality))
        .expect(200)
    ).body;
    // the given-up case and the open one, never the one resolved on its callback
    expect(p.notes.map((n: { notes: string; resolution: string }) => [n.notes, n.resolution]).sort()).toEqual([
      ['Not sorted; I gave up after a week', 'unresolved'],
      ['Rang back as promised, still waiting', 'unresolved'],
    ]);
  });
});
