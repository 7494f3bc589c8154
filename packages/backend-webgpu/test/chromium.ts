import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';

/**
 * Running a bundled entry in headless Chromium, whose WebGPU (SwiftShader) needs no GPU. WebGPU
 * needs --enable-unsafe-webgpu on Linux and a real origin (not about:blank), so the page is
 * served on http://localhost through Playwright's routing. The entry reports by setting
 * `globalThis.__result`.
 */

const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
const ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium with WebGPU enabled. */
export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('Chromium not found: apt-get install chromium');
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** Bundles `entry` from the sources as a user's bundler would (ESM, browser platform). */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['@autodag/source'],
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

/** The page that loads `/app.js` as a module. */
export const APP_PAGE = '<!doctype html><script type="module" src="/app.js"></script>';

/**
 * Opens a fresh page on http://localhost whose index.html is `html`, serving `scripts` (path →
 * code); resolves with what the page puts in `globalThis.__result` and the uncaught errors it
 * threw.
 */
export async function runInPage<T>(
  browser: Browser,
  html: string,
  scripts: Readonly<Record<string, string>>,
  timeout = 120_000,
): Promise<{ result: T; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.route('http://localhost/**', (route) => {
      const script = scripts[new URL(route.request().url()).pathname];
      if (script !== undefined) {
        return route.fulfill({ contentType: 'text/javascript', body: script });
      }
      return route.fulfill({ contentType: 'text/html', body: html });
    });
    await page.goto('http://localhost/index.html');
    const handle = await page.waitForFunction(
      () => (globalThis as { __result?: unknown }).__result,
      null,
      { timeout },
    );
    return { result: (await handle.jsonValue()) as T, errors };
  } finally {
    await page.close();
  }
}
