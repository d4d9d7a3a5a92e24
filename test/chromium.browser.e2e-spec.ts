import os from 'node:os';
import path from 'node:path';

import type { Browser } from 'playwright-core';

import { chooseChromium, launchBrowser, npmChromiumVersion } from './support/browser.js';

const npmChromiumMajor = npmChromiumVersion().split('.')[0];

/** Runs `work` with CHROMIUM_PATH set to `value` (or unset), whatever the shell that started jest said. */
async function withChromiumPath<T>(value: string | undefined, work: () => Promise<T>): Promise<T> {
  const before = process.env.CHROMIUM_PATH;
  if (value === undefined) delete process.env.CHROMIUM_PATH;
  else process.env.CHROMIUM_PATH = value;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = before;
  }
}

/** The family chromium really drew a node's text with (DevTools' CSS.getPlatformFontsForNode). */
async function platformFonts(browser: Browser, html: string): Promise<string[]> {
  const page = await browser.newPage();
  try {
    await page.setContent(html);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'p' });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    return fonts.map((f) => f.familyName);
  } finally {
    await page.close();
  }
}

describe('the browser the tests drive', () => {
  it('is the Chromium shipped by @sparticuz/chromium when CHROMIUM_PATH is unset, never a system one', async () => {
    const browser = await withChromiumPath(undefined, async () => {
      const choice = await chooseChromium();
      expect(choice.source).toBe('npm');
      expect(choice.executablePath.startsWith(path.join(os.tmpdir(), 'groundtruth-chromium-'))).toBe(true);
      expect(choice.args).toContain('--disable-background-networking');
      expect(choice.args).not.toContain('--disable-web-security');
      return launchBrowser();
    });
    try {
      // Debian's chromium is a later major version: the version proves which binary answered.
      expect(browser.version().split('.')[0]).toBe(npmChromiumMajor);
      // Only the npm DejaVu fonts are offered: a family the machine may have still falls back to them.
      expect(await platformFonts(browser, `<p style="font-family: 'Liberation Sans', Arial">Groundtruth</p>`)).toEqual([
        'DejaVu Sans',
      ]);
      expect(await platformFonts(browser, '<p style="font-family: serif">Groundtruth</p>')).toEqual(['DejaVu Serif']);
    } finally {
      await browser.close();
    }
  });

  it('is CHROMIUM_PATH when set, and fails naming it when nothing is there (no silent fallback)', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-chromium', 'chrome');
    await withChromiumPath(missing, async () => {
      expect((await chooseChromium()).source).toBe('CHROMIUM_PATH');
      await expect(launchBrowser()).rejects.toThrow(`No chromium at ${missing} (from CHROMIUM_PATH)`);
    });
  });
});
