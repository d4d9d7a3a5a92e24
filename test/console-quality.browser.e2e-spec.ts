import type { Browser, Page } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { sessionFor } from './support/console.js';
import { handComputedCase } from './support/digest-case.js';
import { SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The quality lead's journey in chromium: the digest archive, one digest, a row's contacts, one contact. */

const HOST = '127.0.0.1';
const WIDTHS = [390, 1280] as const;
const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe("the quality lead's console in chromium", () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let cookie: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    sink = await startSmtpSink();
    const port = await freePort(HOST);
    baseUrl = `http://${HOST}:${port}`;
    t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: baseUrl },
      clock: new ManualClock('2026-11-22T20:00:00Z'),
    });
    await t.app.listen(port, HOST);
    const world = await handComputedCase(t);
    t.clock.set('2026-11-23T08:00:30Z');
    await t.app.get(JobsService).run('digest');
    cookie = (await sessionFor(t, { organizationId: world.org.orgId, personId: world.quality.person.id })).cookie;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  /** The page as it stands fits the width and has no serious accessibility issue; a screenshot of it. */
  async function check(page: Page, name: string, width: number) {
    expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, `console-quality-${name}-${width}`);
  }

  for (const width of WIDTHS) {
    it(`at ${width} px: opens a digest from the archive and drills from a row to one contact`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-GB' });
      const [name, value] = cookie.split('=');
      await context.addCookies([{ name, value, url: baseUrl }]);
      const page = await context.newPage();
      try {
        await page.goto(`${baseUrl}/`);
        await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Digests' }).click();
        await page.waitForLoadState('load');
        expect(new URL(page.url()).pathname).toBe('/digests');
        await check(page, 'archive', width);

        await page.getByRole('link', { name: 'Monday digest' }).click();
        await page.waitForLoadState('load');
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Monday digest');
        await check(page, 'digest', width);

        await page.getByRole('link', { name: /contacts behind General line answer_rate$/ }).click();
        await page.waitForLoadState('load');
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
          'Contacts behind General line: answer_rate',
        );
        await check(page, 'row-contacts', width);

        const contacts = page.getByRole('region', { name: 'Contacts behind this row' }).getByRole('link');
        expect(await contacts.count()).toBe(10);
        await contacts.first().click();
        await page.waitForLoadState('load');
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Contact with General line');
        expect(await page.locator('main').textContent()).toContain('contact 9');
        await check(page, 'contact', width);
      } finally {
        await context.close();
      }
    });
  }
});
