import { randomUUID } from 'node:crypto';

import { ManualClock } from '../src/common/clock.js';
import { accessWorlds, AccessWorld } from './support/access-world.js';
import { sessionFor, textOf } from './support/console.js';
import { auth } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * "My touchpoints" (owner): the touchpoints they own, their completed tests once a week old and never who made
 * them, the claims of their touchpoints, theirs editable by the API's rules. (Secrecy of planned and revealed tests:
 * test/owner-secrecy.e2e-spec.ts, which reads these pages too.)
 */
let t: TestApp;
let w: AccessWorld;
let other: AccessWorld;

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
  ({ own: w, other } = await accessWorlds(t));
});
afterAll(() => t.close());

/** A fresh session of the owner's (the clock moves, and a session's idle expiry reads it). */
async function owner() {
  return sessionFor(t, { organizationId: w.org.orgId, personId: w.person.owner.id });
}
async function get(path: string) {
  return t
    .http()
    .get(path)
    .set('Cookie', (await owner()).cookie);
}
/** Every name the owner must never read: who tested, and the other testers. */
const testerNames = () => [w.person.tester.name, w.bystander.name, ...w.otherTesterNames, w.person.tester.email];

describe('my touchpoints', () => {
  it('lists the touchpoints the owner owns with a link to their results, and no test made minutes ago', async () => {
    const res = await get('/my/touchpoints');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`href="/results/touchpoints/${w.touchpoint}"`);
    expect(res.text).not.toContain(w.unownedTouchpoint);
    expect(textOf(res.text)).toContain('No completed test to show yet.');
    expect(res.text).not.toContain(w.completed);
    for (const name of testerNames()) expect(res.text).not.toContain(name);
  });

  it('lists exactly the touchpoints GET /api/v1/touchpoints gives the owner: one access path', async () => {
    const api = await t.http().get('/api/v1/touchpoints').set(auth(w.key.owner)).expect(200);
    const ids = (api.body.items as Array<{ id: string; ownerId: string }>).map((tp) => tp.id);
    expect(ids).toContain(w.touchpoint);
    expect(ids).not.toContain(w.unownedTouchpoint);
    expect(api.body.items.every((tp: { ownerId: string }) => tp.ownerId === w.person.owner.id)).toBe(true);
    const page = await get('/my/touchpoints');
    const listed = [
      ...page.text.matchAll(
        /aria-label="Results of [^"]*" href="\/results\/touchpoints\/([0-9a-f-]{36})"|href="\/results\/touchpoints\/([0-9a-f-]{36})" aria-label="Results of /g,
      ),
    ].map((m) => m[1] ?? m[2]);
    expect([...new Set(listed)].sort()).toEqual([...ids].sort());
    // another owner's touchpoint: not listed however asked, and not there to read
    const asked = await t
      .http()
      .get(`/api/v1/touchpoints?ownerId=${w.person.tester.id}`)
      .set(auth(w.key.owner))
      .expect(200);
    expect(asked.body).toEqual({ items: [], total: 0 });
    await t.http().get(`/api/v1/touchpoints/${w.touchpoint}`).set(auth(w.key.owner)).expect(200);
    await t.http().get(`/api/v1/touchpoints/${w.unownedTouchpoint}`).set(auth(w.key.owner)).expect(404);
    await t.http().get(`/api/v1/touchpoints/${other.touchpoint}`).set(auth(w.key.owner)).expect(404);
  });

  it('shows a completed test a week after its window started, without who made it', async () => {
    const [{ window_start: start }] = await t.dataSource.query('SELECT window_start FROM assignment WHERE id = $1', [
      w.completed,
    ]);
    const before = t.clock.now();
    try {
      t.clock.set(new Date(start.getTime() + 7 * 86_400_000 - 60_000));
      expect(textOf((await get('/my/touchpoints')).text)).toContain('No completed test to show yet.');
      t.clock.set(new Date(start.getTime() + 7 * 86_400_000));
      const res = await get(`/my/touchpoints?touchpointId=${w.touchpoint}`);
      expect(res.status).toBe(200);
      expect(textOf(res.text)).toMatch(/1–1 of 1/);
      for (const name of testerNames()) expect(res.text).not.toContain(name);
      expect(res.text).not.toContain(w.person.tester.id);
      // the API shows the owner the same one test
      const api = await t.http().get('/api/v1/assignments').set(auth(w.key.owner)).expect(200);
      expect(api.body.items.map((a: { id: string }) => a.id)).toEqual([w.completed]);
    } finally {
      t.clock.set(before);
    }
  });

  it("lists the claims of the owner's touchpoints only, each of theirs with a link to change it", async () => {
    const res = await get('/my/touchpoints/claims');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`href="/my/touchpoints/claims/${w.claim}"`);
    expect(textOf(res.text)).toContain('96 %');
    expect(res.text).not.toContain(w.unownedClaim);
  });

  it('changes their claim through the API rules: a value out of its unit is refused beside its field', async () => {
    const b = await owner();
    const form = await t.http().get(`/my/touchpoints/claims/${w.claim}`).set('Cookie', b.cookie);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="0.96"');
    const post = (fields: Record<string, string>) =>
      t
        .http()
        .post(`/my/touchpoints/claims/${w.claim}`)
        .set('Cookie', b.cookie)
        .type('form')
        .send({ _csrf: b.csrf, value: '0.96', periodStart: '2027-03-01', periodEnd: '2027-03-07', ...fields });
    const bad = await post({ value: '96', source: 'Weekly review' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="field-value-error"');
    expect(bad.text).toContain('value="96"');
    const ok = await post({ value: '0.93', source: 'Weekly review, corrected' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/my/touchpoints/claims');
    const api = await t.http().get(`/api/v1/claims/${w.claim}`).set(auth(w.key.owner)).expect(200);
    expect([api.body.value, api.body.source]).toEqual([0.93, 'Weekly review, corrected']);
  });

  it("answers 404 for a claim of another touchpoint's or organization's, as for a missing id", async () => {
    for (const id of [other.claim, randomUUID()]) expect((await get(`/my/touchpoints/claims/${id}`)).status).toBe(404);
    const unowned = await get(`/my/touchpoints/claims/${w.unownedClaim}`);
    expect(unowned.status).toBe(404);
  });

  it('lists the digests sent to the owner as GET /api/v1/me/digests does, and opens each as GET /api/v1/digests/:id allows', async () => {
    const api = await t.http().get('/api/v1/me/digests').set(auth(w.key.owner)).expect(200);
    const ids = api.body.items.map((r: { id: string }) => r.id);
    const single = await t.http().get(`/api/v1/digests/${w.digestRun}`).set(auth(w.key.owner));
    expect(ids.includes(w.digestRun)).toBe(single.status === 200);
    const list = await get('/my/touchpoints/digests');
    expect(list.status).toBe(200);
    for (const id of ids) expect(list.text).toContain(`href="/my/touchpoints/digests/${id}"`);
    expect((await get(`/my/touchpoints/digests/${w.digestRun}`)).status).toBe(single.status);
    // another organization's run, or one not sent to them, does not exist for them
    expect((await get(`/my/touchpoints/digests/${other.digestRun}`)).status).toBe(404);
    const quality = await t.http().get('/api/v1/me/digests').set(auth(w.key.quality)).expect(200);
    expect(quality.body.items).toEqual([]);
  });

  it('opens a digest sent to the owner once a week past its period, with its subscription name', async () => {
    const before = t.clock.now();
    try {
      t.clock.set(new Date(before.getTime() + 15 * 86_400_000));
      const api = await t.http().get('/api/v1/me/digests').set(auth(w.key.owner)).expect(200);
      expect(api.body.items.map((r: { id: string }) => r.id)).toContain(w.digestRun);
      expect(api.body.items[0].subscriptionName).toBe('Owner digest');
      const page = await get(`/my/touchpoints/digests/${w.digestRun}`);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
    } finally {
      t.clock.set(before);
    }
  });
});
