import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_KNOWN_ISSUES,
  type ConformanceSummary,
  REPRESENTATIVE_OPS,
} from './browser-conformance.js';
import { APP_PAGE, bundleForBrowser, launchChromium, runInPage } from './chromium.js';

/**
 * The WebGPU backend in a real browser: headless Chromium's WebGPU (SwiftShader, no GPU needed)
 * runs browser-entry.ts on a page and browser-worker.ts in a dedicated Web Worker, each bundled
 * from the sources as a user's bundler would (see chromium.ts).
 */

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

function bundle(entry: string): Promise<string> {
  return bundleForBrowser(fileURLToPath(new URL(entry, import.meta.url)));
}

/** Runs a page (see chromium.ts) and checks that it threw no uncaught error. */
async function runPage(html: string, scripts: Record<string, string>): Promise<unknown> {
  const { result, errors } = await runInPage(browser, html, scripts);
  expect(errors).toEqual([]);
  return result;
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
    const result = (await runPage(APP_PAGE, {
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
