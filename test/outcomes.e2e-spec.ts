import { parse } from 'csv-parse/sync';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import {
  auth,
  newOrganization,
  personWithKey,
  scenarioBody,
  TestOrganization,
  touchpointBody,
  created,
} from './support/factories.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

let sink: SmtpSink;
let t: TestApp;
let org: TestOrganization;
let qualityKey: string;
let testers: Array<{ person: { id: string }; key: string }>;
let revealed: Array<{ id: string; tester_id: string; window_start: Date; window_end: Date; token: string }>;

const keyOf = (testerId: string) => testers.find((x) => x.person.id === testerId)!.key;

/** The attempted time of a contact made ten minutes into the window, as the form would send it. */
const during = (a: { window_start: Date }) => new Date(a.window_start.getTime() + 10 * 60_000).toISOString();

const goodOutcome = (a: { window_start: Date }, extra: Record<string, unknown> = {}) => ({
  attemptedAt: during(a),
  reachedHuman: true,
  secondsToHuman: 270,
  transfers: 3,
  disconnects: 1,
  repeatedStory: true,
  resolution: 'unresolved',
  optionsExplained: false,
  courtesy: 4,
  knowledge: 2,
  staffGaveName: false,
  notes: 'Transferred three times; the line dropped once and I had to start again.',
  answers: { offered_alternative: false, mood: 'rushed' },
  ...extra,
});

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({
    env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
    clock: new ManualClock('2027-02-28T12:00:00Z'),
  });
  org = await newOrganization(t);
  qualityKey = (await personWithKey(t, org.adminKey, ['quality'])).key;
  testers = [];
  for (const timezone of ['Europe/London', 'America/New_York', 'Europe/Berlin']) {
    testers.push(
      await personWithKey(t, org.adminKey, ['tester'], {
        timezone,
        workingHours: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '00:00', end: '24:00' })),
      }),
    );
  }
  const tps = [];
  for (const name of ['General line', '=HYPERLINK("http://evil")']) {
    const openingHours = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '09:00', close: '17:00' }));
    tps.push((await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody({ name, openingHours }))).id);
  }
  await t
    .http()
    .post('/api/v1/scenarios')
    .set(auth(org.adminKey))
    .send(scenarioBody({ channels: ['phone'] }))
    .expect(201);
  const campaign = await t
    .http()
    .post('/api/v1/campaigns')
    .set(auth(org.adminKey))
    .send({
      name: 'c',
      touchpointIds: tps,
      testerIds: testers.map((x) => x.person.id),
      contactsPerTouchpointPerWeek: 2,
      minSpacingHours: 12,
      testerWeeklyCap: 3,
      rotationDays: 0,
      startsOn: '2027-03-01',
    })
    .expect(201);
  await t
    .http()
    .post(`/api/v1/campaigns/${campaign.body.id}/plan`)
    .set(auth(org.adminKey))
    .send({ from: '2027-03-01', to: '2027-03-07' })
    .expect(200);
  // Reveal each assignment at its own reveal time.
  const jobs = t.app.get(JobsService);
  for (const { reveal_at } of await t.dataSource.query('SELECT reveal_at FROM assignment ORDER BY reveal_at')) {
    t.clock.set(reveal_at);
    await jobs.run('reveal');
  }
  await jobs.run('outbox');
  const rows = await t.dataSource.query(
    `SELECT id, tester_id, window_start, window_end FROM assignment ORDER BY window_start`,
  );
  revealed = rows.map((r: { id: string }) => {
    const mail = sink.messages.find((m) =>
      m.attachments.some((a) => a.content.toString().includes(`UID:${r.id}@groundtruth`)),
    )!;
    return { ...r, token: /\/t\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1] };
  });
  expect(revealed).toHaveLength(4);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('the outcome API', () => {
  it('records an outcome, completes the assignment, and lets its tester and quality read it', async () => {
    const a = revealed[0];
    t.clock.set(new Date(a.window_start.getTime() + 30 * 60_000));
    const res = await t
      .http()
      .put(`/api/v1/assignments/${a.id}/outcome`)
      .set(auth(keyOf(a.tester_id)))
      .send(goodOutcome(a))
      .expect(200);
    expect(res.body).toMatchObject({
      assignmentId: a.id,
      reachedHuman: true,
      secondsToHuman: 270,
      transfers: 3,
      resolution: 'unresolved',
      answers: { offered_alternative: false, mood: 'rushed' },
    });
    expect(res.body).not.toHaveProperty('organizationId');
    const [row] = await t.dataSource.query('SELECT status, completed_at FROM assignment WHERE id = $1', [a.id]);
    expect(row.status).toBe('completed');
    await t
      .http()
      .get(`/api/v1/assignments/${a.id}/outcome`)
      .set(auth(keyOf(a.tester_id)))
      .expect(200);
    await t.http().get(`/api/v1/assignments/${a.id}/outcome`).set(auth(qualityKey)).expect(200);
    const listed = await t
      .http()
      .get(`/api/v1/outcomes?resolution=unresolved&channel=phone`)
      .set(auth(qualityKey))
      .expect(200);
    expect(listed.body.items.map((o: { assignmentId: string }) => o.assignmentId)).toContain(a.id);
  });

  it('keeps every edit in the audit trail and refuses edits after 48 hours', async () => {
    const a = revealed[0];
    const key = keyOf(a.tester_id);
    t.clock.advance(3 * 3600_000);
    await t
      .http()
      .put(`/api/v1/assignments/${a.id}/outcome`)
      .set(auth(key))
      .send(goodOutcome(a, { courtesy: 2 }))
      .expect(200);
    const outcome = (await t.http().get(`/api/v1/assignments/${a.id}/outcome`).set(auth(key)).expect(200)).body;
    const audit = await t.http().get(`/api/v1/outcomes/${outcome.id}/audit`).set(auth(qualityKey)).expect(200);
    expect(audit.body.total).toBe(2);
    expect(audit.body.items[0]).toMatchObject({ editedBy: a.tester_id, via: 'api', before: null });
    expect(audit.body.items[1]).toMatchObject({ before: { courtesy: 4 }, after: { courtesy: 2 } });
    await t.http().get(`/api/v1/outcomes/${outcome.id}/audit`).set(auth(key)).expect(403);

    t.clock.set(new Date(Date.parse(outcome.editableUntil) + 60_000));
    const late = await t
      .http()
      .put(`/api/v1/assignments/${a.id}/outcome`)
      .set(auth(key))
      .send(goodOutcome(a, { courtesy: 5 }))
      .expect(409);
    expect(late.body.message).toMatch(/could be edited until .* it can no longer be changed/);
    const page = await t.http().get(`/t/${a.token}`).expect(200);
    expect(page.text).toMatch(/can no longer be edited/);
  });

  it("hides other testers' assignments and outcomes (404)", async () => {
    const a = revealed[0];
    const other = testers.find((x) => x.person.id !== a.tester_id)!;
    await t.http().get(`/api/v1/assignments/${a.id}/outcome`).set(auth(other.key)).expect(404);
    await t.http().put(`/api/v1/assignments/${a.id}/outcome`).set(auth(other.key)).send(goodOutcome(a)).expect(404);
    const outsider = await newOrganization(t);
    await t.http().get(`/api/v1/assignments/${a.id}/outcome`).set(auth(outsider.adminKey)).expect(404);
  });

  it('names each broken consistency rule', async () => {
    const a = revealed[1];
    const key = keyOf(a.tester_id);
    t.clock.set(new Date(a.window_start.getTime() + 30 * 60_000));
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [
        { reachedHuman: false, courtesy: undefined, knowledge: undefined, staffGaveName: undefined },
        'secondsToHuman',
        'onlyWhenReached',
      ],
      [{ secondsToHuman: undefined }, 'secondsToHuman', 'requiredWhenReached'],
      [{ resolution: 'resolved' }, 'optionsExplained', 'onlyWhenUnresolved'],
      [{ optionsExplained: undefined }, 'optionsExplained', 'requiredWhenUnresolved'],
      [{ attemptedAt: new Date(a.window_start.getTime() + 3 * 3600_000).toISOString() }, 'attemptedAt', 'notInFuture'],
      [{ attemptedAt: new Date(a.window_start.getTime() - 5 * 3600_000).toISOString() }, 'attemptedAt', 'nearWindow'],
      [{ answers: { mood: 'rushed' } }, 'answers.offered_alternative', 'required'],
      [{ answers: { offered_alternative: 'maybe' } }, 'answers.offered_alternative', 'is_yes_no'],
      [{ answers: { offered_alternative: true, agent_name: 'Bob' } }, 'answers.agent_name', 'unknownField'],
      [{ courtesy: 6 }, 'courtesy', 'max'],
      [{ transfers: -1 }, 'transfers', 'min'],
      [{ agentName: 'Bob' }, 'agentName', 'unknownField'],
    ];
    for (const [change, field, rule] of cases) {
      const body = goodOutcome(a, change);
      const res = await t.http().put(`/api/v1/assignments/${a.id}/outcome`).set(auth(key)).send(body).expect(400);
      expect({
        change,
        errors: res.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`),
      }).toEqual({ change, errors: expect.arrayContaining([`${field}:${rule}`]) });
    }
    const [row] = await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [a.id]);
    expect(row.status).toBe('revealed');
    expect(
      (await t.dataSource.query('SELECT count(*)::int AS n FROM outcome WHERE assignment_id = $1', [a.id]))[0].n,
    ).toBe(0);
  });

  it('edits over the first save: the record changes, whose and since when stay, a moved promise is new', async () => {
    const a = revealed[1];
    const put = (body: Record<string, unknown>) =>
      t
        .http()
        .put(`/api/v1/assignments/${a.id}/outcome`)
        .set(auth(keyOf(a.tester_id)))
        .send(body)
        .expect(200);
    t.clock.set(new Date(a.window_start.getTime() + 30 * 60_000));
    const first = (await put(goodOutcome(a, { promisedFollowUpBy: '2027-03-20' }))).body;
    const stored = async () =>
      await t.dataSource.query<Array<Record<string, unknown>>>(
        `SELECT id, tester_id, created_at, editable_until, updated_at, promise_status, promise_asked_at, notes,
                promised_follow_up_by::text AS promised_by
           FROM outcome WHERE assignment_id = $1`,
        [a.id],
      );
    const [saved] = await stored();
    // the follow-up question went out and was answered
    const answered = `UPDATE outcome SET promise_status = 'kept', promise_asked_at = $2 WHERE id = $1`;
    await t.dataSource.query(answered, [first.id, t.clock.now()]);

    t.clock.advance(3_600_000);
    const notes = 'Called back as promised.';
    const same = (await put(goodOutcome(a, { promisedFollowUpBy: '2027-03-20', notes }))).body;
    expect(same).toMatchObject({ id: first.id, notes, promiseStatus: 'kept' });
    t.clock.advance(3_600_000);
    const moved = (await put(goodOutcome(a, { promisedFollowUpBy: '2027-03-27' }))).body;
    expect(moved).toMatchObject({ id: first.id, promisedFollowUpBy: '2027-03-27', promiseStatus: null });

    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: first.id,
      tester_id: a.tester_id,
      created_at: saved.created_at,
      editable_until: saved.editable_until,
      updated_at: t.clock.now(),
      promise_status: null,
      promise_asked_at: null,
      promised_by: '2027-03-27',
    });
    const audit = (await t.http().get(`/api/v1/outcomes/${first.id}/audit`).set(auth(qualityKey)).expect(200)).body;
    type Save = { before: { promisedFollowUpBy?: string } | null };
    const promisedBefore = (e: Save) => e.before?.promisedFollowUpBy ?? null;
    expect(audit.items.map(promisedBefore)).toEqual([null, '2027-03-20', '2027-03-20']);
    expect(audit.items[2].after).toMatchObject({ promisedFollowUpBy: '2027-03-27', notes: goodOutcome(a).notes });
  });

  it('records an ad-hoc contact, which a key of another organization cannot point at', async () => {
    const tester = testers[0];
    const [tp] = await t.dataSource.query(`SELECT id FROM touchpoint WHERE organization_id = $1 LIMIT 1`, [org.orgId]);
    const body = {
      ...goodOutcome({ window_start: new Date(t.clock.now().getTime() - 40 * 60_000) }),
      touchpointId: tp.id,
      answers: {},
    };
    const res = await t.http().post('/api/v1/outcomes').set(auth(tester.key)).send(body).expect(201);
    expect(res.body).toMatchObject({ assignmentId: null, touchpointId: tp.id, testerId: tester.person.id });
    const outsider = await newOrganization(t);
    const stranger = await personWithKey(t, outsider.adminKey, ['tester']);
    const refused = await t.http().post('/api/v1/outcomes').set(auth(stranger.key)).send(body).expect(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'touchpointId', rule: 'exists' });
  });

  it('lists only completed test contacts in the register, with formulas neutralised', async () => {
    const res = await t.http().get('/api/v1/outcomes/register.csv').set(auth(qualityKey)).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const rows = parse<Record<string, string>>(res.text, { columns: true });
    const done = await t.dataSource.query(
      `SELECT o.id FROM outcome o LEFT JOIN assignment a ON a.id = o.assignment_id WHERE o.organization_id = $1 AND (a.id IS NULL OR a.status = 'completed')`,
      [org.orgId],
    );
    expect(rows.map((r) => r.outcome_id).sort()).toEqual(done.map((d: { id: string }) => d.id).sort());
    for (const r of rows) expect(r.touchpoint.startsWith('=')).toBe(false);
    const planned = await t.dataSource.query(`SELECT touchpoint_id FROM assignment WHERE status <> 'completed'`);
    expect(rows.map((r) => r.assignment_id)).not.toContain(planned[0]?.id);
    await t
      .http()
      .get('/api/v1/outcomes/register.csv')
      .set(auth(keyOf(revealed[0].tester_id)))
      .expect(403);
  });
});

describe('the tester link', () => {
  it('shows the task and the form, and a GET changes nothing however often it is opened', async () => {
    const a = revealed[2];
    t.clock.set(new Date(a.window_start.getTime() + 20 * 60_000));
    const before = await t.dataSource.query('SELECT * FROM assignment WHERE id = $1', [a.id]);
    for (let i = 0; i < 5; i++) {
      const page = await t.http().get(`/t/${a.token}`).expect(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('Call +44 20 7946 0000');
      expect(page.text).toContain('<label class="block" for="secondsToHuman">');
      expect(page.text).toContain('name="answers.offered_alternative"');
    }
    expect(await t.dataSource.query('SELECT * FROM assignment WHERE id = $1', [a.id])).toEqual(before);
    expect(
      (await t.dataSource.query('SELECT count(*)::int AS n FROM outcome WHERE assignment_id = $1', [a.id]))[0].n,
    ).toBe(0);
  });

  it('shows errors next to their fields, keeps the values, then saves and confirms', async () => {
    const a = revealed[2];
    const form = {
      attemptedAt: '',
      reachedHuman: 'no',
      secondsToHuman: '2:30',
      transfers: '2',
      disconnects: '0',
      resolution: 'unresolved',
      optionsExplained: 'no',
      notes: 'Menu loop <script>alert(1)</script>',
      'answers.offered_alternative': 'no',
    };
    const bad = await t.http().post(`/t/${a.token}`).type('form').send(form).expect(400);
    expect(bad.text).toMatch(/id="secondsToHuman-error">Leave the wait empty when nobody answered/);
    expect(bad.text).toMatch(/id="attemptedAt-error">/);
    expect(bad.text).toContain('aria-describedby="secondsToHuman-hint secondsToHuman-error"');
    expect(bad.text).toContain('Menu loop &lt;script>alert(1)&lt;/script>'); // JSX escapes `<` and `&`; `>` is text
    expect(bad.text).not.toContain('<script>alert(1)</script>');
    expect(bad.text).toMatch(/id="transfers" name="transfers" value="2"/);

    const local = new Date(a.window_start.getTime() + 10 * 60_000);
    const attemptedAt = new Intl.DateTimeFormat('sv-SE', {
      timeZone: await zoneOf(a.tester_id),
      dateStyle: 'short',
      timeStyle: 'short',
    })
      .format(local)
      .replace(' ', 'T');
    const ok = await t
      .http()
      .post(`/t/${a.token}`)
      .type('form')
      .send({ ...form, attemptedAt, secondsToHuman: '' })
      .expect(303);
    expect(ok.headers.location).toBe(`/t/${a.token}?saved=1`);
    const confirmation = await t.http().get(ok.headers.location).expect(200);
    expect(confirmation.text).toContain('Thank you');
    const outcome = await t
      .http()
      .get(`/api/v1/assignments/${a.id}/outcome`)
      .set(auth(keyOf(a.tester_id)))
      .expect(200);
    expect(outcome.body).toMatchObject({
      reachedHuman: false,
      secondsToHuman: null,
      transfers: 2,
      resolution: 'unresolved',
      optionsExplained: false,
      answers: { offered_alternative: false },
    });
    expect(new Date(outcome.body.attemptedAt).getTime()).toBe(local.getTime() - (local.getTime() % 60_000));
    const audit = await t.http().get(`/api/v1/outcomes/${outcome.body.id}/audit`).set(auth(qualityKey)).expect(200);
    expect(audit.body.items[0]).toMatchObject({ via: 'link', editedBy: a.tester_id });
  });

  it('declines from the same page', async () => {
    const a = revealed[3];
    t.clock.set(new Date(a.window_start.getTime() - 60 * 60_000));
    const page = await t
      .http()
      .post(`/t/${a.token}/decline`)
      .type('form')
      .send({ reason: 'Flight delayed' })
      .expect(200);
    expect(page.text).toContain('Thank you for letting us know');
    const [row] = await t.dataSource.query('SELECT status, decline_reason FROM assignment WHERE id = $1', [a.id]);
    expect(row).toEqual({ status: 'declined', decline_reason: 'Flight delayed' });
  });

  it('answers an unknown link with 404 and an expired one with 410, telling nothing', async () => {
    const unknown = await t
      .http()
      .get(`/t/${'A'.repeat(43)}`)
      .expect(404);
    const a = revealed[2];
    t.clock.set('2027-04-30T00:00:00Z');
    const expired = await t.http().get(`/t/${a.token}`).expect(410);
    await t.http().post(`/t/${a.token}`).type('form').send({ reachedHuman: 'yes' }).expect(410);
    for (const res of [unknown, expired]) {
      expect(res.text).not.toMatch(/General line|7946|Port my number|window/i);
    }
  });
});

async function zoneOf(personId: string): Promise<string> {
  return (await t.dataSource.query('SELECT timezone FROM person WHERE id = $1', [personId]))[0].timezone;
}
