import type { ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';

import { freePort, launchBrowser, screenshot } from './support/browser.js';
import { NodeChild, startNode } from './support/child-process.js';
import { createTestDatabase, dropTestDatabase } from './support/test-app.js';

/** `npm run demo` as a newcomer runs it: the built demo, a real process, its printed links followed. */
interface Demo {
  child: ChildProcess;
  output: () => string;
  ready: Promise<Record<string, string>>;
  exit: Promise<number | null>;
}

const running = new Set<NodeChild>();

function startDemo(env: Record<string, string>): Demo {
  const node = startNode('dist/src/demo/main.js', [], env);
  running.add(node);
  const output = () => node.stdout() + node.stderr();
  const field = (label: string) => new RegExp(`${label}\\s+(\\S+)`).exec(output())?.[1] ?? '';
  // a hang guard, not a speed check: the 8-week replay takes ~90 s alone and several minutes on a busy machine
  const ready = node.waitForLine(/Try: curl/, 480_000).then(() => ({
    adminKey: field('Admin API key'),
    qualityKey: field("Quality lead's key"),
    digest: field('Latest digest'),
    eml: field('…as it was mailed'),
  }));
  ready.catch(() => undefined);
  return { child: node.child, output, ready, exit: node.exited.then((e) => e.code) };
}

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

  it('replays eight weeks, prints working links, serves until SIGINT, and reuses its organisation next time', async () => {
    const demo = startDemo(env);
    const links = await demo.ready;
    const out = demo.output();
    expect(out).toMatch(
      /Replayed: \d+ tests planned, \d+ contacts recorded, \d+ declined, \d+ missed, \d+ claims from the reviews, 8 digests/,
    );
    expect(links.adminKey).toMatch(/^gt_/);
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

    demo.child.kill('SIGINT');
    expect(await demo.exit).toBe(0);

    const again = startDemo(env);
    const second = await again.ready;
    expect(again.output()).toContain('Reusing the demo organisation');
    expect(again.output()).not.toContain('Replayed:');
    expect(second).toEqual(links);
    again.child.kill('SIGINT');
    expect(await again.exit).toBe(0);
  }, 900_000);
});
