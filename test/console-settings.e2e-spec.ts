import { Browser, sessionFor, textOf } from './support/console.js';
import { auth, newOrganization, personWithKey, TestOrganization } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The admin's Settings page: what GET/PATCH /api/v1/organization/settings hold, as a form. */
let t: TestApp;
let org: TestOrganization;
let admin: Browser;

beforeAll(async () => {
  t = await createTestApp();
  org = await newOrganization(t, 'Harbour Bank');
  admin = await sessionFor(t, { organizationId: org.orgId, personId: org.adminId });
});
afterAll(() => t.close());

const post = (fields: Array<[string, string]>, b = admin) =>
  t
    .http()
    .post('/settings')
    .set('Cookie', b.cookie)
    .type('form')
    .send(new URLSearchParams([['_csrf', b.csrf], ...fields]).toString());
const api = async () =>
  (await t.http().get('/api/v1/organization/settings').set(auth(org.adminKey)).expect(200)).body as {
    countAdHocInVerdicts: boolean;
    gapThatMatters: Record<string, number>;
    targets: Record<string, number>;
    overridden: string[];
  };

describe('settings', () => {
  it('shows the settings in force, each metric with its default', async () => {
    const page = await t.http().get('/settings').set('Cookie', admin.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="gapThatMatters.answer_rate"');
    expect(textOf(page.text)).toContain('default 0.1');
    expect(page.text).toMatch(/<option value="false" selected/);
  });

  it('saves ad-hoc counting and one gap; a blank gap goes back to the default', async () => {
    expect(
      (
        await post([
          ['countAdHocInVerdicts', 'true'],
          ['gapThatMatters.answer_rate', '0.05'],
        ])
      ).status,
    ).toBe(303);
    let now = await api();
    expect(now.countAdHocInVerdicts).toBe(true);
    expect(now.gapThatMatters.answer_rate).toBe(0.05);
    expect(now.overridden).toEqual(['answer_rate']);
    const page = await t.http().get('/settings').set('Cookie', admin.cookie);
    expect(textOf(page.text)).toContain('The settings are saved.');
    expect(page.text).toContain('value="0.05"');
    expect(
      (
        await post([
          ['countAdHocInVerdicts', 'false'],
          ['gapThatMatters.answer_rate', ''],
        ])
      ).status,
    ).toBe(303);
    now = await api();
    expect(now).toMatchObject({ countAdHocInVerdicts: false, overridden: [] });
    expect(now.gapThatMatters.answer_rate).toBe(0.1);
  });

  it("refuses a gap out of its rule with the API's words beside it, changing nothing", async () => {
    const res = await post([
      ['countAdHocInVerdicts', 'false'],
      ['gapThatMatters.answer_rate', '2'],
      ['gapThatMatters.avg_seconds_to_human', 'soon'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(
      /id="field-gapThatMatters-answer_rate-error"[^>]*>gapThatMatters.answer_rate must be at most 1/,
    );
    expect(res.text).toMatch(
      /id="field-gapThatMatters-avg_seconds_to_human-error"[^>]*>gapThatMatters.avg_seconds_to_human must be a number/,
    );
    expect(res.text).toContain('value="soon"');
    expect((await api()).overridden).toEqual([]);
  });

  it("sets and clears targets; a target outside its metric's range is refused beside its field", async () => {
    expect(
      (
        await post([
          ['countAdHocInVerdicts', 'false'],
          ['targets.transfer_rate', '0.2'],
          ['targets.median_hold_seconds', '120'],
        ])
      ).status,
    ).toBe(303);
    expect((await api()).targets).toEqual({ transfer_rate: 0.2, median_hold_seconds: 120 });
    const page = await t.http().get('/settings').set('Cookie', admin.cookie);
    expect(page.text).toMatch(
      /name="targets.transfer_rate"[^>]*value="0.2"|value="0.2"[^>]*name="targets.transfer_rate"/,
    );
    const refused = await post([
      ['countAdHocInVerdicts', 'false'],
      ['targets.transfer_rate', '1.5'],
      ['targets.courtesy_avg', '0'],
    ]);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/id="field-targets-transfer_rate-error"[^>]*>targets.transfer_rate must be at most 1/);
    expect(refused.text).toMatch(/id="field-targets-courtesy_avg-error"[^>]*>targets.courtesy_avg must be at least 1/);
    expect((await api()).targets).toEqual({ transfer_rate: 0.2, median_hold_seconds: 120 });
    expect(
      (
        await post([
          ['countAdHocInVerdicts', 'false'],
          ['targets.transfer_rate', ''],
          ['targets.median_hold_seconds', '120'],
        ])
      ).status,
    ).toBe(303);
    expect((await api()).targets).toEqual({ median_hold_seconds: 120 });
  });

  it('is for admins only', async () => {
    const q = await personWithKey(t, org.adminKey, ['quality']);
    const b = await sessionFor(t, { organizationId: org.orgId, personId: q.person.id });
    expect((await t.http().get('/settings').set('Cookie', b.cookie)).status).toBe(403);
    expect((await post([['countAdHocInVerdicts', 'true']], b)).status).toBe(403);
    expect((await api()).countAdHocInVerdicts).toBe(false);
  });
});
