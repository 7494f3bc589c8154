import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_KNOWN_ISSUES,
  type ConformanceSummary,
  REPRESENTATIVE_OPS,
} from './browser-conformance.js';

/**
 * The WebGPU backend in a real browser: headless Chromium's WebGPU (SwiftShader, no GPU needed)
 * runs browser-entry.ts on a page and browser-worker.ts in a dedicated Web Worker, each bundled
 * from the sources as a user's bundler would. WebGPU needs
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

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
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

/**
 * Opens a page on http://localhost whose index.html is `html`, serving `scripts` (path → code),
 * and resolves with what the page puts in `globalThis.__result`, after checking that it threw
 * no uncaught error.
 */
async function runPage(html: string, scripts: Record<string, string>): Promise<unknown> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.route('http://localhost/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      const script = scripts[path];
      if (script !== undefined)
        return route.fulfill({ contentType: 'text/javascript', body: script });
      return route.fulfill({ contentType: 'text/html', body: html });
    });
    await page.goto('http://localhost/index.html');
    const handle = await page.waitForFunction(
      () => (globalThis as { __result?: unknown }).__result,
      null,
      { timeout: 120_000 },
    );
    const result = await handle.jsonValue();
    expect(errors).toEqual([]);
    return result;
  } finally {
    await page.close();
  }
}

/** Each value of `got` within `tol` of `want`'s, index by index. */
function expectClose(got: readonly number[], want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => {
    expect(Math.abs(v - want[i]!), `[${i}]: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol);
  });
}

/** What browser-worker.ts trains on one device and reads back. */
interface WorkerRun {
  device: string;
  losses: number[];
  weight: number[];
  logits: number[][];
}

/** The page that starts browser-worker.ts in a dedicated module worker and keeps its answer. */
const WORKER_PAGE = `<!doctype html><script type="module">
const worker = new Worker('/worker.js', { type: 'module' });
worker.onmessage = (e) => { globalThis.__result = e.data; };
worker.onerror = (e) => { globalThis.__result = { ok: false, error: 'worker error: ' + e.message }; };
worker.postMessage('start');
</script>`;

describe('WebGPU in headless Chromium', () => {
  it('agrees with the CPU backend and PyTorch on representative ops, and trains as on the CPU', async () => {
    const result = (await runPage('<!doctype html><script type="module" src="/app.js"></script>', {
      '/app.js': await bundle('./browser-entry.ts'),
    })) as {
      ok: boolean;
      error?: string;
      kernels: { ops: number; compared: number; failures: string[] };
      conformance: ConformanceSummary;
      losses: Record<string, number[]>;
    };
    expect(result.error).toBeUndefined();
    expect(result.kernels.failures).toEqual([]);
    expect(result.kernels.ops).toBeGreaterThanOrEqual(14);
    // The conformance part: every op of every family passed its checks, gradients included.
    const { byOp, failures } = result.conformance;
    expect(failures).toEqual([]);
    // Each known issue still fails: when a fix makes one pass, its entry must go.
    expect(result.conformance.knownFailures.sort()).toEqual(
      Object.keys(BROWSER_KNOWN_ISSUES).sort(),
    );
    for (const [family, names] of Object.entries(REPRESENTATIVE_OPS)) {
      for (const name of names) {
        const counts = byOp[name]!;
        expect(counts.devices, `${family}: ${name} against the CPU`).toBeGreaterThan(0);
        if (name !== 'gt')
          expect(counts.gradients, `${family}: ${name} gradients`).toBeGreaterThan(0);
      }
    }
    const fixtures = Object.values(byOp).reduce((n, c) => n + c.fixture, 0);
    expect(fixtures).toBeGreaterThan(50);
    const cpu = result.losses.cpu!;
    const gpu = result.losses.webgpu!;
    expect(gpu.at(-1)!).toBeLessThan(gpu[0]! / 10);
    for (let i = 0; i < cpu.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 3);
  }, 180_000);

  it('runs autodag on WebGPU inside a dedicated Web Worker', async () => {
    const result = (await runPage(WORKER_PAGE, {
      '/worker.js': await bundle('./browser-worker.ts'),
    })) as { ok: boolean; error?: string; inWorker: boolean; cpu: WorkerRun; webgpu: WorkerRun };
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.inWorker).toBe(true);
    expect(result.cpu.device).toBe('cpu');
    expect(result.webgpu.device).toBe('webgpu');
    const { losses } = result.webgpu;
    expect(losses).toHaveLength(10);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
    expectClose(losses, result.cpu.losses, 1e-4);
    expectClose(result.webgpu.weight, result.cpu.weight, 1e-4);
    expectClose(result.webgpu.logits.flat(), result.cpu.logits.flat(), 1e-4);
  }, 120_000);
});
