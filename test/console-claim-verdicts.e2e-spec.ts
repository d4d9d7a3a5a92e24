import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { Browser, sessionFor, textOf } from './support/console.js';
import { handComputedCase } from './support/digest-case.js';
import { auth, personWithKey } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The claims list filtered by the verdict the digest showed: the API's `verdict` filter and the console's picker
 * both read the digest archive, so a claim is listed under the verdict its latest digest printed.
 */
let t: TestApp;
let world: Awaited<ReturnType<typeof handComputedCase>>;
let quality: Browser;
/** Each claim's verdict, as the stored digest run holds it. */
let printed: Map<string, string>;
let runningId: string;
let ownerKey: string;

const get = (path: string) => t.http().get(path).set('Cookie', quality.cookie);
const apiIds = async (query: string) => {
  const r = await t.http().get(`/api/v1/claims${query}`).set(auth(world.quality.key)).expect(200);
  return (r.body.items as Array<{ id: string }>).map((c) => c.id).sort();
};
const idsPrinted = (verdict: string) =>
  [...printed]
    .filter(([, v]) => v === verdict)
    .map(([id]) => id)
    .sort();

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2026-11-22T20:00:00Z') });
  world = await handComputedCase(t);
  // a claim whose period runs past the digest's: in progress
  runningId = (
    await t
      .http()
      .post('/api/v1/claims')
      .set(auth(world.quality.key))
      .send({
        touchpointId: world.line,
        metric: 'answer_rate',
        value: 0.9,
        periodStart: '2026-11-16',
        periodEnd: '2026-12-13',
        source: 'Monthly review',
        reportedAt: '2026-11-20',
      })
      .expect(201)
  ).body.id;
  t.clock.set('2026-11-23T08:00:30Z');
  await t.app.get(JobsService).run('digest');
  const [run]: Array<{ payload: { rows: Array<{ claimId: string; verdict: string }> } }> = await t.dataSource.query(
    'SELECT payload FROM digest_run WHERE organization_id = $1',
    [world.org.orgId],
  );
  printed = new Map(run.payload.rows.map((r) => [r.claimId, r.verdict]));
  quality = await sessionFor(t, { organizationId: world.org.orgId, personId: world.quality.person.id });
  ownerKey = (await personWithKey(t, world.org.adminKey, ['owner'])).key;
});
afterAll(() => t.close());

describe('the verdict filter', () => {
  it('lists through the API exactly the claims the digest gave each verdict', async () => {
    expect(printed.get(runningId)).toBe('in_progress');
    const verdicts = new Set(printed.values());
    expect(verdicts.size).toBeGreaterThan(1);
    for (const v of ['contradicted', 'consistent', 'inconclusive', 'in_progress', 'too_few_contacts'])
      expect(await apiIds(`?verdict=${v}`)).toEqual(idsPrinted(v));
    expect(await apiIds('?verdict=none')).toEqual([]);
  });

  it("the console's picker lists the same claims, each with the verdict the digest printed", async () => {
    for (const v of ['contradicted', 'in_progress']) {
      const page = await get(`/claims?verdict=${v}`).expect(200);
      expect(page.text).toContain(`<option value="${v}" selected>`);
      const listed = [...page.text.matchAll(/href="\/claims\/([0-9a-f-]{36})\/edit"/g)].map((m) => m[1]).sort();
      expect(listed).toEqual(idsPrinted(v));
    }
    const all = textOf((await get('/claims').expect(200)).text);
    expect(all).toContain('in progress');
    expect(all).toContain('Verdict');
  });

  it('a claim changed since its digest is in no digest as it now is, until the next one judges it', async () => {
    const [id] = idsPrinted('contradicted');
    expect(id).toBeDefined();
    t.clock.set('2026-11-23T09:00:00Z');
    await t.http().patch(`/api/v1/claims/${id}`).set(auth(world.quality.key)).send({ value: 0.5 }).expect(200);
    expect(await apiIds('?verdict=contradicted')).not.toContain(id);
    expect(await apiIds('?verdict=none')).toEqual([id]);
    const page = textOf((await get('/claims?verdict=none').expect(200)).text);
    expect(page).toContain('not in a digest yet');
  });

  it('refuses an unknown verdict by name (400 in the API; the console shows every claim with the error)', async () => {
    const r = await t.http().get('/api/v1/claims?verdict=wrong').set(auth(world.quality.key)).expect(400);
    expect(r.body.errors[0]).toMatchObject({ field: 'verdict', rule: 'isIn' });
    const page = await get('/claims?verdict=wrong');
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/id="field-verdict-error">verdict must be one of: contradicted/);
  });

  it('refuses the filter to an owner, who reads the digests addressed to them, not the archive', async () => {
    const r = await t.http().get('/api/v1/claims?verdict=contradicted').set(auth(ownerKey)).expect(400);
    expect(r.body.errors[0]).toMatchObject({ field: 'verdict', rule: 'role' });
  });

  it("reads each run's rows stored one by one, not its payload: the same with the payload's rows gone", async () => {
    const archive = async () => {
      const r = await t.http().get('/api/v1/digests').set(auth(world.quality.key)).expect(200);
      return r.body.items as Array<{ id: string; rows: number; headline: string }>;
    };
    const page = async () => textOf((await get('/digests').expect(200)).text);
    const verdicts = ['contradicted', 'consistent', 'in_progress', 'too_few_contacts', 'none'];
    const filtered = async () => Promise.all(verdicts.map((v) => apiIds(`?verdict=${v}`)));
    const before = { archive: await archive(), page: await page(), filtered: await filtered() };
    expect(before.archive).toEqual([expect.objectContaining({ rows: printed.size })]);
    expect(before.archive[0].headline).toMatch(/^\d+ of \d+ claims contradicted · 1 still running$/);
    // a payload with neither rows nor headline: a query reading them there now finds nothing
    await t.dataSource.query(
      `UPDATE digest_run SET payload = payload - 'rows' - 'headline' WHERE organization_id = $1`,
      [world.org.orgId],
    );
    expect(await archive()).toEqual(before.archive);
    expect(await page()).toBe(before.page);
    expect(await filtered()).toEqual(before.filtered);
  });
});
