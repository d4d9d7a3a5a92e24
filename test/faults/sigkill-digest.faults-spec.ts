import pg from 'pg';

import { ManualClock } from '../../src/common/clock.js';
import { LOCKS } from '../../src/database/advisory-lock.js';
import { DigestRunsService } from '../../src/digests/digest-runs.service.js';
import { DigestSubscription } from '../../src/digests/digest-subscription.entity.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { LEASE_MS } from '../../src/mail/outbox-sender.js';
import { startNode } from '../support/child-process.js';
import { auth, newOrganization } from '../support/factories.js';
import { startSmtpSink, SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, TestApp } from '../support/test-app.js';

/**
 * The digest job and the outbox that sends its mail, each run by `cli run-job` and killed with
 * SIGKILL in the middle: while digests are being built and stored, then while a digest is in the
 * middle of its SMTP transaction. Afterwards every period has exactly one digest run, and every
 * digest mail reaches the SMTP server exactly once, in order of creation per recipient.
 */

const RECIPIENTS = ['ops@faults.example.org', 'board@faults.example.org'];
const DAYS_BACK = 10;

let sink: SmtpSink;
let t: TestApp;
let watcher: pg.Client;
let expected: string[];

const cliEnv = () => ({
  DATABASE_URL: t.databaseUrl,
  SMTP_URL: sink.url,
  PUBLIC_URL: 'http://gt.test',
  LOG_LEVEL: 'warn',
});

async function waitFor(sql: string, params: unknown[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await watcher.query(sql, params)).rowCount === 0) {
    if (Date.now() > until) throw new Error(`no row within ${timeoutMs} ms for: ${sql}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Another session is inside a digest transaction (it holds a subscription's digest lock) and one run is committed already.
const MID_DIGEST = `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND granted AND pid <> pg_backend_pid()
                    AND EXISTS (SELECT 1 FROM digest_run)`;
const NO_DIGEST_LOCK = `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid)`;

const runs = async (): Promise<string[]> =>
  (await t.dataSource.query(`SELECT subscription_id || ' ' || period_end::text AS run FROM digest_run ORDER BY 1`)).map(
    (r: { run: string }) => r.run,
  );

/** Every stored run has one mail per recipient, and every digest mail belongs to a stored run. */
async function runsAndMailsAgree(): Promise<void> {
  const mismatched = await t.dataSource.query(
    `SELECT r.id, count(m.id)::int AS mails
       FROM digest_run r
       LEFT JOIN outbox_message m ON m.dedupe_key LIKE 'digest:' || r.subscription_id || ':' || to_char(r.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ':%'
      GROUP BY r.id HAVING count(m.id) <> $1`,
    [RECIPIENTS.length],
  );
  expect(mismatched).toEqual([]);
  const [{ mails }] = await t.dataSource.query(
    `SELECT count(*)::int AS mails FROM outbox_message WHERE dedupe_key LIKE 'digest:%'`,
  );
  expect(mails).toBe((await runs()).length * RECIPIENTS.length);
}

beforeAll(async () => {
  sink = await startSmtpSink();
  const now = Date.now();
  // the subscriptions were made some days ago: a digest for each day since is due
  t = await createTestApp({
    env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
    clock: new ManualClock(new Date(now - DAYS_BACK * 86_400_000 - 3_600_000)),
  });
  const org = await newOrganization(t);
  for (const name of ['Branches', 'Contact centre', 'Whole organisation']) {
    await t
      .http()
      .post('/api/v1/digest-subscriptions')
      .set(auth(org.adminKey))
      .send({ name, recipients: RECIPIENTS, cron: '30 6 * * *', timezone: 'UTC', periodDays: 1 })
      .expect(201);
  }
  const digests = t.app.get(DigestRunsService);
  expected = [];
  for (const sub of await t.dataSource.getRepository(DigestSubscription).find()) {
    for (const fire of digests.dueFires(sub, sub.createdAt, new Date(now)))
      expected.push(`${sub.id} ${(await t.dataSource.query('SELECT $1::timestamptz::text AS t', [fire]))[0].t}`);
  }
  expected.sort();
  watcher = new pg.Client({ connectionString: t.databaseUrl });
  await watcher.connect();
}, 120_000);

afterAll(async () => {
  await watcher?.end();
  await t?.close();
  await sink?.close();
});

describe('digests killed with SIGKILL', () => {
  it('stores each period once and sends each digest mail once, after kills while building and while sending', async () => {
    expect(expected.length).toBeGreaterThanOrEqual(3 * (DAYS_BACK - 1));

    // Killed while storing digests: what is stored is whole (run and its mails), the rest is not there.
    const building = startNode('dist/src/cli/main.js', ['run-job', 'digest'], cliEnv());
    await waitFor(MID_DIGEST, [LOCKS.digest]);
    await building.kill();
    await waitFor(NO_DIGEST_LOCK, [LOCKS.digest]);
    const partial = await runs();
    expect(partial.length).toBeLessThan(expected.length);
    await runsAndMailsAgree();

    // Restarted: the missing periods are built, none twice.
    const rebuilt = startNode('dist/src/cli/main.js', ['run-job', 'digest'], cliEnv());
    expect((await rebuilt.exited).code).toBe(0);
    expect(JSON.parse(rebuilt.stdout())).toEqual({ job: 'digest', result: { sent: expected.length - partial.length } });
    expect(await runs()).toEqual(expected);
    await runsAndMailsAgree();

    // Killed while the SMTP server has the sixth mail but has not yet answered it.
    const { held } = sink.holdNext(5);
    const sending = startNode('dist/src/cli/main.js', ['run-job', 'outbox'], cliEnv());
    await held;
    await sending.kill();
    expect(sink.messages).toHaveLength(5);

    // Restarted at once: the killed sender's claim is leased for two minutes and not taken over
    // before, so nothing can be sent twice at the same time.
    const restarted = startNode('dist/src/cli/main.js', ['run-job', 'outbox'], cliEnv());
    expect((await restarted.exited).code).toBe(0);
    expect(JSON.parse(restarted.stdout())).toEqual({ job: 'outbox', result: { sent: 0, retried: 0, dead: 0 } });
    // Later (the two-minute lease of the killed sender has lapsed): the rest goes, each once.
    const later = t.app.get(JobsService);
    t.clock.set(new Date(Date.now() + LEASE_MS + 60_000));
    for (let i = 0; i < 10; i++) {
      const { sent } = (await later.run('outbox')) as { sent: number };
      if (sent === 0) break;
    }

    const outbox: Array<{ message_id: string; recipient: string; status: string }> = await t.dataSource.query(
      `SELECT message_id, recipient, status FROM outbox_message ORDER BY created_at, id`,
    );
    expect(outbox).toHaveLength(expected.length * RECIPIENTS.length);
    expect(outbox.filter((m) => m.status !== 'sent')).toEqual([]);
    const received = sink.messages.map((m) => m.messageId);
    expect(new Set(received).size).toBe(received.length);
    expect([...received].sort()).toEqual(outbox.map((m) => m.message_id).sort());
    for (const to of RECIPIENTS) {
      const arrived = sink.messages
        .filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0].address === to)
        .map((m) => m.messageId);
      expect(arrived).toEqual(outbox.filter((m) => m.recipient === to).map((m) => m.message_id));
    }
    expect(await runs()).toEqual(expected);
  });
});
