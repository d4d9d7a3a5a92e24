import { randomUUID } from 'node:crypto';

import { JobsService } from '../src/jobs/jobs.service.js';
import { auth } from './support/factories.js';
import {
  type AssignmentRow as Row,
  assignmentRow as one,
  assignmentsOf as all,
  revealFirst,
  unansweredForm as form,
  unansweredOutcome as outcome,
  withApp,
} from './support/lifecycle-steps.js';
import { smallCampaign } from './support/small-campaign.js';
import type { TestApp } from './support/test-app.js';

/**
 * A tester (or an admin in a hurry) gaming the lifecycle at its edges: equal timestamps, the end of the
 * grace period, two saves at once, an old link, a reused Idempotency-Key, roles switched between ticks, a
 * campaign edited while it is planned. Each answer must be the lifecycle's, never a 200 it should not be,
 * never a 500.
 */

const outcomesOf = async (t: TestApp, id: string): Promise<number> =>
  (await t.dataSource.query('SELECT count(*)::int AS n FROM outcome WHERE assignment_id = $1', [id]))[0].n;

/** Each slot (touchpoint, week, slot) of the campaign has at most one test that is still on. */
async function oneLiveTestPerSlot(t: TestApp, campaignId: string): Promise<string[]> {
  const rows = await t.dataSource.query(
    `SELECT touchpoint_id, week_start::text AS week_start, slot, count(*)::int AS n FROM assignment
      WHERE campaign_id = $1 AND status IN ('planned', 'revealed', 'completed')
      GROUP BY 1, 2, 3 HAVING count(*) > 1`,
    [campaignId],
  );
  return rows.map((r: { touchpoint_id: string; week_start: string; slot: number }) => `${r.week_start}/${r.slot}`);
}

describe('declining at the very start of the window', () => {
  it('is refused at the window start to the millisecond (API and form), accepted a millisecond before', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, tester, link } = await revealFirst(t, world);
      t.clock.set(first.window_start);
      const api = await t
        .http()
        .post(`/api/v1/assignments/${first.id}/decline`)
        .set(auth(tester.key))
        .send({ reason: 'Stuck in traffic' });
      expect(api.status).toBe(409);
      const page = await t.http().post(`/t/${link}/decline`).type('form').send({ reason: 'Stuck in traffic' });
      expect(page.status).toBe(409);
      expect((await one(t, first.id)).status).toBe('revealed');
      t.clock.set(new Date(first.window_start.getTime() - 1));
      await t
        .http()
        .post(`/api/v1/assignments/${first.id}/decline`)
        .set(auth(tester.key))
        .send({ reason: 'Stuck in traffic' })
        .expect(200);
    }));
});

describe('recording once the grace period is over', () => {
  it('is refused (409) on the API and the form even before the expiry job has marked the test missed', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t); // graceMinutes 60
      const { first, tester, zone, link } = await revealFirst(t, world);
      // The expiry job runs every five minutes (or the service was down): the grace ended a minute ago.
      t.clock.set(new Date(first.window_end.getTime() + 61 * 60_000));
      const api = await t
        .http()
        .put(`/api/v1/assignments/${first.id}/outcome`)
        .set(auth(tester.key))
        .send(outcome(first, 'Nobody answered'));
      expect(api.status).toBe(409);
      expect(api.body.message).toMatch(/grace/);
      const page = await t.http().post(`/t/${link}`).type('form').send(form(first, zone));
      expect(page.status).toBe(409);
      expect(page.text).toContain('grace period for recording this test ended');
      // The form is no longer offered.
      const shown = (await t.http().get(`/t/${link}`).expect(200)).text;
      expect(shown).toContain('it is missed');
      expect(shown).not.toContain('<form');
      expect(await outcomesOf(t, first.id)).toBe(0);
      await t.app.get(JobsService).run('remindExpire');
      expect((await one(t, first.id)).status).toBe('missed');
    }));

  it('is accepted up to the end of the grace period', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, tester } = await revealFirst(t, world);
      t.clock.set(new Date(first.window_end.getTime() + 60 * 60_000 - 1));
      await t
        .http()
        .put(`/api/v1/assignments/${first.id}/outcome`)
        .set(auth(tester.key))
        .send(outcome(first, 'Nobody answered'))
        .expect(200);
      expect((await one(t, first.id)).status).toBe('completed');
    }));
});

describe('two saves at once', () => {
  it('record one outcome (the second an audited edit), through the API and the link together', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, tester, zone, link } = await revealFirst(t, world);
      t.clock.set(new Date(first.window_start.getTime() + 30 * 60_000));
      const answers = await Promise.all([
        ...[1, 2, 3].map((i) =>
          t
            .http()
            .put(`/api/v1/assignments/${first.id}/outcome`)
            .set(auth(tester.key))
            .send(outcome(first, `save ${i}`)),
        ),
        t.http().post(`/t/${link}`).type('form').send(form(first, zone)),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 303]);
      expect(await outcomesOf(t, first.id)).toBe(1);
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM outcome_edit e JOIN outcome o ON o.id = e.outcome_id
          WHERE o.assignment_id = $1`,
        [first.id],
      );
      expect(n).toBe(4);
      expect((await one(t, first.id)).status).toBe('completed');
    }));
});

describe("a tester's old link", () => {
  it('records nothing once the test was withdrawn and re-planned to someone else, and leaves the new test alone', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const { first, zone, link } = await revealFirst(t, world);
      const pool = world.testers.map((x) => x.person.id).filter((id) => id !== first.tester_id);
      await t
        .http()
        .patch(`/api/v1/campaigns/${world.campaignId}`)
        .set(auth(world.org.adminKey))
        .send({ testerIds: pool })
        .expect(200);
      expect((await one(t, first.id)).status).toBe('cancelled');
      const [replacement] = await t.dataSource.query('SELECT id, status FROM assignment WHERE replaces_id = $1', [
        first.id,
      ]);
      t.clock.set(new Date(first.window_start.getTime() + 20 * 60_000));
      expect((await t.http().get(`/t/${link}`).expect(200)).text).toContain('Test withdrawn');
      await t.http().post(`/t/${link}`).type('form').send(form(first, zone)).expect(409);
      await t.http().post(`/t/${link}/decline`).type('form').send({ reason: 'x' }).expect(409);
      expect(await outcomesOf(t, first.id)).toBe(0);
      if (replacement) {
        expect(await outcomesOf(t, replacement.id)).toBe(0);
        expect((await one(t, replacement.id)).status).toBe(replacement.status);
      }
    }));
});

describe('an Idempotency-Key sent again', () => {
  it('on the outcomes of two different tests: each is recorded on its own test (PUT replays nothing)', () =>
    withApp(async (t) => {
      // A week's grace, so both tests can be recorded at the same moment, within the key's 24 hours.
      const world = await smallCampaign(t, { graceMinutes: 10_080 });
      const jobs = t.app.get(JobsService);
      // A tester with two tests: both revealed.
      const rows = await all(t, world.campaignId);
      const byTester = new Map<string, Row[]>();
      for (const r of rows) byTester.set(r.tester_id, [...(byTester.get(r.tester_id) ?? []), r]);
      const [testerId, pair] = [...byTester].find(([, list]) => list.length >= 2)!;
      const [a, b] = pair;
      const tester = world.testers.find((x) => x.person.id === testerId)!;
      for (const r of [a, b]) {
        t.clock.set(r.reveal_at);
        await jobs.run('reveal');
      }
      const key = randomUUID();
      t.clock.set(new Date(b.window_end.getTime() + 10 * 60_000));
      const first = await t
        .http()
        .put(`/api/v1/assignments/${a.id}/outcome`)
        .set({ ...auth(tester.key), 'Idempotency-Key': key })
        .send(outcome(a, 'first test'));
      const second = await t
        .http()
        .put(`/api/v1/assignments/${b.id}/outcome`)
        .set({ ...auth(tester.key), 'Idempotency-Key': key })
        .send(outcome(b, 'second test'));
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body.assignmentId).toBe(b.id);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      const notes = await t.dataSource.query('SELECT assignment_id, notes FROM outcome WHERE assignment_id = ANY($1)', [
        [a.id, b.id],
      ]);
      expect(
        Object.fromEntries(notes.map((n: { assignment_id: string; notes: string }) => [n.assignment_id, n.notes])),
      ).toEqual({
        [a.id]: 'first test',
        [b.id]: 'second test',
      });
      // On POST /outcomes, the same key for another touchpoint is another request: 422, nothing recorded.
      const adHoc = (touchpointId: string) => ({ ...outcome(b, 'ad hoc'), touchpointId, answers: {} });
      const [tp1, tp2] = [a.touchpoint_id, rows.find((r) => r.touchpoint_id !== a.touchpoint_id)!.touchpoint_id];
      const again = randomUUID();
      await t
        .http()
        .post('/api/v1/outcomes')
        .set({ ...auth(tester.key), 'Idempotency-Key': again })
        .send(adHoc(tp1))
        .expect(201);
      await t
        .http()
        .post('/api/v1/outcomes')
        .set({ ...auth(tester.key), 'Idempotency-Key': again })
        .send(adHoc(tp2))
        .expect(422);
      const [{ n }] = await t.dataSource.query(
        "SELECT count(*)::int AS n FROM outcome WHERE assignment_id IS NULL AND notes = 'ad hoc'",
      );
      expect(n).toBe(1);
    }));
});

describe('roles switched back and forth between reveal ticks', () => {
  it('never reveals a test to someone without the role, never twice, and keeps one live test per slot', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const jobs = t.app.get(JobsService);
      const rows = await all(t, world.campaignId);
      const target = rows[0];
      const patchRoles = (roles: string[]) =>
        t.http().patch(`/api/v1/people/${target.tester_id}`).set(auth(world.org.adminKey)).send({ roles }).expect(200);
      // Lost and regained before the tick: nothing changed at the tick, the test is revealed as planned.
      t.clock.set(new Date(target.reveal_at.getTime() - 60_000));
      await patchRoles(['owner']);
      expect((await one(t, target.id)).status).toBe('cancelled');
      await patchRoles(['tester']);
      t.clock.set(target.reveal_at);
      await jobs.run('reveal');
      // The withdrawn test stays withdrawn; its slot went to someone else, or back to them as a new test.
      expect((await one(t, target.id)).status).toBe('cancelled');
      expect(await oneLiveTestPerSlot(t, world.campaignId)).toEqual([]);
      // Switched on every tick for a day: the reveal mails go to people who hold the role when they go out.
      for (let step = 0; step < 24 * 4; step++) {
        await patchRoles(step % 2 ? ['tester'] : ['owner']);
        t.clock.advance(15 * 60_000);
        await jobs.run('reveal');
      }
      expect(await oneLiveTestPerSlot(t, world.campaignId)).toEqual([]);
      // Nobody is mailed the same window twice (a test withdrawn and handed back to them is one window).
      const twice = await t.dataSource.query(
        `SELECT a.tester_id, a.window_start FROM outbox_message m JOIN assignment a ON m.dedupe_key = 'reveal:' || a.id
          WHERE a.campaign_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`,
        [world.campaignId],
      );
      expect(twice).toEqual([]);
      const revealedToNonTesters = await t.dataSource.query(
        `SELECT a.id FROM assignment a JOIN person p ON p.id = a.tester_id
          WHERE a.campaign_id = $1 AND a.status = 'revealed' AND NOT ('tester' = ANY(p.roles))`,
        [world.campaignId],
      );
      expect(revealedToNonTesters).toEqual([]);
    }));
});

describe('a campaign edited while it is planned', () => {
  it('ends with no test for a tester taken out, whichever goes first, and no 500', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const leaving = world.testers[0].person.id;
      const pool = world.testers.map((x) => x.person.id).filter((id) => id !== leaving);
      const [plan, edit] = await Promise.all([
        t
          .http()
          .post(`/api/v1/campaigns/${world.campaignId}/plan`)
          .set(auth(world.org.adminKey))
          .send({ from: '2027-03-08', to: '2027-03-21' }),
        t.http().patch(`/api/v1/campaigns/${world.campaignId}`).set(auth(world.org.adminKey)).send({ testerIds: pool }),
      ]);
      expect([plan.status, edit.status]).toEqual([200, 200]);
      const live = (await all(t, world.campaignId)).filter((a) => ['planned', 'revealed'].includes(a.status));
      expect(live.filter((a) => a.tester_id === leaving)).toEqual([]);
      expect(await oneLiveTestPerSlot(t, world.campaignId)).toEqual([]);
    }));

  it('ends with no test after a new end date moved earlier during the plan, and no 500', () =>
    withApp(async (t) => {
      const world = await smallCampaign(t);
      const [plan, edit] = await Promise.all([
        t
          .http()
          .post(`/api/v1/campaigns/${world.campaignId}/plan`)
          .set(auth(world.org.adminKey))
          .send({ from: '2027-03-08', to: '2027-03-28' }),
        t
          .http()
          .patch(`/api/v1/campaigns/${world.campaignId}`)
          .set(auth(world.org.adminKey))
          .send({ endsOn: '2027-03-14' }),
      ]);
      expect(edit.status).toBe(200);
      // Planning after the end is refused (400 naming the period) or plans only up to it.
      expect([200, 400]).toContain(plan.status);
      const after = (await all(t, world.campaignId)).filter(
        (a) => ['planned', 'revealed'].includes(a.status) && a.window_start >= new Date('2027-03-15T00:00:00Z'),
      );
      expect(after).toEqual([]);
    }));
});
