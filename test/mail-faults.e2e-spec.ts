import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { OutboxMessage } from '../src/mail/outbox-message.entity.js';
import { MAX_ATTEMPTS, RETRY_FOR_MS } from '../src/mail/outbox-sender.js';
import { OutboxService } from '../src/mail/outbox.service.js';
import { newOrganization, TestOrganization } from './support/factories.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * SMTP unreachable for an hour of clock time, with the outbox job ticking every 5 seconds as it does
 * in production and mail queued all along: nothing is given up, and once the server is back every
 * mail is delivered once, in order of creation per recipient.
 */

const TICK_MS = 5_000;
const HOUR = 3_600_000;
const RECIPIENTS = ['ada@example.org', 'bob@example.org', 'cy@example.org', 'di@example.org'];

let sink: SmtpSink;
let t: TestApp;
let org: TestOrganization;

const rows = () => t.dataSource.getRepository(OutboxMessage).find({ order: { createdAt: 'ASC', id: 'ASC' } });

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({ env: { SMTP_URL: sink.url }, clock: new ManualClock('2026-11-23T09:00:00Z') });
  org = await newOrganization(t);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('SMTP unreachable for an hour', () => {
  it('keeps every mail queued through the outage, then delivers each once, in creation order per recipient', async () => {
    const jobs = t.app.get(JobsService);
    const outbox = t.app.get(OutboxService);
    const outageEnds = t.clock.now().getTime() + HOUR;
    await sink.stop(); // nothing listens on SMTP_URL's port now
    let queued = 0;
    try {
      for (let tick = 0; t.clock.now().getTime() < outageEnds; tick++) {
        // a mail every minute, to the recipients in turn
        if (tick % 12 === 0) {
          const to = RECIPIENTS[queued % RECIPIENTS.length];
          await t.dataSource.transaction((m) =>
            outbox.enqueue(m, { organizationId: org.orgId, to, subject: `${to} #${queued}`, text: `Mail ${queued}.` }),
          );
          queued++;
        }
        await expect(jobs.run('outbox')).resolves.toMatchObject({ sent: 0, dead: 0 });
        t.clock.advance(TICK_MS);
      }
      const during = await rows();
      expect(during).toHaveLength(queued);
      expect(during.filter((r) => r.status !== 'pending')).toEqual([]);
      // the server was tried all along, and each failure is on record
      expect(Math.max(...during.map((r) => r.attempts))).toBeGreaterThanOrEqual(5);
      for (const r of during.filter((x) => x.attempts > 0))
        expect(r.lastError).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    } finally {
      await sink.start();
    }

    // back: the job keeps ticking until everything is out (at most the one-hour backoff cap later)
    const giveUpAt = t.clock.now().getTime() + 2 * HOUR;
    while ((await rows()).some((r) => r.status !== 'sent') && t.clock.now().getTime() < giveUpAt) {
      await expect(jobs.run('outbox')).resolves.toMatchObject({ dead: 0 });
      t.clock.advance(TICK_MS);
    }

    const after = await rows();
    expect(after.filter((r) => r.status !== 'sent')).toEqual([]);
    const ids = sink.messages.map((m) => m.messageId);
    expect(ids).toHaveLength(queued);
    expect(new Set(ids)).toEqual(new Set(after.map((r) => r.messageId)));
    for (const to of RECIPIENTS) {
      const arrived = sink.messages.filter((m) => m.subject!.startsWith(`${to} `)).map((m) => m.subject);
      expect(arrived).toEqual(after.filter((r) => r.recipient === to).map((r) => r.subject));
      expect(arrived.length).toBeGreaterThanOrEqual(15);
    }
  });

  it('gives a mail up as dead only once it has failed for a day, within the hour after', async () => {
    await t.dataSource.query('DELETE FROM outbox_message');
    const jobs = t.app.get(JobsService);
    const outbox = t.app.get(OutboxService);
    const queued = await t.dataSource.transaction((m) =>
      outbox.enqueue(m, { organizationId: org.orgId, to: 'ada@example.org', subject: 'Stuck', text: 'Stuck.' }),
    );
    const row = () => t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id: queued.id });
    await sink.stop();
    try {
      // each attempt at its due time: the server stays unreachable
      for (let r = await row(); r.status === 'pending'; r = await row()) {
        t.clock.set(new Date(Math.max(r.nextAttemptAt.getTime(), t.clock.now().getTime())));
        await jobs.run('outbox');
        if ((await row()).status === 'pending')
          expect(t.clock.now().getTime() - queued.createdAt.getTime()).toBeLessThan(RETRY_FOR_MS + 3_600_000);
      }
    } finally {
      await sink.start();
    }
    const dead = await row();
    expect(dead).toMatchObject({
      status: 'dead',
      lastError: expect.stringMatching(/ECONNREFUSED|ECONNECTION|ESOCKET/),
    });
    expect(dead.attempts).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
    expect(t.clock.now().getTime() - queued.createdAt.getTime()).toBeGreaterThanOrEqual(RETRY_FOR_MS);
  });
});
