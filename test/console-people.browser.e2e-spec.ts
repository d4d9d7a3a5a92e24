import type { Browser, BrowserContext, Page } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { windowText } from '../src/common/locale.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { accessWorlds, AccessWorld } from './support/access-world.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { sessionFor } from './support/console.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The owner's and the tester's console in a real chromium, at 390 and 1280 px: a tester records a revealed test
 * from "My tests" by keyboard alone; an owner sees only completed tests of their touchpoints, never who made them.
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

/** A browser signed in as `personId` (a session started now, on the app's clock). */
async function signedIn(
  personId: string,
  width: number,
  locale = 'en-GB',
): Promise<{ context: BrowserContext; page: Page }> {
  const { cookie } = await sessionFor(t, { organizationId: w.org.orgId, personId });
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale });
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url: baseUrl }]);
  return { context, page: await context.newPage() };
}

async function looksRight(page: Page, width: number, name: string): Promise<void> {
  expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, `${name}-${width}`);
}

describe("the tester's My tests in chromium", () => {
  let test: AccessWorld['planned'][number];

  beforeAll(async () => {
    test = w.planned[0];
    const [{ reveal_at: revealAt }] = await t.dataSource.query('SELECT reveal_at FROM assignment WHERE id = $1', [
      test.id,
    ]);
    t.clock.set(revealAt);
    await t.app.get(JobsService).run('reveal');
    t.clock.set(new Date(test.windowStart.getTime() + 10 * 60_000));
  });

  for (const width of WIDTHS) {
    it(`at ${width} px: lists the revealed test with its brief, and its form; no serious accessibility issue`, async () => {
      const { context, page } = await signedIn(test.testerId, width);
      try {
        expect((await page.goto(`${baseUrl}/my/tests`))?.status()).toBe(200);
        expect(await page.locator(`a[href="/my/tests/${test.id}"]`).count()).toBeGreaterThan(0);
        await looksRight(page, width, 'console-my-tests');
        expect((await page.goto(`${baseUrl}/my/tests/${test.id}`))?.status()).toBe(200);
        await looksRight(page, width, 'console-my-test-form');
        expect((await page.goto(`${baseUrl}/my/tests/ad-hoc`))?.status()).toBe(200);
        await looksRight(page, width, 'console-my-tests-ad-hoc');
      } finally {
        await context.close();
      }
    });
  }

  it("writes each test's window in a German phone's format and the tester's own zone", async () => {
    const { context, page } = await signedIn(test.testerId, 390, 'de-DE');
    try {
      const [row] = await t.dataSource.query(
        `SELECT a.window_start, a.window_end, p.timezone FROM assignment a JOIN person p ON p.id = a.tester_id
          WHERE a.id = $1`,
        [test.id],
      );
      const expected = windowText(row.window_start, row.window_end, row.timezone, 'de-DE');
      expect(expected).toMatch(/ um \d/); // German words: the page follows the browser's language
      expect((await page.goto(`${baseUrl}/my/tests`))?.status()).toBe(200);
      const body = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
      expect(body).toContain(expected);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      await screenshot(page, 'console-my-tests-de-390');
    } finally {
      await context.close();
    }
  });

  it('records the test from My tests with the keyboard alone (Tab, Enter, Space, arrows, typing)', async () => {
    const { context, page } = await signedIn(test.testerId, 390);
    try {
      await page.goto(`${baseUrl}/my/tests`);
      const focusedHref = () => page.evaluate(() => document.activeElement?.getAttribute('href') ?? '');
      for (let i = 0; i < 40 && (await focusedHref()) !== `/my/tests/${test.id}`; i++) await page.keyboard.press('Tab');
      expect(await focusedHref()).toBe(`/my/tests/${test.id}`);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${baseUrl}/my/tests/${test.id}`);

      const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
      const tabTo = async (id: string) => {
        for (let i = 0; i < 80 && (await focused()) !== id; i++) await page.keyboard.press('Tab');
        expect(await focused()).toBe(id);
      };
      await tabTo('reachedHuman-yes');
      await page.keyboard.press('Space');
      await tabTo('secondsToHuman');
      await page.keyboard.type('2:05');
      await tabTo('repeatedStory-yes');
      await page.keyboard.press('ArrowRight'); // moves to, and chooses, "no"
      await tabTo('resolution-resolved');
      await page.keyboard.press('Space');
      await tabTo('courtesy-1');
      await page.keyboard.press('Space');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      await tabTo('knowledge-1');
      await page.keyboard.press('Space');
      for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowRight');
      await tabTo('answers.offered_alternative-yes');
      await page.keyboard.press('Space');
      await tabTo('notes');
      await page.keyboard.type('Answered quickly; sorted at once.');
      const posted = page.waitForResponse((r) => r.request().method() === 'POST');
      await page.keyboard.press('Tab'); // the Save button
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Save');
      await page.keyboard.press('Enter');
      expect((await posted).status()).toBe(303);
      await page.waitForLoadState('load');
      expect(await page.getByRole('status').textContent()).toContain('Saved. You can change it until');
      const [row] = await t.dataSource.query(
        'SELECT o.seconds_to_human, o.courtesy, o.knowledge, a.status FROM outcome o JOIN assignment a ON a.id = o.assignment_id WHERE a.id = $1',
        [test.id],
      );
      expect(row).toEqual({ seconds_to_human: 125, courtesy: 4, knowledge: 3, status: 'completed' });
      await screenshot(page, 'console-my-test-saved-390');
    } finally {
      await context.close();
    }
  });
});

describe("the owner's My touchpoints in chromium", () => {
  beforeAll(async () => {
    const [{ window_start: start }] = await t.dataSource.query('SELECT window_start FROM assignment WHERE id = $1', [
      w.completed,
    ]);
    t.clock.set(new Date(start.getTime() + 7 * 86_400_000));
  });

  for (const width of WIDTHS) {
    it(`at ${width} px: only the completed test a week old, never who made it; no serious accessibility issue`, async () => {
      // tests of the owner's touchpoint still to come, or revealed, or done under a week ago: none may show
      const hidden = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM assignment WHERE touchpoint_id = $1 AND id <> $2`,
        [w.touchpoint, w.completed],
      );
      expect(hidden[0].n).toBeGreaterThan(0);
      const { context, page } = await signedIn(w.person.owner.id, width);
      try {
        expect((await page.goto(`${baseUrl}/my/touchpoints`))?.status()).toBe(200);
        const tests = page.getByRole('table', { name: 'Completed tests' });
        expect(await tests.locator('tbody tr').count()).toBe(1);
        const text = (await page.locator('main').textContent()) ?? '';
        for (const name of [w.person.tester.name, w.bystander.name, ...w.otherTesterNames])
          expect(text).not.toContain(name);
        expect(
          await page
            .getByRole('link', { name: /^Results of / })
            .first()
            .getAttribute('href'),
        ).toBe(`/results/touchpoints/${w.touchpoint}`);
        const nav = page.getByRole('navigation', { name: 'Sections' });
        expect(await nav.getByRole('link').allTextContents()).toEqual(['My touchpoints']);
        await looksRight(page, width, 'console-my-touchpoints');
        expect((await page.goto(`${baseUrl}/my/touchpoints/claims`))?.status()).toBe(200);
        await looksRight(page, width, 'console-my-claims');
        expect((await page.goto(`${baseUrl}/my/touchpoints/claims/${w.claim}`))?.status()).toBe(200);
        await looksRight(page, width, 'console-my-claim-form');
      } finally {
        await context.close();
      }
    });
  }
});
