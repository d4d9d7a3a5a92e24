/**
 * The pages reached from emailed links (/t outcome form and decline, /f follow-up question, /d digest)
 * fuzzed with junk secrets, junk queries and junk form bodies; and request bodies over the size limits.
 * Never a 5xx, a leak, posted HTML echoed unescaped, or a row changed by a rejected request or a GET.
 *
 * Runs per page route: FUZZ_RUNS (default 24); FUZZ_SEED=<seed> replays a failure fast-check reports.
 */
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

import fc from 'fast-check';
import { DateTime } from 'luxon';
import request from 'supertest';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { changedTables, fingerprint, Fingerprint } from './support/db-fingerprint.js';
import { auth, personWithKey, created } from './support/factories.js';
import { describeExchange, leaksIn } from './support/fuzz-checks.js';
import {
  HTML_FRAGMENTS,
  hostileString,
  jsonText,
  junk,
  mutated,
  ODD_CONTENT_TYPES,
  pathSegment,
  percentEncode,
  probesFor,
  RAW_JSON,
} from './support/hostile-input.js';
import { smallCampaign } from './support/small-campaign.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 24);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

type Form = Record<string, string>;
interface Sent {
  method: 'get' | 'post';
  path: string;
  query?: string;
  body?: { contentType?: string; raw: string };
  sent: string[];
}

const form = (values: Record<string, unknown>) =>
  Object.entries(values)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(typeof v === 'string' ? v : jsonText(v))}`)
    .join('&');

describe('fuzzing the pages of emailed links', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let base: string;
  let state: Fingerprint;
  const token = { form: '', decline: '', followUp: '', digest: '' };
  let validForm: () => Form;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // guesses of secrets are limited per address; the fuzz makes many on purpose
    t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test', RATE_LIMIT_FAILURES: '100000' },
      clock: new ManualClock('2027-02-22T09:00:00Z'),
    });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const jobs = t.app.get(JobsService);
    const deliver = async () => {
      await jobs.run('outbox');
      return sink.messages[sink.messages.length - 1];
    };
    const linkIn = (text: string | undefined, kind: 't' | 'f' | 'd') =>
      new RegExp(`http://gt\\.test/${kind}/([A-Za-z0-9_-]{43})`).exec(text ?? '')![1];

    // A week's grace: the first test is recorded once the second is revealed, which may be days later.
    const { org, testers } = await smallCampaign(t, { graceMinutes: 10_080 });
    const quality = await personWithKey(t, org.adminKey, ['quality']);
    const [tp] = (await t.http().get('/api/v1/touchpoints').set(auth(org.adminKey)).expect(200)).body.items;
    // A promise made on an ad-hoc contact: asked about the next morning (/f); a daily digest (/d).
    await created(t, testers[0].key, '/api/v1/outcomes', {
      touchpointId: tp.id,
      attemptedAt: '2027-02-22T08:00:00Z',
      reachedHuman: true,
      secondsToHuman: 30,
      courtesy: 4,
      knowledge: 4,
      resolution: 'partial',
      optionsExplained: true,
      promisedFollowUpBy: '2027-02-22',
      notes: 'Promised a callback',
    });
    await created(t, quality.key, '/api/v1/digest-subscriptions', {
      name: 'Daily',
      recipients: ['quality@example.org'],
      cron: '0 8 * * *',
      timezone: 'UTC',
      periodDays: 7,
    });
    t.clock.set('2027-02-23T09:30:00Z');
    await jobs.run('followUp');
    token.followUp = linkIn((await deliver()).text, 'f');
    await jobs.run('digest');
    token.digest = linkIn((await deliver()).text, 'd');

    // Two assignments revealed: one to record on, one to decline.
    const [a, b] = await t.dataSource.query(
      `SELECT a.id, a.reveal_at, a.window_start, p.timezone FROM assignment a JOIN person p ON p.id = a.tester_id ORDER BY a.window_start, a.id LIMIT 2`,
    );
    t.clock.set(a.reveal_at);
    await jobs.run('reveal');
    token.form = linkIn((await deliver()).text, 't');
    t.clock.set(b.reveal_at);
    await jobs.run('reveal');
    token.decline = linkIn((await deliver()).text, 't');
    t.clock.set(new Date(Math.max(b.reveal_at.getTime(), a.window_start.getTime() + 30 * 60_000)));

    const attempted = DateTime.fromJSDate(new Date(a.window_start.getTime() + 10 * 60_000), {
      zone: a.timezone,
    }).toFormat("yyyy-MM-dd'T'HH:mm");
    validForm = () => ({
      attemptedAt: attempted,
      reachedHuman: 'yes',
      secondsToHuman: '1:35',
      holdSeconds: '10',
      transfers: '1',
      disconnects: '0',
      repeatedStory: 'no',
      resolution: 'partial',
      optionsExplained: 'yes',
      courtesy: '4',
      knowledge: '3',
      staffGaveName: 'no',
      promisedFollowUpBy: '',
      notes: 'Waited, then a clear answer',
      'answers.offered_alternative': 'yes',
      'answers.mood': 'calm',
      action: 'save',
    });
    state = await fingerprint(t.dataSource);
  });

  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  async function send(x: Sent): Promise<number> {
    const url = x.query ? `${x.path}?${x.query}` : x.path;
    let req = request(base)[x.method](url);
    if (x.body) {
      if (x.body.contentType) req = req.set('Content-Type', x.body.contentType);
      req = req.send(x.body.raw);
    }
    const res = await req;
    const where = describeExchange(x.method.toUpperCase(), url, x.body ?? null, res);
    if (res.status >= 500) throw new Error(`5xx: ${where}`);
    const leaks = leaksIn(res.text ?? '', x.sent);
    if (leaks.length) throw new Error(`the answer shows ${leaks.join(', ')}: ${where}`);
    if (/html/.test(res.headers['content-type'] ?? '')) {
      const raw = HTML_FRAGMENTS.filter((h) => /[<>"']/.test(h) && res.text.includes(h));
      if (raw.length) throw new Error(`HTML sent back unescaped (${raw.join(', ')}): ${where}`);
    }
    const after = await fingerprint(t.dataSource);
    const changed = changedTables(state, after);
    state = after;
    if (changed.length && (res.status >= 400 || x.method === 'get'))
      throw new Error(`rows changed (${changed.join(', ')}) by ${where}`);
    return res.status;
  }

  const secret = (real: string[]) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...real) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      { weight: 2, arbitrary: pathSegment([]) },
    );

  /** A page's body: mostly forms (valid ones mutated, or junk), sometimes JSON, CSV or plain text. */
  const pageBody = (valid: fc.Arbitrary<Form>) =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: mutated(valid).map((v) => ({
          contentType: 'application/x-www-form-urlencoded',
          raw: form(v && typeof v === 'object' ? (v as Record<string, unknown>) : { value: v }),
        })),
      },
      {
        weight: 2,
        arbitrary: fc
          .dictionary(hostileString, hostileString, { maxKeys: 5 })
          .map((v) => ({ contentType: 'application/x-www-form-urlencoded', raw: form(v) })),
      },
      { weight: 1, arbitrary: junk.map((v) => ({ contentType: 'application/json', raw: jsonText(v) })) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_JSON).map((raw) => ({ contentType: 'application/json', raw })) },
      { weight: 1, arbitrary: hostileString.map((raw) => ({ contentType: 'text/csv', raw })) },
      { weight: 1, arbitrary: hostileString.map((raw) => ({ contentType: 'text/plain', raw })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...ODD_CONTENT_TYPES),
            valid.map((v) => form(v)),
          )
          .map(([contentType, raw]) => ({ contentType, raw })),
      },
    );

  const leavesOf = (raw: string) =>
    raw.split('&').flatMap((pair) =>
      pair.split('=').map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      }),
    );

  it('answers every page with junk secrets, queries and forms without a 5xx, a leak, unescaped HTML or a change by a rejected request', async () => {
    const routes: Array<[string, fc.Arbitrary<Sent>]> = [
      [
        'GET /t/:token',
        fc.tuple(secret([token.form, token.decline]), fc.option(hostileString)).map(([s, q]) => ({
          method: 'get' as const,
          path: `/t/${s}`,
          query: q === null ? '' : `saved=${percentEncode(q)}`,
          sent: [s, q ?? ''],
        })),
      ],
      [
        'POST /t/:token',
        fc.tuple(secret([token.form]), pageBody(fc.constant(null).map(() => validForm()))).map(([s, body]) => ({
          method: 'post' as const,
          path: `/t/${s}`,
          body,
          sent: [s, body.raw, ...leavesOf(body.raw)],
        })),
      ],
      [
        'GET /f/:token',
        fc
          .tuple(
            secret([token.followUp]),
            fc.option(fc.oneof(fc.constantFrom('kept', 'broken', 'no_answer', 'toString', '__proto__'), hostileString)),
          )
          .map(([s, q]) => ({
            method: 'get' as const,
            path: `/f/${s}`,
            query: q === null ? '' : `answer=${percentEncode(q)}`,
            sent: [s, q ?? ''],
          })),
      ],
      [
        'POST /f/:token',
        fc
          .tuple(secret([token.followUp]), pageBody(fc.constantFrom({ answer: 'kept' }, { answer: 'broken' })))
          .map(([s, body]) => ({
            method: 'post' as const,
            path: `/f/${s}`,
            body,
            sent: [s, body.raw, ...leavesOf(body.raw)],
          })),
      ],
      ['GET /d/:token', secret([token.digest]).map((s) => ({ method: 'get' as const, path: `/d/${s}`, sent: [s] }))],
      [
        'GET /d/:token/chart.png',
        secret([token.digest]).map((s) => ({ method: 'get' as const, path: `/d/${s}/chart.png`, sent: [s] })),
      ],
      // last: a valid reason declines the assignment, after which the route answers 409
      [
        'POST /t/:token/decline',
        fc.tuple(secret([token.decline]), pageBody(fc.constant({ reason: 'Away that day' }))).map(([s, body]) => ({
          method: 'post' as const,
          path: `/t/${s}/decline`,
          body,
          sent: [s, body.raw, ...leavesOf(body.raw)],
        })),
      ],
    ];
    const failures: string[] = [];
    for (const [name, exchange] of routes) {
      const run = await fc.check(
        fc.asyncProperty(exchange, async (x) => void (await send(x))),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      if (run.failed)
        failures.push(
          `${name} (seed ${run.seed}, path ${run.counterexamplePath}): ${(run.errorInstance as Error)?.message}`,
        );
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('sweeps every field of the outcome form, the decline reason and the follow-up answer with each hostile value', async () => {
    const failures: string[] = [];
    const answers = new Set<string>();
    const sweep = async (path: string, valid: Form) => {
      for (const field of Object.keys(valid)) {
        for (const probe of probesFor(valid[field])) {
          const raw = form({ ...valid, [field]: probe === null ? '' : probe });
          try {
            answers.add(
              `${path.split('/')[1]} ${await send({ method: 'post', path, body: { contentType: 'application/x-www-form-urlencoded', raw }, sent: [path, raw, ...leavesOf(raw)] })}`,
            );
          } catch (error) {
            failures.push(`${path} ${field}: ${(error as Error).message}`);
          }
        }
      }
    };
    await sweep(`/t/${token.form}`, validForm());
    await sweep(`/f/${token.followUp}`, { answer: 'kept' });
    await sweep(`/t/${token.decline}/decline`, { reason: 'Away that day' });
    expect(failures).toEqual([]);
    // both saved and re-rendered with errors: the sweep went past the first check
    expect([...answers]).toEqual(expect.arrayContaining(['t 303', 't 400']));
  }, 60_000);
});

describe('bodies over the size limit', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_FAILURES: '100000' } });
    key = (await smallCampaign(t)).org.adminKey;
  });

  afterAll(async () => {
    await t?.close();
  });

  const tooLarge = (res: request.Response, limit: string) => {
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ statusCode: 413, message: `Request body is larger than the limit of ${limit}` });
  };

  it('refuses JSON, forms and CSV over their limits with a 413 that says so, and changes nothing', async () => {
    const before = await fingerprint(t.dataSource);
    const name = 'x'.repeat(1024 * 1024 + 1);
    tooLarge(
      await t
        .http()
        .post('/api/v1/people')
        .set(auth(key))
        .send({ email: 'big@example.org', name, roles: ['tester'], timezone: 'UTC' }),
      '1mb',
    );
    tooLarge(await t.http().post('/api/v1/people').set(auth(key)).type('form').send(`name=${name}`), '1mb');
    tooLarge(
      await t
        .http()
        .post(`/t/${'A'.repeat(43)}`)
        .type('form')
        .send(`notes=${name}`),
      '1mb',
    );
    // CSV imports may be larger: 2 MB is read (and refused for its content), 11 MB is not read at all
    const header = 'email,name,roles,timezone\n';
    const big = await t
      .http()
      .post('/api/v1/people/import')
      .set(auth(key))
      .set('Content-Type', 'text/csv')
      .send(`${header}a@example.org,${'x'.repeat(2 * 1024 * 1024)},tester,UTC\n`);
    expect(big.status).toBe(400);
    expect(big.body.errors).toEqual([expect.objectContaining({ row: 1, field: 'name', rule: 'isLength' })]);
    tooLarge(
      await t
        .http()
        .post('/api/v1/people/import')
        .set(auth(key))
        .set('Content-Type', 'text/csv')
        .send(`${header}${'a@example.org,Ada,tester,UTC\n'.repeat(400_000)}`),
      '10mb',
    );
    // a small compressed body that inflates past the limit (sent with fetch: supertest would re-encode the bytes)
    const bomb = gzipSync(Buffer.from(JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024) })));
    expect(bomb.length).toBeLessThan(20_000);
    await t.app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/api/v1/people`;
    const inflated = await fetch(url, {
      method: 'POST',
      headers: { ...auth(key), 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: bomb,
    });
    expect({ status: inflated.status, body: await inflated.json() }).toEqual({
      status: 413,
      body: { statusCode: 413, message: 'Request body is larger than the limit of 1mb' },
    });
    const unknownEncoding = await t
      .http()
      .post('/api/v1/people')
      .set(auth(key))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'x-zebra')
      .send('{}');
    expect(unknownEncoding.status).toBe(415);
    expect(unknownEncoding.body.message).toBe('Request body encoding is not supported');
    expect(changedTables(before, await fingerprint(t.dataSource))).toEqual([]);
  });

  it('follows BODY_LIMIT', async () => {
    const small = await createTestApp({ env: { BODY_LIMIT: '100kb' } });
    try {
      tooLarge(
        await small
          .http()
          .post('/api/v1/people')
          .set(auth(key))
          .send({ name: 'x'.repeat(150 * 1024) }),
        '100kb',
      );
    } finally {
      await small.close();
    }
  });
});
