import { ManualClock } from '../src/common/clock.js';
import { auth, personWithKey, created } from './support/factories.js';
import { plannedWeek } from './support/planned-week.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Evidence an owner cannot dilute (issue 11, item 5), through the HTTP API: 20 planned tests of a line
 * found half the calls answered against a claimed 95 %. Its owner, who also has the tester role, then
 * posts 60 glowing ad-hoc contacts of their own line.
 */
let t: TestApp;
let w: Awaited<ReturnType<typeof plannedWeek>>;
let subId: string;

const week = '2027-03-01';
const row = async () => {
  const p = (
    await t
      .http()
      .get(`/api/v1/digest-subscriptions/${subId}/preview?periodStart=${week}&periodEnd=2027-03-08`)
      .set(auth(w.quality.key))
      .expect(200)
  ).body;
  expect(p.rows).toHaveLength(1);
  return { payload: p, row: p.rows[0] };
};
const settings = (body: object) =>
  t.http().patch('/api/v1/organization/settings').set(auth(w.org.adminKey)).send(body).expect(200);
const glowing = (at: Date) => ({
  touchpointId: w.tp,
  attemptedAt: at.toISOString(),
  reachedHuman: true,
  secondsToHuman: 5,
  courtesy: 5,
  knowledge: 5,
  transfers: 0,
  resolution: 'resolved',
  notes: 'Superb, answered at once',
});

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-26T12:00:00Z') });
  w = await plannedWeek(t, 20, (i) => ({ reachedHuman: i % 2 === 0, resolved: i % 4 === 0 }));
  await created(t, w.quality.key, '/api/v1/claims', {
    touchpointId: w.tp,
    metric: 'answer_rate',
    value: 0.95,
    periodStart: week,
    periodEnd: '2027-03-07',
    source: 'Ops review',
    reportedAt: '2027-03-05T09:00:00Z',
  });
  subId = (
    await created(t, w.quality.key, '/api/v1/digest-subscriptions', {
      name: 'Weekly',
      recipients: ['q@example.org'],
      cron: '0 8 * * 1',
      timezone: 'UTC',
    })
  ).id;
}, 120_000);
afterAll(() => t.close());

describe("an owner's own contacts", () => {
  let before: Awaited<ReturnType<typeof row>>['row'];

  it('start from a contradicted claim on the planned tests', async () => {
    ({ row: before } = await row());
    expect(before).toMatchObject({
      metric: 'answer_rate',
      n: 20,
      observed: 0.5,
      verdict: 'contradicted',
      ownerContacts: 0,
    });
    expect(before.adHoc).toEqual({ contacts: 0, observed: null, counted: false });
  });

  it('never count: 60 glowing ad-hoc contacts by the owner leave the verdict as it was, with ad-hoc contacts counted or not', async () => {
    for (let i = 0; i < 60; i++) {
      await t
        .http()
        .post('/api/v1/outcomes')
        .set(auth(w.owner.key))
        .send(glowing(new Date(Date.parse('2027-03-05T08:00:00Z') + i * 10 * 60_000)))
        .expect(201);
    }
    const off = (await row()).row;
    expect(off).toMatchObject({
      n: 20,
      observed: 0.5,
      verdict: 'contradicted',
      pFlattering: before.pFlattering,
      ownerContacts: 60,
    });
    expect(off.adHoc.contacts).toBe(0);

    await settings({ countAdHocInVerdicts: true });
    const on = await row();
    expect(on.row).toMatchObject({
      n: 20,
      observed: 0.5,
      verdict: 'contradicted',
      pFlattering: before.pFlattering,
      ownerContacts: 60,
    });
    expect(on.row.adHoc).toEqual({ contacts: 0, observed: null, counted: true });
    expect(on.payload.countAdHocInVerdicts).toBe(true);
    // nor do they fill the worst contacts' notes
    expect(on.payload.notes.map((n: { notes: string }) => n.notes)).not.toContain('Superb, answered at once');

    const metrics = (await t.http().get(`/api/v1/metrics?touchpointId=${w.tp}`).set(auth(w.quality.key)).expect(200))
      .body;
    expect(metrics.items.find((m: { metric: string }) => m.metric === 'answer_rate')).toMatchObject({
      value: 0.5,
      n: 20,
    });
    expect(metrics.contacts).toEqual({ counted: 20, adHocNotCounted: 0, adHocCounted: 0, byOwner: 60 });
    await settings({ countAdHocInVerdicts: false });
  });

  it("are a former owner's too when made while they owned it, but not once the touchpoint has passed on", async () => {
    const successor = await personWithKey(t, w.org.adminKey, ['owner']);
    t.clock.set('2027-03-06T13:00:00Z');
    await t
      .http()
      .patch(`/api/v1/touchpoints/${w.tp}`)
      .set(auth(w.org.adminKey))
      .send({ ownerId: successor.person.id })
      .expect(200);
    await settings({ countAdHocInVerdicts: true });
    expect((await row()).row).toMatchObject({ n: 20, verdict: 'contradicted', ownerContacts: 60 });
    // made after the handover, by someone who no longer owns it: an ordinary ad-hoc contact
    t.clock.set('2027-03-06T15:00:00Z');
    await created(t, w.owner.key, '/api/v1/outcomes', glowing(new Date('2027-03-06T14:00:00Z')));
    // recorded after the handover, but made before it: still the owner's
    await created(t, w.owner.key, '/api/v1/outcomes', glowing(new Date('2027-03-06T12:30:00Z')));
    const after = (await row()).row;
    expect(after).toMatchObject({ n: 21, ownerContacts: 61, verdict: 'contradicted' });
    expect(after.adHoc).toEqual({ contacts: 1, observed: null, counted: true });
    const history = await t.dataSource.query(
      'SELECT owner_id, owned_until FROM touchpoint_ownership WHERE touchpoint_id = $1 ORDER BY owned_from',
      [w.tp],
    );
    expect(history).toEqual([
      { owner_id: w.owner.person.id, owned_until: new Date('2027-03-06T13:00:00Z') },
      { owner_id: successor.person.id, owned_until: null },
    ]);
    await settings({ countAdHocInVerdicts: false });
  });

  it('shows ad-hoc contacts of other testers beside the verdict, and counts them only where the organization says so', async () => {
    const t2 = w.testers[0];
    for (let i = 0; i < 4; i++) {
      await created(t, t2.key, '/api/v1/outcomes', {
        ...glowing(new Date(Date.parse('2027-03-04T09:00:00Z') + i * 3_600_000)),
        reachedHuman: false,
        secondsToHuman: undefined,
        courtesy: undefined,
        knowledge: undefined,
        resolution: 'unresolved',
        optionsExplained: false,
      });
    }
    const off = (await row()).row;
    expect(off).toMatchObject({ n: 20, observed: 0.5 });
    // the former owner's one after the handover and these four: one in five answered
    expect(off.adHoc).toEqual({ contacts: 5, observed: 0.2, counted: false });
    await settings({ countAdHocInVerdicts: true });
    const on = (await row()).row;
    expect(on).toMatchObject({ n: 25, observed: 11 / 25, ownerContacts: 61 });
    expect(on.adHoc).toEqual({ contacts: 5, observed: null, counted: true });
    await settings({ countAdHocInVerdicts: false });
  });
});
