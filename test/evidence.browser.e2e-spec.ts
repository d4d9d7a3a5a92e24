import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';

import { ManualClock } from '../src/common/clock.js';
import { accessWorlds, AccessWorld } from './support/access-world.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, phonePage, screenshot } from './support/browser.js';
import { photoWithLocation } from './support/evidence-files.js';
import { auth } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** Attaching a photo from the tester's form in a phone-sized chromium, as a tester would after saving. */

const HOST = '127.0.0.1';
let t: TestApp;
let browser: Browser;
let page: Page;
let own: AccessWorld;
let formUrl: string;

beforeAll(async () => {
  browser = await launchBrowser();
  const port = await freePort(HOST);
  t = await createTestApp({
    env: { PUBLIC_URL: `http://${HOST}:${port}` },
    clock: new ManualClock('2027-02-28T12:00:00Z'),
  });
  await t.app.listen(port, HOST);
  ({ own } = await accessWorlds(t));
  formUrl = `http://${HOST}:${port}/t/${own.testerLink}`;
  page = await phonePage(browser);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const scrollWidth = (p: Page) => p.evaluate<number>('document.documentElement.scrollWidth');

describe("evidence from the tester's form", () => {
  it('says not to photograph staff, attaches a photo, and lists it; quality gets it without its location', async () => {
    await page.goto(formUrl);
    const section = page.locator('#evidence');
    await expect(section.textContent()).resolves.toContain('Never photograph or record staff or other customers');
    await page.setInputFiles('#evidence-file', {
      name: 'ticket at the counter.jpg',
      mimeType: 'image/jpeg',
      buffer: await photoWithLocation(1200, 900),
    });
    await Promise.all([
      page.waitForURL(/#evidence$/),
      section.getByRole('button', { name: 'Attach', exact: true }).click(),
    ]);
    await expect(section.locator('li').first().textContent()).resolves.toMatch(/ticket at the counter\.jpg \(image/);
    expect(await axeViolations(page)).toEqual([]);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    await screenshot(page, 'evidence-attached-390');

    const list = await t.http().get(`/api/v1/outcomes/${own.outcome}/evidence`).set(auth(own.key.quality)).expect(200);
    const [file] = list.body.items as Array<{ id: string; metadataStripped: boolean }>;
    expect(file.metadataStripped).toBe(true);
    const got = await t
      .http()
      .get(`/api/v1/outcomes/${own.outcome}/evidence/${file.id}`)
      .set(auth(own.key.quality))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect((await sharp(got.body as Buffer).metadata()).exif).toBeUndefined();
  });

  it('shows a refused file next to the field, then removes the photo', async () => {
    await page.goto(formUrl);
    await page.setInputFiles('#evidence-file', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('just some words'),
    });
    await page.locator('#evidence').getByRole('button', { name: 'Attach', exact: true }).click();
    await page.waitForLoadState('load');
    await expect(page.locator('#evidence-file-error').textContent()).resolves.toMatch(/could not be recognised/);
    await expect(page.locator('#evidence-file').getAttribute('aria-describedby')).resolves.toContain(
      'evidence-file-error',
    );
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'evidence-refused-390');

    await page.goto(formUrl);
    await Promise.all([
      page.waitForURL(/#evidence$/),
      page.getByRole('button', { name: 'Remove ticket at the counter.jpg' }).click(),
    ]);
    await expect(page.locator('#evidence').textContent()).resolves.toContain('No files attached.');
  });
});
