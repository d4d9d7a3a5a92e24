import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { simpleParser } from 'mailparser';

import { OutboxMessage } from '../src/mail/outbox-message.entity.js';
import { BACKOFF_BASE_MS, OutboxSender } from '../src/mail/outbox-sender.js';
import { OutboxService } from '../src/mail/outbox.service.js';
import type { OutgoingMail } from '../src/mail/outbox.service.js';
import { runCli } from './support/cli.js';
import { auth, newOrganization, personWithKey, TestOrganization } from './support/factories.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

// a 1×1 transparent PNG, to be shown inline through its cid
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

let sink: SmtpSink;
let t: TestApp;
let org: TestOrganization;
let outbox: OutboxService;
let sender: OutboxSender;

const mail = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  organizationId: org.orgId,
  to: 'ada@example.org',
  subject: 'Hello',
  text: 'Plain words.',
  ...overrides,
});
const enqueue = (m: OutgoingMail) => t.dataSource.transaction((manager) => outbox.enqueue(manager, m));
const row = (id: string) => t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id });
const rows = () => t.dataSource.getRepository(OutboxMessage).find({ order: { createdAt: 'ASC', id: 'ASC' } });

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({ env: { SMTP_URL: sink.url, MAIL_FROM: 'groundtruth@example.org' } });
  org = await newOrganization(t);
  outbox = t.app.get(OutboxService);
  sender = t.app.get(OutboxSender);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});
beforeEach(async () => {
  await t.dataSource.query('DELETE FROM outbox_message');
  sink.messages.length = 0;
  sink.rejections.length = 0;
});

describe('enqueue', () => {
  it('writes nothing when the transaction that caused the mail rolls back', async () => {
    await expect(
      t.dataSource.transaction(async (manager) => {
        await outbox.enqueue(manager, mail({ subject: 'Never' }));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rows()).toEqual([]);
  });

  it('rejects line breaks in recipient and subject, and an invalid address, writing nothing', async () => {
    await expect(enqueue(mail({ subject: 'Hi\r\nBcc: victim@example.org' }))).rejects.toThrow(
      /subject must not contain line breaks/,
    );
    await expect(enqueue(mail({ subject: 'Hi\nthere' }))).rejects.toThrow(/line breaks/);
    await expect(enqueue(mail({ to: 'ada@example.org\r\nBcc: victim@example.org' }))).rejects.toThrow(
      /to must not contain line breaks/,
    );
    await expect(enqueue(mail({ to: 'not an address' }))).rejects.toThrow(/email address/);
    expect(await rows()).toEqual([]);
  });

  it('is a no-op returning the first row when the dedupe key is already there', async () => {
    const first = await enqueue(mail({ dedupeKey: 'reveal:1' }));
    const again = await enqueue(mail({ dedupeKey: 'reveal:1', subject: 'Other' }));
    expect(again.id).toBe(first.id);
    expect(again.messageId).toBe(first.messageId);
    expect((await rows()).map((r) => r.subject)).toEqual(['Hello']);
  });
});

describe('delivery over SMTP', () => {
  it('delivers an enqueued mail once, with its Message-ID, text, html, an attachment and an inline image', async () => {
    const queued = await enqueue(
      mail({
        subject: 'Your test contact: Ünïcode line',
        text: 'Call the line.',
        html: '<p>Call the line.</p><img src="cid:logo@groundtruth">',
        attachments: [
          {
            filename: 'test-contact.ics',
            contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
            content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
          },
          { filename: 'logo.png', contentType: 'image/png', content: PNG, cid: 'logo@groundtruth' },
        ],
      }),
    );
    expect(queued.messageId).toMatch(/^<[0-9a-f-]{36}@groundtruth>$/);
    expect(await sender.deliverDue()).toEqual({ sent: 1, retried: 0, dead: 0 });

    expect(sink.messages).toHaveLength(1);
    const got = sink.messages[0];
    expect(got.messageId).toBe(queued.messageId);
    expect(got.subject).toBe('Your test contact: Ünïcode line');
    expect(got.from?.value[0].address).toBe('groundtruth@example.org');
    expect(got.text?.trim()).toBe('Call the line.');
    expect(got.html).toContain('<p>Call the line.</p>');
    const ics = got.attachments.find((a) => a.filename === 'test-contact.ics')!;
    expect(ics.content.toString('utf8')).toBe('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    const logo = got.attachments.find((a) => a.filename === 'logo.png')!;
    expect(logo.cid).toBe('logo@groundtruth');
    expect(logo.content.equals(PNG)).toBe(true);

    expect(await row(queued.id)).toMatchObject({
      status: 'sent',
      attempts: 1,
      sentAt: t.clock.now(),
      leaseExpiresAt: null,
      lastError: null,
    });
    t.clock.advance(24 * 3600_000);
    expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 0, dead: 0 });
    expect(sink.messages).toHaveLength(1);
  });

  it.each(['data', 'rcpt'] as const)(
    'retries after a 451 (at %s) and delivers exactly once when the clock passes the backoff',
    async (stage) => {
      sink.failNext(451, 1, stage);
      const queued = await enqueue(mail());
      const before = t.clock.now().getTime();
      expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 1, dead: 0 });
      expect(sink.rejections).toEqual([{ stage, code: 451, to: ['ada@example.org'] }]);
      const waiting = await row(queued.id);
      expect(waiting).toMatchObject({
        status: 'pending',
        attempts: 1,
        leaseExpiresAt: null,
        lastError: expect.stringContaining('451'),
      });
      // full jitter: anywhere from now to the first step of the backoff
      expect(waiting.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(waiting.nextAttemptAt.getTime()).toBeLessThanOrEqual(before + BACKOFF_BASE_MS);
      if (waiting.nextAttemptAt.getTime() > before)
        expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 0, dead: 0 });
      expect(sink.messages).toHaveLength(0);

      t.clock.set(waiting.nextAttemptAt);
      expect(await sender.deliverDue()).toEqual({ sent: 1, retried: 0, dead: 0 });
      t.clock.advance(3600_000);
      expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 0, dead: 0 });
      expect(sink.messages.map((m) => m.messageId)).toEqual([queued.messageId]);
      expect(await row(queued.id)).toMatchObject({ status: 'sent', attempts: 2 });
    },
  );

  it.each([
    [550, 'rcpt'],
    [554, 'data'],
  ] as const)(
    'gives up a mail answered %i (at %s) as dead, keeps the error and never retries it',
    async (code, stage) => {
      sink.failNext(code, 1, stage);
      const queued = await enqueue(mail());
      expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 0, dead: 1 });
      expect(await row(queued.id)).toMatchObject({
        status: 'dead',
        attempts: 1,
        lastError: expect.stringContaining(String(code)),
        sentAt: null,
      });
      for (let i = 0; i < 3; i++) {
        t.clock.advance(2 * 3600_000);
        expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 0, dead: 0 });
      }
      expect(sink.rejections).toHaveLength(1);
      expect(sink.messages).toHaveLength(0);
    },
  );

  it('sends a later mail to the same recipient only after an earlier one that failed (but not one that died)', async () => {
    const first = await enqueue(mail({ subject: 'first' }));
    t.clock.advance(1_000);
    await enqueue(mail({ subject: 'second' }));
    t.clock.advance(1_000);
    await enqueue(mail({ to: 'bob@example.org', subject: 'for bob' }));
    sink.failNext(451);
    expect(await sender.deliverDue()).toEqual({ sent: 1, retried: 1, dead: 0 });
    expect(sink.messages.map((m) => m.subject)).toEqual(['for bob']);
    // the second was put back without counting an attempt, and waits for the first
    expect((await rows()).map((r) => [r.subject, r.status, r.attempts])).toEqual([
      ['first', 'pending', 1],
      ['second', 'pending', 0],
      ['for bob', 'sent', 1],
    ]);
    const next = (await row(first.id)).nextAttemptAt;
    if (next > t.clock.now()) expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 0, dead: 0 });
    t.clock.set(next);
    expect(await sender.deliverDue()).toEqual({ sent: 2, retried: 0, dead: 0 });
    expect(sink.messages.map((m) => m.subject)).toEqual(['for bob', 'first', 'second']);

    sink.failNext(550, 1, 'rcpt');
    await enqueue(mail({ subject: 'third' }));
    t.clock.advance(1_000);
    await enqueue(mail({ subject: 'fourth' }));
    expect(await sender.deliverDue()).toEqual({ sent: 1, retried: 0, dead: 1 });
    expect(sink.messages.map((m) => m.subject)).toEqual(['for bob', 'first', 'second', 'fourth']);
  });

  it('keeps every mail through an hour of SMTP down and then delivers each once, in creation order per recipient', async () => {
    await sink.stop();
    try {
      for (let tick = 0; tick < 6; tick++) {
        await enqueue(mail({ to: 'ada@example.org', subject: `ada ${tick}` }));
        if (tick % 2 === 0) await enqueue(mail({ to: 'bob@example.org', subject: `bob ${tick}` }));
        t.clock.advance(1_000);
        const result = await sender.deliverDue();
        expect(result.sent).toBe(0);
        expect(result.dead).toBe(0);
        t.clock.advance(10 * 60_000);
      }
      const during = await rows();
      expect(during.map((r) => r.status)).toEqual(during.map(() => 'pending'));
      // each tick tries one mail, finds the server unreachable and leaves the rest untried
      const tried = during.filter((r) => r.attempts > 0);
      expect(tried.length).toBeGreaterThan(0);
      for (const r of tried) expect(r.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    } finally {
      await sink.start();
    }
    for (let tick = 0; tick < 5 && (await rows()).some((r) => r.status !== 'sent'); tick++) {
      t.clock.advance(3600_000);
      await sender.deliverDue();
    }
    const after = await rows();
    expect(after.map((r) => r.status)).toEqual(after.map(() => 'sent'));
    const ids = sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(after.map((r) => r.messageId).sort());
    const arrived = (who: string) => sink.messages.map((m) => m.subject!).filter((s) => s.startsWith(who));
    expect(arrived('ada')).toEqual(['ada 0', 'ada 1', 'ada 2', 'ada 3', 'ada 4', 'ada 5']);
    expect(arrived('bob')).toEqual(['bob 0', 'bob 2', 'bob 4']);
  });

  it('reclaims a message whose sender crashed once its lease has expired, and not before', async () => {
    const crashed = await enqueue(mail({ subject: 'crashed' }));
    const busy = await enqueue(mail({ to: 'bob@example.org', subject: 'still being sent' }));
    const now = t.clock.now().getTime();
    await t.dataSource.query(
      `UPDATE outbox_message SET status = 'sending', attempts = 1, lease_expires_at = $2 WHERE id = $1`,
      [crashed.id, new Date(now - 60_000)],
    );
    await t.dataSource.query(
      `UPDATE outbox_message SET status = 'sending', attempts = 1, lease_expires_at = $2 WHERE id = $1`,
      [busy.id, new Date(now + 60_000)],
    );
    expect(await sender.deliverDue()).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(sink.messages.map((m) => m.messageId)).toEqual([crashed.messageId]);
    expect(await row(crashed.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await row(busy.id)).toMatchObject({ status: 'sending', attempts: 1 });
  });

  it('gives up a message whose sending kept killing the sender after the usual number of attempts, not after a day', async () => {
    const deadly = await enqueue(mail({ subject: 'kills the sender' }));
    const now = t.clock.now().getTime();
    await t.dataSource.query(
      `UPDATE outbox_message SET status = 'sending', attempts = 10, lease_expires_at = $2 WHERE id = $1`,
      [deadly.id, new Date(now - 60_000)],
    );
    expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 0, dead: 1 });
    expect(sink.messages.map((m) => m.messageId)).not.toContain(deadly.messageId);
    expect(await row(deadly.id)).toMatchObject({ status: 'dead', lastError: expect.stringContaining('lease expired') });
  });

  it('never sends a message twice when two instances on one database deliver at the same time', async () => {
    const b = await createTestApp({ env: { SMTP_URL: sink.url }, clock: t.clock, databaseUrl: t.databaseUrl });
    try {
      const queued: OutboxMessage[] = [];
      for (let round = 0; round < 4; round++) {
        for (let r = 0; r < 10; r++)
          queued.push(await enqueue(mail({ to: `r${r}@example.org`, subject: `r${r} #${round}` })));
        t.clock.advance(1_000);
      }
      const senders = [sender, b.app.get(OutboxSender)];
      const totals = { sent: 0, retried: 0, dead: 0 };
      for (let i = 0; i < 20 && totals.sent < queued.length; i++) {
        for (const result of await Promise.all(senders.map((s) => s.deliverDue(7)))) {
          totals.sent += result.sent;
          totals.retried += result.retried;
          totals.dead += result.dead;
        }
      }
      expect(totals).toEqual({ sent: queued.length, retried: 0, dead: 0 });
      const ids = sink.messages.map((m) => m.messageId);
      expect(ids).toHaveLength(queued.length);
      expect(new Set(ids)).toEqual(new Set(queued.map((q) => q.messageId)));
      for (let r = 0; r < 10; r++) {
        expect(sink.messages.map((m) => m.subject!).filter((s) => s.startsWith(`r${r} `))).toEqual(
          [0, 1, 2, 3].map((n) => `r${r} #${n}`),
        );
      }
    } finally {
      await b.close();
    }
  });
});

describe('admin API and health', () => {
  it("lists the organization's mail with statuses but no bodies, only to admins, and never another organization's", async () => {
    const other = await newOrganization(t);
    const sent = await enqueue(
      mail({
        subject: 'Delivered',
        text: 'SECRET-TEXT',
        html: '<p>SECRET-HTML</p>',
        attachments: [{ filename: 'a.txt', contentType: 'text/plain', content: 'SECRET-ATTACHMENT' }],
      }),
    );
    await sender.deliverDue();
    sink.failNext(550, 1, 'rcpt');
    t.clock.advance(1_000);
    const dead = await enqueue(mail({ to: 'gone@example.org', subject: 'Bounced' }));
    await sender.deliverDue();
    t.clock.advance(1_000);
    await enqueue(mail({ subject: 'Waiting' }));
    await enqueue(mail({ organizationId: other.orgId, subject: 'Other tenant' }));
    await enqueue(mail({ organizationId: null, subject: 'System mail' }));

    const list = await t.http().get('/api/v1/outbox').set(auth(org.adminKey)).expect(200);
    expect(list.body.total).toBe(3);
    expect(list.body.items.map((i: { subject: string }) => i.subject)).toEqual(['Waiting', 'Bounced', 'Delivered']);
    expect(Object.keys(list.body.items[0]).sort()).toEqual([
      'attempts',
      'createdAt',
      'id',
      'lastError',
      'nextAttemptAt',
      'recipient',
      'sentAt',
      'status',
      'subject',
    ]);
    expect(JSON.stringify(list.body)).not.toMatch(/SECRET|Other tenant|System mail/);
    expect(list.body.items[1]).toMatchObject({
      id: dead.id,
      recipient: 'gone@example.org',
      status: 'dead',
      attempts: 1,
      lastError: expect.stringContaining('550'),
      sentAt: null,
    });
    expect(list.body.items[2]).toMatchObject({ id: sent.id, status: 'sent', sentAt: expect.any(String) });

    const deadOnly = await t
      .http()
      .get('/api/v1/outbox?status=dead&limit=10&offset=0')
      .set(auth(org.adminKey))
      .expect(200);
    expect(deadOnly.body).toMatchObject({ total: 1, items: [{ id: dead.id }] });
    const paged = await t.http().get('/api/v1/outbox?limit=1&offset=1').set(auth(org.adminKey)).expect(200);
    expect(paged.body).toMatchObject({ total: 3, items: [{ subject: 'Bounced' }] });
    await t.http().get('/api/v1/outbox?status=lost').set(auth(org.adminKey)).expect(400);

    expect((await t.http().get('/api/v1/outbox/summary').set(auth(org.adminKey)).expect(200)).body).toEqual({
      pending: 1,
      sending: 0,
      sent: 1,
      dead: 1,
      overdue: 0,
    });
    const theirs = await t.http().get('/api/v1/outbox').set(auth(other.adminKey)).expect(200);
    expect(theirs.body.items.map((i: { subject: string }) => i.subject)).toEqual(['Other tenant']);
    expect((await t.http().get('/api/v1/outbox/summary').set(auth(other.adminKey)).expect(200)).body).toEqual({
      pending: 1,
      sending: 0,
      sent: 0,
      dead: 0,
      overdue: 0,
    });

    const tester = await personWithKey(t, org.adminKey, ['tester', 'quality', 'owner']);
    await t.http().get('/api/v1/outbox').set(auth(tester.key)).expect(403);
    await t.http().get('/api/v1/outbox/summary').set(auth(tester.key)).expect(403);
    await t.http().get('/api/v1/outbox').expect(401);
  });

  it("reports overdue and dead mail to the organization's admins, and nothing of mail in the public /health", async () => {
    await enqueue(mail({ subject: 'one' }));
    await enqueue(mail({ organizationId: null, to: 'ops@example.org', subject: 'two' }));
    sink.failNext(550, 1, 'rcpt');
    await enqueue(mail({ to: 'gone@example.org', subject: 'three' }));
    await t.dataSource.query(`UPDATE outbox_message SET next_attempt_at = $1 WHERE subject <> 'three'`, [
      new Date(t.clock.now().getTime() + 60_000),
    ]);
    expect(await sender.deliverDue()).toEqual({ sent: 0, retried: 0, dead: 1 });
    // Even an overdue count would date a reveal written while SMTP is down: /health is public.
    const health = async () => (await t.http().get('/health').expect(200)).body as { info: Record<string, object> };
    expect(Object.keys((await health()).info)).toEqual(['database']);
    const summary = async () => (await t.http().get('/api/v1/outbox/summary').set(auth(org.adminKey)).expect(200)).body;
    expect(await summary()).toMatchObject({ dead: 1, overdue: 0 });
    t.clock.advance(16 * 60_000);
    expect(Object.keys((await health()).info)).toEqual(['database']);
    // 'two' has no organization: an operator's figure (mail-status), not this organization's.
    expect(await summary()).toMatchObject({ dead: 1, overdue: 1 });
    expect(await t.app.get(OutboxService).backlog()).toEqual({ overdue: 2, dead: 1 });
    // The operator's view of the whole instance (the CLI keeps the real time: these mails are long overdue).
    const cli = await runCli(['mail-status'], t.databaseUrl);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ dead: 1, overdue: 2, pending: 2 });
  });
});

describe('without SMTP_URL', () => {
  it('writes each mail as an .eml file under DATA_DIR/mail', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-mail-'));
    const f = await createTestApp({ env: { DATA_DIR: dataDir } });
    try {
      const queued = await f.dataSource.transaction((manager) =>
        f.app.get(OutboxService).enqueue(manager, {
          organizationId: null,
          to: 'ops@example.org',
          subject: 'Written down',
          text: 'On disk.',
          attachments: [{ filename: 'n.txt', contentType: 'text/plain', content: 'note' }],
        }),
      );
      expect(await f.app.get(OutboxSender).deliverDue()).toEqual({ sent: 1, retried: 0, dead: 0 });
      const files = await readdir(path.join(dataDir, 'mail'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^[A-Za-z0-9._-]+\.eml$/);
      const parsed = await simpleParser(await readFile(path.join(dataDir, 'mail', files[0])));
      expect(parsed).toMatchObject({ messageId: queued.messageId, subject: 'Written down' });
      expect(parsed.text?.trim()).toBe('On disk.');
      expect(parsed.attachments[0].content.toString()).toBe('note');
    } finally {
      await f.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
