import type { Browser, Page } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { axeViolations } from './support/axe.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { handComputedCase } from './support/digest-case.js';
import { auth, created, personWithKey, scenarioBody, touchpointBody } from './support/factories.js';
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

/**
 * Beside the hand-computed case: a mailbox answered after 10 to 20 hours, with waits claimed for it and for the line
 * (whose waits are seconds), and a week of planned tests of the line and the chat, some left unfilled, some missed.
 */
async function waitsAndCoverage(t: TestApp, c: Awaited<ReturnType<typeof handComputedCase>>): Promise<void> {
  const now = t.clock.now();
  const mailbox = await created(
    t,
    c.org.adminKey,
    '/api/v1/touchpoints',
    touchpointBody({ name: 'Customer mailbox', channel: 'email', contact: 'help@example.org' }),
  );
  const tester = await personWithKey(t, c.org.adminKey, ['tester'], {
    workingHours: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({ day, start: '00:00', end: '24:00' })),
  });
  for (let i = 0; i < 5; i++) {
    await t
      .http()
      .post('/api/v1/outcomes')
      .set(auth(tester.key))
      .send({
        touchpointId: mailbox.id,
        attemptedAt: new Date(Date.parse('2026-11-16T09:00:00Z') + i * 86_400_000).toISOString(),
        reachedHuman: true,
        secondsToHuman: (10 + 2 * i) * 3600 + 13 * 60 + 13, // 10:13:13 to 18:13:13
        courtesy: 4,
        knowledge: 4,
        resolution: 'resolved',
      })
      .expect(201);
  }
  const claim = (touchpointId: string, value: number) =>
    t
      .http()
      .post('/api/v1/claims')
      .set(auth(c.quality.key))
      .send({
        touchpointId,
        metric: 'median_seconds_to_human',
        value,
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
        source: 'Weekly review',
        reportedAt: '2026-11-23T09:00:00Z',
      })
      .expect(201);
  await claim(c.line, 45);
  await claim(mailbox.id, 4 * 3600);

  // the week planned before it began, with one tester capped at two tests: the other slots stay unfilled
  t.clock.set('2026-11-13T12:00:00Z');
  await t
    .http()
    .post('/api/v1/scenarios')
    .set(auth(c.org.adminKey))
    .send(scenarioBody({ channels: ['phone', 'chat'], questions: [] }))
    .expect(201);
  const campaign = await created(t, c.org.adminKey, '/api/v1/campaigns', {
    name: 'November week',
    touchpointIds: [c.line, c.chat],
    testerIds: [tester.person.id],
    contactsPerTouchpointPerWeek: 2,
    windowMinutes: 60,
    revealLeadMinutes: 120,
    minSpacingHours: 12,
    testerWeeklyCap: 2,
    rotationDays: 0,
    startsOn: '2026-11-16',
  });
  await t
    .http()
    .post(`/api/v1/campaigns/${campaign.id}/plan`)
    .set(auth(c.org.adminKey))
    .send({ from: '2026-11-16', to: '2026-11-22' })
    .expect(200);
  t.clock.set(now);
  const jobs = t.app.get(JobsService);
  await jobs.run('reveal');
  await jobs.run('remindExpire'); // the tests nobody recorded are missed
}

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

    await waitsAndCoverage(t, await handComputedCase(t));
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
      expect(await page.locator('h1').textContent()).toMatch(/ of 7 claims contradicted$/);
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
      expect(await rows.count()).toBe(7);
      for (const box of await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().right)))
        expect(box).toBeLessThanOrEqual(width);
      // coverage touchpoint by touchpoint, within the window too (on a phone: the name, then named counts)
      const coverage = page.locator('table.coverage tbody tr');
      expect(await coverage.allTextContents()).toEqual([
        expect.stringMatching(/^General line \(phone\)/),
        expect.stringMatching(/^Web chat \(chat\)/),
      ]);
      for (const box of await coverage.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().right)))
        expect(box).toBeLessThanOrEqual(width);
      const missedCell = page.locator('table.coverage tbody tr').first().locator('td').nth(3);
      const named = await missedCell.evaluate((td) => getComputedStyle(td, '::before').content);
      expect(named).toBe(width < 600 ? '"missed "' : 'none');
      // no text is cut: nothing overflows its own box
      const cut = await page.evaluate(() =>
        [...document.querySelectorAll('h1, h2, p, li, td, th')]
          .filter((el) => el.scrollWidth > el.clientWidth + 1)
          .map((el) => el.textContent),
      );
      expect(cut).toEqual([]);
      // the waits of the line (seconds) and of the mailbox (hours) each on their own log axis, ticks in h:mm:ss
      const chartSrc = await page.locator('img[alt="Claims against observed 95 % intervals"]').getAttribute('src');
      const svg = Buffer.from(chartSrc!.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString('utf8');
      expect(svg).toContain('Waits · phone (log scale, h:mm:ss)');
      expect(svg).toContain('Waits · email (log scale, h:mm:ss)');
      expect(svg).toContain('>1:00<');
      expect(svg).toContain('>1d<');
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
      expect(await page.locator('table.coverage tbody tr').count()).toBe(2);
      for (const right of await page
        .locator('table.coverage tbody tr, table.claims tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().right)))
        expect(right).toBeLessThanOrEqual(width);
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
