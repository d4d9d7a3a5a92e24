import type { Browser, Page } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { sessionFor } from './support/console.js';
import { handComputedCase } from './support/digest-case.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The quality lead's claims and digest subscriptions in chromium: enter a claim, see it listed, open its history;
 * a refused import with its rows shown; add a digest subscription and find it listed.
 */

const HOST = '127.0.0.1';
const WIDTHS = [390, 1280] as const;
const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe("the quality lead's claims and subscriptions in chromium", () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let cookie: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    const port = await freePort(HOST);
    baseUrl = `http://${HOST}:${port}`;
    t = await createTestApp({ env: { PUBLIC_URL: baseUrl }, clock: new ManualClock('2026-11-22T20:00:00Z') });
    await t.app.listen(port, HOST);
    const world = await handComputedCase(t);
    cookie = (await sessionFor(t, { organizationId: world.org.orgId, personId: world.quality.person.id })).cookie;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The page as it stands fits the width and has no serious accessibility issue; a screenshot of it. */
  async function check(page: Page, name: string, width: number) {
    expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, `console-claims-${name}-${width}`);
  }

  async function open(width: number) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-GB' });
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url: baseUrl }]);
    return { context, page: await context.newPage() };
  }

  const submit = async (page: Page, name: string) => {
    await page.getByRole('button', { name }).click();
    await page.waitForLoadState('load');
  };

  for (const width of WIDTHS) {
    it(`at ${width} px: enters a claim, sees it listed, opens its history`, async () => {
      const { context, page } = await open(width);
      const source = `Ops review at ${width}`;
      try {
        await page.goto(`${baseUrl}/`);
        await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Claims' }).click();
        await page.waitForLoadState('load');
        await check(page, 'list', width);

        await page.getByRole('link', { name: 'Enter a claim' }).click();
        await page.waitForLoadState('load');
        await page.getByLabel('Touchpoint').selectOption({ label: 'General line (phone)' });
        await page.getByLabel('Metric').selectOption('transfer_rate');
        await page.getByLabel('Period start').fill('2026-11-16');
        await page.getByLabel('Period end').fill('2026-11-22');
        await page.getByLabel('Value claimed').fill('140%');
        await page.getByLabel('Reported in (the meeting)').fill(source);
        await page.getByLabel('Reported on').fill('2026-11-23');
        await submit(page, 'Enter the claim');
        // refused: the rule beside the value, the rest as typed
        expect(await page.locator('#field-value-error').textContent()).toContain('a fraction from 0 to 1');
        expect(await page.getByLabel('Reported in (the meeting)').inputValue()).toBe(source);
        await check(page, 'form-errors', width);

        await page.getByLabel('Value claimed').fill('4%');
        await submit(page, 'Enter the claim');
        expect(new URL(page.url()).pathname).toBe('/claims');
        expect(await page.getByRole('status').textContent()).toContain('The claim is entered');
        const row = page.getByRole('row').filter({ hasText: source });
        expect(await row.textContent()).toContain('4.0 %');

        await row.getByRole('link', { name: /^History/ }).click();
        await page.waitForLoadState('load');
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
          'History of General line: transfer_rate',
        );
        expect(await page.locator('main').textContent()).toContain('first save');
        await check(page, 'history', width);
      } finally {
        await context.close();
      }
    });

    it(`at ${width} px: a refused import shows each bad row; a subscription is added and listed`, async () => {
      const { context, page } = await open(width);
      try {
        await page.goto(`${baseUrl}/claims/import`);
        await page
          .getByLabel('The claims, as CSV')
          .fill(
            'touchpoint,team,channel,metric,periodStart,periodEnd,value,source,reportedAt\n' +
              'Nowhere,,,answer_rate,2026-11-09,2026-11-15,0.9,Review,2026-11-16\n',
          );
        await submit(page, 'Import the claims');
        const refused = page.getByRole('region', { name: 'Rows refused' });
        expect(await refused.textContent()).toContain('touchpoint Nowhere is not a touchpoint of your organization');
        await check(page, 'import-errors', width);

        await page.goto(`${baseUrl}/digests`);
        await page.getByRole('link', { name: 'Who receives which digest, and when' }).click();
        await page.waitForLoadState('load');
        await page.getByRole('link', { name: 'Add a subscription' }).click();
        await page.waitForLoadState('load');
        await page.getByLabel('Name').fill(`Board digest ${width}`);
        await page.getByLabel('Recipients: other addresses').fill('board@example.org');
        await page.getByRole('group', { name: 'Touchpoints' }).getByLabel('General line (phone)').check();
        await page.getByLabel('Time zone of the schedule').selectOption('Europe/London');
        await check(page, 'subscription-form', width);
        await submit(page, 'Add the subscription');
        expect(new URL(page.url()).pathname).toBe('/digests/subscriptions');
        const row = page.getByRole('row').filter({ hasText: `Board digest ${width}` });
        expect(await row.textContent()).toContain('board@example.org');
        expect(await row.textContent()).toContain('General line');
        await check(page, 'subscriptions', width);
      } finally {
        await context.close();
      }
    });
  }
});
