import ExcelJS from 'exceljs';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { Browser, sessionFor, textOf } from './support/console.js';
import { handComputedCase } from './support/digest-case.js';
import { auth, personWithKey } from './support/factories.js';
import { SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The quality lead's digest archive in the console: every run, its page, a row's contacts, one contact with its
 * audit trail, and the exports (CSV and XLSX, formula-safe), through the same services as the API.
 */
const SENT_AT = '2026-11-23T08:00:30Z';
const HOSTILE = '=HYPERLINK("http://evil.example","click")';

let sink: SmtpSink;
let t: TestApp;
let world: Awaited<ReturnType<typeof handComputedCase>>;
let other: Awaited<ReturnType<typeof handComputedCase>>;
let quality: Browser;
let tester: Browser;
let runId: string;
let otherRunId: string;
let hostileId: string;

const get = (b: Browser, path: string) => t.http().get(path).set('Cookie', b.cookie);
const binary = (
  res: { on: (e: string, f: (c?: Buffer) => void) => void },
  cb: (e: Error | null, b: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (c) => chunks.push(c!));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({
    env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
    clock: new ManualClock('2026-11-22T20:00:00Z'),
  });
  world = await handComputedCase(t);
  other = await handComputedCase(t, { name: 'Other digest' });
  const adHoc = await personWithKey(t, world.org.adminKey, ['tester']);
  hostileId = (
    await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(adHoc.key))
      .send({
        touchpointId: world.line,
        attemptedAt: '2026-11-20T09:00:00Z',
        reachedHuman: false,
        transfers: 0,
        resolution: 'unresolved',
        optionsExplained: false,
        notes: HOSTILE,
      })
      .expect(201)
  ).body.id;
  t.clock.set(SENT_AT);
  await t.app.get(JobsService).run('digest');
  const runs: Array<{ id: string; organization_id: string }> = await t.dataSource.query(
    'SELECT id, organization_id FROM digest_run',
  );
  runId = runs.find((r) => r.organization_id === world.org.orgId)!.id;
  otherRunId = runs.find((r) => r.organization_id === other.org.orgId)!.id;
  quality = await sessionFor(t, { organizationId: world.org.orgId, personId: world.quality.person.id });
  const someTester = await personWithKey(t, world.org.adminKey, ['tester']);
  tester = await sessionFor(t, { organizationId: world.org.orgId, personId: someTester.person.id });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('the digest archive', () => {
  it('lists every run of the organization: its digest, period, when sent and how many rows', async () => {
    const r = await get(quality, '/digests');
    expect(r.status).toBe(200);
    const text = textOf(r.text);
    expect(text).toContain('Monday digest');
    expect(text).toContain('16 Nov 2026 08:00 – 23 Nov 2026 08:00 UTC');
    expect(text).toContain('23 Nov 2026 08:00 UTC');
    expect(r.text).toContain(`href="/digests/runs/${runId}"`);
    expect(r.text).not.toContain(otherRunId);
    expect(text).not.toContain('Other digest');
  });

  it('is the API archive too (GET /api/v1/digests), for admin and quality only', async () => {
    const r = await t.http().get('/api/v1/digests').set(auth(world.quality.key)).expect(200);
    expect(r.body.total).toBe(1);
    expect(r.body.items[0]).toMatchObject({ id: runId, subscriptionName: 'Monday digest', rows: 5 });
    expect(r.body.items[0].payload).toBeUndefined();
    const tester = await personWithKey(t, world.org.adminKey, ['tester']);
    await t.http().get('/api/v1/digests').set(auth(tester.key)).expect(403);
    await t.http().get('/api/v1/digests?subscriptionId=nope').set(auth(world.quality.key)).expect(400);
  });

  it('answers a bad filter with 400 and the rule beside the field', async () => {
    const r = await get(quality, '/digests?subscriptionId=nope');
    expect(r.status).toBe(400);
    expect(textOf(r.text)).toContain('subscriptionId must be a UUID');
  });

  it("opens a run's page: each claim beside the tests, with a link to the contacts behind it", async () => {
    const r = await get(quality, `/digests/runs/${runId}`);
    expect(r.status).toBe(200);
    const text = textOf(r.text);
    expect(text).toContain('General line');
    expect(text).toContain('answer_rate');
    expect(r.text).toContain(`href="/digests/runs/${runId}/rows/0"`);
    expect(r.text).toContain(`href="/results/touchpoints/${world.line}"`);
  });

  it("answers another organization's run, and a row that does not exist, with 404", async () => {
    expect((await get(quality, `/digests/runs/${otherRunId}`)).status).toBe(404);
    expect((await get(quality, `/digests/runs/${otherRunId}/rows/0`)).status).toBe(404);
    expect((await get(quality, `/digests/runs/${runId}/rows/99`)).status).toBe(404);
    expect((await get(quality, `/digests/runs/${otherRunId}/export/csv`)).status).toBe(404);
  });

  it('is closed to a tester (403)', async () => {
    for (const path of ['/digests', `/digests/runs/${runId}`, '/contacts', `/contacts/${hostileId}`])
      expect([path, (await get(tester, path)).status]).toEqual([path, 403]);
  });
});

describe('drill-down: a row to its contacts to one contact', () => {
  it("lists the contacts in the row's claim period for its touchpoint, each linking to its page", async () => {
    const run = (await t.http().get(`/api/v1/digests/${runId}`).set(auth(world.quality.key))).body;
    const index = run.payload.rows.findIndex(
      (r: { touchpointId: string; metric: string }) => r.touchpointId === world.line && r.metric === 'answer_rate',
    );
    const r = await get(quality, `/digests/runs/${runId}/rows/${index}`);
    expect(r.status).toBe(200);
    const links = [...r.text.matchAll(/href="\/contacts\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(links).toHaveLength(11); // the ten of the case and the ad-hoc one with hostile notes
    expect(links).toContain(hostileId);
    expect(textOf(r.text)).toContain('Contacts behind General line');
  });

  it('shows one contact: what happened, its notes (escaped), answers, and the trail of its saves', async () => {
    const r = await get(quality, `/contacts/${hostileId}`);
    expect(r.status).toBe(200);
    const text = textOf(r.text);
    expect(text).toContain('Contact with General line');
    expect(r.text).toContain('=HYPERLINK(&quot;http://evil.example&quot;');
    expect(text).toContain('Saves of this contact');
    expect(text).toContain('first save');
    expect(r.text).toContain(`href="/results/touchpoints/${world.line}"`);
  });

  it("answers another organization's contact with 404", async () => {
    const [{ id }] = await t.dataSource.query('SELECT id FROM outcome WHERE organization_id = $1 LIMIT 1', [
      other.org.orgId,
    ]);
    expect((await get(quality, `/contacts/${id}`)).status).toBe(404);
  });
});

describe('exports', () => {
  it('exports the filtered contacts as CSV, a formula in the notes made text', async () => {
    const r = await get(quality, `/contacts/export/csv?touchpointId=${world.line}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toBe('attachment; filename="contacts.csv"');
    const lines = r.text.trim().split('\n');
    expect(lines[0]).toMatch(/^contact_id,attempted_at,touchpoint,channel,team,/);
    expect(lines).toHaveLength(12);
    expect(r.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(r.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it('exports the same contacts as XLSX: text cells hold no formula, numbers stay numbers', async () => {
    const r = await get(quality, `/contacts/export/xlsx?touchpointId=${world.line}`).buffer(true).parse(binary);
    expect(r.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(r.body as ArrayBuffer);
    const sheet = book.worksheets[0];
    expect(sheet.rowCount).toBe(12);
    const values = sheet.getSheetValues().flat() as unknown[];
    expect(values).toContain(`'${HOSTILE}`);
    sheet.eachRow((row) => row.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it("exports a digest's rows as CSV and XLSX", async () => {
    const csv = await get(quality, `/digests/runs/${runId}/export/csv`);
    expect(csv.status).toBe(200);
    expect(csv.text.split('\n')[0]).toBe(
      'scope,metric,claimed,observed,n,ci_low,ci_high,gap,verdict,claim_period_start,claim_period_end,source',
    );
    expect(csv.text.trim().split('\n')).toHaveLength(6);
    const xlsx = await get(quality, `/digests/runs/${runId}/export/xlsx`).buffer(true).parse(binary);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as ArrayBuffer);
    expect(book.worksheets[0].rowCount).toBe(6);
    expect((await get(quality, `/digests/runs/${runId}/export/pdf`)).status).toBe(404);
  });

  it('refuses an export to a tester', async () => {
    expect((await get(tester, '/contacts/export/csv')).status).toBe(403);
  });
});
