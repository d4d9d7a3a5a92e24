import type { Browser, Page, Response } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { formatDateTimeField } from '../src/common/locale.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, phonePage, screenshot } from './support/browser.js';
import { auth } from './support/factories.js';
import { smallCampaign } from './support/small-campaign.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * A case followed over days through the reveal mail's one link, in a phone-sized chromium (issue 15, item 3): the
 * first contact is saved as going on, the next day's callback is recorded on the same page as the second contact
 * (its date in the tester's zone), and a later chase resolves it.
 */
const HOST = '127.0.0.1';
const DAY = 86_400_000;
const uidOf = (text: string) => /UID:([0-9a-f-]{36})@groundtruth/.exec(text)?.[1];
const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

async function submit(page: Page, path: string, button: string): Promise<Response> {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path);
  await page.locator(button).click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

describe('a case on the tester’s phone, through the same link', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let link: string;
  let formPath: string;
  let assignmentId: string;
  let qualityKey: string;
  let windowStart: Date;

  beforeAll(async () => {
    browser = await launchBrowser();
    sink = await startSmtpSink();
    const port = await freePort(HOST);
    const baseUrl = `http://${HOST}:${port}`;
    t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: baseUrl },
      clock: new ManualClock('2027-02-28T12:00:00Z'),
    });
    await t.app.listen(port, HOST);
    const { org, campaignId } = await smallCampaign(t);
    qualityKey = org.adminKey;
    // the first test of the week, for the tester in Europe/London
    const [first] = await t.dataSource.query(
      `SELECT a.id, a.reveal_at, a.window_start FROM assignment a JOIN person p ON p.id = a.tester_id
        WHERE a.campaign_id = $1 AND p.timezone = 'Europe/London' ORDER BY a.reveal_at, a.id LIMIT 1`,
      [campaignId],
    );
    assignmentId = first.id;
    windowStart = new Date(first.window_start);
    t.clock.set(first.reveal_at);
    const jobs = t.app.get(JobsService);
    await jobs.run('reveal');
    await jobs.run('outbox');
    await sink.waitFor(1);
    const mail = sink.messages.find((m) =>
      m.attachments.some((a) => uidOf(a.content.toString('utf8')) === assignmentId),
    );
    const token = /t\/[A-Za-z0-9_-]{43}/.exec(mail!.text ?? '');
    link = `${baseUrl}/${token![0]}`;
    formPath = new URL(link).pathname;
    t.clock.set(new Date(windowStart.getTime() + 45 * 60_000));
    page = await phonePage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  it('saves the first contact as a case that goes on, and shows it with the next contact’s form', async () => {
    await page.goto(link);
    await page.locator('#reachedHuman-yes').check();
    await page.locator('#secondsToHuman').fill('12:30');
    await page.locator('#repeatedStory-no').check();
    await page.locator('#resolution-unresolved').check();
    await page.locator('#optionsExplained-no').check();
    await page.locator('#courtesy-3').check();
    await page.locator('#knowledge-2').check();
    await page.locator('[id="answers.offered_alternative-no"]').check();
    await page.locator('#caseContinues-yes').check();
    expect((await submit(page, formPath, 'button[name=action][value=save]')).status()).toBe(303);
    await page.goto(link);
    expect(await page.locator('#case-heading').textContent()).toBe('The case so far');
    expect(await page.locator('ol.case > li').count()).toBe(1);
    expect(await page.locator('#caseContinues-yes').isChecked()).toBe(true);
    expect(await page.locator('form[action$="/case"]').count()).toBe(1);
  });

  it('records the next day’s callback as the second contact through the same link', async () => {
    // the next day, past the 48 hours? not yet: the first contact's form and the case share the page
    t.clock.set(new Date(windowStart.getTime() + DAY + 3 * 3_600_000));
    await page.goto(link);
    await page.locator('#caseKind-callback').check();
    await page.locator('#caseAttemptedAt').fill('not a date');
    await page.locator('#caseReachedHuman-yes').check();
    await page.locator('#caseRepeatedStory-yes').check();
    await page.locator('#caseStatus-continues').check();
    await page.locator('#caseNotes').fill('They called back and I had to explain it all again');
    expect((await submit(page, `${formPath}/case`, 'button[name=action][value=contact]')).status()).toBe(400);
    expect(await page.locator('#caseAttemptedAt-error').isVisible()).toBe(true);
    expect(await page.locator('#caseRepeatedStory-yes').isChecked()).toBe(true);

    // written as the form's hint writes it: the tester's zone and format
    const callbackAt = new Date(windowStart.getTime() + DAY + 2 * 3_600_000);
    const written = formatDateTimeField(callbackAt, 'Europe/London', 'en-GB');
    expect(await page.locator('#caseAttemptedAt-hint').textContent()).toMatch(
      /^Your time \(Europe\/London\), written like /,
    );
    await page.locator('#caseAttemptedAt').fill(written);
    expect((await submit(page, `${formPath}/case`, 'button[name=action][value=contact]')).status()).toBe(303);
    expect(await page.locator('ol.case > li').count()).toBe(2);
    const second = (await page.locator('ol.case > li').nth(1).textContent()) ?? '';
    expect(second).toContain('They came back to you');
    expect(second).toContain('story told again');
    expect(second).toContain('They called back and I had to explain it all again');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'case-second-contact', { fullPage: true });

    const outcome = (
      await t.http().get(`/api/v1/assignments/${assignmentId}/outcome`).set(auth(qualityKey)).expect(200)
    ).body;
    const view = (await t.http().get(`/api/v1/outcomes/${outcome.id}/case`).set(auth(qualityKey)).expect(200)).body;
    expect(view).toMatchObject({ status: 'open', contactCount: 2, storyRepeats: 1 });
    expect(view.contacts[1]).toMatchObject({ kind: 'callback', attemptedAt: callbackAt.toISOString() });
  });

  it('resolves the case with a chase after the first contact can no longer be edited', async () => {
    t.clock.set(new Date(windowStart.getTime() + 3 * DAY));
    await page.goto(link);
    expect(await page.locator('#attemptedAt').count()).toBe(0); // the first contact's form is gone
    expect(await page.locator('ol.case > li').count()).toBe(2);
    await page.locator('#caseKind-chase').check();
    const at = new Date(windowStart.getTime() + 3 * DAY - 3_600_000);
    await page.locator('#caseAttemptedAt').fill(formatDateTimeField(at, 'Europe/London', 'en-GB'));
    await page.locator('#caseReachedHuman-yes').check();
    await page.locator('#caseRepeatedStory-no').check();
    await page.locator('#caseStatus-resolved').check();
    expect((await submit(page, `${formPath}/case`, 'button[name=action][value=contact]')).status()).toBe(303);
    expect(await page.locator('ol.case > li').count()).toBe(3);
    expect(await page.locator('#case [role=status]').textContent()).toMatch(/^Resolved on .+, after 3 contact\(s\)\.$/);
    expect(await page.locator('form[action$="/case"]').count()).toBe(0);
  });
});
