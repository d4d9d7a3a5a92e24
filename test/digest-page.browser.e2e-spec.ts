import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { launchBrowser, screenshot, freePort } from './support/browser.js';
import { handComputedCase } from './support/digest-case.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { createTestApp } from './support/test-app.js';

describe('the digest on the web', () => {
  it('renders in Chromium from the mailed link, with the chart visible', async () => {
    const sink = await startSmtpSink();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: base },
      clock: new ManualClock('2026-11-22T20:00:00Z'),
    });
    await t.app.listen(port, '127.0.0.1');
    const browser = await launchBrowser();
    try {
      await handComputedCase(t);
      t.clock.set('2026-11-23T08:00:30Z');
      const jobs = t.app.get(JobsService);
      await jobs.run('digest');
      await jobs.run('outbox');
      const mail = sink.messages.find((m) => m.subject?.startsWith('Monday digest'))!;
      const link = new RegExp(`${base.replace(/\./g, '\\.')}/d/[A-Za-z0-9_-]{43}`).exec(mail.text ?? '')![0];

      const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'en-GB' });
      const page = await context.newPage();
      const response = await page.goto(link);
      expect(response?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('2 of 5 claims contradicted');
      const chart = page.locator('img[alt="Claims against observed 95 % intervals"]');
      await chart.waitFor();
      // The image really loaded and has size: naturalWidth is 0 for a broken image.
      const size = await chart.evaluate((img) => {
        const i = img as unknown as { naturalWidth: number; naturalHeight: number; complete: boolean };
        return { w: i.naturalWidth, h: i.naturalHeight, complete: i.complete };
      });
      expect(size.complete).toBe(true);
      expect(size.w).toBeGreaterThan(300);
      expect(size.h).toBeGreaterThan(100);
      expect(await page.locator('td', { hasText: 'contradicted' }).count()).toBe(2);
      await screenshot(page, 'digest-page');
      await context.close();
    } finally {
      await browser.close();
      await t.close();
      await sink.close();
    }
  });
});
