import pg from 'pg';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { auth, personBody, personWithKey, created } from './support/factories.js';
import {
  SMALL_CAMPAIGN_START as START,
  assignmentRow as one,
  assignmentsOf as all,
  revealFirst,
  unansweredForm as form,
  unansweredOutcome as outcome,
  withApp,
} from './support/lifecycle-steps.js';
import { smallCampaign } from './support/small-campaign.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Who may act on a test is checked again at every step (hold, reveal, reminder, recording through
 * the link or the API, declining) and at every edit that can change it (a person's roles, a
 * touchpoint's owner, a campaign's testers, touchpoints and dates). A test its tester may no longer
 * make is withdrawn (cancelled with the reason, on record), its tester told if they knew of it, and
 * its slot offered to another tester when it still belongs to the campaign.
 */

/** The dedupe keys (`reveal:<id>`, `withdrawn:<id>`…) of the mail written to one address, in order of key. */
const mailTo = async (t: TestApp, email: string): Promise<string[]> =>
  (
    await t.dataSource.query('SELECT dedupe_key FROM outbox_message WHERE recipient = $1 ORDER BY dedupe_key', [
      email.toLowerCase(),
    ])
  ).map((m: { dedupe_key: string }) => m.dedupe_key);
const emailOf = async (t: TestApp, personId: string): Promise<string> =>
  (await t.dataSource.query('SELECT email FROM person WHERE id = $1', [personId]))[0].email;

describe('a tester made an owner by PATCH /people/:id', () => {
  it('is not mailed a test again, loses the revealed one with a mail saying why, and cannot record it through the link', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, zone, link } = await revealFirst(t, world);
      const planned = (await all(t, world.campaignId)).filter(
        (a) => a.tester_id === first.tester_id && a.status === 'planned',
      );
      await t
        .http()
        .patch(`/api/v1/people/${first.tester_id}`)
        .set(auth(world.org.adminKey))
        .send({ roles: ['owner'] })
        .expect(200);

      // At once: the revealed test and every planned one of theirs withdrawn, on record.
      expect(await one(t, first.id)).toMatchObject({
        status: 'cancelled',
        cancel_reason: 'tester_lost_role',
        cancel_cause: 'person_edit',
        cancelled_by: world.org.adminId,
      });
      for (const p of planned) {
        expect(await one(t, p.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'tester_lost_role' });
        // Re-planned to someone else with the same reveal time (the reveal lead holds), or recorded unfilled.
        const [replacement] = await t.dataSource.query(
          'SELECT tester_id, reveal_at, window_start FROM assignment WHERE replaces_id = $1',
          [p.id],
        );
        if (replacement)
          expect(replacement).toEqual({
            tester_id: expect.not.stringMatching(first.tester_id),
            reveal_at: p.reveal_at,
            window_start: p.window_start,
          });
        else
          expect(
            (
              await t.dataSource.query('SELECT count(*)::int AS n FROM unfilled_slot WHERE campaign_id = $1', [
                world.campaignId,
              ])
            )[0].n,
          ).toBeGreaterThan(0);
      }
      const email = await emailOf(t, first.tester_id);
      expect(await mailTo(t, email)).toEqual([`reveal:${first.id}`, `withdrawn:${first.id}`]);

      // The link says so, and records nothing.
      t.clock.set(new Date(first.window_start.getTime() + 20 * 60_000));
      const page = await t.http().get(`/t/${link}`).expect(200);
      expect(page.text).toContain('Test withdrawn');
      expect(page.text).toContain('you no longer hold the tester role');
      const post = await t.http().post(`/t/${link}`).type('form').send(form(first, zone)).expect(409);
      expect(post.text).toContain('Test withdrawn');
      expect(
        (await t.dataSource.query('SELECT count(*)::int AS n FROM outcome WHERE assignment_id = $1', [first.id]))[0].n,
      ).toBe(0);

      // The week goes on: nothing more is mailed to them.
      const jobs = t.app.get(JobsService);
      for (let step = 0; step < 6 * 24 * 4; step++) {
        t.clock.advance(15 * 60_000);
        await jobs.run('reveal');
        await jobs.run('remindExpire');
      }
      expect(await mailTo(t, email)).toEqual([`reveal:${first.id}`, `withdrawn:${first.id}`]);
    }));
});

describe("a withdrawn test's slot", () => {
  it("is recorded unfilled, with the reason, when the window is nearer than the campaign's reveal lead", () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first } = await revealFirst(t, world);
      t.clock.advance(10 * 60_000); // the new tester would get 110 minutes' notice, not the 120 the campaign promises
      await t
        .http()
        .patch(`/api/v1/people/${first.tester_id}`)
        .set(auth(world.org.adminKey))
        .send({ roles: ['owner'] })
        .expect(200);
      expect(await t.dataSource.query('SELECT id FROM assignment WHERE replaces_id = $1', [first.id])).toEqual([]);
      const [row] = await t.dataSource.query('SELECT week_start, slot FROM assignment WHERE id = $1', [first.id]);
      const unfilled = await t.dataSource.query(
        'SELECT reason FROM unfilled_slot WHERE touchpoint_id = $1 AND week_start = $2 AND slot = $3',
        [first.touchpoint_id, row.week_start, row.slot],
      );
      expect(unfilled).toEqual([{ reason: 'tester_lost_role' }]);
    }));
});

describe("a tester made the touchpoint's owner after the reveal", () => {
  it('cannot record the test through the API (409 naming why), and the known window is not handed to anyone', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, tester } = await revealFirst(t, world);
      await t
        .http()
        .patch(`/api/v1/touchpoints/${first.touchpoint_id}`)
        .set(auth(world.org.adminKey))
        .send({ ownerId: first.tester_id })
        .expect(200);
      expect(await one(t, first.id)).toMatchObject({
        status: 'cancelled',
        cancel_reason: 'tester_became_owner',
        cancel_cause: 'touchpoint_edit',
      });
      // The new owner knows this window: no one else is given it.
      expect(await t.dataSource.query('SELECT id FROM assignment WHERE replaces_id = $1', [first.id])).toEqual([]);
      const slotOf = await t.dataSource.query(
        'SELECT reason FROM unfilled_slot WHERE touchpoint_id = $1 AND week_start = $2 AND slot = $3',
        [first.touchpoint_id, (await one(t, first.id)).week_start, (await one(t, first.id)).slot],
      );
      expect(slotOf).toEqual([{ reason: 'tester_became_owner' }]);

      t.clock.set(new Date(first.window_start.getTime() + 20 * 60_000));
      const res = await t
        .http()
        .put(`/api/v1/assignments/${first.id}/outcome`)
        .set(auth(tester.key))
        .send(outcome(first))
        .expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, reason: 'tester_became_owner' });
      expect(res.body.message).toMatch(/withdrawn: you are now the owner of this touchpoint/);
      expect(
        (await t.dataSource.query('SELECT count(*)::int AS n FROM outcome WHERE assignment_id = $1', [first.id]))[0].n,
      ).toBe(0);
    }));
});

describe('every step checks again, even after a change made behind the API', () => {
  it('reveal: the test is withdrawn instead of mailed, and its slot goes to another tester', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const [first] = await all(t, world.campaignId);
      await t.dataSource.query(`UPDATE person SET roles = '{owner}' WHERE id = $1`, [first.tester_id]);
      t.clock.set(first.reveal_at);
      await t.app.get(JobsService).run('reveal');
      expect(await one(t, first.id)).toMatchObject({
        status: 'cancelled',
        cancel_reason: 'tester_lost_role',
        cancel_cause: 'reveal_job',
        cancelled_by: null,
      });
      expect(await mailTo(t, await emailOf(t, first.tester_id))).toEqual([]);
      const [replacement] = await t.dataSource.query('SELECT id, tester_id FROM assignment WHERE replaces_id = $1', [
        first.id,
      ]);
      if (!replacement) {
        // Nobody else could take it (the plan's seed is random): recorded unfilled instead.
        expect(
          (
            await t.dataSource.query('SELECT count(*)::int AS n FROM unfilled_slot WHERE campaign_id = $1', [
              world.campaignId,
            ])
          )[0].n,
        ).toBe(1);
        return;
      }
      expect(replacement.tester_id).not.toBe(first.tester_id);
      t.clock.advance(60_000);
      await t.app.get(JobsService).run('reveal');
      expect((await one(t, replacement.id)).status).toBe('revealed');
    }));

  it('hold: no hold goes out, and nothing is said', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t, { holdLeadMinutes: 2 * 24 * 60 });
      const [first] = await t.dataSource.query(
        'SELECT * FROM assignment WHERE campaign_id = $1 ORDER BY hold_at LIMIT 1',
        [world.campaignId],
      );
      await t.dataSource.query(`UPDATE campaign SET tester_ids = array_remove(tester_ids, $1) WHERE id = $2`, [
        first.tester_id,
        world.campaignId,
      ]);
      t.clock.set(first.hold_at);
      await t.app.get(JobsService).run('reveal');
      expect(await one(t, first.id)).toMatchObject({
        status: 'cancelled',
        cancel_reason: 'tester_left_campaign',
        hold_sent_at: null,
      });
      expect(await mailTo(t, await emailOf(t, first.tester_id))).toEqual([]);
    }, '2027-02-26T12:00:00Z'));

  it('reminder: the reminder is not sent; the test is withdrawn and its tester told why', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first } = await revealFirst(t, world);
      await t.dataSource.query(`UPDATE person SET roles = '{owner}' WHERE id = $1`, [first.tester_id]);
      t.clock.set(new Date(first.window_end.getTime() - 20 * 60_000));
      await t.app.get(JobsService).run('remindExpire');
      expect(await one(t, first.id)).toMatchObject({ status: 'cancelled', cancel_cause: 'remind_job' });
      expect(await mailTo(t, await emailOf(t, first.tester_id))).toEqual([
        `reveal:${first.id}`,
        `withdrawn:${first.id}`,
      ]);
    }));

  it('recording through the link: 409, the form says the test was withdrawn, nothing is recorded', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, zone, link } = await revealFirst(t, world);
      await t.dataSource.query(`UPDATE person SET roles = '{owner}' WHERE id = $1`, [first.tester_id]);
      t.clock.set(new Date(first.window_start.getTime() + 20 * 60_000));
      // Opening the link changes nothing (mail scanners open links), but already says so.
      expect((await t.http().get(`/t/${link}`).expect(200)).text).toContain('Test withdrawn');
      expect((await one(t, first.id)).status).toBe('revealed');
      const res = await t.http().post(`/t/${link}`).type('form').send(form(first, zone)).expect(409);
      expect(res.text).toContain('Test withdrawn');
      expect(res.text).toContain('you no longer hold the tester role');
      expect(await one(t, first.id)).toMatchObject({
        status: 'cancelled',
        cancel_reason: 'tester_lost_role',
        cancel_cause: 'outcome_link',
      });
      expect(
        (await t.dataSource.query('SELECT count(*)::int AS n FROM outcome WHERE assignment_id = $1', [first.id]))[0].n,
      ).toBe(0);
    }));

  it('recording through the API: 409 naming why, and the test is withdrawn', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, tester } = await revealFirst(t, world);
      await t.dataSource.query('UPDATE touchpoint SET owner_id = $1 WHERE id = $2', [
        first.tester_id,
        first.touchpoint_id,
      ]);
      t.clock.set(new Date(first.window_start.getTime() + 20 * 60_000));
      const res = await t
        .http()
        .put(`/api/v1/assignments/${first.id}/outcome`)
        .set(auth(tester.key))
        .send(outcome(first))
        .expect(409);
      expect(res.body.reason).toBe('tester_became_owner');
      expect(await one(t, first.id)).toMatchObject({
        status: 'cancelled',
        cancel_cause: 'outcome_api',
        cancelled_by: first.tester_id,
      });
    }));

  it('editing a recorded outcome: refused once the tester owns the touchpoint', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, tester } = await revealFirst(t, world);
      t.clock.set(new Date(first.window_start.getTime() + 20 * 60_000));
      await t
        .http()
        .put(`/api/v1/assignments/${first.id}/outcome`)
        .set(auth(tester.key))
        .send(outcome(first))
        .expect(200);
      await t.dataSource.query('UPDATE touchpoint SET owner_id = $1 WHERE id = $2', [
        first.tester_id,
        first.touchpoint_id,
      ]);
      const res = await t
        .http()
        .put(`/api/v1/assignments/${first.id}/outcome`)
        .set(auth(tester.key))
        .send({ ...outcome(first), notes: 'all fine really' })
        .expect(409);
      expect(res.body).toMatchObject({
        reason: 'tester_became_owner',
        message: expect.stringMatching(/can no longer be changed/),
      });
      expect((await one(t, first.id)).status).toBe('completed');
    }));
});

describe('declining', () => {
  it('is refused (409) once the window has begun, on the API and the form, even while the grace period runs', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t, { graceMinutes: 720 });
      const { first, tester, link } = await revealFirst(t, world);
      for (const at of [
        new Date(first.window_start.getTime() + 60_000),
        new Date(first.window_end.getTime() + 3 * 3_600_000),
      ]) {
        t.clock.set(at);
        const api = await t
          .http()
          .post(`/api/v1/assignments/${first.id}/decline`)
          .set(auth(tester.key))
          .send({ reason: 'Could not make it' })
          .expect(409);
        expect(api.body.message).toMatch(/cannot be declined once its window has started/);
        const page = await t
          .http()
          .post(`/t/${link}/decline`)
          .type('form')
          .send({ reason: 'Could not make it' })
          .expect(409);
        expect(page.text).toContain('cannot be declined once its window has started');
        // The form no longer offers it.
        expect((await t.http().get(`/t/${link}`).expect(200)).text).not.toContain('Decline this test');
      }
      expect((await one(t, first.id)).status).toBe('revealed');
      // After grace: missed, not declined.
      t.clock.set(new Date(first.window_end.getTime() + 721 * 60_000));
      await t.app.get(JobsService).run('remindExpire');
      expect((await one(t, first.id)).status).toBe('missed');
    }));

  it('is accepted before the window begins', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, tester, link } = await revealFirst(t, world);
      expect((await t.http().get(`/t/${link}`).expect(200)).text).toContain('Decline this test');
      await t
        .http()
        .post(`/api/v1/assignments/${first.id}/decline`)
        .set(auth(tester.key))
        .send({ reason: 'Flight delayed' })
        .expect(200);
    }));

  it('by a tester who may no longer act on the test answers that it was withdrawn', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, tester } = await revealFirst(t, world);
      await t.dataSource.query(`UPDATE campaign SET tester_ids = array_remove(tester_ids, $1) WHERE id = $2`, [
        first.tester_id,
        world.campaignId,
      ]);
      const res = await t
        .http()
        .post(`/api/v1/assignments/${first.id}/decline`)
        .set(auth(tester.key))
        .send({ reason: 'x' })
        .expect(409);
      expect(res.body).toMatchObject({
        reason: 'tester_left_campaign',
        message: "This test was withdrawn: you are no longer in this campaign's pool of testers",
      });
      expect(await one(t, first.id)).toMatchObject({ status: 'cancelled', cancel_cause: 'decline_api' });
    }));
});

describe('campaign edits', () => {
  it('taking a tester out withdraws their planned and revealed tests at once, and re-plans the slots', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first } = await revealFirst(t, world);
      const before = await all(t, world.campaignId);
      const theirs = before.filter((a) => a.tester_id === first.tester_id);
      const pool = world.testers.map((x) => x.person.id).filter((id) => id !== first.tester_id);
      const quality = await personWithKey(t, world.org.adminKey, ['quality']);
      await t
        .http()
        .patch(`/api/v1/campaigns/${world.campaignId}`)
        .set(auth(quality.key))
        .send({ testerIds: pool })
        .expect(200);
      for (const a of theirs) {
        expect(await one(t, a.id)).toMatchObject({
          status: 'cancelled',
          cancel_reason: 'tester_left_campaign',
          cancel_cause: 'campaign_edit',
          cancelled_by: quality.person.id,
        });
      }
      const live = (await all(t, world.campaignId)).filter((a) => a.status === 'planned' || a.status === 'revealed');
      expect(live.some((a) => a.tester_id === first.tester_id)).toBe(false);
      // Every slot is still filled (the pool has room), each by someone still in the pool.
      const unfilled = (
        await t.dataSource.query('SELECT count(*)::int AS n FROM unfilled_slot WHERE campaign_id = $1', [
          world.campaignId,
        ])
      )[0].n;
      expect(live.length + unfilled).toBe(6);
      for (const a of live) expect(pool).toContain(a.tester_id);
      expect(await mailTo(t, await emailOf(t, first.tester_id))).toContain(`withdrawn:${first.id}`);
      // Admin and quality read why, and who; the tester reads why.
      const staff = (await t.http().get(`/api/v1/assignments/${first.id}`).set(auth(world.org.adminKey)).expect(200))
        .body;
      expect(staff.cancellation).toMatchObject({
        reason: 'tester_left_campaign',
        cause: 'campaign_edit',
        by: quality.person.id,
        explanation: expect.any(String),
      });
      const own = world.testers.find((x) => x.person.id === first.tester_id)!;
      const theirView = (await t.http().get(`/api/v1/assignments/${first.id}`).set(auth(own.key)).expect(200)).body;
      expect(theirView.cancellation).toMatchObject({ reason: 'tester_left_campaign', cause: null, by: null });
    }));

  it('taking a touchpoint out withdraws its tests; the slots go with it', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const rows = await all(t, world.campaignId);
      const [gone, kept] = [...new Set(rows.map((a) => a.touchpoint_id))];
      await t
        .http()
        .patch(`/api/v1/campaigns/${world.campaignId}`)
        .set(auth(world.org.adminKey))
        .send({ touchpointIds: [kept] })
        .expect(200);
      for (const a of rows) {
        expect((await one(t, a.id)).status).toBe(a.touchpoint_id === gone ? 'cancelled' : 'planned');
        if (a.touchpoint_id === gone) expect((await one(t, a.id)).cancel_reason).toBe('touchpoint_left_campaign');
      }
      expect(await t.dataSource.query('SELECT id FROM assignment WHERE replaces_id IS NOT NULL')).toEqual([]);
      expect(
        await t.dataSource.query('SELECT id FROM unfilled_slot WHERE campaign_id = $1', [world.campaignId]),
      ).toEqual([]);
    }));

  it('moving the end earlier withdraws the tests after it and forgets the weeks after it', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const plan = (body: object) =>
        t.http().post(`/api/v1/campaigns/${world.campaignId}/plan`).set(auth(world.org.adminKey)).send(body);
      expect((await plan({ from: '2027-03-08', to: '2027-03-14' }).expect(200)).body.planned).toBe(6);
      await t
        .http()
        .patch(`/api/v1/campaigns/${world.campaignId}`)
        .set(auth(world.org.adminKey))
        .send({ endsOn: '2027-03-03' })
        .expect(200);
      const rows = await t.dataSource.query(
        `SELECT a.status, a.cancel_reason, (a.window_start AT TIME ZONE t.timezone)::date::text AS day
           FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id WHERE a.campaign_id = $1`,
        [world.campaignId],
      );
      for (const r of rows) {
        expect(r.status).toBe(r.day > '2027-03-03' ? 'cancelled' : 'planned');
        if (r.day > '2027-03-03') expect(r.cancel_reason).toBe('campaign_shortened');
      }
      expect(rows.some((r: { day: string }) => r.day > '2027-03-03')).toBe(true);
      // Running again to a later end plans the forgotten week afresh.
      await t
        .http()
        .patch(`/api/v1/campaigns/${world.campaignId}`)
        .set(auth(world.org.adminKey))
        .send({ endsOn: null })
        .expect(200);
      const again = await plan({ from: '2027-03-08', to: '2027-03-14' }).expect(200);
      expect(again.body).toMatchObject({ planned: 6, weeksPlanned: ['2027-03-08'] });
    }));
});

describe('a re-plan of a planned week', () => {
  it('withdraws its unrevealed tests and plans it again around what was revealed; without the flag nothing changes', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first } = await revealFirst(t, world);
      const plan = (body: object) =>
        t.http().post(`/api/v1/campaigns/${world.campaignId}/plan`).set(auth(world.org.adminKey)).send(body);
      const week = { from: '2027-03-01', to: '2027-03-07' };
      expect((await plan(week).expect(200)).body).toMatchObject({ planned: 0, weeksAlreadyPlanned: ['2027-03-01'] });
      const before = await all(t, world.campaignId);
      const res = await plan({ ...week, replan: true }).expect(200);
      expect(res.body.withdrawn).toBe(5);
      expect(res.body.weeksPlanned).toEqual(['2027-03-01']);
      for (const a of before.filter((x) => x.id !== first.id))
        expect(await one(t, a.id)).toMatchObject({
          status: 'cancelled',
          cancel_reason: 'replanned',
          cancel_cause: 'replan',
        });
      expect((await one(t, first.id)).status).toBe('revealed');
      const live = (await all(t, world.campaignId)).filter((a) => a.status === 'planned' || a.status === 'revealed');
      expect(live.length + res.body.unfilled.length).toBe(6);
      expect(res.body.planned).toBe(live.length - 1);
      // New windows are still ahead, far enough for their reveal lead.
      for (const a of live.filter((x) => x.id !== first.id))
        expect(a.reveal_at.getTime()).toBeGreaterThanOrEqual(t.clock.now().getTime());
      const slots = await t.dataSource.query(
        `SELECT touchpoint_id, slot FROM assignment WHERE campaign_id = $1 AND status IN ('planned', 'revealed')`,
        [world.campaignId],
      );
      expect(
        new Set(slots.map((s: { touchpoint_id: string; slot: number }) => `${s.touchpoint_id}:${s.slot}`)).size,
      ).toBe(slots.length);
    }));
});

describe('a cancel by quality', () => {
  it('is on record with who and why, and the tester who knew of it is mailed a cancelled calendar event', async () => {
    const sink = await startSmtpSink();
    const t = await createTestApp({ env: { SMTP_URL: sink.url }, clock: new ManualClock(START) });
    try {
      const world = await smallCampaign(t);
      const { first } = await revealFirst(t, world);
      const quality = await personWithKey(t, world.org.adminKey, ['quality']);
      const res = await t.http().post(`/api/v1/assignments/${first.id}/cancel`).set(auth(quality.key)).expect(200);
      expect(res.body).toMatchObject({
        status: 'cancelled',
        cancellation: { reason: 'cancelled_by_staff', cause: 'cancel_route', by: quality.person.id },
      });
      await t.app.get(JobsService).run('outbox');
      const mail = await sink.waitFor(2).then(() => sink.messages.find((m) => m.subject?.startsWith('Withdrawn:'))!);
      expect(mail.text).toContain('the quality team cancelled it');
      const ics = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'))!.content.toString();
      expect(ics).toMatch(/METHOD:CANCEL/);
      expect(ics).toMatch(/STATUS:CANCELLED/);
      expect(ics).toContain(`UID:${first.id}@groundtruth`);
    } finally {
      await t.close();
      await sink.close();
    }
  });
});

describe('a plan racing DELETE /people/:id', () => {
  /** A campaign whose only tester is a fresh person (so the plan books them), and a database connection of the test's own. */
  async function race(t: TestApp) {
    const world = await smallCampaign(t);
    const [tp] = await t.dataSource.query('SELECT touchpoint_id FROM assignment WHERE campaign_id = $1 LIMIT 1', [
      world.campaignId,
    ]);
    const fullWeek = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '00:00', end: '24:00' }));
    const solo = await created(t, world.org.adminKey, '/api/v1/people', personBody({ workingHours: fullWeek }));
    const campaign = await created(t, world.org.adminKey, '/api/v1/campaigns', {
      name: 'Solo',
      touchpointIds: [tp.touchpoint_id],
      testerIds: [solo.id],
      contactsPerTouchpointPerWeek: 1,
      startsOn: '2027-03-08',
    });
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    /**
     * Resolves once some other session of this database waits for a lock of this kind (ordering, not
     * timing); fails if `blocked`, the request meant to wait, finishes first.
     */
    const waiting = async (event: string, blocked: Promise<unknown>) => {
      let settled = false;
      void blocked.finally(() => (settled = true));
      for (;;) {
        if (settled) throw new Error(`the request finished without waiting for a ${event} lock`);
        const { rows } = await client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = $1`,
          [event],
        );
        if (rows[0].n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const plan = () =>
      t
        .http()
        .post(`/api/v1/campaigns/${campaign.id}/plan`)
        .set(auth(world.org.adminKey))
        .send({ from: '2027-03-08', to: '2027-03-14' })
        .then((r) => r);
    const remove = () =>
      t
        .http()
        .delete(`/api/v1/people/${solo.id}`)
        .set(auth(world.org.adminKey))
        .then((r) => r);
    return { client, waiting, plan, remove, solo, campaign };
  }

  it('planning first: the plan books the tester, and the delete then answers why it cannot remove them', () =>
    withApp(async (t) => {
      const { client, waiting, plan, remove, solo } = await race(t);
      try {
        await client.query('BEGIN');
        // Holds the plan at its first insert, after it has read its testers.
        await client.query('LOCK TABLE assignment IN SHARE ROW EXCLUSIVE MODE');
        const planned = plan();
        await waiting('relation', planned);
        const removed = remove();
        await waiting('advisory', removed);
        await client.query('COMMIT');
        expect((await planned).status).toBe(200);
        expect((await planned).body.planned).toBe(1);
        const del = await removed;
        expect(del.status).toBe(409);
        expect(del.body.message).toMatch(/has 1 test assignment\(s\) on record; remove the tester role instead/);
        expect(
          (await t.dataSource.query('SELECT count(*)::int AS n FROM assignment WHERE tester_id = $1', [solo.id]))[0].n,
        ).toBe(1);
      } finally {
        await client.end();
      }
    }));

  it('deleting first: the delete goes through, and the plan then plans without that tester', () =>
    withApp(async (t) => {
      const { client, waiting, plan, remove, solo } = await race(t);
      try {
        await client.query('BEGIN');
        // Holds the delete after it took the planning lock, at the person's row.
        await client.query('SELECT id FROM person WHERE id = $1 FOR UPDATE', [solo.id]);
        const removed = remove();
        await waiting('transactionid', removed);
        const planned = plan();
        await waiting('advisory', planned);
        await client.query('COMMIT');
        expect((await removed).status).toBe(204);
        const res = await planned;
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          planned: 0,
          unfilled: [expect.objectContaining({ reason: 'no_tester_available' })],
        });
      } finally {
        await client.end();
      }
    }));

  it('a tester deleted behind the API while planning: the plan starts again with fresh inputs instead of a misleading 409', () =>
    withApp(async (t) => {
      const { client, waiting, plan, solo } = await race(t);
      try {
        await client.query('BEGIN');
        await client.query('LOCK TABLE assignment IN SHARE ROW EXCLUSIVE MODE');
        const planned = plan();
        await waiting('relation', planned);
        // Deleted while the plan holds it as a tester: its insert then refers to a person who is gone.
        await client.query('DELETE FROM person WHERE id = $1', [solo.id]);
        await client.query('COMMIT');
        const res = await planned;
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          planned: 0,
          unfilled: [expect.objectContaining({ reason: 'no_tester_available' })],
        });
      } finally {
        await client.end();
      }
    }));
});
