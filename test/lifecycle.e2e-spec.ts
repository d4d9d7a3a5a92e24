import type { ParsedMail } from 'mailparser';

import { ManualClock } from '../src/common/clock.js';
import { canonicalLocale, shortDayAndTime, windowText } from '../src/common/locale.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { auth, personWithKey, TestOrganization } from './support/factories.js';
import { smallCampaign } from './support/small-campaign.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The .ics event UID of an assignment, as every reveal, hold and update carries it. */
const uidOf = (mail: ParsedMail) => {
  const ics = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  return ics ? /UID:([0-9a-f-]{36})@groundtruth/.exec(ics.content.toString('utf8'))?.[1] : undefined;
};
const reveals = (sink: SmtpSink) => sink.messages.filter((m) => m.subject?.startsWith('Your test contact:'));
const reminders = (sink: SmtpSink) => sink.messages.filter((m) => m.subject?.startsWith('Reminder:'));

describe('moving the clock through a week', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let org: TestOrganization;
  let testers: Array<{ person: { id: string; email: string }; key: string }>;
  let campaignId: string;
  let declined: { id: string; testerId: string } | undefined;
  let replacementId: string | undefined;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'https://gt.example.org' },
      clock: new ManualClock('2027-02-28T12:00:00Z'),
    });
    ({ org, testers, campaignId } = await smallCampaign(t));
    // New York reads US dates, Berlin German ones (sent in lower case: stored canonical); the others the default
    for (const [i, locale] of [
      [1, 'en-US'],
      [3, 'de-de'],
    ] as const) {
      const patched = await t
        .http()
        .patch(`/api/v1/people/${testers[i].person.id}`)
        .set(auth(org.adminKey))
        .send({ locale })
        .expect(200);
      expect(patched.body.locale).toBe(canonicalLocale(locale));
    }
    const jobs = t.app.get(JobsService);
    for (let step = 0; step < 7 * 24 * 4; step++) {
      t.clock.advance(15 * 60_000);
      await jobs.run('reveal');
      await jobs.run('remindExpire');
      await jobs.run('outbox');
      // The first tester to get a test declines it; the slot must go to someone else.
      if (!declined) {
        for (const tester of testers) {
          const mine = await t.http().get('/api/v1/assignments?status=revealed').set(auth(tester.key)).expect(200);
          if (mine.body.total > 0) {
            const a = mine.body.items[0];
            const res = await t
              .http()
              .post(`/api/v1/assignments/${a.id}/decline`)
              .set(auth(tester.key))
              .send({ reason: 'Board meeting ran over' })
              .expect(200);
            declined = { id: a.id, testerId: tester.person.id };
            expect(res.body).toEqual({ declined: expect.objectContaining({ id: a.id, status: 'declined' }) });
            replacementId = (await t.dataSource.query('SELECT id FROM assignment WHERE replaces_id = $1', [a.id]))[0]
              ?.id;
            break;
          }
        }
      }
    }
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('reveals each assignment exactly once, by mail with an .ics event and the outcome link', async () => {
    const rows = await t.dataSource.query(
      `SELECT id, tester_id, status, revealed_at FROM assignment WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(rows).toHaveLength(7); // 6 planned + 1 re-fill
    const uids = reveals(sink).map(uidOf);
    expect(uids.sort()).toEqual(rows.map((r: { id: string }) => r.id).sort());
    for (const mail of reveals(sink)) {
      const ics = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'))!;
      expect(ics.content.toString()).toMatch(/BEGIN:VEVENT[\s\S]*DTSTART/);
      expect(mail.text).toMatch(/https:\/\/gt\.example\.org\/t\/[A-Za-z0-9_-]{43}/);
      expect(mail.html).toContain('https://gt.example.org/t/');
      expect(mail.text).toMatch(/Call \+44 20 7946 0000/);
    }
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM access_token WHERE purpose = 'outcome'`);
    expect(n).toBeGreaterThanOrEqual(7);
  });

  it("writes the window in the tester's own time zone", async () => {
    const [row] = await t.dataSource.query(
      `SELECT a.id, a.window_start, p.timezone FROM assignment a JOIN person p ON p.id = a.tester_id WHERE a.campaign_id = $1 AND p.timezone = 'Asia/Kolkata' LIMIT 1`,
      [campaignId],
    );
    if (!row) return; // the plan gave Kolkata nothing this week
    const mail = reveals(sink).find((m) => uidOf(m) === row.id)!;
    expect(mail.text).toMatch(/\(Asia\/Kolkata\)/);
  });

  it("writes the window in the tester's own date format: their stored locale, else en-GB", async () => {
    const rows = await t.dataSource.query(
      `SELECT a.id, a.window_start, a.window_end, p.timezone, p.locale
         FROM assignment a JOIN person p ON p.id = a.tester_id WHERE a.campaign_id = $1`,
      [campaignId],
    );
    const seen = new Set<string>();
    for (const row of rows) {
      const mail = reveals(sink).find((m) => uidOf(m) === row.id);
      if (!mail) continue;
      const locale = row.locale ?? 'en-GB';
      seen.add(locale);
      expect(mail.text).toContain(`When: ${windowText(row.window_start, row.window_end, row.timezone, locale)}`);
      expect(mail.subject).toContain(shortDayAndTime(row.window_start, row.timezone, locale));
    }
    expect(seen.has('en-GB')).toBe(true);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('re-fills a declined slot with another tester, revealed at the next tick', async () => {
    expect(declined).toBeDefined();
    expect(replacementId).toBeDefined();
    const [r] = await t.dataSource.query(
      'SELECT tester_id, replaces_id, window_start, status FROM assignment WHERE id = $1',
      [replacementId],
    );
    expect(r.replaces_id).toBe(declined!.id);
    expect(r.tester_id).not.toBe(declined!.testerId);
    expect(reveals(sink).some((m) => uidOf(m) === replacementId)).toBe(true);
  });

  it('reminds before the window closes and marks missed after window end + grace', async () => {
    const rows = await t.dataSource.query(`SELECT id, status FROM assignment WHERE campaign_id = $1`, [campaignId]);
    const statuses = rows.map((r: { status: string }) => r.status).sort();
    expect(statuses).toEqual(['declined', 'missed', 'missed', 'missed', 'missed', 'missed', 'missed']);
    expect(reminders(sink)).toHaveLength(6);
  });

  it('never sends a mail twice', () => {
    const ids = sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses illegal transitions with 409', async () => {
    const tester = testers.find((x) => x.person.id === declined!.testerId)!;
    const again = await t
      .http()
      .post(`/api/v1/assignments/${declined!.id}/decline`)
      .set(auth(tester.key))
      .send({ reason: 'again' })
      .expect(409);
    expect(again.body.message).toMatch(/declined; it cannot become declined/);
    const missed = (
      await t.dataSource.query(`SELECT id FROM assignment WHERE campaign_id = $1 AND status = 'missed' LIMIT 1`, [
        campaignId,
      ])
    )[0].id;
    await t.http().post(`/api/v1/assignments/${missed}/cancel`).set(auth(org.adminKey)).expect(409);
  });
});

describe('two instances on one database', () => {
  it('reveal every assignment once and send every mail once while ticking together for a day', async () => {
    const sink = await startSmtpSink();
    const a = await createTestApp({ env: { SMTP_URL: sink.url }, clock: new ManualClock('2027-02-28T12:00:00Z') });
    const b = await createTestApp({
      env: { SMTP_URL: sink.url },
      clock: new ManualClock('2027-02-28T12:00:00Z'),
      databaseUrl: a.databaseUrl,
    });
    try {
      const { campaignId } = await smallCampaign(a);
      const [ja, jb] = [a.app.get(JobsService), b.app.get(JobsService)];
      for (let step = 0; step < 4 * 24 * 4; step++) {
        a.clock.advance(15 * 60_000);
        b.clock.advance(15 * 60_000);
        await Promise.all([ja.run('reveal'), jb.run('reveal')]);
        await Promise.all([ja.run('remindExpire'), jb.run('remindExpire')]);
        await Promise.all([ja.run('outbox'), jb.run('outbox')]);
      }
      const revealed = await a.dataSource.query(
        `SELECT id FROM assignment WHERE campaign_id = $1 AND revealed_at IS NOT NULL`,
        [campaignId],
      );
      expect(revealed.length).toBeGreaterThan(0);
      const uids = reveals(sink).map(uidOf);
      expect(uids.sort()).toEqual(revealed.map((r: { id: string }) => r.id).sort());
      const ids = sink.messages.map((m) => m.messageId);
      expect(new Set(ids).size).toBe(ids.length);
      const [{ n }] = await a.dataSource.query(`SELECT count(*)::int AS n FROM outbox_message WHERE status = 'sent'`);
      expect(n).toBe(sink.messages.length);
    } finally {
      await b.close();
      await a.close();
      await sink.close();
    }
  });
});

describe('secrecy once revealed', () => {
  it('shows a tester their revealed assignment with where and what, and the owner only once completed', async () => {
    const t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
    try {
      const { org, testers, campaignId } = await smallCampaign(t);
      const jobs = t.app.get(JobsService);
      let seen: { id: string; key: string } | undefined;
      for (let step = 0; step < 3 * 24 * 4 && !seen; step++) {
        t.clock.advance(15 * 60_000);
        await jobs.run('reveal');
        for (const tester of testers) {
          const res = await t.http().get('/api/v1/assignments').set(auth(tester.key)).expect(200);
          for (const item of res.body.items) {
            expect(item.status).not.toBe('planned');
            expect(Date.parse(item.revealAt)).toBeLessThanOrEqual(t.clock.now().getTime());
            expect(item.touchpoint.contact).toBe('+44 20 7946 0000');
            expect(item.testerId).toBe(tester.person.id);
            seen = { id: item.id, key: tester.key };
          }
        }
      }
      expect(seen).toBeDefined();
      await t.http().get(`/api/v1/assignments/${seen!.id}`).set(auth(seen!.key)).expect(200);
      // Another tester cannot see it.
      const other = testers.find((x) => x.key !== seen!.key)!;
      await t.http().get(`/api/v1/assignments/${seen!.id}`).set(auth(other.key)).expect(404);
      await t
        .http()
        .post(`/api/v1/assignments/${seen!.id}/decline`)
        .set(auth(other.key))
        .send({ reason: 'x' })
        .expect(404);
      void org;
      void campaignId;
    } finally {
      await t.close();
    }
  });
});

describe('calendar holds', () => {
  it("block the tester's time before the reveal and say nothing of where or what", async () => {
    const sink = await startSmtpSink();
    const t = await createTestApp({ env: { SMTP_URL: sink.url }, clock: new ManualClock('2027-02-26T12:00:00Z') });
    try {
      const { campaignId } = await smallCampaign(t, { holdLeadMinutes: 2 * 24 * 60 });
      const jobs = t.app.get(JobsService);
      const [first] = await t.dataSource.query(
        `SELECT id, hold_at, reveal_at FROM assignment WHERE campaign_id = $1 ORDER BY hold_at LIMIT 1`,
        [campaignId],
      );
      t.clock.set(first.hold_at);
      await jobs.run('reveal');
      await jobs.run('outbox');
      await sink.waitFor(1);
      const hold = sink.messages.find((m) => uidOf(m) === first.id)!;
      expect(hold.subject).toBe('Please hold this time for a test contact');
      const ics = hold.attachments.find((a) => a.contentType.startsWith('text/calendar'))!.content.toString();
      expect(ics).toMatch(/SUMMARY:Groundtruth: time held/);
      expect(ics).not.toMatch(/LOCATION|DESCRIPTION/);
      expect(`${hold.text}${hold.html}${ics}`).not.toMatch(/7946|General line|Port my number/);
      const [row] = await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [first.id]);
      expect(row.status).toBe('planned');
    } finally {
      await t.close();
      await sink.close();
    }
  });
});

describe('a bad row in a job', () => {
  it('is handed back and logged, and never stops the others', async () => {
    const t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
    try {
      const { campaignId } = await smallCampaign(t);
      const rows = await t.dataSource.query(
        `SELECT id, tester_id, reveal_at FROM assignment WHERE campaign_id = $1 ORDER BY reveal_at`,
        [campaignId],
      );
      // An address the outbox refuses (header injection), written behind the API's back.
      await t.dataSource.query(
        `UPDATE person SET email = 'x@example.org' || chr(13) || chr(10) || 'bcc: y@example.org' WHERE id = $1`,
        [rows[0].tester_id],
      );
      // Everything due at the bad row's reveal time: the bad row, and perhaps others.
      t.clock.set(rows[0].reveal_at);
      const due = await t.dataSource.query(
        `SELECT id, tester_id FROM assignment WHERE campaign_id = $1 AND reveal_at <= $2`,
        [campaignId, rows[0].reveal_at],
      );
      const revealed = await t.app.get(JobsService).run('reveal');
      const [bad] = await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [rows[0].id]);
      expect(bad.status).toBe('planned');
      const others = due.filter((d: { tester_id: string }) => d.tester_id !== rows[0].tester_id);
      for (const o of others)
        expect((await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [o.id]))[0].status).toBe(
          'revealed',
        );
      expect((revealed as { revealed: number }).revealed).toBe(others.length);
      expect(t.logs.some((l) => l.includes('job item failed'))).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe('review findings kept fixed', () => {
  it("never reveals a test to a tester who has since become the touchpoint's owner, nor one whose window has begun", async () => {
    const t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
    try {
      const { org, campaignId } = await smallCampaign(t);
      const rows = await t.dataSource.query(
        `SELECT id, tester_id, touchpoint_id, reveal_at, window_start FROM assignment WHERE campaign_id = $1 ORDER BY reveal_at`,
        [campaignId],
      );
      const [first, second] = rows;
      await t
        .http()
        .patch(`/api/v1/touchpoints/${first.touchpoint_id}`)
        .set(auth(org.adminKey))
        .send({ ownerId: first.tester_id })
        .expect(200);
      // Withdrawn at once, not at the reveal; the slot goes to someone else or is recorded unfilled.
      const [after] = await t.dataSource.query('SELECT status, cancel_reason FROM assignment WHERE id = $1', [
        first.id,
      ]);
      expect(after).toEqual({ status: 'cancelled', cancel_reason: 'tester_became_owner' });
      const [replacement] = await t.dataSource.query(
        'SELECT tester_id, window_start FROM assignment WHERE replaces_id = $1',
        [first.id],
      );
      const [slot] = await t.dataSource.query(`SELECT reason FROM unfilled_slot WHERE campaign_id = $1`, [campaignId]);
      if (replacement)
        expect(replacement).toEqual({
          tester_id: expect.not.stringMatching(first.tester_id),
          window_start: first.window_start,
        });
      else expect(slot.reason).toBe('tester_became_owner');
      t.clock.set(first.reveal_at);
      await t.app.get(JobsService).run('reveal');
      expect(
        (
          await t.dataSource.query(`SELECT count(*)::int AS n FROM access_token WHERE assignment_id = $1`, [first.id])
        )[0].n,
      ).toBe(0);

      // Down from before the second reveal until after its window began: it is not sent late.
      t.clock.set(new Date(second.window_start.getTime() + 60_000));
      await t.app.get(JobsService).run('reveal');
      const [late] = await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [second.id]);
      expect(late.status).toBe('cancelled');
    } finally {
      await t.close();
    }
  });

  it('never tells an owner who tested them, not even through a filter and a count', async () => {
    const t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
    try {
      const { org, testers, campaignId } = await smallCampaign(t);
      const owner = await personWithKey(t, org.adminKey, ['owner']);
      const [a] = await t.dataSource.query(
        `SELECT id, tester_id, touchpoint_id, reveal_at, window_start FROM assignment WHERE campaign_id = $1 ORDER BY reveal_at LIMIT 1`,
        [campaignId],
      );
      await t
        .http()
        .patch(`/api/v1/touchpoints/${a.touchpoint_id}`)
        .set(auth(org.adminKey))
        .send({ ownerId: owner.person.id })
        .expect(200);
      t.clock.set(a.reveal_at);
      await t.app.get(JobsService).run('reveal');
      t.clock.set(new Date(a.window_start.getTime() + 20 * 60_000));
      const key = testers.find((x) => x.person.id === a.tester_id)!.key;
      await t
        .http()
        .put(`/api/v1/assignments/${a.id}/outcome`)
        .set(auth(key))
        .send({
          attemptedAt: new Date(a.window_start.getTime() + 5 * 60_000).toISOString(),
          reachedHuman: false,
          resolution: 'unresolved',
          optionsExplained: false,
          answers: { offered_alternative: false },
        })
        .expect(200);
      // An owner sees a completed test a week after it began (src/common/owner-view.ts).
      t.clock.set(new Date(a.window_start.getTime() + 7 * 86_400_000));
      const seen = await t.http().get('/api/v1/assignments').set(auth(owner.key)).expect(200);
      expect(seen.body.total).toBe(1);
      expect(seen.body.items[0].testerId).toBeNull();
      for (const tester of testers) {
        const probe = await t
          .http()
          .get(`/api/v1/assignments?testerId=${tester.person.id}`)
          .set(auth(owner.key))
          .expect(200);
        expect(probe.body.total).toBe(0);
      }
    } finally {
      await t.close();
    }
  });

  it('refuses plan periods outside the campaign, longer than a year, or in impossible years', async () => {
    const t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
    try {
      const { org, campaignId } = await smallCampaign(t, { endsOn: '2027-03-28' });
      const plan = (from: string, to: string) =>
        t.http().post(`/api/v1/campaigns/${campaignId}/plan`).set(auth(org.adminKey)).send({ from, to });
      expect((await plan('2027-06-01', '2027-06-30').expect(400)).body.errors[0]).toMatchObject({
        field: 'to',
        rule: 'withinCampaign',
      });
      expect((await plan('0000-01-03', '2027-03-10').expect(400)).body.errors[0]).toMatchObject({
        field: 'from',
        rule: 'isDate',
      });
      // Clamped to the campaign: a long period plans only the campaign's own weeks.
      const clamped = await plan('2027-01-01', '2030-12-31').expect(200);
      expect(clamped.body.weeksPlanned).toEqual(['2027-03-08', '2027-03-15', '2027-03-22']);
      await t.http().get('/api/v1/assignments?from=0000-01-01').set(auth(org.adminKey)).expect(400);
    } finally {
      await t.close();
    }
  });
});
