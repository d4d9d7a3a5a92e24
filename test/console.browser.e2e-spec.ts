import type { Browser, Page } from 'playwright-core';

import { JobsService } from '../src/jobs/jobs.service.js';
import { SignInService } from '../src/signin/signin.service.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { newOrganization, personWithKey } from './support/factories.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The console in a real chromium: sign in by the mailed link, the home page, sign out; at 390 and 1280 px. */

const HOST = '127.0.0.1';
const WIDTHS = [390, 1280] as const;
const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('the console in chromium', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let email: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    sink = await startSmtpSink();
    const port = await freePort(HOST);
    baseUrl = `http://${HOST}:${port}`;
    t = await createTestApp({ env: { SMTP_URL: sink.url, PUBLIC_URL: baseUrl } });
    await t.app.listen(port, HOST);
    const org = await newOrganization(t, 'Northwind Telecom');
    email = (await personWithKey(t, org.adminKey, ['admin', 'quality'], { name: 'Ada Lovelace' })).person.email;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  for (const width of WIDTHS) {
    it(`at ${width} px: signs in by the mailed link, shows the home, signs out; no serious accessibility issue`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-GB' });
      const page = await context.newPage();
      try {
        await page.goto(`${baseUrl}/sessions`);
        expect(new URL(page.url()).pathname).toBe('/signin'); // sent to sign in, to come back after
        expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, `console-signin-${width}`);
        await page.getByLabel('Your work email address').fill(email);
        const asked = page.waitForResponse((r) => r.request().method() === 'POST');
        await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
        const answer = await asked;
        await page.waitForLoadState('load');
        expect([answer.status(), await page.locator('main').textContent()]).toEqual([
          200,
          expect.stringContaining('If the address is known'),
        ]);

        await t.app.get(SignInService).settled();
        await t.app.get(JobsService).run('outbox');
        const mail = (await sink.waitFor(1)).filter((m) => m.text?.includes('/signin/')).at(-1)!;
        const link = /https?:\/\/\S+\/signin\/\S+/.exec(mail.text!)![0];
        await page.goto(link);
        expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForLoadState('load');
        expect(new URL(page.url()).pathname).toBe('/sessions');
        expect(await axeViolations(page)).toEqual([]);

        await page.goto(`${baseUrl}/`);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Hello, Ada Lovelace');
        const nav = page.getByRole('navigation', { name: 'Sections' });
        expect(await nav.getByRole('link').allTextContents()).toEqual([
          'People',
          'Touchpoints',
          'Scenarios',
          'Campaigns',
          'Settings',
          'Claims',
          'Digests',
          'Results',
          'Plan',
        ]);
        expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
        expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, `console-home-${width}`);

        await page.goto(`${baseUrl}/people`);
        expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
        expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, `console-people-${width}`);

        // the whole console works from the keyboard: the skip link comes first
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForLoadState('load');
        expect(new URL(page.url()).pathname).toBe('/signin');
        expect(await page.getByRole('status').textContent()).toContain('You are signed out.');
        const cookies = await context.cookies();
        expect(cookies.find((c) => c.name === 'gt_session')).toBeUndefined();
        await page.goto(`${baseUrl}/`);
        expect(new URL(page.url()).pathname).toBe('/signin');
      } finally {
        await context.close();
      }
    });
  }
});
