import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** Debian's chromium (`apt-get install -y chromium`); `CHROMIUM_PATH` points elsewhere. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Where `screenshot` writes (git-ignored). */
export const SCREENSHOT_DIR = path.resolve('test-output', 'screenshots');

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/**
 * A headless chromium driven by playwright-core. Throws — never skips — when the browser is
 * not installed: the browser tests are part of `npm test`.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `No chromium at ${executablePath}: the browser tests need Debian's chromium. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (`.ci/run` does this), ' +
        'or set CHROMIUM_PATH to a chromium executable.',
    );
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** A page in a fresh context that looks like a phone: 390×844 CSS px, 2× pixels, touch, en-GB. */
export async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-GB',
  });
  return context.newPage();
}

/** Writes a full-page screenshot to `test-output/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The app's PUBLIC_URL (the links in its mails) must be known before it is created, so browser
 * tests pick the port first, then `await t.app.listen(port, host)`.
 */
export { freePort } from '../../src/common/free-port.js';
