import { afterEach, describe, expect, it, vi } from 'vitest';

// Chromium's words when a page's CSP lacks 'wasm-unsafe-eval'.
const CSP_REFUSAL =
  "WebAssembly.Module(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script in the following Content Security Policy directive: \"script-src 'self'\"";

async function freshRuntime() {
  vi.resetModules();
  return import('../src/wasm/runtime.js');
}

describe('WebAssembly kernels blocked by a Content-Security-Policy', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('fall back to JS with one warning that names the directive', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    class RefusingModule {
      constructor() {
        throw new WebAssembly.CompileError(CSP_REFUSAL);
      }
    }
    vi.stubGlobal('WebAssembly', Object.create(WebAssembly, { Module: { value: RefusingModule } }));
    const { getRuntime } = await freshRuntime();
    const { wasmKernelStatus } = await import('../src/wasm/kernel-status.js');
    expect(getRuntime()).toBeNull();
    expect(getRuntime()).toBeNull();
    const status = wasmKernelStatus();
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(/'wasm-unsafe-eval'.*script-src/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /Content-Security-Policy.*'wasm-unsafe-eval'.*script-src/,
    );
  });

  it('load where nothing blocks them, without a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await freshRuntime();
    const { wasmKernelStatus } = await import('../src/wasm/kernel-status.js');
    expect(wasmKernelStatus()).toMatchObject({ available: true, reason: null });
    expect(warn).not.toHaveBeenCalled();
  });
});
