import type { ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';

import { JOURNEYS, TOUCHPOINTS } from '../src/demo/demo-organisation.js';
import type { DigestPayload } from '../src/digests/digest-builder.service.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { NodeChild, startNode } from './support/child-process.js';
import { createTestDatabase, dropTestDatabase } from './support/test-app.js';

/** `npm run demo` as a newcomer runs it: the built demo, a real process, its printed links followed. */
interface Demo {
  child: ChildProcess;
  output: () => string;
  ready: Promise<Printed>;
  exit: Promise<number | null>;
}

/** What the demo printed: what stays from run to run, and the one-time sign-in links (fresh each run). */
interface Printed {
  stable: Record<'adminKey' | 'qualityKey' | 'digest' | 'eml', string>;
  signIn: Record<'quality' | 'admin' | 'tester', string>;
}

const running = new Set<NodeChild>();

function startDemo(env: Record<string, string>): Demo {
  const node = startNode('dist/src/demo/main.js', [], env);
  running.add(node);
  const output = () => node.stdout() + node.stderr();
  const field = (label: string) => new RegExp(`${label}\\s+(\\S+)`).exec(output())?.[1] ?? '';
  // a hang guard, not a speed check: the 8-week replay takes ~90 s alone and several minutes on a busy machine
  const signInLink = (label: string) => new RegExp(`^  ${label} +(http\\S+)`, 'm').exec(output())?.[1] ?? '';
  const ready = node.waitForLine(/Try: curl/, 480_000).then(() => ({
    stable: {
      adminKey: field('Admin API key'),
      qualityKey: field("Quality lead's key"),
      digest: field('Latest digest'),
      eml: field('…as it was mailed'),
    },
    signIn: { quality: signInLink('Quality lead'), admin: signInLink('Admin'), tester: signInLink('Tester') },
  }));
  ready.catch(() => undefined);
  return { child: node.child, output, ready, exit: node.exited.then((e) => e.code) };
}

/** Every stored digest run of the demo, oldest first, read through the API as the quality team would. */
async function storedDigests(base: string, key: string): Promise<DigestPayload[]> {
  const get = async <T>(path: string) =>
    (await (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } })).json()) as T;
  const runs = await get<{ items: Array<{ id: string; periodStart: string }> }>('/api/v1/digests?limit=50');
  const sorted = [...runs.items].sort((a, b) => a.periodStart.localeCompare(b.periodStart));
  return Promise.all(
    sorted.map(async (r) => (await get<{ payload: DigestPayload }>(`/api/v1/digests/${r.id}`)).payload),
  );
}

const DECIDED = ['contradicted', 'consistent', 'better_than_claimed'];

describe('npm run demo', () => {
  let databaseUrl: string;
  let dataDir: string;
  let browser: Browser;
  let env: Record<string, string>;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-demo-'));
    browser = await launchBrowser();
    env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1' };
  });

  afterAll(async () => {
    for (const node of running) await node.kill();
    await browser?.close();
    await dropTestDatabase(databaseUrl);
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Opens a printed sign-in link in a fresh browser: the GET shows a button and signs nobody in, the POST does. */
  async function signInWith(link: string, name: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    expect((await page.goto(link))?.status()).toBe(200);
    expect((await context.cookies()).some((c) => c.name === 'gt_session')).toBe(false);
    const home = page.waitForResponse((r) => new URL(r.url()).pathname === '/' && r.request().method() === 'GET');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await home).status()).toBe(200);
    expect(await page.locator('header').textContent()).toContain(`Signed in as ${name}`);
    return page;
  }

  /** The console home shows the sections of the person's roles, and no other. */
  async function expectSections(page: Page, shown: string[], hidden: string[]): Promise<void> {
    const nav = (await page.locator('nav.sections').textContent()) ?? '';
    for (const label of shown) expect(nav).toContain(label);
    for (const label of hidden) expect(nav).not.toContain(label);
  }

  it('replays eight weeks, prints working links, serves until SIGINT, and reuses its organisation next time', async () => {
    const demo = startDemo(env);
    const { stable: links, signIn } = await demo.ready;
    const base = `http://localhost:${env.PORT}`;
    const out = demo.output();
    expect(out).toMatch(
      /Replayed: \d+ tests planned, \d+ contacts recorded, \d+ declined, \d+ missed, \d+ claims from the reviews, 8 digests/,
    );
    expect(links.adminKey).toMatch(/^gt_/);

    // the same claim at the same budget: the Leeds lines tested by need bring it far more contacts, at the pace the
    // digests expect, where Glasgow's four a line leave it short; never fewer decided. Whether Leeds reaches every
    // contact its verdict needs depends on the replay's draws (26–31 of 30 seen), so that is not asserted.
    const digests = await storedDigests(`http://127.0.0.1:${env.PORT}`, links.adminKey);
    const rows = digests.flatMap((d) => d.rows);
    const site = (city: string) => rows.filter((r) => r.scopeLabel === `Mobile billing line — ${city} centre`);
    const judged = (city: string) => site(city).filter((r) => r.verdict !== 'in_progress');
    const decided = (city: string) => judged(city).filter((r) => DECIDED.includes(r.verdict)).length;
    expect(decided('Leeds')).toBeGreaterThanOrEqual(decided('Glasgow'));
    expect(judged('Leeds')).toHaveLength(1);
    expect(judged('Glasgow')).toHaveLength(1);
    const [leeds, glasgow] = [judged('Leeds')[0], judged('Glasgow')[0]];
    expect(glasgow.n).toBeLessThan(glasgow.contactsNeeded!);
    expect(leeds.n).toBeGreaterThan(1.5 * glasgow.n);
    // while a period runs: contacts so far, still needed, and the week expected (none at four a week)
    const inProgress = (city: string) => site(city).filter((r) => r.verdict === 'in_progress');
    for (const r of [...inProgress('Leeds'), ...inProgress('Glasgow')])
      expect(r.contactsStillNeeded).toEqual(expect.any(Number));
    expect(inProgress('Leeds').some((r) => r.decisionExpectedWeek)).toBe(true);
    expect(inProgress('Glasgow').some((r) => r.decisionExpectedWeek)).toBe(false);
    const latest = digests[digests.length - 1];

    // each of issue 15's five journeys shows in the latest digest: in a claim row, a fact nobody claimed, a question
    const unclaimed = latest.unclaimed!;
    const fact = (name: string, metric: string) =>
      unclaimed.facts.find((f) => f.scopeLabel === name && f.metric === metric);
    for (const journey of JOURNEYS) {
      const name = TOUCHPOINTS.find((t) => t.key === journey.touchpoint)!.name;
      for (const metric of journey.shows.claimed ?? [])
        expect(latest.rows.find((r) => r.scopeLabel === name && r.metric === metric)?.n).toBeGreaterThan(0);
      for (const metric of journey.shows.unclaimed ?? []) expect(fact(name, metric)?.observed).toBeGreaterThan(0);
      // case facts show only where a case went beyond its first contact: the journey's own, in the demo
      for (const metric of journey.shows.caseFacts ?? [])
        expect({ metric, n: fact(name, metric)?.n }).toEqual({ metric, n: expect.any(Number) });
      if (journey.shows.question)
        expect(unclaimed.questions.find((q) => q.key === journey.shows.question)?.n).toBeGreaterThan(0);
    }
    // the surgery's case resolved on its third contact: every other resolved case there took one
    const surgery = TOUCHPOINTS.find((t) => t.key === 'surgery')!.name;
    expect(fact(surgery, 'contacts_to_resolution')?.observed).toBeGreaterThan(1);
    // and through the API, each journey's case as its story goes: the line's given up after a chase on day 3, the
    // surgery's resolved on the surgery's callback after "not there yet" 48 hours on
    const api = async <T>(path: string) =>
      (await (
        await fetch(`http://127.0.0.1:${env.PORT}${path}`, { headers: { authorization: `Bearer ${links.adminKey}` } })
      ).json()) as T;
    const touchpoints = await api<{ items: Array<{ id: string; name: string }> }>('/api/v1/touchpoints?limit=200');
    const caseOf = async (name: string, status: string) => {
      const id = touchpoints.items.find((t) => t.name === name)!.id;
      const outcomes = await api<{ items: Array<{ id: string; caseContacts: number }> }>(
        `/api/v1/outcomes?touchpointId=${id}&caseStatus=${status}&limit=200`,
      );
      const followed = outcomes.items.filter((o) => o.caseContacts > 1);
      expect(followed).toHaveLength(1);
      return api<{
        contactCount: number;
        storyRepeats: number;
        daysToResolution: number | null;
        promisesFailed: number;
      }>(`/api/v1/outcomes/${followed[0].id}/case`);
    };
    expect(await caseOf(TOUCHPOINTS.find((t) => t.key === 'line')!.name, 'given_up')).toMatchObject({
      contactCount: 2,
      storyRepeats: 2,
      promisesFailed: 1,
    });
    const prescription = await caseOf(surgery, 'resolved');
    expect(prescription).toMatchObject({ contactCount: 3, storyRepeats: 1, promisesKept: 1, promisesFailed: 1 });
    expect(prescription.daysToResolution).toBeCloseTo(3 + 3 / 24, 6);
    expect(links.digest).toMatch(new RegExp(`^http://localhost:${env.PORT}/d/[A-Za-z0-9_-]{43}$`));

    // the digest link opens in a browser and shows the flattering claims contradicted
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(links.digest);
    await expect(page.title()).resolves.toMatch(/^Weekly service reality check: [1-9]\d* of \d+ claims contradicted/);
    expect(await page.locator('td', { hasText: /^contradicted$/ }).count()).toBeGreaterThan(0);
    const chart = page.locator('img[alt]').first();
    expect(
      await chart.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth > 0),
    ).toBe(true);
    await screenshot(page, 'demo-digest');
    await page.close();

    // the .eml is what went out: text, HTML and the chart inline
    const mail = await simpleParser(await readFile(links.eml), { keepCidLinks: true });
    expect(mail.subject).toMatch(/contradicted/);
    expect(mail.text).toContain(links.digest);
    expect(mail.html).toContain('cid:digest-chart');
    expect(mail.html).toContain('contradicted');
    const chartPart = mail.attachments.find((a) => a.cid === 'digest-chart');
    expect(chartPart?.contentType).toBe('image/png');
    expect(chartPart?.content.subarray(1, 4).toString()).toBe('PNG');

    // the printed key works, the jobs run on the real time now
    const metrics = await fetch(`http://127.0.0.1:${env.PORT}/api/v1/metrics`, {
      headers: { authorization: `Bearer ${links.adminKey}` },
    });
    expect(metrics.status).toBe(200);

    // the console: each printed link signs its person in, the tester records the test left open
    expect(out).toContain('each opens once, within 15 minutes');
    expect(out).toContain('npm run cli -- signin-link --email lena.fischer@northgate.example');
    expect(out).toMatch(/Jordan Blake: (a test|\d+ tests) of the web chat to record in My tests/);
    for (const link of Object.values(signIn))
      expect(link).toMatch(new RegExp(`^http://localhost:${env.PORT}/signin/[A-Za-z0-9_-]{43}$`));
    const quality = await signInWith(signIn.quality, 'Lena Fischer');
    await expectSections(quality, ['Claims', 'Digests', 'Results', 'Plan'], ['People']);
    await quality.goto(`${base}/digests`);
    expect(await quality.locator('main table a[href^="/digests/runs/"]').count()).toBeGreaterThanOrEqual(8);
    await screenshot(quality, 'demo-console-digests');
    // the newest digest, and from its row of the general line that touchpoint's weeks with the claims on them
    await quality.locator('main table a[href^="/digests/runs/"]').first().click();
    expect(await quality.locator('main td', { hasText: /^contradicted$/ }).count()).toBeGreaterThan(0);
    await screenshot(quality, 'demo-console-digest');
    await quality
      .locator('main a[href^="/results/touchpoints/"]', { hasText: 'Customer service general line' })
      .first()
      .click();
    await quality.waitForURL(/\/results\/touchpoints\//);
    expect(await quality.locator('main svg').count()).toBeGreaterThan(0);
    await screenshot(quality, 'demo-console-results');
    await screenshot(quality, 'demo-console', { fullPage: false }); // the README's docs/console.png
    await quality.context().close();

    const admin = await signInWith(signIn.admin, 'Demo Admin');
    await expectSections(admin, ['People', 'Touchpoints', 'Scenarios', 'Campaigns', 'Settings'], ['My tests']);
    await admin.context().close();

    const tester = await signInWith(signIn.tester, 'Jordan Blake');
    await expectSections(tester, ['My tests'], ['People', 'Digests']);
    await tester.goto(`${base}/my/tests`);
    const open = tester.locator('main a[href^="/my/tests/"]:not([href="/my/tests/ad-hoc"])').first();
    const testPath = await open.getAttribute('href');
    expect(testPath).toMatch(/^\/my\/tests\/[0-9a-f-]{36}$/);
    await open.click();
    await tester.waitForURL(`${base}${testPath}`);
    for (const id of ['reachedHuman-yes', 'repeatedStory-no', 'resolution-resolved', 'courtesy-4', 'knowledge-3'])
      await tester.locator(`[id="${id}"]`).check();
    await tester.locator('[id="answers.pac_explained-yes"]').check();
    await tester.locator('#secondsToHuman').fill('1:40');
    await tester.locator('#notes').fill('A person in under two minutes; the PAC steps sent in the chat.');
    const saved = tester.waitForResponse((r) => r.request().method() === 'POST');
    await tester.getByRole('button', { name: 'Save' }).click();
    expect((await saved).status()).toBe(303);
    await tester.waitForURL(`${base}${testPath}`);
    expect(await tester.getByRole('status').textContent()).toContain('Saved. You can change it until');
    await screenshot(tester, 'demo-console-my-test-recorded');
    const recorded = await fetch(`${base}/api/v1/assignments/${testPath!.split('/').pop()}`, {
      headers: { authorization: `Bearer ${links.adminKey}` },
    });
    expect(((await recorded.json()) as { status: string }).status).toBe('completed');
    await tester.context().close();

    // a link opens once
    const used = await fetch(signIn.quality, { method: 'POST', redirect: 'manual' });
    expect(used.status).toBe(410);

    demo.child.kill('SIGINT');
    expect(await demo.exit).toBe(0);

    const again = startDemo(env);
    const second = await again.ready;
    expect(again.output()).toContain('Reusing the demo organisation');
    expect(again.output()).not.toContain('Replayed:');
    expect(second.stable).toEqual(links);
    // fresh sign-in links each run, and they work
    expect(second.signIn.quality).not.toBe(signIn.quality);
    const back = await signInWith(second.signIn.quality, 'Lena Fischer');
    await back.context().close();
    again.child.kill('SIGINT');
    expect(await again.exit).toBe(0);
  }, 900_000);
});
