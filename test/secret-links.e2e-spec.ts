import { ManualClock } from '../src/common/clock.js';
import { hashSecret } from '../src/common/secrets.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { accessWorlds, AccessWorld, linkOf } from './support/access-world.js';
import { auth } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The links in mails (/t: a tester's outcome form, /f: a follow-up question, /d: a digest on the
 * web) are the only credential their holder has: each opens its one thing, stops at its expiry,
 * and no secret — link or API key — is ever written to the log.
 */
let t: TestApp;
let w: AccessWorld;
let test: { id: string; windowStart: Date; windowEnd: Date; touchpoint: string; link: string };
let followUp: string;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const guessed = 'gt_' + 'A'.repeat(43);

const assignments = async () =>
  t.dataSource.query('SELECT id, status, tester_id, decline_reason FROM assignment ORDER BY id');
const outcomes = async () => t.dataSource.query('SELECT id, assignment_id, updated_at FROM outcome ORDER BY id');

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
  ({ own: w } = await accessWorlds(t));
  // The completed test's outcome, edited: a callback was promised for the next day.
  const [done] = await t.dataSource.query('SELECT window_start FROM assignment WHERE id = $1', [w.completed]);
  const promisedBy = new Date(done.window_start.getTime() + 24 * 3_600_000).toISOString().slice(0, 10);
  await t
    .http()
    .put(`/api/v1/assignments/${w.completed}/outcome`)
    .set(auth(w.key.tester))
    .send({
      attemptedAt: new Date(done.window_start.getTime() + 10 * 60_000).toISOString(),
      reachedHuman: false,
      resolution: 'unresolved',
      optionsExplained: false,
      promisedFollowUpBy: promisedBy,
      answers: { offered_alternative: false },
    })
    .expect(200);
  // The owner's next test, revealed to its tester.
  const [next] = await t.dataSource.query(
    'SELECT a.id, a.reveal_at, a.window_start, a.window_end, t.name FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id WHERE a.id = $1',
    [w.planned[0].id],
  );
  t.clock.set(next.reveal_at);
  await t.app.get(JobsService).run('reveal');
  test = {
    id: next.id,
    windowStart: next.window_start,
    windowEnd: next.window_end,
    touchpoint: next.name,
    link: await linkOf(t, `reveal:${next.id}`, 't'),
  };
});
afterAll(() => t.close());

describe("a tester's link", () => {
  it('shows its one test and nothing of anyone or anything else', async () => {
    const page = await t.http().get(`/t/${test.link}`).expect(200);
    expect(page.text).toContain(test.touchpoint);
    expect(page.text).not.toMatch(UUID);
    const [unowned] = await t.dataSource.query('SELECT name FROM touchpoint WHERE id = $1', [w.unownedTouchpoint]);
    const people = await t.dataSource.query(
      'SELECT name, email FROM person WHERE id <> (SELECT tester_id FROM assignment WHERE id = $1)',
      [test.id],
    );
    for (const text of [unowned.name, ...people.flatMap((p: { name: string; email: string }) => [p.name, p.email])])
      expect(page.text).not.toContain(text);
  });

  it('records the outcome of its one test, and changes nothing else', async () => {
    const before = (await assignments()).filter((a: { id: string }) => a.id !== test.id);
    const outcomesBefore = await outcomes();
    t.clock.set(new Date(test.windowStart.getTime() + 20 * 60_000));
    const local = await t.http().get(`/t/${test.link}`).expect(200);
    const attemptedAt = /name="attemptedAt"[^>]*value="([^"]+)"/.exec(local.text)![1];
    await t
      .http()
      .post(`/t/${test.link}`)
      .type('form')
      .send({
        attemptedAt,
        reachedHuman: 'no',
        transfers: '0',
        disconnects: '0',
        resolution: 'unresolved',
        optionsExplained: 'no',
        'answers.offered_alternative': 'no',
      })
      .expect(303);
    expect((await assignments()).filter((a: { id: string }) => a.id !== test.id)).toEqual(before);
    const after = await outcomes();
    expect(after.filter((o: { assignment_id: string }) => o.assignment_id !== test.id)).toEqual(outcomesBefore);
    expect(after.filter((o: { assignment_id: string }) => o.assignment_id === test.id)).toHaveLength(1);
    // Declining a test that is done is refused, and still touches nothing else.
    await t.http().post(`/t/${test.link}/decline`).type('form').send({ reason: 'Changed my mind' }).expect(409);
    expect((await assignments()).filter((a: { id: string }) => a.id !== test.id)).toEqual(before);
  });

  it('is not an API key, and opens no other kind of link', async () => {
    await t.http().get('/api/v1/assignments').set(auth(test.link)).expect(401);
    await t.http().get(`/f/${test.link}`).expect(404);
    await t.http().get(`/d/${test.link}`).expect(404);
    await t.http().get(`/t/${w.digestLink}`).expect(404);
  });
});

describe("a follow-up question's link", () => {
  it('asks about its one promise and records the answer to it only', async () => {
    const [o] = await t.dataSource.query('SELECT id, promised_follow_up_by FROM outcome WHERE assignment_id = $1', [
      w.completed,
    ]);
    t.clock.set(new Date(Math.max(t.clock.now().getTime(), Date.parse(o.promised_follow_up_by) + 3 * 24 * 3_600_000)));
    await t.app.get(JobsService).run('followUp');
    followUp = await linkOf(t, `promise:${o.id}`, 'f');
    const page = await t.http().get(`/f/${followUp}`).expect(200);
    expect(page.text).not.toMatch(UUID);
    for (const name of w.otherTesterNames) expect(page.text).not.toContain(name);
    await t.http().post(`/f/${followUp}`).type('form').send({ answer: 'kept' }).expect(200);
    const statuses = await t.dataSource.query(
      'SELECT id, promise_status FROM outcome WHERE promise_status IS NOT NULL',
    );
    expect(statuses).toEqual([{ id: o.id, promise_status: 'kept' }]);
  });
});

describe('after expiry', () => {
  it("a tester's link and a follow-up link answer 410 to GET and POST, and record nothing", async () => {
    // The tester link lives until window end + grace + 48 h; the follow-up link 14 days.
    t.clock.set(
      new Date(Math.max(test.windowEnd.getTime() + 4 * 24 * 3_600_000, t.clock.now().getTime() + 15 * 24 * 3_600_000)),
    );
    const before = [
      await assignments(),
      await outcomes(),
      await t.dataSource.query('SELECT id, promise_status FROM outcome ORDER BY id'),
    ];
    for (const [method, path, body] of [
      ['get', `/t/${test.link}`, undefined],
      ['post', `/t/${test.link}`, { attemptedAt: '2027-03-02T10:00', reachedHuman: 'no', resolution: 'resolved' }],
      ['post', `/t/${test.link}/decline`, { reason: 'Too late' }],
      ['get', `/f/${followUp}`, undefined],
      ['post', `/f/${followUp}`, { answer: 'broken' }],
    ] as const) {
      const req = method === 'get' ? t.http().get(path) : t.http().post(path).type('form').send(body);
      const res = await req;
      expect({ path, status: res.status }).toEqual({ path, status: 410 });
      expect(res.text).toMatch(/expired/);
      expect(res.text).not.toContain(test.touchpoint);
    }
    expect([
      await assignments(),
      await outcomes(),
      await t.dataSource.query('SELECT id, promise_status FROM outcome ORDER BY id'),
    ]).toEqual(before);
  });
});

describe('the log', () => {
  it('holds no API key and no link secret, nor their hashes, and shows secret links redacted', async () => {
    // Failed attempts too: a guessed key, a revoked one, guessed links.
    await t.http().get('/api/v1/me').set(auth(guessed)).expect(401);
    await t.http().get('/api/v1/me').set(auth(w.revokedKey)).expect(401);
    await t
      .http()
      .get(`/t/${guessed.slice(3)}`)
      .expect(404);
    await t.http().get(`/d/${w.digestLink}`).expect(200);
    await t.http().get(`/d/${w.digestLink}/chart.png`).expect(200);
    const secrets = [
      ...Object.values(w.key),
      w.revokedKey,
      guessed,
      guessed.slice(3),
      w.testerLink!,
      test.link,
      followUp,
      w.digestLink,
    ];
    const written = [...secrets, ...secrets.map(hashSecret)];
    expect(t.logs.length).toBeGreaterThan(0);
    expect(t.logs.filter((line) => written.some((secret) => line.includes(secret)))).toEqual([]);
    const urls = t.logs.map((line) => JSON.parse(line).req?.url).filter((u): u is string => typeof u === 'string');
    const linkUrls = urls.filter((u) => /^\/[tfd]\//.test(u));
    expect(linkUrls.length).toBeGreaterThanOrEqual(10);
    for (const url of linkUrls) expect(url).toMatch(/^\/[tfd]\/\[secret\](\/decline|\/chart\.png)?(\?.*)?$/);
  });
});
