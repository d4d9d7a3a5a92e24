import type { Browser, Page } from 'playwright-core';

import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { mailedSignInLink } from './support/console.js';
import { newOrganization } from './support/factories.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The admin's journey in a real chromium: signed in on an empty organisation, they add people, a touchpoint, a
 * scenario and a campaign, and plan it, picking everything by name (no id typed anywhere); every page at 390 and
 * 1280 px, with screenshots and no serious accessibility issue.
 */
const HOST = '127.0.0.1';
const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe("the admin's console journey in chromium", () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let adminEmail: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    sink = await startSmtpSink();
    const port = await freePort(HOST);
    baseUrl = `http://${HOST}:${port}`;
    t = await createTestApp({ env: { SMTP_URL: sink.url, PUBLIC_URL: baseUrl } });
    await t.app.listen(port, HOST);
    const org = await newOrganization(t, 'Northwind Telecom');
    const [row] = await t.dataSource.query('SELECT email FROM person WHERE id = $1', [org.adminId]);
    adminEmail = row.email as string;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  /** Checks the page as it stands (fits the width, no serious axe finding) and keeps a screenshot. */
  async function check(page: Page, name: string, width: number): Promise<void> {
    // an id is only ever a picker's value (a checkbox, an option, a hidden field), never a box to type into
    expect(
      await page.locator('input[name$="Id"]:not([type=checkbox]), input[name$="Ids"]:not([type=checkbox])').count(),
    ).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
    await screenshot(page, `console-admin-${name}-${width}`);
  }

  async function submit(page: Page, button: string): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button, exact: true }).click()]);
  }

  it('at 390 px: sets up people, a touchpoint, a scenario and a campaign, and plans it, typing no id', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    try {
      const link = await mailedSignInLink(t, sink, adminEmail);
      await page.goto(`${baseUrl}${link}`);
      await submit(page, 'Sign in');

      await page.goto(`${baseUrl}/people`);
      await check(page, 'people-empty', 390);
      await page.getByRole('link', { name: 'Add a person' }).first().click();
      await page.getByLabel('Name', { exact: true }).fill('Tess Tester');
      await page.getByLabel('Email').fill('tess@northwind.example');
      await page.getByLabel('Time zone').selectOption('Europe/London');
      await page.getByLabel('Working hours row 6: day').selectOption('sat');
      await page.getByLabel('Working hours row 6: from').fill('10:00');
      await page.getByLabel('Working hours row 6: to').fill('13:00');
      await page.getByLabel('Leave row 1: from').fill('2026-12-24');
      await page.getByLabel('Leave row 1: to').fill('2026-12-27');
      await check(page, 'person-form', 390);
      await submit(page, 'Add person');
      expect(await page.getByRole('status').textContent()).toContain('Tess Tester is added.');

      await page.getByRole('link', { name: 'Add a person' }).first().click();
      await page.getByLabel('Name', { exact: true }).fill('Olu Owner');
      await page.getByLabel('Email').fill('olu@northwind.example');
      await page.getByLabel('Tester').uncheck();
      await page.getByLabel('Touchpoint owner').check();
      await submit(page, 'Add person');
      await check(page, 'people', 390);

      await page.goto(`${baseUrl}/touchpoints/new`);
      await page.getByLabel('Name', { exact: true }).fill('Leeds line');
      await page.getByLabel('Channel').selectOption({ label: 'Phone' });
      await page.getByLabel('Contact').fill('+44 113 496 0000');
      await page.getByLabel('Time zone').selectOption('Europe/London');
      await page.getByLabel('Team').fill('care');
      await page.getByLabel('Owner').selectOption({ label: 'Olu Owner (olu@northwind.example)' });
      await page.getByLabel('Saturday span 1: opens').fill('10:00');
      await page.getByLabel('Saturday span 1: closes').fill('14:00');
      await page.getByLabel('Closures row 1: from').fill('2026-12-25');
      await page.getByLabel('Closures row 1: to').fill('2026-12-26');
      await page.getByLabel('Closures row 1: reason').fill('Christmas');
      await check(page, 'touchpoint-form', 390);
      await submit(page, 'Add touchpoint');
      expect(await page.getByRole('status').textContent()).toContain('Leeds line is added.');
      await check(page, 'touchpoints', 390);

      await page.goto(`${baseUrl}/scenarios/new`);
      await page.getByLabel('Title').fill('Cancel my contract');
      await page.getByLabel('Brief').fill('Say you are moving abroad and want to end the contract early.');
      await page.getByRole('group', { name: 'Channels it fits' }).getByLabel('Phone').check();
      await page.getByLabel('Question 1: key').fill('offered_deal');
      await page.getByLabel('Question 1: question').fill('Were you offered a reason to stay?');
      await page.getByLabel('Question 1: answer type').selectOption('yes_no');
      await page.getByLabel('Question 1: required').check();
      await check(page, 'scenario-form', 390);
      await submit(page, 'Add scenario');
      expect(await page.getByRole('status').textContent()).toContain('Cancel my contract is added.');

      await page.goto(`${baseUrl}/campaigns/new`);
      await page.getByLabel('Name', { exact: true }).fill('Winter calls');
      await page.getByLabel('Leeds line — Phone, care').check();
      await page.getByLabel('Tess Tester (tess@northwind.example)').check();
      await page.getByLabel('Cancel my contract — Phone').check();
      await page.getByLabel('Tests of each touchpoint a week (1–21)').fill('2');
      await check(page, 'campaign-form', 390);
      await submit(page, 'Add campaign');
      expect(await page.getByRole('status').textContent()).toContain('Winter calls is added');

      await page.getByLabel('From').fill('2026-11-09');
      await page.getByLabel('To', { exact: true }).fill('2026-11-15');
      await submit(page, 'Plan these weeks');
      expect(await page.getByRole('status').textContent()).toMatch(
        // one tester may not test one touchpoint twice within the rotation: the page says which slot and why
        /^Planned 1 test\(s\) in the week\(s\) of 2026-11-09\. 1 slot\(s\) unfilled: Leeds line \(week of 2026-11-09\): rotation — /,
      );
      await check(page, 'campaign-planned', 390);

      const [campaign] = await t.dataSource.query('SELECT touchpoint_ids, tester_ids, scenario_ids FROM campaign');
      expect([campaign.touchpoint_ids, campaign.tester_ids, campaign.scenario_ids].map((a) => a.length)).toEqual([
        1, 1, 1,
      ]);
    } finally {
      await context.close();
    }
  });

  it('at 1280 px: the same pages, filled in, fit and pass axe', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    try {
      const link = await mailedSignInLink(t, sink, adminEmail);
      await page.goto(`${baseUrl}${link}`);
      await submit(page, 'Sign in');
      for (const [path, name] of [
        ['/people', 'people'],
        ['/people/new', 'person-form'],
        ['/people/import', 'people-import'],
        ['/touchpoints', 'touchpoints'],
        ['/touchpoints/new', 'touchpoint-form'],
        ['/scenarios', 'scenarios'],
        ['/scenarios/new', 'scenario-form'],
        ['/campaigns', 'campaigns'],
        ['/campaigns/new', 'campaign-form'],
        ['/settings', 'settings'],
      ]) {
        await page.goto(`${baseUrl}${path}`);
        await check(page, name, 1280);
      }
      await page.getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('link', { name: 'Winter calls' }).click();
      await check(page, 'campaign', 1280);
      // a refused CSV import shows its bad rows in a table that passes axe too
      await page.goto(`${baseUrl}/people/import`);
      await page.getByLabel('CSV, with its header line').fill('email,name,roles,timezone\nbroken,No Email,tester,UTC');
      await submit(page, 'Import');
      expect(await page.getByRole('table', { name: /Rows with errors/ }).textContent()).toContain('isEmail');
      await check(page, 'people-import-refused', 1280);
    } finally {
      await context.close();
    }
  });
});
