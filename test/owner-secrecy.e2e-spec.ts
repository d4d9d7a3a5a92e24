import { randomUUID } from 'node:crypto';

import type { Test } from 'supertest';

import { ManualClock } from '../src/common/clock.js';
import { DigestRunsService } from '../src/digests/digest-runs.service.js';
import { DigestSubscription } from '../src/digests/digest-subscription.entity.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { accessWorlds, AccessWorld } from './support/access-world.js';
import { sessionFor } from './support/console.js';
import { auth, created } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * A touchpoint's owner must never learn of a test of their touchpoint before it has happened: not
 * by any route, not by counts or pagination, not by an error or its timing, not in a digest.
 */
let t: TestApp;
let w: AccessWorld;

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
  ({ own: w } = await accessWorlds(t));
});
afterAll(() => t.close());

type Route = { method: string; path: string };

async function documentedRoutes(): Promise<Route[]> {
  const doc = (await t.http().get('/api/docs-json').expect(200)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method, path })));
}

function call(method: string, path: string, key: string): Test {
  return (t.http() as unknown as Record<string, (p: string) => Test>)[method](path).set(auth(key)).send({});
}

/** Status and body, with `probe` written as PROBE: the same answer for two ids reads the same. */
async function answer(method: string, path: string, key: string, probe: string): Promise<string> {
  const res = await call(method, path, key);
  return `${method.toUpperCase()} ${path.replaceAll(probe, 'PROBE')} → ${res.status} ${res.text.replaceAll(probe, 'PROBE')}`;
}

/** Everything the owner can read, calling each documented GET route with `probe` as every path id, and every list filtered every way. */
async function ownersView(probe: string): Promise<string[]> {
  const lines: string[] = [];
  for (const { method, path } of await documentedRoutes()) {
    // The owner's own keys show when each was last used, and /health how long its checks took: both move with time.
    if (method !== 'get' || path.includes('api-keys') || path === '/health') continue;
    lines.push(
      await answer(
        method,
        path.replace(/\{(\w+)\}/g, (_m, name) =>
          name === 'id' && path.startsWith('/api/v1/people') ? w.person.owner.id : probe,
        ),
        w.key.owner,
        probe,
      ),
    );
  }
  const filters: Array<Record<string, string>> = [
    { touchpointId: w.touchpoint },
    { touchpointId: w.touchpoint, status: 'planned' },
    { status: 'revealed' },
    { status: 'cancelled' },
    { campaignId: w.campaign },
    { from: '2027-03-01', to: '2027-04-01' },
    { limit: '1', offset: '1' },
  ];
  for (const query of filters)
    lines.push(await answer('get', `/api/v1/assignments?${new URLSearchParams(query)}`, w.key.owner, probe));
  return [...lines, ...(await ownersPages(probe))];
}

/** Every console page an owner can open, filtered and paged every way, byte for byte (the form token aside). */
const OWNER_PAGES = (probe: string) => [
  '/',
  '/my/touchpoints',
  `/my/touchpoints?touchpointId=${w.touchpoint}`,
  `/my/touchpoints?touchpointId=${probe}`,
  '/my/touchpoints?limit=1&offset=1',
  '/my/touchpoints/claims',
  `/my/touchpoints/claims?touchpointId=${w.touchpoint}`,
  `/my/touchpoints/claims/${w.claim}`,
  `/my/touchpoints/claims/${probe}`,
  '/my/touchpoints/digests',
  `/my/touchpoints/digests/${probe}`,
  `/my/tests/${probe}`,
];

async function ownersPages(probe: string): Promise<string[]> {
  // a fresh session each time: the clock moves between views, and a session's idle expiry reads it
  const b = await sessionFor(t, { organizationId: w.org.orgId, personId: w.person.owner.id });
  const lines: string[] = [];
  for (const path of OWNER_PAGES(probe)) {
    const res = await t.http().get(path).set('Cookie', b.cookie);
    const body = res.text.replaceAll(b.csrf, 'CSRF').replaceAll(probe, 'PROBE');
    lines.push(`GET ${path.replaceAll(probe, 'PROBE')} → ${res.status} ${body}`);
  }
  return lines;
}

describe("a touchpoint's owner", () => {
  it('is answered for a planned test of their touchpoint exactly as for an id that does not exist, on every route', async () => {
    const planned = w.planned[0].id;
    const missing = randomUUID();
    const filler = randomUUID();
    for (const { method, path } of await documentedRoutes()) {
      for (const param of path.match(/\{\w+\}/g) ?? []) {
        // Only the probed id differs; a person id elsewhere in the path is the owner's own, so the route gets as far as the probe.
        const fill = (probe: string) =>
          path.replace(/\{\w+\}/g, (m) =>
            m === param ? probe : m === '{id}' && path.startsWith('/api/v1/people') ? w.person.owner.id : filler,
          );
        expect(await answer(method, fill(planned), w.key.owner, planned)).toBe(
          await answer(method, fill(missing), w.key.owner, missing),
        );
      }
    }
  });

  it('is answered by every console page that takes an id for a planned test exactly as for a missing id', async () => {
    const planned = w.planned[0].id;
    const missing = randomUUID();
    const withId = (probe: string) => OWNER_PAGES(probe).filter((p) => p.includes(probe));
    const pages = async (probe: string) => (await ownersPages(probe)).filter((l) => l.includes('PROBE'));
    expect(withId(planned).length).toBeGreaterThan(0);
    expect(await pages(planned)).toEqual(await pages(missing));
  });

  it('sees nothing change when more tests of their touchpoint are planned or revealed', async () => {
    const before = await ownersView(randomUUID());
    const mailHealth = async () => {
      // Everything /health says but the time its database check took.
      return JSON.stringify((await t.http().get('/health').expect(200)).body, (key, value) =>
        key === 'responseTime' ? undefined : value,
      );
    };
    await t
      .http()
      .post(`/api/v1/campaigns/${w.campaign}/plan`)
      .set(auth(w.key.admin))
      .send({ from: '2027-03-08', to: '2027-03-21' })
      .expect(200);
    const [next] = await t.dataSource.query(
      `SELECT id FROM assignment WHERE touchpoint_id = $1 AND week_start > '2027-03-01' ORDER BY window_start LIMIT 1`,
      [w.touchpoint],
    );
    expect(next).toBeDefined();
    expect(await ownersView(next.id)).toEqual(before);
    // Revealed to its tester, and still to happen.
    const [soon] = await t.dataSource.query('SELECT reveal_at FROM assignment WHERE id = $1', [w.planned[0].id]);
    t.clock.set(soon.reveal_at);
    const healthBefore = await mailHealth();
    await t.app.get(JobsService).run('reveal');
    expect((await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [w.planned[0].id]))[0].status).toBe(
      'revealed',
    );
    expect(await ownersView(w.planned[0].id)).toEqual(before);
    // Not even the public /health, which says nothing of mail (the reveal mail was just written).
    expect(
      (
        await t.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox_message WHERE dedupe_key = $1 AND status = 'pending'`,
          [`reveal:${w.planned[0].id}`],
        )
      )[0].n,
    ).toBe(1);
    expect(await mailHealth()).toEqual(healthBefore);
  });

  it('gets the same 404 in the same time for a planned test as for a missing id', async () => {
    // One code path (visibility is part of the query), so status and body are the same every time;
    // times are compared only with each other, interleaved, so machine load falls on both alike.
    const planned = w.planned[0].id;
    const times: Record<'planned' | 'missing', number[]> = { planned: [], missing: [] };
    const answers = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const order = Math.random() < 0.5 ? (['planned', 'missing'] as const) : (['missing', 'planned'] as const);
      for (const which of order) {
        const id = which === 'planned' ? planned : randomUUID();
        const started = process.hrtime.bigint();
        const res = await t.http().get(`/api/v1/assignments/${id}`).set(auth(w.key.owner));
        times[which].push(Number(process.hrtime.bigint() - started));
        answers.add(`${res.status} ${res.text.replaceAll(id, 'ID')}`);
      }
    }
    expect([...answers]).toEqual(['404 {"message":"Assignment ID not found","error":"Not Found","statusCode":404}']);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const ratio = median(times.planned) / median(times.missing);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('reads a digest of their touchpoint that says nothing of a test whose window is still open', async () => {
    const next = w.planned[0];
    const sub = await t.dataSource.getRepository(DigestSubscription).findOneByOrFail({ id: w.subscription });
    const digestAt = async (at: Date) => {
      t.clock.set(at);
      await t.app.get(DigestRunsService).sendOne(sub, at);
      const [run] = await t.dataSource.query(
        'SELECT id FROM digest_run WHERE subscription_id = $1 AND period_end = $2',
        [sub.id, at],
      );
      const res = await t.http().get(`/api/v1/digests/${run.id}`).set(auth(w.key.owner)).expect(200);
      return res.body.payload;
    };
    const justBefore = await digestAt(new Date(next.windowStart.getTime() - 60_000));
    const during = await digestAt(new Date(next.windowStart.getTime() + 10 * 60_000));
    expect(during.coverage).toEqual(justBefore.coverage);
    // totals only: no count per touchpoint, which would show how a campaign spreads its tests
    expect(during.coverageByTouchpoint).toBeUndefined();
    expect(during.rows.map((r: { n: number }) => r.n)).toEqual(justBefore.rows.map((r: { n: number }) => r.n));
    expect(JSON.stringify(during)).not.toContain(next.id);
    // its preview is the digest its readers get, built by the same step: a week back, totals only
    const [run] = await t.dataSource.query(
      'SELECT period_start, period_end FROM digest_run WHERE subscription_id = $1 ORDER BY period_end DESC LIMIT 1',
      [sub.id],
    );
    const preview = await t
      .http()
      .get(`/api/v1/digest-subscriptions/${sub.id}/preview`)
      .query({ periodStart: run.period_start.toISOString(), periodEnd: run.period_end.toISOString() })
      .set(auth(w.key.admin))
      .expect(200);
    expect(preview.body).toMatchObject({ delayDays: 7, period: during.period });
    expect(preview.body.coverageByTouchpoint).toBeUndefined();
  });

  it('reads in a mid-week digest no slot of that week that nobody could take', async () => {
    // One tester who may test once a week, for two tests a week: one slot a week stays unfilled.
    const campaign = await created(t, w.key.admin, '/api/v1/campaigns', {
      name: 'Thin cover',
      touchpointIds: [w.touchpoint],
      testerIds: [w.bystander.id],
      contactsPerTouchpointPerWeek: 2,
      testerWeeklyCap: 1,
      minSpacingHours: 12,
      rotationDays: 0,
      startsOn: '2027-04-05',
    });
    const plan = await t
      .http()
      .post(`/api/v1/campaigns/${campaign.id}/plan`)
      .set(auth(w.key.admin))
      .send({ from: '2027-04-05', to: '2027-04-11' })
      .expect(200);
    expect(plan.body.unfilled).toHaveLength(1);
    const sub = await t.dataSource.getRepository(DigestSubscription).findOneByOrFail({ id: w.subscription });
    const unfilledAt = async (at: string) => {
      await t.app.get(DigestRunsService).sendOne(sub, new Date(at));
      const [run] = await t.dataSource.query(
        'SELECT payload FROM digest_run WHERE subscription_id = $1 AND period_end = $2',
        [sub.id, at],
      );
      return run.payload.coverage.unfilled;
    };
    expect(await unfilledAt('2027-04-07T08:00:00Z')).toBe(0);
    // The digest goes to the owner, so it reports the period a week back: the week's slot a week after it ended.
    expect(await unfilledAt('2027-04-12T08:00:00Z')).toBe(0);
    expect(await unfilledAt('2027-04-19T08:00:00Z')).toBe(1);
  });

  it('is sent no mail about a test of their touchpoint before it has happened', async () => {
    const mail: Array<{ subject: string; text_body: string }> = await t.dataSource.query(
      'SELECT subject, text_body FROM outbox_message WHERE recipient = $1',
      [w.person.owner.email],
    );
    const planned = await t.dataSource.query(
      `SELECT id, window_start FROM assignment WHERE touchpoint_id = $1 AND status IN ('planned', 'revealed')`,
      [w.touchpoint],
    );
    for (const m of mail) {
      expect(m.subject).toMatch(/digest/i);
      for (const a of planned) expect(m.text_body).not.toContain(a.id);
    }
  });
});

describe("a touchpoint's owner, when tests of their touchpoint are withdrawn and re-planned", () => {
  it('sees nothing change: no cancelled test, no window, no count', async () => {
    const before = await ownersView(randomUUID());
    const live = await t.dataSource.query(
      `SELECT id, tester_id FROM assignment WHERE touchpoint_id = $1 AND campaign_id = $2 AND status IN ('planned', 'revealed') ORDER BY window_start`,
      [w.touchpoint, w.campaign],
    );
    const leaving = live[0].tester_id;
    const [{ tester_ids }] = await t.dataSource.query('SELECT tester_ids FROM campaign WHERE id = $1', [w.campaign]);
    await t
      .http()
      .patch(`/api/v1/campaigns/${w.campaign}`)
      .set(auth(w.key.admin))
      .send({ testerIds: tester_ids.filter((id: string) => id !== leaving) })
      .expect(200);
    const withdrawn = live.filter((a: { tester_id: string }) => a.tester_id === leaving);
    expect(withdrawn.length).toBeGreaterThan(0);
    for (const a of withdrawn)
      expect((await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [a.id]))[0].status).toBe(
        'cancelled',
      );
    expect(await ownersView(withdrawn[0].id)).toEqual(before);
    // Nor by a re-plan of the weeks ahead.
    await t
      .http()
      .post(`/api/v1/campaigns/${w.campaign}/plan`)
      .set(auth(w.key.admin))
      .send({ from: '2027-03-08', to: '2027-03-21', replan: true })
      .expect(200);
    expect(await ownersView(withdrawn[0].id)).toEqual(before);
  });
});

describe("a touchpoint's owner on the console's results page", () => {
  it('sees the same page, byte for byte, when tests of their touchpoint are planned and when one is revealed', async () => {
    // a session of its own at each instant (the clock jumps further than a session's idle time)
    const signIn = () => sessionFor(t, { organizationId: w.org.orgId, personId: w.person.owner.id });
    let browser = await signIn();
    const view = async () =>
      (await t.http().get(`/results/touchpoints/${w.touchpoint}`).set('Cookie', browser.cookie).expect(200)).text;
    const before = await view();
    const planned = await t
      .http()
      .post(`/api/v1/campaigns/${w.campaign}/plan`)
      .set(auth(w.key.admin))
      .send({ from: '2027-03-22', to: '2027-04-04' })
      .expect(200);
    expect(planned.body.planned).toBeGreaterThan(0);
    expect(await view()).toBe(before);
    // at the instant a test is revealed to its tester, the owner's page is what it was a moment before
    const [next] = await t.dataSource.query(
      `SELECT id, reveal_at FROM assignment WHERE touchpoint_id = $1 AND status = 'planned' ORDER BY reveal_at LIMIT 1`,
      [w.touchpoint],
    );
    const now = t.clock.now();
    try {
      t.clock.set(next.reveal_at);
      browser = await signIn();
      const atReveal = await view();
      await t.app.get(JobsService).run('reveal');
      expect((await t.dataSource.query('SELECT status FROM assignment WHERE id = $1', [next.id]))[0].status).toBe(
        'revealed',
      );
      expect(await view()).toBe(atReveal);
    } finally {
      t.clock.set(now);
    }
  });
});

describe("a touchpoint's owner, a week later", () => {
  it('sees a completed test of their touchpoint only once a week has passed since its window started', async () => {
    const [{ window_start: start }] = await t.dataSource.query('SELECT window_start FROM assignment WHERE id = $1', [
      w.completed,
    ]);
    const listed = async () => {
      const res = await t
        .http()
        .get(`/api/v1/assignments?touchpointId=${w.touchpoint}`)
        .set(auth(w.key.owner))
        .expect(200);
      return res.body.items.map((a: { id: string }) => a.id);
    };
    const before = t.clock.now();
    try {
      // Completed minutes ago: a fresh test would tell the owner that the next hours are safe (the spacing rule).
      expect(await listed()).toEqual([]);
      await t.http().get(`/api/v1/assignments/${w.completed}`).set(auth(w.key.owner)).expect(404);
      t.clock.set(new Date(start.getTime() + 7 * 86_400_000 - 60_000));
      expect(await listed()).toEqual([]);
      t.clock.set(new Date(start.getTime() + 7 * 86_400_000));
      expect(await listed()).toEqual([w.completed]);
      const res = await t.http().get(`/api/v1/assignments/${w.completed}`).set(auth(w.key.owner)).expect(200);
      expect(res.body.testerId).toBeNull();
    } finally {
      t.clock.set(before);
    }
  });
});

describe('the register of test contacts', () => {
  it('lists completed contacts only: no planned or revealed test, not even its window', async () => {
    const csv = (await t.http().get('/api/v1/outcomes/register.csv').set(auth(w.key.quality)).expect(200)).text;
    expect(csv).toContain(w.completed);
    const pending = await t.dataSource.query(
      `SELECT id, window_start FROM assignment WHERE organization_id = $1 AND status IN ('planned', 'revealed')`,
      [w.org.orgId],
    );
    expect(pending.length).toBeGreaterThan(0);
    for (const a of pending) {
      expect(csv).not.toContain(a.id);
      expect(csv).not.toContain(a.window_start.toISOString());
    }
  });
});
