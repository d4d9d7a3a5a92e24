import type { Browser, Page, Response } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, phonePage, screenshot } from './support/browser.js';
import { auth } from './support/factories.js';
import { smallCampaign } from './support/small-campaign.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * An in-person visit's form in a phone-sized chromium (issue 15, item 2): opened from the reveal mail's link, it
 * asks about the queue, the ticket system, free staff and being sent to another desk, and nothing about dropped
 * lines, hold or a wait until a person answered; what is saved is what the form asked.
 */
const HOST = '127.0.0.1';
const uidOf = (text: string) => /UID:([0-9a-f-]{36})@groundtruth/.exec(text)?.[1];
const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

async function submit(page: Page, path: string): Promise<Response> {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path);
  await page.locator('button[name=action][value=save]').click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

describe('an in-person visit on the tester’s phone', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let link: string;
  let formPath: string;
  let assignmentId: string;
  let qualityKey: string;

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
    const { org, campaignId } = await smallCampaign(t, {}, { channels: ['phone', 'in_person'] });
    qualityKey = org.adminKey;
    const [first] = await t.dataSource.query(
      `SELECT a.id, a.touchpoint_id, a.reveal_at, a.window_start FROM assignment a
        WHERE a.campaign_id = $1 ORDER BY a.reveal_at, a.id LIMIT 1`,
      [campaignId],
    );
    assignmentId = first.id;
    await t
      .http()
      .patch(`/api/v1/touchpoints/${first.touchpoint_id}`)
      .set(auth(org.adminKey))
      .send({ channel: 'in_person', contact: '14 Briggate, Leeds LS1 6HD' })
      .expect(200);
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
    t.clock.set(new Date(new Date(first.window_start).getTime() + 45 * 60_000));
    page = await phonePage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  it("asks the visit's own questions and none of a call's", async () => {
    expect((await page.goto(link))?.status()).toBe(200);
    for (const label of [
      'Were you served by a member of staff?',
      'How long did you queue?',
      'Did the ticket or queue system work?',
      'Was a member of staff free to serve you when you arrived?',
      'How many times were you sent to another desk or person?',
    ]) {
      expect({ label, shown: await page.getByText(label, { exact: true }).count() }).toEqual({ label, shown: 1 });
    }
    for (const name of ['secondsToHuman', 'holdSeconds', 'disconnects', 'botFirst', 'answeredQuestion']) {
      expect({ name, fields: await page.locator(`[name="${name}"]`).count() }).toEqual({ name, fields: 0 });
    }
    expect(await page.getByText(/dropped|on hold|person answer/i).count()).toBe(0);
    expect(await page.locator('#queueSystemWorked-none').getAttribute('type')).toBe('radio');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'outcome-form-in-person', { fullPage: true });
  });

  it('keeps a wrong queue time beside its field, then saves the visit as the form asked it', async () => {
    await page.goto(link);
    await page.locator('#reachedHuman-yes').check();
    await page.locator('#queueSeconds').fill('forty minutes');
    await page.locator('#queueSystemWorked-no').check();
    await page.locator('#staffFree-no').check();
    await page.locator('#transfers').fill('1');
    await page.locator('#repeatedStory-yes').check();
    await page.locator('#resolution-unresolved').check();
    await page.locator('#optionsExplained-no').check();
    await page.locator('#courtesy-4').check();
    await page.locator('#knowledge-2').check();
    await page.locator('[id="answers.offered_alternative-no"]').check();
    expect((await submit(page, formPath)).status()).toBe(400);
    expect(await page.locator('#queueSeconds-error').isVisible()).toBe(true);
    expect(await page.locator('.error[id$="-error"]').evaluateAll((es) => es.map((e) => e.id))).toEqual([
      'queueSeconds-error',
    ]);
    expect(await page.locator('#staffFree-no').isChecked()).toBe(true);

    await page.locator('#queueSeconds').fill('40:00');
    expect((await submit(page, formPath)).status()).toBe(303);
    const saved = await t.http().get(`/api/v1/assignments/${assignmentId}/outcome`).set(auth(qualityKey)).expect(200);
    expect(saved.body).toMatchObject({
      reachedHuman: true,
      queueSeconds: 2400,
      queueSystemWorked: false,
      staffFree: false,
      transfers: 1,
      disconnects: 0,
      secondsToHuman: null,
      holdSeconds: null,
      repeatedStory: true,
      resolution: 'unresolved',
    });
  });

  it('shows the saved visit on an edit, "there was none" for a missing ticket system', async () => {
    await page.goto(link);
    expect(await page.locator('#queueSeconds').inputValue()).toBe('40:00');
    expect(await page.locator('#queueSystemWorked-no').isChecked()).toBe(true);
    await page.locator('#queueSystemWorked-none').check();
    expect((await submit(page, formPath)).status()).toBe(303);
    const saved = await t.http().get(`/api/v1/assignments/${assignmentId}/outcome`).set(auth(qualityKey)).expect(200);
    expect(saved.body.queueSystemWorked).toBeNull();
    await page.goto(link);
    expect(await page.locator('#queueSystemWorked-none').isChecked()).toBe(true);
  });
});
