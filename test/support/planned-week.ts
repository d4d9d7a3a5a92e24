import { JobsService } from '../../src/jobs/jobs.service.js';
import { auth, newOrganization, personWithKey, scenarioBody, touchpointBody, created } from './factories.js';
import type { TestApp } from './test-app.js';

export interface PlannedOutcome {
  reachedHuman: boolean;
  secondsToHuman?: number;
  courtesy?: number;
  transfers?: number;
  resolved?: boolean;
}

/**
 * A touchpoint (a phone line, London, open weekdays 08:00–20:00) owned by a person who is also a tester,
 * three other testers, and `tests` planned tests of it in the week of 1 March 2027 (the owner never gets
 * one), each revealed and recorded through the API with the outcome `outcome(i)` (tests in window order).
 * The clock ends on Saturday 6 March 2027, 12:00 UTC.
 */
export async function plannedWeek(t: TestApp, tests: number, outcome: (i: number) => PlannedOutcome) {
  t.clock.set('2027-02-26T12:00:00Z');
  const org = await newOrganization(t);
  const quality = await personWithKey(t, org.adminKey, ['quality']);
  const allWeek = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '00:00', end: '24:00' }));
  const owner = await personWithKey(t, org.adminKey, ['owner', 'tester'], {
    name: 'Olive Owner',
    workingHours: allWeek,
  });
  const testers = [];
  for (let i = 0; i < 3; i++)
    testers.push(await personWithKey(t, org.adminKey, ['tester'], { name: `Tester ${i}`, workingHours: allWeek }));
  const opening = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '08:00', close: '20:00' }));
  const tp = (
    await created(
      t,
      org.adminKey,
      '/api/v1/touchpoints',
      touchpointBody({ name: 'Owned line', ownerId: owner.person.id, openingHours: opening }),
    )
  ).id as string;
  await t
    .http()
    .post('/api/v1/scenarios')
    .set(auth(org.adminKey))
    .send(scenarioBody({ channels: ['phone'], questions: [] }))
    .expect(201);
  const campaign = await t
    .http()
    .post('/api/v1/campaigns')
    .set(auth(org.adminKey))
    .send({
      name: 'Owned line, planned',
      touchpointIds: [tp],
      testerIds: [owner.person.id, ...testers.map((x) => x.person.id)],
      contactsPerTouchpointPerWeek: tests,
      windowMinutes: 60,
      revealLeadMinutes: 60,
      remindBeforeMinutes: 15,
      graceMinutes: 7 * 24 * 60,
      minSpacingHours: 1,
      testerWeeklyCap: tests,
      rotationDays: 0,
      allowOwnerSelfTest: false,
      startsOn: '2027-03-01',
    })
    .expect(201);
  const plan = await t
    .http()
    .post(`/api/v1/campaigns/${campaign.body.id}/plan`)
    .set(auth(org.adminKey))
    .send({ from: '2027-03-01', to: '2027-03-07' })
    .expect(200);
  expect(plan.body.planned).toBe(tests);
  const jobs = t.app.get(JobsService);
  for (let at = Date.parse('2027-03-01T00:00:00Z'); at <= Date.parse('2027-03-06T12:00:00Z'); at += 3_600_000) {
    t.clock.set(new Date(at));
    await jobs.run('reveal');
  }
  const keys = new Map([owner, ...testers].map((p) => [p.person.id, p.key]));
  const revealed = (
    await t
      .http()
      .get(`/api/v1/assignments?status=revealed&touchpointId=${tp}&limit=100`)
      .set(auth(org.adminKey))
      .expect(200)
  ).body.items as Array<{
    id: string;
    testerId: string;
    windowStart: string;
  }>;
  expect(revealed).toHaveLength(tests);
  revealed.sort((a, b) => a.windowStart.localeCompare(b.windowStart));
  for (const [i, a] of revealed.entries()) {
    expect(a.testerId).not.toBe(owner.person.id);
    const o = outcome(i);
    await t
      .http()
      .put(`/api/v1/assignments/${a.id}/outcome`)
      .set(auth(keys.get(a.testerId)!))
      .send({
        attemptedAt: new Date(Date.parse(a.windowStart) + 10 * 60_000).toISOString(),
        reachedHuman: o.reachedHuman,
        ...(o.reachedHuman ? { secondsToHuman: o.secondsToHuman ?? 60, courtesy: o.courtesy ?? 3, knowledge: 3 } : {}),
        transfers: o.transfers ?? 0,
        resolution: o.resolved ? 'resolved' : 'unresolved',
        ...(o.resolved ? {} : { optionsExplained: false }),
        notes: `planned test ${i}`,
      })
      .expect(200);
  }
  return { org, quality, owner, testers, tp, assignments: revealed };
}
