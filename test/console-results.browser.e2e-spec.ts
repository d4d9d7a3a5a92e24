import type { Browser, BrowserContext, Page } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { accessWorlds, AccessWorld } from './support/access-world.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { sessionFor } from './support/console.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The quality lead's results journey in a real chromium, at 390 and 1280 px: from Results pick a team and a
 * touchpoint by name, read its charts and claims, then the plan calendar filtered by a picker; the owner's own
 * results page. No serious or critical accessibility issue, nothing wider than the screen.
 */
const HOST = '127.0.0.1';
const WIDTHS = [390, 1280] as const;
const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

let t: TestApp;
let w: AccessWorld;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  browser = await launchBrowser();
  const port = await freePort(HOST);
  baseUrl = `http://${HOST}:${port}`;
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z'), env: { PUBLIC_URL: baseUrl } });
  await t.app.listen(port, HOST);
  ({ own: w } = await accessWorlds(t));
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function signedIn(personId: string, width: number): Promise<BrowserContext> {
  const { cookie } = await sessionFor(t, { organizationId: w.org.orgId, personId });
  const [name, value] = cookie.split('=');
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-GB' });
  await context.addCookies([{ name, value, url: baseUrl }]);
  return context;
}

async function looksRight(page: Page, width: number, name: string): Promise<void> {
  expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, `${name}-${width}`);
}

for (const width of WIDTHS) {
  it(`at ${width} px: quality picks a touchpoint by team and name, reads its results, then the plan`, async () => {
    const context = await signedIn(w.person.quality.id, width);
    const page = await context.newPage();
    try {
      await page.goto(`${baseUrl}/results`);
      await looksRight(page, width, 'console-results-index');
      await page.getByLabel('Team').selectOption({ label: 'contact-centre' });
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForLoadState('load');
      expect(new URL(page.url()).searchParams.get('team')).toBe('contact-centre');
      const [{ name }] = await t.dataSource.query('SELECT name FROM touchpoint WHERE id = $1', [w.touchpoint]);
      await page.getByRole('link', { name }).click();
      await page.waitForLoadState('load');
      expect(new URL(page.url()).pathname).toBe(`/results/touchpoints/${w.touchpoint}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Results: ${name}`);
      expect(await page.getByRole('img', { name: /answer rate per week/ }).count()).toBe(1);
      expect(await page.locator('main').textContent()).toContain('in progress');
      await page.getByText('The numbers').first().click();
      await looksRight(page, width, 'console-results-touchpoint');

      await page.getByRole('link', { name: 'Plan' }).click();
      await page.waitForLoadState('load');
      await page.getByLabel('Channel').selectOption({ label: 'phone' });
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForLoadState('load');
      expect(await page.getByRole('table', { name: 'Tests still to happen' }).count()).toBe(1);
      await looksRight(page, width, 'console-plan');
    } finally {
      await context.close();
    }
  });

  it(`at ${width} px: an owner reads their touchpoint's results, a week behind, without coverage`, async () => {
    const context = await signedIn(w.person.owner.id, width);
    const page = await context.newPage();
    try {
      await page.goto(`${baseUrl}/results/touchpoints/${w.touchpoint}`);
      const main = await page.locator('main').textContent();
      expect(main).toContain('7 days after its window began');
      expect(main).not.toContain('Coverage');
      await looksRight(page, width, 'console-results-owner');
    } finally {
      await context.close();
    }
  });
}
