import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_PAGE, bundleForBrowser, launchChromium, runInPage } from './chromium.js';
import type { KernelComparison } from './compare-kernels.js';

/**
 * The subgroup path of the reductions (lanes combined by shuffles before workgroup memory). Dawn
 * on llvmpipe has no subgroups; Chromium's SwiftShader adapter has them, so this runs there.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('reductions with subgroups (headless Chromium)', () => {
  it('agree with the CPU backend with and without the subgroup path', async () => {
    const code = await bundleForBrowser(
      fileURLToPath(new URL('./subgroups-entry.ts', import.meta.url)),
    );
    const { result, errors } = await runInPage<{
      ok: boolean;
      error?: string;
      features: { withSubgroups: boolean; without: boolean };
      withSubgroups: KernelComparison;
      without: KernelComparison;
    }>(browser, APP_PAGE, { '/app.js': code });
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.features).toEqual({ withSubgroups: true, without: false });
    for (const run of [result.withSubgroups, result.without]) {
      expect(run.failures).toEqual([]);
      expect(run.ops).toBe(12);
      expect(run.compared).toBeGreaterThan(100);
    }
  }, 180_000);
});
