import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The WebGPU backend in a real browser: headless Chromium's WebGPU (SwiftShader, no GPU needed)
 * runs browser-entry.ts, bundled from the sources as a user's bundler would. WebGPU needs
 * --enable-unsafe-webgpu on Linux and a real origin (not about:blank), so the page is served on
 * http://localhost through Playwright's routing.
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

let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('Chromium not found: apt-get install chromium');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser-entry.ts', import.meta.url))],
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

describe('WebGPU in headless Chromium', () => {
  it('agrees with the CPU backend on representative kernels and a short training run', async () => {
    const code = await bundle();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route('http://localhost/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/app.js') return route.fulfill({ contentType: 'text/javascript', body: code });
      return route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><script type="module" src="/app.js"></script>',
      });
    });
    await page.goto('http://localhost/index.html');
    const handle = await page.waitForFunction(
      () => (globalThis as { __result?: unknown }).__result,
      null,
      {
        timeout: 120_000,
      },
    );
    const result = (await handle.jsonValue()) as {
      ok: boolean;
      error?: string;
      kernels: { ops: number; compared: number; failures: string[] };
      losses: Record<string, number[]>;
    };
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.kernels.failures).toEqual([]);
    expect(result.kernels.ops).toBeGreaterThanOrEqual(14);
    const cpu = result.losses.cpu!;
    const gpu = result.losses.webgpu!;
    expect(gpu.at(-1)!).toBeLessThan(gpu[0]! / 10);
    for (let i = 0; i < cpu.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 3);
  }, 180_000);
});
