import type { AddressInfo } from 'node:net';

import { DateTime } from 'luxon';
import type { Browser, Page, Response } from 'playwright-core';

import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { freePort, launchBrowser, phonePage, screenshot } from './support/browser.js';
import { auth } from './support/factories.js';
import { smallCampaign } from './support/small-campaign.js';
import { startSmtpSink, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The tester's outcome form in a real chromium at phone size, opened from the reveal mail's link. */

const HOST = '127.0.0.1';
const uidOf = (text: string) => /UID:([0-9a-f-]{36})@groundtruth/.exec(text)?.[1];

/** The small campaign with one required yes/no question in its scenario. */
const setUp = (t: TestApp) =>
  smallCampaign(
    t,
    {},
    {
      questions: [
        { key: 'offered_alternative', label: 'Were you offered an alternative?', type: 'yes_no', required: true },
      ],
    },
  );

/** Submits the form whose button is `button` and answers the POST's own response (303 or 400), once the next page has loaded. */
async function submit(page: Page, button: string, path: string): Promise<Response> {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path);
  await page.locator(button).click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('the outcome form in a phone-sized chromium', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let link: string;
  let formPath: string;
  let assignment: { id: string; windowStart: Date };
  let tester: { person: { id: string; email: string }; key: string; timezone: string };

  beforeAll(async () => {
    browser = await launchBrowser(); // first: a missing chromium fails here, with the command that installs it
    sink = await startSmtpSink();
    const port = await freePort(HOST);
    baseUrl = `http://${HOST}:${port}`;
    t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: baseUrl },
      clock: new ManualClock('2027-02-28T12:00:00Z'),
    });
    await t.app.listen(port, HOST);
    expect((t.app.getHttpServer().address() as AddressInfo).port).toBe(port);

    const { testers, campaignId } = await setUp(t);
    const [first] = await t.dataSource.query(
      `SELECT a.id, a.tester_id, a.reveal_at, a.window_start, p.timezone FROM assignment a JOIN person p ON p.id = a.tester_id
        WHERE a.campaign_id = $1 ORDER BY a.reveal_at, a.id LIMIT 1`,
      [campaignId],
    );
    assignment = { id: first.id, windowStart: new Date(first.window_start) };
    tester = { ...testers.find((x) => x.person.id === first.tester_id)!, timezone: first.timezone };

    t.clock.set(first.reveal_at);
    const jobs = t.app.get(JobsService);
    await jobs.run('reveal');
    await jobs.run('outbox');
    await sink.waitFor(1);
    const mail = sink.messages.find(
      (m) =>
        m.subject?.startsWith('Your test contact:') &&
        m.attachments.some((a) => uidOf(a.content.toString('utf8')) === assignment.id),
    );
    expect(mail).toBeDefined();
    expect(mail!.to && JSON.stringify(mail!.to)).toContain(tester.person.email);
    const token = /t\/[A-Za-z0-9_-]{43}/.exec(mail!.text ?? '');
    expect(token).not.toBeNull();
    link = `${baseUrl}/${token![0]}`;
    expect(mail!.text).toContain(link); // PUBLIC_URL is this server: the mailed link is the one the browser opens
    formPath = new URL(link).pathname;

    // The tester makes the call half an hour into the window, then opens the link on their phone.
    t.clock.set(new Date(assignment.windowStart.getTime() + 30 * 60_000));
    page = await phonePage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  it('offers a decline form until the window begins, and then no longer', async () => {
    const during = t.clock.now();
    t.clock.set(new Date(assignment.windowStart.getTime() - 30 * 60_000));
    expect((await page.goto(link))?.status()).toBe(200);
    const decline = page.locator(
      `form[method=post][action$="${formPath}/decline"], form[method=POST][action$="${formPath}/decline"]`,
    );
    expect(await decline.count()).toBe(1);
    expect(await decline.locator('textarea#reason[name=reason]').count()).toBe(1);
    expect(await page.locator('label[for="reason"]').count()).toBe(1);
    expect(await decline.getByRole('button', { name: 'Decline this test' }).count()).toBe(1);
    t.clock.set(during);
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await page.locator('form[action$="/decline"]').count()).toBe(0);
    expect(await page.getByText('can no longer be declined').count()).toBe(1);
  });

  it('opens the form from the mailed link: labelled fields named after the outcome fields, no sideways scrolling', async () => {
    const response = await page.goto(link);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await screenshot(page, 'outcome-form');

    // dates are text in the reader's own format (a browser's date inputs use the browser's, not the tester's)
    const fields: Array<[string, string]> = [
      ['attemptedAt', 'text'],
      ['secondsToHuman', 'text'],
      ['holdSeconds', 'text'],
      ['transfers', 'number'],
      ['disconnects', 'number'],
      ['promisedFollowUpBy', 'text'],
    ];
    for (const [name, type] of fields) {
      const input = page.locator(`#${name}`);
      expect(await input.getAttribute('name')).toBe(name);
      expect(await input.getAttribute('type')).toBe(type);
    }
    expect(await page.locator('textarea#notes').getAttribute('name')).toBe('notes');
    // en-GB (the phone's language): day/month/year, 24-hour clock, in the tester's zone
    expect(await page.locator('#attemptedAt').inputValue()).toBe(
      DateTime.fromJSDate(t.clock.now(), { zone: tester.timezone }).toFormat('dd/MM/yyyy, HH:mm'),
    );
    // every choice a tester may leave unanswered has a "not asked" choice (value empty): a ticked radio is never a trap
    const radios: Array<[string, string[]]> = [
      ['reachedHuman', ['yes', 'no']],
      ['repeatedStory', ['yes', 'no']],
      ['resolution', ['resolved', 'partial', 'unresolved']],
      ['optionsExplained', ['yes', 'no', 'none']],
      ['courtesy', ['1', '2', '3', '4', '5', 'none']],
      ['knowledge', ['1', '2', '3', '4', '5', 'none']],
      ['staffGaveName', ['yes', 'no', 'none']],
      ['answers.offered_alternative', ['yes', 'no']], // required: answered yes or no
    ];
    for (const [name, values] of radios) {
      for (const value of values) {
        const radio = page.locator(`[id="${name}-${value}"]`);
        expect(await radio.getAttribute('type')).toBe('radio');
        expect(await radio.getAttribute('name')).toBe(name);
      }
    }

    // Every field a person fills in has a <label for=…>.
    const inputs = page.locator('input:not([type=hidden]), textarea, select');
    const count = await inputs.count();
    expect(count).toBeGreaterThanOrEqual(fields.length + 1 + radios.reduce((n, [, v]) => n + v.length, 0)); // + notes
    for (let i = 0; i < count; i++) {
      const id = await inputs.nth(i).getAttribute('id');
      expect(id).toBeTruthy();
      expect({ id, labelled: (await page.locator(`label[for="${id}"]`).count()) >= 1 }).toEqual({ id, labelled: true });
    }

    const save = page.locator('button[type=submit][name=action][value=save]');
    expect((await save.textContent())?.trim()).toBe('Save');

    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
  });

  const notes = 'Held twice with music, then put through to billing, who could not help.';
  const followUpDay = () => DateTime.fromJSDate(assignment.windowStart, { zone: tester.timezone }).plus({ days: 3 });
  const followUpBy = () => followUpDay().toISODate()!;

  it('answers a wrong entry with 400, the error beside its field and everything entered kept', async () => {
    await page.locator('#reachedHuman-no').check();
    await page.locator('#secondsToHuman').fill('2:30'); // nobody answered, yet a time to reach a person: wrong
    await page.locator('#holdSeconds').fill('1:15');
    await page.locator('#transfers').fill('2');
    await page.locator('#disconnects').fill('1');
    await page.locator('#repeatedStory-yes').check();
    await page.locator('#resolution-partial').check();
    await page.locator('#optionsExplained-no').check();
    await page.locator('#promisedFollowUpBy').fill(followUpDay().toFormat('d/M/yyyy')); // typed unpadded
    await page.locator('#notes').fill(notes);
    await page.locator('[id="answers.offered_alternative-no"]').check();

    const response = await submit(page, 'button[name=action][value=save]', formPath);
    expect(response.status()).toBe(400);

    const error = page.locator('#secondsToHuman-error');
    expect(await error.isVisible()).toBe(true);
    expect(await error.getAttribute('class')).toMatch(/(^|\s)error(\s|$)/);
    expect((await error.textContent())?.trim()).not.toBe('');
    expect((await page.locator('#secondsToHuman').getAttribute('aria-describedby'))?.split(/\s+/)).toContain(
      'secondsToHuman-error',
    );
    expect(await page.locator('.error[id$="-error"]').count()).toBe(1); // only the wrong field is flagged

    expect(await page.locator('#notes').inputValue()).toBe(notes);
    expect(await page.locator('#secondsToHuman').inputValue()).toBe('2:30');
    expect(await page.locator('#holdSeconds').inputValue()).toMatch(/^(1:15|75)$/);
    expect(await page.locator('#transfers').inputValue()).toBe('2');
    expect(await page.locator('#disconnects').inputValue()).toBe('1');
    expect(await page.locator('#promisedFollowUpBy').inputValue()).toBe(followUpDay().toFormat('d/M/yyyy'));
    for (const id of [
      'reachedHuman-no',
      'repeatedStory-yes',
      'resolution-partial',
      'optionsExplained-no',
      'answers.offered_alternative-no',
    ]) {
      expect({ id, checked: await page.locator(`[id="${id}"]`).isChecked() }).toEqual({ id, checked: true });
    }
    await screenshot(page, 'outcome-form-error');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
  });

  let attemptedLocal: string;

  it('saves once fixed (a person did answer, after 2:30) and says thank you', async () => {
    await page.locator('#reachedHuman-yes').check();
    await page.locator('#courtesy-3').check();
    await page.locator('#knowledge-4').check();
    await page.locator('#staffGaveName-yes').check();
    attemptedLocal = await page.locator('#attemptedAt').inputValue();

    const response = await submit(page, 'button[name=action][value=save]', formPath);
    expect(response.status()).toBe(303);
    expect(new URL(page.url()).pathname).toBe(formPath);
    expect(new URL(page.url()).searchParams.get('saved')).toBe('1');
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).toContain('Thank you');
    expect(body).toMatch(/48 hours/);
    await screenshot(page, 'outcome-saved');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
  });

  it("makes the saved outcome readable through the API with the tester's own key", async () => {
    const res = await t.http().get(`/api/v1/assignments/${assignment.id}/outcome`).set(auth(tester.key)).expect(200);
    const o = res.body;
    expect(o.assignmentId).toBe(assignment.id);
    expect(o.testerId).toBe(tester.person.id);
    expect(DateTime.fromISO(o.attemptedAt, { zone: tester.timezone }).toFormat('dd/MM/yyyy, HH:mm')).toBe(
      attemptedLocal,
    );
    expect(o).toMatchObject({
      reachedHuman: true,
      secondsToHuman: 150,
      holdSeconds: 75,
      transfers: 2,
      disconnects: 1,
      repeatedStory: true,
      resolution: 'partial',
      optionsExplained: false,
      courtesy: 3,
      knowledge: 4,
      staffGaveName: true,
      promisedFollowUpBy: followUpBy(),
      notes,
      answers: { offered_alternative: false },
    });
    const a = await t.http().get(`/api/v1/assignments/${assignment.id}`).set(auth(tester.key)).expect(200);
    expect(a.body.status).toBe('completed');
  });

  const edit = async () => {
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await page.getByText('You can change it until').count()).toBe(1);
  };
  const saved = async () =>
    (await t.http().get(`/api/v1/assignments/${assignment.id}/outcome`).set(auth(tester.key))).body;

  it('never traps on an edit: each choice ticked then cleared, switched to nobody answered and resolved, saved twice', async () => {
    await edit();
    // the saved answers come back, and each optional choice can be changed, then cleared ("not asked")
    for (const [name, value] of [
      ['courtesy', '3'],
      ['knowledge', '4'],
      ['staffGaveName', 'yes'],
      ['optionsExplained', 'no'],
    ]) {
      expect({ name, checked: await page.locator(`#${name}-${value}`).isChecked() }).toEqual({ name, checked: true });
      await page.locator(`#${name}-${{ yes: 'no', no: 'yes' }[value] ?? '5'}`).check(); // changed…
      // …then cleared
      await page.locator(`#${name}-none`).check();
      expect(await page.locator(`#${name}-none`).isChecked()).toBe(true);
    }
    // nobody answered after all, and it was resolved: the wait goes too
    await page.locator('#reachedHuman-no').check();
    await page.locator('#secondsToHuman').fill('');
    await page.locator('#resolution-resolved').check();
    expect((await submit(page, 'button[name=action][value=save]', formPath)).status()).toBe(303);
    expect(await saved()).toMatchObject({
      reachedHuman: false,
      secondsToHuman: null,
      holdSeconds: 75,
      resolution: 'resolved',
      optionsExplained: null,
      courtesy: null,
      knowledge: null,
      staffGaveName: null,
    });

    // edited again: the cleared choices come back as "not asked", and it saves as it is
    await edit();
    for (const name of ['courtesy', 'knowledge', 'staffGaveName', 'optionsExplained'])
      expect({ name, none: await page.locator(`#${name}-none`).isChecked() }).toEqual({ name, none: true });
    expect(await page.locator('#reachedHuman-no').isChecked()).toBe(true);
    expect((await submit(page, 'button[name=action][value=save]', formPath)).status()).toBe(303);

    // a person did answer: a rating left on a choice that no longer applies is named beside its field
    await edit();
    await page.locator('#reachedHuman-yes').check();
    await page.locator('#secondsToHuman').fill('1:02:03');
    await page.locator('#courtesy-4').check();
    const refused = await submit(page, 'button[name=action][value=save]', formPath);
    expect(refused.status()).toBe(400);
    expect(await page.locator('#knowledge-error').textContent()).toContain('knowledge');
    expect(await page.locator('.error[id$="-error"]').count()).toBe(1);
    await page.locator('#knowledge-2').check();
    expect((await submit(page, 'button[name=action][value=save]', formPath)).status()).toBe(303);
    expect(await saved()).toMatchObject({ reachedHuman: true, secondsToHuman: 3723, courtesy: 4, knowledge: 2 });
  });

  it('records an email wait of 1 day 3 hours typed as days and hours, and refuses one over 14 days by name', async () => {
    const touchpointId = (await saved()).touchpointId;
    await t.dataSource.query(`UPDATE touchpoint SET channel = 'email', contact = 'help@example.org' WHERE id = $1`, [
      touchpointId,
    ]);
    await edit();
    expect(await page.locator('label[for=secondsToHuman]').textContent()).toBe('Wait until a person first replied');
    expect(await page.locator('#secondsToHuman-hint').textContent()).toContain('days and hours, e.g. 1d 3h');
    await page.locator('#secondsToHuman').fill('15d');
    expect((await submit(page, 'button[name=action][value=save]', formPath)).status()).toBe(400);
    expect(await page.locator('#secondsToHuman-error').textContent()).toContain('14 days');
    await page.locator('#secondsToHuman').fill('1d 3h');
    expect((await submit(page, 'button[name=action][value=save]', formPath)).status()).toBe(303);
    expect((await saved()).secondsToHuman).toBe(27 * 3600);
    await edit();
    expect(await page.locator('#secondsToHuman').inputValue()).toBe('1d 3h'); // shown back as typed
    await screenshot(page, 'outcome-form-email-wait');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
  });

  it("writes and reads the dates in the reader's own format (a German phone) and the tester's zone", async () => {
    const german = await page
      .context()
      .browser()!
      .newContext({ locale: 'de-DE', viewport: { width: 390, height: 844 } });
    const de = await german.newPage();
    expect((await de.goto(link))?.status()).toBe(200);
    const o = await saved();
    const local = DateTime.fromISO(o.attemptedAt, { zone: tester.timezone });
    expect(await de.locator('#attemptedAt').inputValue()).toBe(local.toFormat('dd.MM.yyyy, HH:mm'));
    expect(await de.locator('#promisedFollowUpBy').inputValue()).toBe(followUpDay().toFormat('dd.MM.yyyy'));
    const body = (await de.locator('body').textContent()) ?? '';
    expect(body).toContain(local.setLocale('de-DE').toFormat('cccc')); // the window's weekday, in German
    expect(body).toContain(`(${tester.timezone})`);
    // typed back in German order, unpadded: read as the same moment
    await de.locator('#attemptedAt').fill(local.toFormat('d.M.yyyy, H:mm'));
    const posted = de.waitForResponse((r) => r.request().method() === 'POST');
    await de.locator('button[name=action][value=save]').click();
    expect((await posted).status()).toBe(303);
    expect(Date.parse((await saved()).attemptedAt)).toBe(local.toMillis());
    await screenshot(de, 'outcome-form-de');
    await german.close();
  });
});
