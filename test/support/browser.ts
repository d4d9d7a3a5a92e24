import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';
import type { Browser, LaunchOptions, Page } from 'playwright-core';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** Flags for any chromium here: no sandbox (root in a container), nothing fetched from the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/**
 * @sparticuz/chromium's flags left out: two turn off the web's security model (a test must see the browser a person
 * has), and one process for everything is for AWS Lambda (here it ends the browser when a page closes).
 */
const LEFT_OUT_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);

/** Where `screenshot` writes (git-ignored). */
export const SCREENSHOT_DIR = path.resolve('test-output', 'screenshots');
/** The npm browser's fontconfig (git-ignored): it names this checkout's node_modules, so it lives in the checkout. */
const FONTCONFIG_DIR = path.resolve('test-output', 'fontconfig');

/** The browser the tests launch: the CHROMIUM_PATH override, else the one the npm package ships. */
export interface ChromiumChoice {
  executablePath: string;
  source: 'CHROMIUM_PATH' | 'npm';
  args: string[];
  env?: Record<string, string>;
}

/**
 * The browser tests run the Chromium inside `@sparticuz/chromium` (a dev dependency), so `npm ci && npm test`
 * needs nothing from apt. `CHROMIUM_PATH` overrides it; nothing else is looked for (never /usr/bin/chromium).
 */
export async function chooseChromium(): Promise<ChromiumChoice> {
  const override = process.env.CHROMIUM_PATH;
  if (override) return { executablePath: override, source: 'CHROMIUM_PATH', args: CHROMIUM_ARGS };
  const unpacked = await unpackNpmChromium();
  return {
    executablePath: unpacked.executablePath,
    source: 'npm',
    args: [...new Set([...unpacked.args.filter((a) => !LEFT_OUT_ARGS.has(a)), ...CHROMIUM_ARGS])],
    // Pages are drawn with the npm DejaVu fonts, whatever fonts the machine has (or lacks).
    env: { ...stringEnv(), FONTCONFIG_FILE: writeFontConfig() },
  };
}

/**
 * Unpacks the package's brotli archives once per version into `<tmp>/groundtruth-chromium-<version>`. The package
 * itself unpacks into `<tmp>/chromium` and trusts any file found there (a half-written one from a parallel run, or
 * another version); here each unpack goes to a fresh folder in a child process whose TMPDIR points at it, and is
 * renamed into place only when complete, so parallel test workers never see half a browser.
 */
async function unpackNpmChromium(): Promise<{ executablePath: string; args: string[] }> {
  const dir = path.join(os.tmpdir(), `groundtruth-chromium-${npmChromiumVersion()}`);
  const done = path.join(dir, 'unpacked.json');
  if (!existsSync(done)) {
    const staging = await mkdtemp(path.join(os.tmpdir(), 'groundtruth-chromium-staging-'));
    try {
      const script =
        "const { default: c } = await import('@sparticuz/chromium');" +
        'process.stdout.write(JSON.stringify({ bin: await c.executablePath(), args: c.args }));';
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: npmChromiumDir(),
        env: { ...process.env, TMPDIR: staging },
        maxBuffer: 1 << 20,
      });
      const { bin, args } = JSON.parse(stdout) as { bin: string; args: string[] };
      writeFileSync(path.join(staging, 'unpacked.json'), JSON.stringify({ binary: path.basename(bin), args }));
      await rename(staging, dir);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      // Another worker renamed its complete copy into place first: use that one.
      if (!existsSync(done)) throw error;
    }
  }
  const { binary, args } = JSON.parse(readFileSync(done, 'utf8')) as { binary: string; args: string[] };
  return { executablePath: path.join(dir, binary), args };
}

/** The package's folder (its `exports` hide package.json from resolution: go up from its CommonJS entry). */
function npmChromiumDir(): string {
  return path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '..', '..');
}

/** The version of @sparticuz/chromium installed, e.g. `143.0.4` (Chromium 143). */
export function npmChromiumVersion(): string {
  return (JSON.parse(readFileSync(path.join(npmChromiumDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * A fontconfig file that offers only the DejaVu fonts from npm (the same files the digest chart draws with), with the
 * generic families mapped to them and any other family falling back to sans-serif, as a system's conf.d would.
 */
function writeFontConfig(): string {
  mkdirSync(FONTCONFIG_DIR, { recursive: true });
  const file = path.join(FONTCONFIG_DIR, 'fonts.conf');
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, fontConfig(path.join(FONTCONFIG_DIR, 'cache')));
  renameSync(partial, file); // whole, even with parallel workers writing the same text
  return file;
}

function fontConfig(cacheDir: string): string {
  const dejavu = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const alias = (generic: string, family: string) =>
    `  <alias><family>${generic}</family><prefer><family>${family}</family></prefer></alias>`;
  const notGeneric = ['sans-serif', 'serif', 'monospace'].map(
    (g) => `<test qual="all" name="family" compare="not_eq"><string>${g}</string></test>`,
  );
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <dir>${dejavu}</dir>`,
    `  <cachedir>${cacheDir}</cachedir>`,
    `  <match target="pattern">${notGeneric.join('')}<edit name="family" mode="append_last">` +
      '<string>sans-serif</string></edit></match>',
    alias('sans-serif', 'DejaVu Sans'),
    alias('serif', 'DejaVu Serif'),
    alias('monospace', 'DejaVu Sans Mono'),
    '</fontconfig>',
    '',
  ].join('\n');
}

function stringEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * A headless chromium driven by playwright-core. Throws — never skips — when the browser cannot be started:
 * the browser tests are part of `npm test`.
 */
export async function launchBrowser(): Promise<Browser> {
  const choice = await chooseChromium();
  try {
    accessSync(choice.executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `No chromium at ${choice.executablePath} (from ${choice.source}): unset CHROMIUM_PATH to use the one ` +
        '@sparticuz/chromium ships (`npm ci` installs it), or point CHROMIUM_PATH at a chromium executable.',
    );
  }
  const options: LaunchOptions = { executablePath: choice.executablePath, headless: true, args: choice.args };
  if (choice.env) options.env = choice.env;
  return chromium.launch(options);
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

/** Writes a screenshot (the full page, or `fullPage: false` the viewport) to `test-output/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  return file;
}

/**
 * The app's PUBLIC_URL (the links in its mails) must be known before it is created, so browser
 * tests pick the port first, then `await t.app.listen(port, host)`.
 */
export { freePort } from '../../src/common/free-port.js';
