import { ManualClock } from '../src/common/clock.js';
import { handComputedCase } from './support/digest-case.js';
import { auth, newOrganization, personWithKey } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The organization's verdict settings: whether ad-hoc contacts count, and the gap that matters per metric. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-11-22T20:00:00Z') });
});
afterAll(() => t.close());

const path = '/api/v1/organization/settings';

describe('organization settings', () => {
  it('start from the defaults: planned tests only; 10 points, 30 s, half a rating point', async () => {
    const org = await newOrganization(t);
    const res = await t.http().get(path).set(auth(org.adminKey)).expect(200);
    expect(res.body.countAdHocInVerdicts).toBe(false);
    expect(res.body.overridden).toEqual([]);
    expect(res.body.gapThatMatters).toMatchObject({
      answer_rate: 0.1,
      median_seconds_to_human: 30,
      p90_seconds_to_human: 30,
      courtesy_avg: 0.5,
    });
  });

  it('change only what a patch names; null goes back to the default', async () => {
    const org = await newOrganization(t);
    await t
      .http()
      .patch(path)
      .set(auth(org.adminKey))
      .send({ gapThatMatters: { answer_rate: 0.05, courtesy_avg: 1 } })
      .expect(200);
    const res = await t
      .http()
      .patch(path)
      .set(auth(org.adminKey))
      .send({ countAdHocInVerdicts: true, gapThatMatters: { courtesy_avg: null } })
      .expect(200);
    expect(res.body).toMatchObject({ countAdHocInVerdicts: true, overridden: ['answer_rate'] });
    expect(res.body.gapThatMatters).toMatchObject({ answer_rate: 0.05, courtesy_avg: 0.5 });
    expect((await t.http().get(path).set(auth(org.adminKey)).expect(200)).body).toEqual(res.body);
  });

  it('take a target per metric within its range; null removes one; none by default', async () => {
    const org = await newOrganization(t);
    expect((await t.http().get(path).set(auth(org.adminKey)).expect(200)).body.targets).toEqual({});
    const set = await t
      .http()
      .patch(path)
      .set(auth(org.adminKey))
      .send({ targets: { transfer_rate: 0.2, median_hold_seconds: 86_400 * 14, courtesy_avg: 4.5 } })
      .expect(200);
    expect(set.body.targets).toEqual({ transfer_rate: 0.2, median_hold_seconds: 1_209_600, courtesy_avg: 4.5 });
    const cleared = await t
      .http()
      .patch(path)
      .set(auth(org.adminKey))
      .send({ targets: { courtesy_avg: null } })
      .expect(200);
    expect(cleared.body.targets).toEqual({ transfer_rate: 0.2, median_hold_seconds: 1_209_600 });
    const bad = async (targets: unknown) =>
      (await t.http().patch(path).set(auth(org.adminKey)).send({ targets }).expect(400)).body.errors;
    expect(await bad({ transfer_rate: 1.2 })).toEqual([
      expect.objectContaining({ field: 'targets.transfer_rate', rule: 'max' }),
    ]);
    expect(await bad({ transfer_rate: -0.1 })).toEqual([
      expect.objectContaining({ field: 'targets.transfer_rate', rule: 'min' }),
    ]);
    expect(await bad({ median_hold_seconds: 86_400 * 14 + 1 })).toEqual([
      expect.objectContaining({ field: 'targets.median_hold_seconds', rule: 'max' }),
    ]);
    expect(await bad({ courtesy_avg: 0.5 })).toEqual([
      expect.objectContaining({ field: 'targets.courtesy_avg', rule: 'min' }),
    ]);
    expect(await bad({ happiness: 1 })).toEqual([
      expect.objectContaining({ field: 'targets.happiness', rule: 'unknownField' }),
    ]);
    expect(await bad({ transfer_rate: 'low' })).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'targets.transfer_rate', rule: 'isNumber' })]),
    );
    expect((await t.http().get(path).set(auth(org.adminKey)).expect(200)).body.targets).toEqual(cleared.body.targets);
  });

  it('refuse what cannot be a setting, naming the field and the rule, and change nothing', async () => {
    const org = await newOrganization(t);
    const bad = async (body: unknown) =>
      (
        await t
          .http()
          .patch(path)
          .set(auth(org.adminKey))
          .send(body as object)
          .expect(400)
      ).body.errors;
    expect(await bad({ countAdHocInVerdicts: 'yes' })).toEqual([
      expect.objectContaining({ field: 'countAdHocInVerdicts', rule: 'isBoolean' }),
    ]);
    expect(await bad({ gapThatMatters: { answer_rate: 0 } })).toEqual([
      expect.objectContaining({ field: 'gapThatMatters.answer_rate', rule: 'isPositive' }),
    ]);
    expect(await bad({ gapThatMatters: { answer_rate: 1.5 } })).toEqual([
      expect.objectContaining({ field: 'gapThatMatters.answer_rate', rule: 'max' }),
    ]);
    expect(await bad({ gapThatMatters: { courtesy_avg: 4.5 } })).toEqual([
      expect.objectContaining({ field: 'gapThatMatters.courtesy_avg', rule: 'max' }),
    ]);
    expect(await bad({ gapThatMatters: { happiness: 0.1 } })).toEqual([
      expect.objectContaining({ field: 'gapThatMatters.happiness', rule: 'unknownField' }),
    ]);
    expect(await bad({ gapThatMatters: { answer_rate: '0.1' } })).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'gapThatMatters.answer_rate', rule: 'isNumber' })]),
    );
    expect(await bad({ gapThatMatters: 7 })).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'gapThatMatters' })]),
    );
    expect(await bad({ seed: 'x' })).toEqual([expect.objectContaining({ field: 'seed', rule: 'unknownField' })]);
    expect((await t.http().get(path).set(auth(org.adminKey)).expect(200)).body).toMatchObject({
      countAdHocInVerdicts: false,
      overridden: [],
    });
  });

  it('are read by admins and quality, changed by admins only, each for their own organization', async () => {
    const org = await newOrganization(t);
    const quality = await personWithKey(t, org.adminKey, ['quality']);
    const owner = await personWithKey(t, org.adminKey, ['owner', 'tester']);
    await t.http().get(path).set(auth(quality.key)).expect(200);
    await t.http().patch(path).set(auth(quality.key)).send({ countAdHocInVerdicts: true }).expect(403);
    await t.http().get(path).set(auth(owner.key)).expect(403);
    await t.http().patch(path).set(auth(owner.key)).send({ countAdHocInVerdicts: true }).expect(403);
    const other = await newOrganization(t);
    await t.http().patch(path).set(auth(other.adminKey)).send({ countAdHocInVerdicts: true }).expect(200);
    expect((await t.http().get(path).set(auth(org.adminKey)).expect(200)).body.countAdHocInVerdicts).toBe(false);
  });

  it('set the gap a digest row is judged against: a wider gap that matters turns an inconclusive claim consistent', async () => {
    const { org, quality, line, sub } = await handComputedCase(t);
    const fcr = async () =>
      (
        await t
          .http()
          .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-16`)
          .set(auth(quality.key))
          .expect(200)
      ).body.rows.find(
        (r: { touchpointId: string; metric: string }) =>
          r.touchpointId === line && r.metric === 'first_contact_resolution',
      );
    const before = await fcr();
    expect(before).toMatchObject({ verdict: 'inconclusive', gapThatMatters: 0.1 });
    await t
      .http()
      .patch(path)
      .set(auth(org.adminKey))
      .send({ gapThatMatters: { first_contact_resolution: 0.5 } })
      .expect(200);
    const after = await fcr();
    expect(after).toMatchObject({ verdict: 'consistent', gapThatMatters: 0.5, detectableGap: before.detectableGap });
    expect(after.contactsNeeded).toBeLessThan(before.contactsNeeded);
  });
});
