import { auth, newOrganization, personWithKey, touchpointBody, created } from './factories.js';
import type { TestApp } from './test-app.js';

/**
 * The hand-computed organization: 10 ad-hoc contacts with the general line in the week of 16 Nov 2026,
 * counted in verdicts (the organization's setting), and 5 claims of that week.
 */
export async function handComputedCase(t: TestApp, subscription: Record<string, unknown> = {}) {
  const org = await newOrganization(t);
  const settings = { countAdHocInVerdicts: true };
  await t.http().patch('/api/v1/organization/settings').set(auth(org.adminKey)).send(settings).expect(200);
  const quality = await personWithKey(t, org.adminKey, ['quality']);
  const tester = await personWithKey(t, org.adminKey, ['tester']);
  const line = (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ name: 'General line' }))).id;
  const chat = (
    await created(
      t,
      org.adminKey,
      '/api/v1/touchpoints',
      touchpointBody({ name: 'Web chat', channel: 'chat', contact: 'https://example.org/chat' }),
    )
  ).id;
  const courtesy = [4, 4, 5, 3, 4, 4];
  for (let i = 0; i < 10; i++) {
    const reached = i < 6;
    const resolved = i % 2 === 0;
    await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .send({
        touchpointId: line,
        attemptedAt: new Date(Date.parse('2026-11-17T10:00:00Z') + i * 3600_000).toISOString(),
        reachedHuman: reached,
        ...(reached ? { secondsToHuman: 60 + i * 30, courtesy: courtesy[i], knowledge: 3 } : {}),
        transfers: i >= 6 ? 1 : 0,
        resolution: resolved ? 'resolved' : 'unresolved',
        ...(resolved ? {} : { optionsExplained: false }),
        notes: `contact ${i}`,
      })
      .expect(201);
  }
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
  await claim({ touchpointId: line, metric: 'answer_rate', value: 0.96 });
  await claim({ touchpointId: line, metric: 'transfer_rate', value: 0.05 });
  await claim({ touchpointId: line, metric: 'courtesy_avg', value: 3.0 });
  await claim({ touchpointId: line, metric: 'first_contact_resolution', value: 0.5 });
  await claim({ touchpointId: chat, metric: 'answer_rate', value: 0.9 });

  const sub = await created(t, quality.key, '/api/v1/digest-subscriptions', {
    name: 'Monday digest',
    recipients: ['quality@example.org', quality.person.id],
    cron: '0 8 * * 1',
    timezone: 'UTC',
    periodDays: 7,
    ...subscription,
  });
  return { org, quality, line, chat, sub };
}
