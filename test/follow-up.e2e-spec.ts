import { DateTime } from 'luxon';

import { ManualClock } from '../src/common/clock.js';
import { longDate } from '../src/common/locale.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { auth, newOrganization, personWithKey, scenarioBody, touchpointBody, created } from './support/factories.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { createTestApp } from './support/test-app.js';

describe('follow-up promises', () => {
  it('asks once, the morning after the promised date, and the confirmed answer feeds promise_kept_rate', async () => {
    const sink = await startSmtpSink();
    const t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
      clock: new ManualClock('2027-02-28T12:00:00Z'),
    });
    try {
      const org = await newOrganization(t);
      const quality = await personWithKey(t, org.adminKey, ['quality']);
      const tester = await personWithKey(t, org.adminKey, ['tester'], {
        timezone: 'America/New_York',
        locale: 'en-US',
        workingHours: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '00:00', end: '24:00' })),
      });
      const tp = await created(
        t,
        org.adminKey,
        '/api/v1/touchpoints',
        touchpointBody({
          name: 'Repeat prescriptions',
          openingHours: [{ day: 'mon', open: '09:00', close: '17:00' }],
        }),
      );
      await t
        .http()
        .post('/api/v1/scenarios')
        .set(auth(org.adminKey))
        .send(scenarioBody({ channels: ['phone'], questions: [] }))
        .expect(201);
      const campaign = await created(t, org.adminKey, '/api/v1/campaigns', {
        name: 'c',
        touchpointIds: [tp.id],
        testerIds: [tester.person.id],
        contactsPerTouchpointPerWeek: 1,
        startsOn: '2027-03-01',
      });
      await t
        .http()
        .post(`/api/v1/campaigns/${campaign.id}/plan`)
        .set(auth(org.adminKey))
        .send({ from: '2027-03-01', to: '2027-03-07' })
        .expect(200);
      const [a] = await t.dataSource.query('SELECT id, reveal_at, window_start FROM assignment');
      const jobs = t.app.get(JobsService);
      t.clock.set(a.reveal_at);
      await jobs.run('reveal');
      t.clock.set(new Date(a.window_start.getTime() + 20 * 60_000));
      await t
        .http()
        .put(`/api/v1/assignments/${a.id}/outcome`)
        .set(auth(tester.key))
        .send({
          attemptedAt: new Date(a.window_start.getTime() + 10 * 60_000).toISOString(),
          reachedHuman: true,
          secondsToHuman: 95,
          resolution: 'partial',
          optionsExplained: true,
          courtesy: 4,
          knowledge: 3,
          promisedFollowUpBy: '2027-03-03',
        })
        .expect(200);
      const questions = () => sink.messages.filter((m) => m.subject === 'Did Repeat prescriptions get back to you?');

      // The promised day itself, late evening in the tester's zone: not yet.
      t.clock.set(DateTime.fromISO('2027-03-03T23:00', { zone: 'America/New_York' }).toJSDate());
      await jobs.run('followUp');
      await jobs.run('outbox');
      expect(questions()).toHaveLength(0);
      // The morning after: asked, once, however often the job runs.
      t.clock.set(DateTime.fromISO('2027-03-04T09:00', { zone: 'America/New_York' }).toJSDate());
      for (let i = 0; i < 3; i++) {
        await jobs.run('followUp');
        await jobs.run('outbox');
        t.clock.advance(15 * 60_000);
      }
      expect(questions()).toHaveLength(1);
      // the mail in the tester's stored locale; the page in the reader's browser language
      expect(questions()[0].text).toContain(`by ${longDate('2027-03-03', 'en-US')}. Did it come?`);
      expect(longDate('2027-03-03', 'en-US')).toBe('Wednesday, March 3, 2027');
      const kept = /(http:\/\/gt\.test\/f\/[A-Za-z0-9_-]{43})\?answer=kept/
        .exec(questions()[0].text ?? '')![1]
        .replace('http://gt.test', '');

      const metric = async () =>
        (
          await t.http().get(`/api/v1/metrics?touchpointId=${tp.id}`).set(auth(quality.key)).expect(200)
        ).body.items.find((m: { metric: string }) => m.metric === 'promise_kept_rate');
      expect(await metric()).toMatchObject({ value: null, n: 0 });
      // One click opens a confirmation and changes nothing.
      const confirm = await t.http().get(`${kept}?answer=kept`).set('Accept-Language', 'de-DE').expect(200);
      expect(confirm.text).toContain(`by ${longDate('2027-03-03', 'de-DE')}.`);
      expect(confirm.text).toContain('Mittwoch, 3. März 2027');
      expect(confirm.text).toContain('Confirm: Yes, by the promised date');
      expect(await metric()).toMatchObject({ value: null, n: 0 });
      await t.http().post(kept).type('form').send({ answer: 'kept' }).expect(200);
      expect(await metric()).toMatchObject({ value: 1, n: 1 });
      t.clock.advance(60_000);
      await t.http().post(kept).type('form').send({ answer: 'broken' }).expect(200);
      expect(await metric()).toMatchObject({ value: 0, n: 1 });
      await t.http().post(kept).type('form').send({ answer: 'maybe' }).expect(400);

      const outcome = (await t.http().get(`/api/v1/assignments/${a.id}/outcome`).set(auth(quality.key)).expect(200))
        .body;
      expect(outcome.promiseStatus).toBe('broken');
      const audit = await t.http().get(`/api/v1/outcomes/${outcome.id}/audit`).set(auth(quality.key)).expect(200);
      expect(
        audit.body.items.slice(-2).map((e: { after: { promiseStatus: string } }) => e.after.promiseStatus),
      ).toEqual(['kept', 'broken']);
      const all = (await t.http().get(`/api/v1/metrics?touchpointId=${tp.id}`).set(auth(quality.key)).expect(200)).body
        .items;
      expect(all.find((m: { metric: string }) => m.metric === 'answer_rate')).toMatchObject({ value: 1, n: 1 });
      expect(all.find((m: { metric: string }) => m.metric === 'median_seconds_to_human')).toMatchObject({
        value: 95,
        n: 1,
      });
    } finally {
      await t.close();
      await sink.close();
    }
  });
});
