import path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, phonePage, screenshot, SCREENSHOT_DIR } from './support/browser.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { unclaimedCase } from './support/unclaimed-case.js';

/**
 * "What nobody claimed" on a 390 px phone, on the digest's web page and in its mail: every line of the section is
 * inside the screen (nothing scrolls sideways, no line is cut), the flags are shown, and axe-core finds nothing.
 */

/** The page's layout width, and the widest right edge of the section's elements, against the window's width. */
const fits = (page: Page) =>
  page.evaluate(() => {
    const doc = globalThis as unknown as {
      document: {
        documentElement: { scrollWidth: number };
        querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { right: number } }>;
      };
      innerWidth: number;
    };
    const edges = Array.from(doc.document.querySelectorAll('#unclaimed *')).map((e) => e.getBoundingClientRect().right);
    return {
      scrollWidth: doc.document.documentElement.scrollWidth,
      rightmost: Math.max(...edges),
      innerWidth: doc.innerWidth,
    };
  });

describe('what nobody claimed at 390 px', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let link: string;
  let mail: SmtpSink['messages'][number];

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: base },
      clock: new ManualClock('2026-11-22T20:00:00Z'),
    });
    await t.app.listen(port, '127.0.0.1');
    browser = await launchBrowser();
    await unclaimedCase(t);
    t.clock.set('2026-11-23T08:00:30Z');
    const jobs = t.app.get(JobsService);
    await jobs.run('digest');
    await jobs.run('outbox');
    mail = sink.messages.find((m) => m.subject?.startsWith('Monday digest'))!;
    link = new RegExp(`${base.replace(/\./g, '\\.')}/d/[A-Za-z0-9_-]{43}`).exec(mail.text ?? '')![0];
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  it('fits the web page, flags shown', async () => {
    const page = await phonePage(browser);
    expect((await page.goto(link))?.status()).toBe(200);
    const section = page.locator('#unclaimed');
    await section.waitFor();
    expect(await section.locator('h2').first().textContent()).toBe('What nobody claimed');
    expect(await section.locator('strong', { hasText: 'worse than target' }).count()).toBe(2);
    expect(await section.locator('h3', { hasText: 'Port my number back' }).count()).toBe(1);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'digest-unclaimed-page-390');
    await section.screenshot({ path: path.join(SCREENSHOT_DIR, 'digest-unclaimed-section-390.png') });
    const { scrollWidth, rightmost, innerWidth } = await fits(page);
    expect(innerWidth).toBe(390);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    expect(rightmost).toBeLessThanOrEqual(innerWidth);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('fits the mail', async () => {
    const page = await phonePage(browser);
    const png = mail.attachments.find((a) => a.cid === 'digest-chart')!;
    const html = (mail.html as string).replace(
      'cid:digest-chart',
      `data:image/png;base64,${png.content.toString('base64')}`,
    );
    await page.setContent(html, { waitUntil: 'load' });
    expect(await page.locator('#unclaimed li').count()).toBeGreaterThan(10);
    await page.locator('#unclaimed').scrollIntoViewIfNeeded();
    await screenshot(page, 'digest-unclaimed-mail-390');
    const { scrollWidth, rightmost, innerWidth } = await fits(page);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    expect(rightmost).toBeLessThanOrEqual(innerWidth);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });
});
