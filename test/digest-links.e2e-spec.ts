import { randomUUID } from 'node:crypto';

import type { ParsedMail } from 'mailparser';

import { ManualClock } from '../src/common/clock.js';
import { DIGEST_PAGE_VERSION, gzipEtag } from '../src/digests/digest-page.js';
import { DigestPagesService } from '../src/digests/digest-pages.service.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { handComputedCase } from './support/digest-case.js';
import { auth, newOrganization, personWithKey } from './support/factories.js';
import { SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * A digest's web page is rendered once per run (when the digest is built) and served from that
 * stored rendering by every instance, with a strong ETag; each recipient's link opens it for
 * DIGEST_LINK_DAYS and can be revoked (or re-issued) by quality and admins.
 */
const DAY = 86_400_000;
const SENT_AT = '2026-11-23T08:00:30Z';
const env = (sink: SmtpSink, extra: Record<string, string> = {}) => ({
  SMTP_URL: sink.url,
  PUBLIC_URL: 'http://gt.test',
  ...extra,
});

let sink: SmtpSink;
let t: TestApp;
const others: TestApp[] = [];
let world: Awaited<ReturnType<typeof handComputedCase>>;
let runId: string;
/** Each recipient's link (its path), by address. */
let links: Record<string, string>;
let qualityEmail: string;

const linkIn = (mail: ParsedMail) => /http:\/\/gt\.test(\/d\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1];
const rendering = async () =>
  (
    await t.dataSource.query('SELECT version, etag, chart_etag, rendered_at FROM digest_rendering WHERE run_id = $1', [
      runId,
    ])
  )[0];
const quality = () => auth(world.quality.key);

/** Another instance on the same database, with a cold memory. */
async function instance(extra: Record<string, string> = {}): Promise<TestApp> {
  const app = await createTestApp({
    env: env(sink, extra),
    clock: new ManualClock(t.clock.now()),
    databaseUrl: t.databaseUrl,
  });
  others.push(app);
  return app;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({ env: env(sink), clock: new ManualClock('2026-11-22T20:00:00Z') });
  world = await handComputedCase(t);
  t.clock.set(SENT_AT);
  await t.app.get(JobsService).run('digest');
  await t.app.get(JobsService).run('outbox');
  const mails = sink.messages.filter((m) => m.subject?.startsWith('Monday digest'));
  qualityEmail = world.quality.person.email.toLowerCase();
  links = Object.fromEntries(
    mails.map((m) => [(m.to as { value: Array<{ address: string }> }).value[0].address, linkIn(m)]),
  );
  expect(Object.keys(links).sort()).toEqual(['quality@example.org', qualityEmail].sort());
  [{ id: runId }] = await t.dataSource.query('SELECT id FROM digest_run');
});
afterAll(async () => {
  for (const app of others) await app.close();
  await t.close();
  await sink.close();
});

describe('a digest page', () => {
  it('is rendered once, when the digest is built, then served from that rendering with an ETag and 304s', async () => {
    const pages = t.app.get(DigestPagesService);
    expect(pages.renders).toBe(1);
    const stored = await rendering();
    expect(stored).toMatchObject({
      version: DIGEST_PAGE_VERSION,
      etag: expect.stringMatching(/^"\d+-[A-Za-z0-9_-]{22}"$/),
    });
    const link = links['quality@example.org'];

    // A browser (it accepts gzip) gets the stored gzip; a client that does not, the plain bytes.
    const zipped = await t.http().get(link).set('Accept-Encoding', 'gzip, deflate, br').expect(200);
    expect(zipped.headers).toMatchObject({
      etag: gzipEtag(stored.etag),
      'content-encoding': 'gzip',
      'cache-control': 'private, no-cache',
      vary: 'Accept-Encoding',
      'x-robots-tag': 'noindex',
      'content-type': 'text/html; charset=utf-8',
    });
    const plain = await t.http().get(link).set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers.etag).toBe(stored.etag);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(zipped.text);
    expect(plain.text).toContain('2 of 5 claims contradicted');

    // Asking again with the validator: 304, no body; a validator of something else: the page.
    const again = await t
      .http()
      .get(link)
      .set('Accept-Encoding', 'identity')
      .set('If-None-Match', stored.etag)
      .expect(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(stored.etag);
    await t
      .http()
      .get(link)
      .set('Accept-Encoding', 'gzip')
      .set('If-None-Match', `"x", ${gzipEtag(stored.etag)}`)
      .expect(304);
    await t.http().get(link).set('Accept-Encoding', 'gzip').set('If-None-Match', stored.etag).expect(200);

    const chart = await t.http().get(`${link}/chart.png`).expect(200);
    expect(chart.headers).toMatchObject({
      'content-type': 'image/png',
      etag: stored.chart_etag,
      'cache-control': 'private, no-cache',
    });
    await t.http().get(`${link}/chart.png`).set('If-None-Match', stored.chart_etag).expect(304);

    // Every recipient's link shows the same page.
    const other = await t.http().get(links[qualityEmail]).set('Accept-Encoding', 'identity').expect(200);
    expect(other.headers.etag).toBe(stored.etag);
    expect(other.text).toBe(plain.text);

    // Nothing was rendered again, and the stored rendering is the one the job wrote.
    expect(pages.renders).toBe(1);
    expect(await rendering()).toEqual(stored);
  });

  it("is shared by every instance, and rendered again — once — when the page's version changes", async () => {
    const link = links['quality@example.org'];
    const stored = await rendering();
    const b = await instance();
    expect((await b.http().get(link).set('Accept-Encoding', 'identity').expect(200)).headers.etag).toBe(stored.etag);
    expect(b.app.get(DigestPagesService).renders).toBe(0);

    // As if rendered by the template before this one: the next reader's instance renders it again, once for 8 readers.
    await t.dataSource.query('UPDATE digest_rendering SET version = version - 1, rendered_at = $2 WHERE run_id = $1', [
      runId,
      new Date(0),
    ]);
    const c = await instance();
    c.clock.advance(60_000);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => c.http().get(links[i % 2 ? qualityEmail : 'quality@example.org'])),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((r) => r.text)).size).toBe(1);
    expect(c.app.get(DigestPagesService).renders).toBe(1);
    expect(await rendering()).toEqual({ ...stored, rendered_at: c.clock.now() });
    // Same payload, same page: the browser's copy is still good.
    await c.http().get(link).set('Accept-Encoding', 'identity').set('If-None-Match', stored.etag).expect(304);
  });
});

describe('revoking links', () => {
  it("is for quality and admins: an owner or a tester gets 403, another organization's run is missing", async () => {
    const owner = await personWithKey(t, world.org.adminKey, ['owner']);
    const tester = await personWithKey(t, world.org.adminKey, ['tester']);
    const routes = [
      ['get', `/api/v1/digests/${runId}/links`],
      ['post', `/api/v1/digests/${runId}/links/revoke`],
      ['post', `/api/v1/digests/${runId}/links`],
    ] as const;
    for (const key of [owner.key, tester.key]) {
      for (const [method, path] of routes) await t.http()[method](path).set(auth(key)).send({}).expect(403);
    }
    const elsewhere = await newOrganization(t);
    const theirQuality = await personWithKey(t, elsewhere.adminKey, ['quality']);
    const withoutIds = (body: object) => JSON.parse(JSON.stringify(body).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID'));
    for (const [method, path] of routes) {
      const theirs = await t.http()[method](path).set(auth(theirQuality.key)).send({}).expect(404);
      const missing = await t
        .http()
        [method](path.replace(runId, randomUUID()))
        .set(auth(theirQuality.key))
        .send({})
        .expect(404);
      expect(withoutIds(theirs.body)).toEqual(withoutIds(missing.body));
    }
    // Nothing changed, and every link still opens.
    const listed = await t.http().get(`/api/v1/digests/${runId}/links`).set(quality()).expect(200);
    expect(listed.body.items.map((l: { state: string }) => l.state)).toEqual(['open', 'open']);
  });

  it('refuses what it cannot do with a 400 naming the field', async () => {
    const path = `/api/v1/digests/${runId}/links/revoke`;
    const fields = async (body: object) =>
      (await t.http().post(path).set(quality()).send(body).expect(400)).body.errors.map(
        (e: { field: string }) => e.field,
      );
    expect(await fields({ recipient: 'not an address' })).toEqual(['recipient']);
    expect(await fields({ recipient: 'someone.else@example.org' })).toEqual(['recipient']);
    expect(await fields({ reason: 'x'.repeat(501) })).toEqual(['reason']);
    expect(await fields({ everything: true })).toEqual(['everything']);
  });

  it('of one recipient: that link answers 410 at once (even to a browser with the page), the other opens', async () => {
    const revokedAt = t.clock.now();
    const res = await t
      .http()
      .post(`/api/v1/digests/${runId}/links/revoke`)
      .set(quality())
      .send({ recipient: 'Quality@Example.org', reason: 'Forwarded outside the company' })
      .expect(200);
    expect(res.body.revoked).toBe(1);
    const byRecipient = Object.fromEntries(res.body.items.map((l: { recipient: string }) => [l.recipient, l]));
    expect(byRecipient['quality@example.org']).toMatchObject({
      state: 'revoked',
      revokedAt: revokedAt.toISOString(),
      revokedBy: world.quality.person.id,
      revokeReason: 'Forwarded outside the company',
      issuedBy: null,
    });
    expect(byRecipient[qualityEmail]).toMatchObject({ state: 'open', revokedAt: null });

    const stored = await rendering();
    const link = links['quality@example.org'];
    const gone = await t.http().get(link).set('If-None-Match', stored.etag).expect(410);
    expect(gone.text).toContain('This link to the digest has been withdrawn');
    expect(gone.text).not.toContain('claims contradicted');
    expect(gone.headers['cache-control']).toBe('no-store');
    await t.http().get(`${link}/chart.png`).expect(410);
    await t.http().get(links[qualityEmail]).expect(200);
    // Revoking again revokes nothing more.
    expect(
      (
        await t
          .http()
          .post(`/api/v1/digests/${runId}/links/revoke`)
          .set(quality())
          .send({ recipient: 'quality@example.org' })
          .expect(200)
      ).body.revoked,
    ).toBe(0);
  });

  it('re-issues a link by mail to a current recipient; it opens the page, the revoked one stays revoked', async () => {
    const before = sink.messages.length;
    const reissue = () =>
      t
        .http()
        .post(`/api/v1/digests/${runId}/links`)
        .set(quality())
        .set('Idempotency-Key', 'reissue-1')
        .send({ recipient: 'quality@example.org' })
        .expect(201);
    const issued = await reissue();
    // A retry with the same Idempotency-Key gets the same answer, and mails nothing more.
    const retried = await reissue();
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.body).toEqual(issued.body);
    expect(issued.body.items).toEqual([
      expect.objectContaining({
        recipient: 'quality@example.org',
        state: 'open',
        issuedBy: world.quality.person.id,
        expiresAt: new Date(t.clock.now().getTime() + 90 * DAY).toISOString(),
      }),
    ]);
    expect(JSON.stringify(issued.body)).not.toMatch(/\/d\//);
    await t.app.get(JobsService).run('outbox');
    const [mail, ...more] = (await sink.waitFor(before + 1)).slice(before);
    expect(more).toEqual([]);
    expect(mail.subject).toBe('New link: Monday digest (16 Nov 2026 – 23 Nov 2026)');
    expect(mail.text).toContain('It opens the digest until 21 Feb 2027.');
    const fresh = linkIn(mail);
    expect((await t.http().get(fresh).expect(200)).text).toContain('2 of 5 claims contradicted');
    await t.http().get(links['quality@example.org']).expect(410);
    // Only to the subscription's recipients.
    const refused = await t
      .http()
      .post(`/api/v1/digests/${runId}/links`)
      .set(quality())
      .send({ recipient: 'outsider@example.org' })
      .expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'recipient', rule: 'isRecipient' })]);
    links['quality@example.org'] = fresh;
  });

  it('of a whole run, by an admin: every link answers 410', async () => {
    const res = await t
      .http()
      .post(`/api/v1/digests/${runId}/links/revoke`)
      .set(auth(world.org.adminKey))
      .send({})
      .expect(200);
    expect(res.body.revoked).toBe(2);
    expect(res.body.items.map((l: { state: string }) => l.state)).toEqual(['revoked', 'revoked', 'revoked']);
    for (const link of Object.values(links)) {
      await t.http().get(link).expect(410);
      await t.http().get(`${link}/chart.png`).expect(410);
    }
  });
});

describe('a digest link', () => {
  it('expires after DIGEST_LINK_DAYS, 90 by default: the mailed link then opens a 410 that says so', async () => {
    // The next week's digest: fresh links from the job.
    const before = sink.messages.length;
    t.clock.set('2026-11-30T08:00:30Z');
    await t.app.get(JobsService).run('digest');
    await t.app.get(JobsService).run('outbox');
    const link = linkIn((await sink.waitFor(before + 2))[before]);
    const [run] = await t.dataSource.query('SELECT id FROM digest_run WHERE period_start = $1', [
      '2026-11-23T08:00:00Z',
    ]);
    const listed = await t.http().get(`/api/v1/digests/${run.id}/links`).set(quality()).expect(200);
    expect(listed.body.items.map((l: { expiresAt: string }) => l.expiresAt)).toEqual(
      Array(2).fill(new Date(Date.parse('2026-11-30T08:00:30Z') + 90 * DAY).toISOString()),
    );

    t.clock.set(new Date(Date.parse('2026-11-30T08:00:30Z') + 90 * DAY - 1000));
    await t.http().get(link).expect(200);
    t.clock.advance(1000);
    const gone = await t.http().get(link).expect(410);
    expect(gone.text).toContain('This link to the digest has expired');
    expect(gone.text).not.toContain('Monday digest');
    expect(gone.headers['cache-control']).toBe('no-store');
    await t.http().get(`${link}/chart.png`).expect(410);
    const after = await t.http().get(`/api/v1/digests/${run.id}/links`).set(quality()).expect(200);
    expect(after.body.items.map((l: { state: string }) => l.state)).toEqual(['expired', 'expired']);
  });

  it('lasts as long as the instance that issued it was told (DIGEST_LINK_DAYS=7 here)', async () => {
    const weekly = await instance({ DIGEST_LINK_DAYS: '7' });
    const before = sink.messages.length;
    const issued = await weekly
      .http()
      .post(`/api/v1/digests/${runId}/links`)
      .set(quality())
      .send({ recipient: qualityEmail })
      .expect(201);
    expect(issued.body.items[0].expiresAt).toBe(new Date(weekly.clock.now().getTime() + 7 * DAY).toISOString());
    await weekly.app.get(JobsService).run('outbox');
    const link = linkIn((await sink.waitFor(before + 1))[before]);
    t.clock.set(new Date(weekly.clock.now().getTime() + 7 * DAY - 1000));
    await t.http().get(link).expect(200);
    t.clock.advance(1000);
    await t.http().get(link).expect(410);
  });
});
