import type { Browser, Page } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { handComputedCase } from './support/digest-case.js';
import { smallCampaign } from './support/small-campaign.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The digest (page and mail) and the tester's form at a phone's 390 px and a desk's 1280 px: nothing scrolls
 * sideways, the chart is drawn for the width it is shown at, axe-core finds nothing serious, and the form is filled
 * in and sent with the keyboard alone.
 */

const HOST = '127.0.0.1';
const WIDTHS = [390, 1280] as const;

async function openAt(browser: Browser, width: number): Promise<Page> {
  const phone = width < 600;
  const context = await browser.newContext({
    viewport: { width, height: phone ? 844 : 900 },
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    locale: 'en-GB',
  });
  return context.newPage();
}

/** The page's layout width against the window's: more means a sideways scroll. */
const overflow = (page: Page) =>
  page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));

/** The size the chart is drawn at and the size it is shown at (0 when the image did not load). */
const chartSizes = (page: Page) =>
  page.locator('img[alt="Claims against observed 95 % intervals"]').evaluate((el) => {
    const img = el as unknown as {
      naturalWidth: number;
      complete: boolean;
      getBoundingClientRect(): { width: number };
    };
    return { complete: img.complete, natural: img.naturalWidth, shown: img.getBoundingClientRect().width };
  });

describe('the pages at 390 px and 1280 px', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let digestLink: string;
  let digestMail: SmtpSink['messages'][number];
  let formLink: string;
  let assignmentId: string;
  /** The link of the digest is valid for weeks, the tester's for days: each test reads at its own time. */
  const digestTime = new Date('2026-11-23T09:00:00Z');
  let formTime: Date;

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
    const jobs = t.app.get(JobsService);

    await handComputedCase(t);
    t.clock.set('2026-11-23T08:00:30Z');
    await jobs.run('digest');
    await jobs.run('outbox');
    digestMail = sink.messages.find((m) => m.subject?.startsWith('Monday digest'))!;
    digestLink = new RegExp(`${baseUrl.replace(/\./g, '\\.')}/d/[A-Za-z0-9_-]{43}`).exec(digestMail.text ?? '')![0];

    // A revealed test of the small campaign (the week of 1 March 2027), opened half an hour into its window.
    t.clock.set('2027-02-28T12:00:00Z');
    const { campaignId } = await smallCampaign(
      t,
      {},
      {
        questions: [
          { key: 'offered_alternative', label: 'Were you offered an alternative?', type: 'yes_no', required: true },
        ],
      },
    );
    const [first] = await t.dataSource.query(
      'SELECT id, reveal_at, window_start FROM assignment WHERE campaign_id = $1 ORDER BY reveal_at, id LIMIT 1',
      [campaignId],
    );
    assignmentId = first.id;
    t.clock.set(first.reveal_at);
    const before = sink.messages.length;
    await jobs.run('reveal');
    await jobs.run('outbox');
    await sink.waitFor(before + 1);
    const reveal = sink.messages.slice(before).find((m) => m.subject?.startsWith('Your test contact:'))!;
    formLink = `${baseUrl}/${/t\/[A-Za-z0-9_-]{43}/.exec(reveal.text ?? '')![0]}`;
    formTime = new Date(new Date(first.window_start).getTime() + 30 * 60_000);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  for (const width of WIDTHS) {
    it(`shows the digest page at ${width} px without sideways scrolling, its chart drawn for that width`, async () => {
      t.clock.set(digestTime);
      const page = await openAt(browser, width);
      expect((await page.goto(digestLink))?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('2 of 5 claims contradicted');
      const chart = await chartSizes(page);
      expect(chart.complete).toBe(true);
      // a phone gets the chart drawn for a phone (shown near its own size: text stays legible), a desk the wide one
      if (width < 600) {
        expect(chart.natural).toBeLessThanOrEqual(390);
        expect(chart.shown / chart.natural).toBeGreaterThan(0.9);
      } else {
        expect(chart.natural).toBeGreaterThanOrEqual(700);
        expect(chart.shown).toBe(chart.natural);
      }
      // every claim row stays within the window: as a card on a phone, as a table row on a desk
      const rows = page.locator('table.claims tbody tr');
      expect(await rows.count()).toBe(5);
      for (const box of await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().right)))
        expect(box).toBeLessThanOrEqual(width);
      expect(await page.locator('td', { hasText: 'contradicted' }).count()).toBe(2);
      await screenshot(page, `digest-page-${width}`);
      const { scrollWidth, innerWidth } = await overflow(page);
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      expect(await axeViolations(page)).toEqual([]);
      await page.context().close();
    });

    it(`shows the digest mail at ${width} px without sideways scrolling`, async () => {
      const page = await openAt(browser, width);
      const png = digestMail.attachments.find((a) => a.cid === 'digest-chart')!;
      // what a mail program shows: the HTML part, its cid picture from the attachment
      const html = (digestMail.html as string).replace(
        'cid:digest-chart',
        `data:image/png;base64,${png.content.toString('base64')}`,
      );
      await page.setContent(html, { waitUntil: 'load' });
      const chart = await chartSizes(page);
      expect(chart.complete).toBe(true);
      expect(chart.shown).toBeGreaterThan(300);
      expect(chart.shown).toBeLessThanOrEqual(width);
      await screenshot(page, `digest-mail-${width}`);
      const { scrollWidth, innerWidth } = await overflow(page);
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      expect(await axeViolations(page)).toEqual([]);
      await page.context().close();
    });

    it(`shows the tester's form at ${width} px without sideways scrolling`, async () => {
      t.clock.set(formTime);
      const page = await openAt(browser, width);
      expect((await page.goto(formLink))?.status()).toBe(200);
      await screenshot(page, `outcome-form-${width}`);
      const { scrollWidth, innerWidth } = await overflow(page);
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      expect(await axeViolations(page)).toEqual([]);
      await page.context().close();
    });
  }

  it("fills in and sends the tester's form with the keyboard alone (Tab, Space, arrows, typing, Enter)", async () => {
    t.clock.set(formTime);
    const page = await openAt(browser, 390);
    await page.goto(formLink);
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    /** Tab (forward only) until the field `id` has the focus: every field is reachable in order. */
    const tabTo = async (id: string) => {
      for (let i = 0; i < 60 && (await focused()) !== id; i++) await page.keyboard.press('Tab');
      expect(await focused()).toBe(id);
    };
    await tabTo('reachedHuman-yes');
    await page.keyboard.press('Space');
    await tabTo('secondsToHuman');
    await page.keyboard.type('1:30');
    await tabTo('repeatedStory-yes');
    await page.keyboard.press('ArrowRight'); // moves to, and chooses, "no"
    expect(await focused()).toBe('repeatedStory-no');
    await tabTo('resolution-resolved');
    await page.keyboard.press('Space');
    await tabTo('courtesy-1');
    await page.keyboard.press('Space');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await tabTo('knowledge-1');
    await page.keyboard.press('Space');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await tabTo('staffGaveName-yes');
    await page.keyboard.press('ArrowRight');
    await tabTo('answers.offered_alternative-yes');
    await page.keyboard.press('Space');
    await tabTo('notes');
    await page.keyboard.type('Answered after a short queue; sorted at once.');
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.keyboard.press('Tab'); // the Save button
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Save');
    await page.keyboard.press('Enter');
    expect((await posted).status()).toBe(303);
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent()).toBe('Thank you');
    await screenshot(page, 'outcome-form-keyboard-saved');

    const [saved] = await t.dataSource.query(
      `SELECT reached_human, seconds_to_human, repeated_story, resolution, courtesy, knowledge, staff_gave_name,
              answers, notes FROM outcome WHERE assignment_id = $1`,
      [assignmentId],
    );
    expect(saved).toEqual({
      reached_human: true,
      seconds_to_human: 90,
      repeated_story: false,
      resolution: 'resolved',
      courtesy: 4,
      knowledge: 5,
      staff_gave_name: false,
      answers: { offered_alternative: true },
      notes: 'Answered after a short queue; sorted at once.',
    });
    await page.context().close();
  });
});
