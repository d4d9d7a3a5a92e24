import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { sessionFor, textOf } from './support/console.js';
import { auth, created, personWithKey, scenarioBody, touchpointBody } from './support/factories.js';
import { smallCampaign } from './support/small-campaign.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Channel-shaped contacts (issue 15, item 2), through the HTTP API: each channel records what it measures and
 * refuses the rest naming field and channel; claims name only metrics their channels measure; a team's rate is
 * measured on the channels that measure it, never diluted by the others.
 */
let t: TestApp;
let adminKey: string;
let quality: { key: string };
let tester: { key: string };
let store: string;
let storeTest: { id: string; testerKey: string; testerId: string; during: string };
let orgId: string;
let qualityId: string;
/** A few days before now (ad-hoc contacts are recorded within seven days), `hours` on. */
const at = (hours: number) => new Date(t.clock.now().getTime() - 72 * 3_600_000 + hours * 3_600_000).toISOString();

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
  const { org, testers, campaignId } = await smallCampaign(t, {}, { channels: ['phone', 'in_person'] });
  adminKey = org.adminKey;
  await t
    .http()
    .patch('/api/v1/organization/settings')
    .set(auth(adminKey))
    .send({ countAdHocInVerdicts: true })
    .expect(200);
  quality = await personWithKey(t, adminKey, ['quality']);
  orgId = org.orgId;
  qualityId = (quality as unknown as { person: { id: string } }).person.id;
  tester = testers[0];
  // the campaign's first touchpoint is a store: a visit, not a call
  const [first] = await t.dataSource.query(
    `SELECT a.id, a.tester_id, a.touchpoint_id, a.reveal_at, a.window_start FROM assignment a
      WHERE a.campaign_id = $1 ORDER BY a.reveal_at, a.id LIMIT 1`,
    [campaignId],
  );
  store = first.touchpoint_id;
  await t
    .http()
    .patch(`/api/v1/touchpoints/${store}`)
    .set(auth(adminKey))
    .send({ channel: 'in_person', contact: '14 Briggate, Leeds', team: 'retail' })
    .expect(200);
  t.clock.set(first.reveal_at);
  await t.app.get(JobsService).run('reveal');
  const during = new Date(new Date(first.window_start).getTime() + 10 * 60_000);
  t.clock.set(new Date(during.getTime() + 5 * 60_000));
  storeTest = {
    id: first.id,
    testerKey: testers.find((x) => x.person.id === first.tester_id)!.key,
    testerId: first.tester_id,
    during: during.toISOString(),
  };
});
afterAll(() => t.close());

const visit = (extra: Record<string, unknown> = {}) => ({
  attemptedAt: storeTest.during,
  reachedHuman: true,
  courtesy: 4,
  knowledge: 2,
  resolution: 'unresolved',
  optionsExplained: false,
  queueSeconds: 40 * 60,
  queueSystemWorked: false,
  staffFree: false,
  transfers: 1,
  answers: { offered_alternative: false },
  ...extra,
});
const putVisit = (body: object) =>
  t.http().put(`/api/v1/assignments/${storeTest.id}/outcome`).set(auth(storeTest.testerKey)).send(body);
const adHoc = (touchpointId: string, body: object) =>
  t
    .http()
    .post('/api/v1/outcomes')
    .set(auth(tester.key))
    .send({ touchpointId, reachedHuman: true, courtesy: 4, knowledge: 4, resolution: 'resolved', ...body });

describe('an in-person visit', () => {
  it('is refused a dropped line and a wait "until a person answered", naming field and channel; nothing is written', async () => {
    const res = await putVisit(visit({ disconnects: 2, secondsToHuman: 300 })).expect(400);
    expect(res.body.errors).toEqual([
      {
        field: 'secondsToHuman',
        rule: 'notForChannel',
        message:
          'secondsToHuman is not asked of an in-person visit (channel in_person); ' +
          'it is asked only for phone, chat, email, web_form and social',
      },
      {
        field: 'disconnects',
        rule: 'notForChannel',
        message:
          'disconnects is not asked of an in-person visit (channel in_person); it is asked only for phone and chat',
      },
    ]);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM outcome WHERE assignment_id = $1', [
      storeTest.id,
    ]);
    expect(n).toBe(0);
  });

  it('records its queue, the ticket system, whether staff were free and being sent to another desk', async () => {
    const saved = (await putVisit(visit()).expect(200)).body;
    expect(saved).toMatchObject({
      queueSeconds: 2400,
      queueSystemWorked: false,
      staffFree: false,
      transfers: 1,
      disconnects: 0,
      secondsToHuman: null,
      botFirst: null,
      answeredQuestion: null,
    });
    const read = await t.http().get(`/api/v1/assignments/${storeTest.id}/outcome`).set(auth(quality.key)).expect(200);
    expect(read.body).toMatchObject({ queueSeconds: 2400, queueSystemWorked: false, staffFree: false });
  });
});

describe('other channels', () => {
  let line: string;
  let chat: string;
  let mailbox: string;
  beforeAll(async () => {
    const make = async (body: Record<string, unknown>) =>
      (await created(t, adminKey, '/api/v1/touchpoints', touchpointBody({ team: 'care', ...body }))).id as string;
    line = await make({ name: 'General line' });
    chat = await make({ name: 'Web chat', channel: 'chat', contact: 'https://example.org/chat' });
    mailbox = await make({ name: 'Support mailbox', channel: 'email', contact: 'support@example.org' });
  });

  it('a chat records whether a bot came first; a phone call is refused it', async () => {
    const body = { attemptedAt: at(0), secondsToHuman: 95, botFirst: true, holdSeconds: 30, disconnects: 1 };
    expect((await adHoc(chat, body).expect(201)).body).toMatchObject({ botFirst: true, disconnects: 1 });
    const refused = await adHoc(line, { ...body, attemptedAt: at(1) }).expect(400);
    expect(refused.body.errors).toEqual([
      {
        field: 'botFirst',
        rule: 'notForChannel',
        message: 'botFirst is not asked of a phone call (channel phone); it is asked only for chat',
      },
    ]);
  });

  it('an email records the time to the first human reply and whether it answered; hold and drops are refused', async () => {
    const reply = { attemptedAt: at(2), secondsToHuman: 20 * 3600, answeredQuestion: false };
    expect((await adHoc(mailbox, reply).expect(201)).body).toMatchObject({ answeredQuestion: false });
    const refused = await adHoc(mailbox, { ...reply, attemptedAt: at(3), holdSeconds: 60, disconnects: 1 });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)).toEqual([
      'holdSeconds:notForChannel',
      'disconnects:notForChannel',
    ]);
    // no reply, so nothing to answer the question
    const none = { attemptedAt: at(4), reachedHuman: false, courtesy: null, knowledge: null, answeredQuestion: true };
    const unanswered = await adHoc(mailbox, { ...none, resolution: 'unresolved', optionsExplained: false });
    expect(unanswered.status).toBe(400);
    expect(unanswered.body.errors).toEqual([
      expect.objectContaining({ field: 'answeredQuestion', rule: 'onlyWhenReached' }),
    ]);
  });
});

describe('claims', () => {
  const claim = (body: object) =>
    t
      .http()
      .post('/api/v1/claims')
      .set(auth(quality.key))
      .send({
        periodStart: '2027-02-22',
        periodEnd: '2027-02-28',
        value: 0.1,
        source: 'Weekly review',
        reportedAt: '2027-03-01T09:00:00Z',
        ...body,
      });

  it("refuse a metric the touchpoint's channel never measures, and take one it does", async () => {
    const res = await claim({ touchpointId: store, metric: 'disconnect_rate' }).expect(400);
    expect(res.body.errors).toEqual([
      {
        field: 'metric',
        rule: 'fitsChannel',
        message:
          "disconnect_rate does not fit the touchpoint's channel (in_person): " +
          'it is measured on phone and chat contacts only',
      },
    ]);
    await claim({ touchpointId: store, metric: 'median_queue_seconds', value: 300 }).expect(201);
    await claim({ touchpointId: store, metric: 'staff_free_rate', value: 0.9 }).expect(201);
  });

  it("refuse a metric that fits no channel of the team's touchpoints, or the channel named", async () => {
    const team = await claim({ team: 'retail', metric: 'bot_first_rate' }).expect(400);
    expect(team.body.errors[0]).toMatchObject({ field: 'metric', rule: 'fitsChannel' });
    expect(team.body.errors[0].message).toContain("team retail's touchpoints (in_person)");
    const named = await claim({ team: 'care', metric: 'queue_system_worked_rate', channel: 'email' }).expect(400);
    expect(named.body.errors[0].message).toBe(
      'queue_system_worked_rate does not fit the channel email: it is measured on in_person contacts only',
    );
    await claim({ team: 'care', metric: 'answered_question_rate', value: 0.9 }).expect(201);
  });

  it('refuse the same in a CSV import, by line', async () => {
    const csv =
      'metric,team,periodStart,periodEnd,value,source,reportedAt\n' +
      'staff_free_rate,care,2027-02-22,2027-02-28,0.9,Review,2027-03-01T09:00:00Z\n';
    const res = await t
      .http()
      .post('/api/v1/claims/import')
      .set(auth(quality.key))
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('staff_free_rate does not fit the channels of team care');
  });
});

describe('the catalogue', () => {
  it('says which channels each metric fits, to every role', async () => {
    const res = await t.http().get('/api/v1/metrics/catalogue').set(auth(tester.key)).expect(200);
    const channels = (key: string) => res.body.items.find((m: { key: string }) => m.key === key).channels;
    expect(channels('median_queue_seconds')).toEqual(['in_person']);
    expect(channels('disconnect_rate')).toEqual(['phone', 'chat']);
    expect(channels('first_contact_resolution')).toHaveLength(6);
  });
});

describe("a scenario's questions limited to channels", () => {
  const ticket = { key: 'ticket', label: 'Did you get a ticket?', type: 'yes_no', channels: ['in_person'] };
  let scenario: { id: string; questions: object[] };
  beforeAll(async () => {
    const [row] = await t.dataSource.query('SELECT scenario_id FROM assignment WHERE id = $1', [storeTest.id]);
    const read = await t.http().get(`/api/v1/scenarios/${row.scenario_id}`).set(auth(adminKey)).expect(200);
    scenario = (
      await t
        .http()
        .patch(`/api/v1/scenarios/${row.scenario_id}`)
        .set(auth(adminKey))
        .send({ questions: [...read.body.questions, ticket] })
        .expect(200)
    ).body;
  });

  it('refuse a question limited to a channel the scenario does not fit, naming questions and the rule', async () => {
    const res = await t
      .http()
      .post('/api/v1/scenarios')
      .set(auth(adminKey))
      .send(scenarioBody({ channels: ['phone'], questions: [ticket] }))
      .expect(400);
    expect(res.body.errors).toEqual([
      {
        field: 'questions',
        rule: 'questionChannelsWithinScenario',
        message: "questions ticket: channels in_person not among the scenario's channels (phone)",
      },
    ]);
  });

  it('ask it of a visit, and refuse its answer from a phone call, naming the question and the channels', async () => {
    expect(scenario.questions).toContainEqual({ ...ticket, required: false });
    const form = await t
      .http()
      .get(`/my/tests/${storeTest.id}`)
      .set('Cookie', (await sessionFor(t, { organizationId: orgId, personId: storeTest.testerId })).cookie)
      .expect(200);
    expect(form.text).toContain('name="answers.ticket"');
    await putVisit(visit({ answers: { offered_alternative: false, ticket: true } })).expect(200);
    const [phone] = await t.dataSource.query(
      `SELECT id FROM touchpoint WHERE organization_id = $1 AND channel = 'phone' ORDER BY name LIMIT 1`,
      [orgId],
    );
    const call = await adHoc(phone.id, {
      attemptedAt: at(1),
      secondsToHuman: 60,
      scenarioId: scenario.id,
      answers: { offered_alternative: true, ticket: true },
    }).expect(400);
    expect(call.body.errors).toEqual([
      {
        field: 'answers.ticket',
        rule: 'notForChannel',
        message:
          'answers.ticket (Did you get a ticket?) is not asked of a phone call (channel phone); ' +
          'the scenario asks it only for in_person',
      },
    ]);
    await adHoc(phone.id, {
      attemptedAt: at(1),
      secondsToHuman: 60,
      scenarioId: scenario.id,
      answers: { offered_alternative: true },
    }).expect(201);
  });

  it("export each contact with its channel's own facts", async () => {
    const quality = await sessionFor(t, { organizationId: orgId, personId: qualityId });
    const csv = await t
      .http()
      .get(`/contacts/export/csv?touchpointId=${store}`)
      .set('Cookie', quality.cookie)
      .expect(200);
    const [header, row] = csv.text
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const cell = (name: string) => row[header.indexOf(name)];
    for (const name of ['bot_first', 'answered_question', 'queue_seconds', 'queue_system_worked', 'staff_free'])
      expect(header).toContain(name);
    expect([cell('queue_seconds'), cell('queue_system_worked'), cell('staff_free'), cell('bot_first')]).toEqual([
      '2400',
      'false',
      'false',
      '',
    ]);
    expect(textOf(csv.text)).not.toContain('undefined');
  });
});
