import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CSV_BODY_LIMIT_BYTES } from '../src/common/csv/csv-import.js';
import { Browser, sessionFor, textOf } from './support/console.js';
import { auth, newOrganization, personWithKey, TestOrganization, touchpointBody } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The console's CSV imports by file upload (multipart), beside paste: people and claims, each bad row shown as the
 * pasted import shows it, a file over the size limit or not UTF-8 text refused by name, the form token checked.
 */
let t: TestApp;
let org: TestOrganization;
let admin: Browser;
let tester: Browser;

/** An import form sent as a browser sends it with a chosen file: the form token first, then the file. */
const upload = (path: string, file: Buffer | string, b: Browser = admin, csrf = b.csrf) =>
  t
    .http()
    .post(path)
    .set('Cookie', b.cookie)
    .field('_csrf', csrf)
    .field('csv', '')
    .attach('file', Buffer.from(file), { filename: 'import.csv', contentType: 'text/csv' });
const apiTotal = async (path: string) =>
  (await t.http().get(path).set(auth(org.adminKey)).expect(200)).body.total as number;

beforeAll(async () => {
  t = await createTestApp();
  org = await newOrganization(t, 'Harbour Bank');
  admin = await sessionFor(t, { organizationId: org.orgId, personId: org.adminId });
  const someTester = await personWithKey(t, org.adminKey, ['tester']);
  tester = await sessionFor(t, { organizationId: org.orgId, personId: someTester.person.id });
  await t
    .http()
    .post('/api/v1/touchpoints')
    .set(auth(org.adminKey))
    .send(touchpointBody({ name: 'General line' }));
});
afterAll(() => t.close());

describe('importing people from a file', () => {
  it('offers a file chooser beside the paste box, in a multipart form', async () => {
    const page = await t.http().get('/people/import').set('Cookie', admin.cookie).expect(200);
    expect(page.text).toContain('enctype="multipart/form-data"');
    expect(page.text).toMatch(/<input id="field-file"[^>]* name="file" type="file" accept=".csv,text\/csv"/);
    expect(page.text).toContain('id="field-csv"');
  });

  it('imports the people of an uploaded file (a byte-order mark and all), flashing what it did', async () => {
    const csv =
      '\uFEFFemail,name,roles,timezone\nfile1@example.org,File One,tester,UTC\nfile2@example.org,File Two,owner,UTC';
    const r = await upload('/people/import', csv);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/people');
    const list = textOf((await t.http().get('/people').set('Cookie', admin.cookie)).text);
    expect(list).toContain('Imported: 2 added, 0 already known by email and updated.');
    expect(await apiTotal('/api/v1/people?q=file1%40example.org')).toBe(1);
  });

  it('shows each bad row of an uploaded file inline and imports nothing', async () => {
    const csv = 'email,name,roles,timezone\nokay@example.org,Okay,tester,UTC\nbroken,Broken,tester,UTC';
    const r = await upload('/people/import', csv);
    expect(r.status).toBe(400);
    expect(textOf(r.text).replace(/\s+/g, ' ')).toMatch(/2 3 email isEmail/);
    expect(await apiTotal('/api/v1/people?q=okay%40example.org')).toBe(0);
  });

  it('refuses a file over the size limit with 413, by name, and imports nothing', async () => {
    const header = 'email,name,roles,timezone\n';
    const big = header + 'x'.repeat(CSV_BODY_LIMIT_BYTES);
    const r = await upload('/people/import', big);
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/id="field-file-error">file: the CSV is larger than 10 MB/);
  });

  it('refuses a file that is not UTF-8 text (a spreadsheet, another encoding)', async () => {
    const latin1 = Buffer.from('email,name,roles,timezone\nzoe@example.org,Zo\xeb,tester,UTC', 'latin1');
    const r = await upload('/people/import', latin1);
    expect(r.status).toBe(400);
    expect(r.text).toContain('file: not a CSV in UTF-8');
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]);
    expect((await upload('/people/import', zip)).status).toBe(400);
    expect(await apiTotal('/api/v1/people?q=zoe%40example.org')).toBe(0);
  });

  it('still takes a pasted CSV when no file is chosen, in the same multipart form', async () => {
    const r = await t
      .http()
      .post('/people/import')
      .set('Cookie', admin.cookie)
      .field('_csrf', admin.csrf)
      .field('csv', 'email,name,roles,timezone\npasted@example.org,Pasted,tester,UTC');
    expect(r.status).toBe(303);
    expect(await apiTotal('/api/v1/people?q=pasted%40example.org')).toBe(1);
  });

  it('refuses an upload without the form token (403) or from a role the page is not for', async () => {
    const csv = 'email,name,roles,timezone\nforged@example.org,Forged,admin,UTC';
    expect((await upload('/people/import', csv, admin, 'not-the-token')).status).toBe(403);
    expect((await upload('/people/import', csv, tester)).status).toBe(403);
    expect(await apiTotal('/api/v1/people?q=forged%40example.org')).toBe(0);
  });
});

describe('importing claims from a file', () => {
  const header = 'touchpoint,team,channel,metric,periodStart,periodEnd,value,source,reportedAt\n';

  it('imports the claims of an uploaded file', async () => {
    const csv = `${header}General line,,,answer_rate,2026-11-16,2026-11-22,96%,Weekly review,2026-11-23\n`;
    const r = await upload('/claims/import', csv);
    expect(r.status).toBe(303);
    expect(textOf((await t.http().get('/claims').set('Cookie', admin.cookie)).text)).toContain('Imported 1 claim.');
    expect(await apiTotal('/api/v1/claims')).toBe(1);
  });

  it('shows each bad row inline, and a file over the limit by name, importing nothing', async () => {
    const csv = `${header}Nowhere,,,answer_rate,2026-11-16,2026-11-22,96%,Weekly review,2026-11-23\n`;
    const bad = await upload('/claims/import', csv);
    expect(bad.status).toBe(400);
    expect(textOf(bad.text)).toContain('Nothing was imported: 1 row(s) have errors.');
    const big = await upload('/claims/import', header + 'x'.repeat(CSV_BODY_LIMIT_BYTES));
    expect(big.status).toBe(413);
    expect(big.text).toMatch(/id="field-file-error">file: the CSV is larger than 10 MB/);
    expect(await apiTotal('/api/v1/claims')).toBe(1);
  });
});

describe('an upload from someone a page is not for', () => {
  const MB = 1024 * 1024;

  /**
   * Announces a 10 MB multipart upload, sends its headers and first 64 kB, and resolves with the answer while the
   * rest is still unsent: a server that read the body before deciding would never answer (the test then times out).
   */
  async function answerWithBodyUnsent(path: string, cookie?: string): Promise<{ status?: number; location?: string }> {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const boundary = 'groundtruth-upload';
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n` +
      'Content-Type: text/csv\r\n\r\n';
    const tail = `\r\n--${boundary}--\r\n`;
    const length = Buffer.byteLength(head) + 10 * MB + Buffer.byteLength(tail);
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: {
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': length,
          ...(cookie ? { Cookie: cookie } : {}),
        },
      });
      req.on('response', (res) => {
        resolve({ status: res.statusCode, location: res.headers.location });
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.write(head);
      req.write(Buffer.alloc(64 * 1024, 'x')); // 64 kB of the 10 MB announced, and no more
    });
  }

  it('sends an anonymous upload to sign in without reading its body (imports and evidence)', async () => {
    for (const path of ['/people/import', '/claims/import', `/my/tests/${org.orgId}/evidence`])
      expect(await answerWithBodyUnsent(path)).toEqual({ status: 303, location: '/signin' });
  });

  it("refuses a signed-in person without the page's role (403) without reading the body", async () => {
    expect((await answerWithBodyUnsent('/people/import', tester.cookie)).status).toBe(403);
    expect((await answerWithBodyUnsent(`/my/tests/${org.orgId}/evidence`, admin.cookie)).status).toBe(403);
  });
});
