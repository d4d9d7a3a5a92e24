import { auth, newOrganization, personWithKey, scenarioBody, touchpointBody, created } from './factories.js';
import type { TestApp } from './test-app.js';

/**
 * Four testers in four zones, two touchpoints (London, New York) open weekdays 09:00–17:00, one
 * phone scenario, and a campaign with the week of 1 March 2027 planned (6 assignments).
 */
export async function smallCampaign(
  t: TestApp,
  campaignExtra: Record<string, unknown> = {},
  scenarioExtra: Record<string, unknown> = {},
) {
  const org = await newOrganization(t);
  const testers = [];
  for (const [i, timezone] of ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin'].entries()) {
    testers.push(
      await personWithKey(t, org.adminKey, ['tester'], {
        timezone,
        name: `Tester ${i}`,
        workingHours: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '00:00', end: '24:00' })),
      }),
    );
  }
  const tps = [];
  for (const timezone of ['Europe/London', 'America/New_York']) {
    tps.push(
      await created(
        t,
        org.adminKey,
        '/api/v1/touchpoints',
        touchpointBody({
          timezone,
          openingHours: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '09:00', close: '17:00' })),
        }),
      ),
    );
  }
  await t
    .http()
    .post('/api/v1/scenarios')
    .set(auth(org.adminKey))
    .send(scenarioBody({ channels: ['phone'], ...scenarioExtra }))
    .expect(201);
  const campaign = await created(t, org.adminKey, '/api/v1/campaigns', {
    name: 'A week of tests',
    touchpointIds: tps.map((x: { id: string }) => x.id),
    testerIds: testers.map((x) => x.person.id),
    contactsPerTouchpointPerWeek: 3,
    windowMinutes: 60,
    revealLeadMinutes: 120,
    remindBeforeMinutes: 30,
    graceMinutes: 60,
    minSpacingHours: 12,
    testerWeeklyCap: 3,
    rotationDays: 0,
    startsOn: '2027-03-01',
    ...campaignExtra,
  });
  const plan = await t
    .http()
    .post(`/api/v1/campaigns/${campaign.id}/plan`)
    .set(auth(org.adminKey))
    .send({ from: '2027-03-01', to: '2027-03-07' })
    .expect(200);
  expect(plan.body.planned).toBe(6);
  return { org, testers, campaignId: campaign.id as string };
}

export type SmallCampaign = Awaited<ReturnType<typeof smallCampaign>>;
