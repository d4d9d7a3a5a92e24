import { auth, created, newOrganization, personWithKey, scenarioBody, touchpointBody } from './factories.js';
import type { TestApp } from './test-app.js';

/**
 * An organization for "what nobody claimed", counted by hand (it leaves the clock at 22 Nov 2026 20:00 UTC).
 * Ad-hoc contacts count (its setting); its targets: 20 % transfers, a 2:00 median hold. Team contact-centre has two
 * phone lines and a chat.
 *
 * - General line, week of 9 Nov: 10 contacts, 1 transferred, every hold 60 s, all resolved.
 * - General line, week of 16 Nov: 10 contacts, 8 transferred, holds 600, 660, …, 1140 s (median 870; the 95 %
 *   order-statistic interval for n = 10 is [x(2), x(9)] = [660, 1080]); the scenario's questions answered.
 *   One is the 62-minute call with three transfers and two drops; two share the note "Put on hold then cut off".
 * - Sales line, week of 16 Nov: 6 resolved contacts, none transferred (a claim covers its transfer rate); one
 *   resolved good contact noted "Lovely, sorted at once".
 * - Web chat: one contact.
 */
export async function unclaimedCase(t: TestApp) {
  const org = await newOrganization(t);
  await t
    .http()
    .patch('/api/v1/organization/settings')
    .set(auth(org.adminKey))
    .send({ countAdHocInVerdicts: true, targets: { transfer_rate: 0.2, median_hold_seconds: 120 } })
    .expect(200);
  const quality = await personWithKey(t, org.adminKey, ['quality']);
  const tester = await personWithKey(t, org.adminKey, ['tester']);
  const tp = async (overrides: Record<string, unknown>) =>
    (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody(overrides))).id as string;
  const line = await tp({ name: 'General line' });
  const sales = await tp({ name: 'Sales line', contact: '+44 20 7946 0001' });
  const chat = await tp({ name: 'Web chat', channel: 'chat', contact: 'https://example.org/chat' });
  const scenario = (
    await created(
      t,
      quality.key,
      '/api/v1/scenarios',
      scenarioBody({
        title: 'Port my number back',
        channels: ['phone', 'chat'],
        questions: [
          { key: 'offered_alternative', label: 'Were you offered an alternative?', type: 'yes_no', required: false },
          { key: 'told_how', label: 'How were you told to go on?', type: 'choice', options: ['shop', 'phone', 'post'] },
          { key: 'time_to_ticket', label: 'Time until a ticket number', type: 'seconds', required: false },
        ],
      }),
    )
  ).id as string;
  const contact = async (body: Record<string, unknown>) => {
    const res = await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .send({
        reachedHuman: true,
        secondsToHuman: 30,
        transfers: 0,
        disconnects: 0,
        resolution: 'resolved',
        courtesy: 4,
        knowledge: 4,
        ...body,
      });
    if (res.status !== 201)
      throw new Error(`contact refused: ${String(body.attemptedAt)} ${res.status} ${JSON.stringify(res.body)}`);
  };
  const at = (day: string, i: number) => new Date(Date.parse(`${day}T09:00:00Z`) + i * 3600_000).toISOString();
  // a contact is recorded within 7 days of it: the week before is recorded in its own week
  t.clock.set('2026-11-12T20:00:00Z');
  for (let i = 0; i < 10; i++) {
    await contact({
      touchpointId: line,
      attemptedAt: at('2026-11-10', i),
      holdSeconds: 60,
      transfers: i === 0 ? 1 : 0,
    });
  }
  t.clock.set('2026-11-22T20:00:00Z');
  const notes = [
    '62 minutes: transferred three times, dropped twice, still unsolved',
    'Put on hold then cut off',
    'Put on hold then cut off',
  ];
  for (let i = 0; i < 10; i++) {
    await contact({
      touchpointId: line,
      scenarioId: scenario,
      attemptedAt: at('2026-11-17', i),
      holdSeconds: 600 + 60 * i,
      transfers: i === 0 ? 3 : i < 8 ? 1 : 0,
      disconnects: i === 0 ? 2 : 0,
      resolution: i < 3 ? 'unresolved' : 'resolved',
      ...(i < 3 ? { optionsExplained: false } : {}),
      ...(notes[i] ? { notes: notes[i] } : {}),
      answers: {
        offered_alternative: i < 3,
        told_how: ['shop', 'phone', 'phone', 'shop', 'phone'][i % 5],
        ...(i < 4 ? { time_to_ticket: [90, 100, 300, 500][i] } : {}),
      },
    });
  }
  for (let i = 0; i < 6; i++) {
    await contact({
      touchpointId: sales,
      attemptedAt: at('2026-11-18', i),
      holdSeconds: 30,
      staffGaveName: true,
      ...(i === 0 ? { notes: 'Lovely, sorted at once' } : {}),
    });
  }
  await contact({ touchpointId: chat, attemptedAt: at('2026-11-19', 0), holdSeconds: 10 });
  await created(t, quality.key, '/api/v1/claims', {
    touchpointId: sales,
    metric: 'transfer_rate',
    value: 0.1,
    periodStart: '2026-11-16',
    periodEnd: '2026-11-22',
    source: 'Weekly review',
    reportedAt: '2026-11-23T09:00:00Z',
  });
  const sub = await created(t, quality.key, '/api/v1/digest-subscriptions', {
    name: 'Monday digest',
    recipients: ['quality@example.org', quality.person.id],
    cron: '0 8 * * 1',
    timezone: 'UTC',
    periodDays: 7,
    minContacts: 5,
  });
  return { org, quality, tester, line, sales, chat, scenario, sub };
}
